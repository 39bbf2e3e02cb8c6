//! One `homeamp host` or `homeamp agent` process: started, killed (SIGKILL), started again
//! with the same config; its output appended to a log file in the fleet's folder.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::support::homeamp;

pub struct Node {
    role: &'static str,
    /// The network namespace the process runs in (`ip netns exec`), if not the test's.
    netns: Option<String>,
    config: PathBuf,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Node {
    pub fn start(role: &'static str, config: &Path, log: &Path) -> Self {
        Self::start_in(role, config, log, None)
    }

    /// As [`Node::start`], inside the network namespace `netns`.
    pub fn start_in(role: &'static str, config: &Path, log: &Path, netns: Option<String>) -> Self {
        let mut node = Self {
            netns,
            role,
            config: config.to_path_buf(),
            log: log.to_path_buf(),
            child: None,
        };
        node.restart();
        node
    }

    /// Starts the process (again).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "{} is running", self.role);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut command = match &self.netns {
            Some(ns) => {
                let mut command = std::process::Command::new("ip");
                command
                    .args(["netns", "exec", ns])
                    .arg(homeamp().get_program());
                command
            }
            None => homeamp(),
        };
        let child = command
            .arg(self.role)
            .arg("--config")
            .arg(&self.config)
            .env(
                "HOMEAMP_LOG",
                std::env::var("HOMEAMP_TEST_LOG").unwrap_or_else(|_| "info,sqlx=error".into()),
            )
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("starting homeamp {}: {e}", self.role));
        self.child = Some(child);
    }

    /// SIGKILL, as a crash or an OOM kill would be.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends `signal` (`STOP`, `CONT`, …) to the running process.
    pub fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("running");
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal}");
    }

    /// SIGTERM, then waits for the process to stop by itself.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        child.wait().unwrap()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}
