//! `homeamp host --check`: the config, then each connection the host makes.

use std::process::ExitCode;

use homeamp_nodeconfig::NodeConfig;
use homeamp_reconciler::store::Store;

use crate::cli::check_lines::CheckLines;

pub async fn run(config: &NodeConfig) -> ExitCode {
    let mut lines = CheckLines::config_and_redis(config).await;
    if let Some(database) = &config.database {
        lines
            .run(&format!("store {}", database.describe()), async {
                let store = Store::connect(database.url().expose()).await?;
                store.close().await;
                Ok::<_, anyhow::Error>("connected, schema up to date")
            })
            .await;
    }
    if let Some(desired) = &config.desired_state {
        lines
            .run(&format!("desired state {}", desired.repo), async {
                if desired.repo.contains("://") || std::path::Path::new(&desired.repo).is_dir() {
                    Ok(format!("branch {}", desired.branch))
                } else {
                    Err(format!("{} is not a folder", desired.repo))
                }
            })
            .await;
    }
    super::super::agent::check::local_checks(config, &mut lines).await;
    lines.exit_code()
}
