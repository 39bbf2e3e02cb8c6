//! What `homeamp host` and `homeamp agent` build alike from their config file: the config
//! itself (with its errors printed as they are), the Redis bus, the secrets.

use std::path::Path;

use anyhow::Context;
use homeamp_nodeconfig::{NodeConfig, RedisSettings, RedisTls, Role};
use homeamp_reconciler::bus::redis::{RedisBusConfig, TlsConfig};
use homeamp_reconciler::host::Secrets;

/// `--config FILE [--check]`, flattened into `homeamp host` and `homeamp agent`.
#[derive(clap::Args)]
pub struct RoleArgs {
    /// The config file (deployment/host-config.yaml or client-config.yaml).
    #[arg(long, value_name = "FILE")]
    config: std::path::PathBuf,
    /// Check the config and every connection, then exit (1 if any check fails).
    #[arg(long)]
    check: bool,
}

/// Loads the config for `role`, then runs `check` (with `--check`) or `serve` on a
/// multi-threaded runtime.
pub fn run_role<C, S>(
    args: RoleArgs,
    role: Role,
    check: impl FnOnce(NodeConfig) -> C,
    serve: impl FnOnce(NodeConfig) -> S,
) -> anyhow::Result<std::process::ExitCode>
where
    C: std::future::Future<Output = std::process::ExitCode>,
    S: std::future::Future<Output = anyhow::Result<std::process::ExitCode>>,
{
    let config = load(&args.config, role)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if args.check {
        return Ok(runtime.block_on(check(config)));
    }
    runtime.block_on(serve(config))
}

/// Reads the config file at `path` and checks it is for `role`.
pub fn load(path: &Path, role: Role) -> anyhow::Result<NodeConfig> {
    let config = homeamp_nodeconfig::load(path)?;
    if config.role != role {
        anyhow::bail!(
            "{}: `role: {}` is the config of `homeamp {}`, not of `homeamp {}`",
            path.display(),
            config.role.as_str(),
            command_of(config.role),
            command_of(role)
        );
    }
    Ok(config)
}

fn command_of(role: Role) -> &'static str {
    match role {
        Role::Host => "host",
        Role::Client => "agent",
    }
}

/// The Redis bus's settings from the config's `redis:` section.
pub fn redis_bus(redis: &RedisSettings) -> RedisBusConfig {
    let mut bus = RedisBusConfig::new(redis.host.clone(), redis.port);
    bus.db = redis.db;
    bus.username = redis.username.clone();
    bus.password = redis.password.as_ref().map(|p| p.expose().to_string());
    bus.tls = match &redis.tls {
        RedisTls::Off => None,
        RedisTls::On { ca_file } => Some(TlsConfig {
            ca_file: ca_file.clone(),
        }),
    };
    bus
}

/// The values of `${secret:NAME}`: the config's `secrets_file`, else `HOMEAMP_SECRET_*`.
pub fn secrets(config: &NodeConfig) -> anyhow::Result<Secrets> {
    match &config.secrets_file {
        Some(path) => homeamp_reconciler::host::secrets::load(path)
            .with_context(|| format!("reading the secrets file {}", path.display())),
        None => Ok(homeamp_reconciler::host::secrets::from_env()),
    }
}

/// The agent of `config`'s server: through the AMP panel when `amp:` is set (logging in
/// once now, so a wrong URL or password fails at start), else on the instance folders of
/// `instances_root`.
pub async fn agent(
    config: &NodeConfig,
    mut agent_config: homeamp_agent::AgentConfig,
) -> anyhow::Result<homeamp_agent::Agent> {
    let Some(amp) = &config.amp else {
        return homeamp_agent::Agent::new(agent_config).context("starting the agent");
    };
    let mut driver_config = homeamp_agent::AmpDriverConfig::new(
        amp.url.clone(),
        amp.username.clone(),
        amp.password.expose().to_string(),
    );
    driver_config.aliases = amp.aliases.clone().into_iter().collect();
    driver_config.history_keep = agent_config.history_keep;
    // AMP is polled, not watched: a hand edit on the panel is seen within poll_every.
    agent_config.poll_every = std::time::Duration::from_secs(5);
    let handle = tokio::runtime::Handle::current();
    let url = amp.url.clone();
    // The driver blocks (see homeamp_agent::driver): connect and discover off the runtime.
    let (agent, unmanaged) = tokio::task::spawn_blocking(move || {
        let driver = homeamp_agent::AmpDriver::connect(driver_config, handle)
            .with_context(|| format!("connecting to the AMP panel {url}"))?;
        let unmanaged = driver.unmanaged();
        let agent = homeamp_agent::Agent::with_driver(agent_config, std::sync::Arc::new(driver))
            .context("starting the agent")?;
        anyhow::Ok((agent, unmanaged))
    })
    .await??;
    for unmanaged in unmanaged {
        println!(
            "AMP instance {} ({}) is not managed: {}",
            unmanaged.instance_name, unmanaged.friendly_name, unmanaged.reason
        );
    }
    Ok(agent)
}
