//! `homeamp agent --check`: the config, then each connection the agent makes.

use std::process::ExitCode;

use homeamp_nodeconfig::NodeConfig;

use crate::cli::check_lines::CheckLines;

pub async fn run(config: &NodeConfig) -> ExitCode {
    let mut lines = CheckLines::config_and_redis(config).await;
    if let Some(api) = &config.host_api {
        lines
            .run(&format!("host API {}", api.url), async {
                let caller = super::link(config)?.whoami().await?;
                if caller.role != "agent" {
                    anyhow::bail!(
                        "the token `{}` has role {}: give the agent an agent token (`homeamp \
                         token create --agent {}`)",
                        caller.name,
                        caller.role,
                        config.physical_server
                    );
                }
                match caller.server.as_deref() {
                    Some(server) if server == config.physical_server => {
                        Ok(format!("token `{}` speaks for {server}", caller.name))
                    }
                    other => anyhow::bail!(
                        "the token `{}` speaks for server {}, not {}",
                        caller.name,
                        other.unwrap_or("(none)"),
                        config.physical_server
                    ),
                }
            })
            .await;
    }
    local_checks(config, &mut lines).await;
    lines.exit_code()
}

/// The instances this process manages: the AMP panel, or the instance folders.
pub async fn local_checks(config: &NodeConfig, lines: &mut CheckLines) {
    if let Some(amp) = &config.amp {
        lines
            .run(&format!("AMP {}", amp.url), async {
                let client = homeamp_ampclient::AmpClient::new(
                    &amp.url,
                    amp.username.clone(),
                    amp.password.expose(),
                )?;
                let instances = client.get_instances().await?;
                Ok::<_, anyhow::Error>(format!(
                    "logged in as {}, {} instance(s)",
                    amp.username,
                    instances.len()
                ))
            })
            .await;
    }
    if let Some(root) = &config.instances_root {
        lines
            .run(&format!("instances {}", root.display()), async {
                let entries = std::fs::read_dir(root)?;
                let folders = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .count();
                Ok::<_, std::io::Error>(format!("{folders} folder(s)"))
            })
            .await;
    }
}
