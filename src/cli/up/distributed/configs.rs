//! The demo's config files, under `DIR/config/`: the host's (`hetzner-xeon`, directory
//! driver, MariaDB, Redis) and the agent's (`ovh-ryzen`, through the AMP simulator). Every
//! secret is a `{file: …}` next to them, mode 0600.

use std::path::Path;

use anyhow::Context;

/// Where the demo's services listen.
pub struct Addresses {
    pub redis_port: u16,
    pub mariadb_url: String,
    pub api_port: u16,
    pub amp_url: String,
}

/// What the config files point at in the demo fleet.
pub struct Fleet<'a> {
    pub repo: &'a Path,
    pub secrets_file: &'a Path,
    pub artifacts: &'a Path,
    pub host_root: &'a Path,
    pub host_server: &'a str,
    pub agent_server: &'a str,
}

/// Writes a config or secret file of the demo, mode 0600.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::cli::private_file::write_private(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

pub fn host_config(fleet: &Fleet<'_>, at: &Addresses) -> String {
    format!(
        "# Written by `homeamp up --demo DIR --distributed` (see deployment/host-config.yaml).\n\
         role: host\n\
         physical_server: {server}\n\
         instances_root: {root}\n\
         state_dir: ../state/host\n\
         secrets_file: {secrets}\n\
         artifacts: {artifacts}\n\
         redis:\n  host: 127.0.0.1\n  port: {redis}\n\
         database:\n  url: {db}\n\
         desired_state:\n  repo: {repo}\n  branch: HEAD\n  poll: 1s\n\
         webapi:\n  enabled: true\n  bind: 127.0.0.1\n  port: {api}\n\
         jobs:\n  redeliver_after: 30s\n",
        server = fleet.host_server,
        root = fleet.host_root.display(),
        secrets = fleet.secrets_file.display(),
        artifacts = fleet.artifacts.display(),
        redis = at.redis_port,
        db = at.mariadb_url,
        repo = fleet.repo.display(),
        api = at.api_port,
    )
}

pub fn client_config(fleet: &Fleet<'_>, at: &Addresses) -> String {
    format!(
        "# Written by `homeamp up --demo DIR --distributed` (see deployment/client-config.yaml).\n\
         role: client\n\
         physical_server: {server}\n\
         amp:\n  url: {amp}\n  username: admin\n  password: {{file: amp.password}}\n\
         state_dir: ../state/agent\n\
         secrets_file: {secrets}\n\
         redis:\n  host: 127.0.0.1\n  port: {redis}\n\
         host_api:\n  url: http://127.0.0.1:{api}\n  api_key: {{file: agent.token}}\n\
         webapi:\n  enabled: false\n",
        server = fleet.agent_server,
        amp = at.amp_url,
        secrets = fleet.secrets_file.display(),
        redis = at.redis_port,
        api = at.api_port,
    )
}
