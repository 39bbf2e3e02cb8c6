//! The host under test: a `homeamp host --config` process of this build, and what
//! `/proc/PID/` says about its CPU time and memory.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct HostProcess {
    child: Child,
    log: std::path::PathBuf,
}

/// CPU time (user + system) and memory of a process, from `/proc`.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub cpu: Duration,
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

impl HostProcess {
    /// Writes the config into `dir` and starts the host, its output in `dir/host.log`.
    pub fn start(
        dir: &Path,
        redis_port: u16,
        db_url: &str,
        repo: &Path,
        port: u16,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir.join("instances"))?;
        let config = dir.join("host-config.yaml");
        std::fs::write(
            &config,
            format!(
                "role: host\nphysical_server: hub\ninstances_root: {root}\nstate_dir: {state}\n\
                 redis:\n  host: 127.0.0.1\n  port: {redis_port}\n\
                 database:\n  url: {db_url}\n\
                 desired_state:\n  repo: {repo}\n  branch: HEAD\n  poll: 30s\n\
                 webapi:\n  bind: 127.0.0.1\n  port: {port}\n",
                root = dir.join("instances").display(),
                state = dir.join("state").display(),
                repo = repo.display(),
            ),
        )?;
        // The database URL may hold a password: the host wants the file private.
        std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        let log = std::fs::File::create(dir.join("host.log"))?;
        let child = Command::new(env!("CARGO_BIN_EXE_homeamp"))
            .arg("host")
            .arg("--config")
            .arg(&config)
            .env("HOMEAMP_LOG", "warn")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()?;
        Ok(Self {
            child,
            log: dir.join("host.log"),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `GET /healthz` answers.
    pub async fn wait_up(&mut self, base: &str, limit: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                anyhow::bail!("the host exited ({status}):\n{log}");
            }
            if let Ok(answer) = client.get(format!("{base}/healthz")).send().await
                && answer.status().is_success()
            {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "the host did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn usage(&self) -> anyhow::Result<Usage> {
        let pid = self.pid();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        // Fields after the command name (which may hold spaces) start at field 3.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or(&stat);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kib = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok(Usage {
            // USER_HZ is 100 on Linux.
            cpu: Duration::from_millis(ticks * 10),
            rss_kib: kib("VmRSS:"),
            hwm_kib: kib("VmHWM:"),
        })
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
