//! The one-line-per-check report of `homeamp host --check` and `homeamp agent --check`.

use std::fmt::Display;
use std::future::Future;
use std::process::ExitCode;

/// Prints each check as it finishes; remembers whether any failed.
#[derive(Default)]
pub struct CheckLines {
    failed: usize,
}

impl CheckLines {
    /// Prints the config's line and checks Redis: what every role's `--check` starts with.
    pub async fn config_and_redis(config: &homeamp_nodeconfig::NodeConfig) -> Self {
        println!(
            "ok   config: {} (role {}, server {})",
            config.file.display(),
            config.role.as_str(),
            config.physical_server
        );
        let mut lines = Self::default();
        let redis = crate::cli::node::redis_bus(&config.redis);
        lines
            .run(&format!("redis {}", redis.display_url()), async {
                homeamp_reconciler::bus::redis::RedisBus::new(redis.clone())?
                    .ping()
                    .await?;
                Ok::<_, anyhow::Error>("PING answered")
            })
            .await;
        lines
    }

    /// Runs `check` and prints `ok   WHAT: DETAIL` or `FAIL WHAT: ERROR`.
    pub async fn run<T: Display, E: Display>(
        &mut self,
        what: &str,
        check: impl Future<Output = Result<T, E>>,
    ) {
        match check.await {
            Ok(detail) => println!("ok   {what}: {detail}"),
            Err(e) => {
                self.failed += 1;
                println!("FAIL {what}: {e}");
            }
        }
    }

    /// 0 when every check passed, else 1 (with a summary line).
    pub fn exit_code(&self) -> ExitCode {
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            println!("{} check(s) failed", self.failed);
            ExitCode::from(1)
        }
    }
}
