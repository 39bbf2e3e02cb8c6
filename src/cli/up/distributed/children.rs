//! The demo's child processes: `homeamp host`, `homeamp agent`, `homeamp amp-sim`, each
//! with its output in `DIR/logs/NAME.log` and its PID in `DIR/run/NAME.pid`, stopped with
//! SIGTERM (then SIGKILL after a grace period) when the demo stops.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// How long a child may take to stop after SIGTERM.
const GRACE: Duration = Duration::from_secs(20);

pub struct Children {
    run: PathBuf,
    logs: PathBuf,
    running: Vec<(String, Child)>,
}

impl Children {
    pub fn new(dir: &Path) -> anyhow::Result<Self> {
        let (run, logs) = (dir.join("run"), dir.join("logs"));
        for folder in [&run, &logs] {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating {}", folder.display()))?;
        }
        Ok(Self {
            run,
            logs,
            running: Vec::new(),
        })
    }

    pub fn run_dir(&self) -> &Path {
        &self.run
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.logs.join(format!("{name}.log"))
    }

    /// Writes `DIR/run/NAME.pid`.
    pub fn record_pid(&self, name: &str, pid: u32) -> anyhow::Result<()> {
        let path = self.run.join(format!("{name}.pid"));
        std::fs::write(&path, format!("{pid}\n"))
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Starts this binary with `args` as the child `name`.
    pub fn spawn(&mut self, name: &str, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<()> {
        let exe = std::env::current_exe().context("finding the homeamp binary")?;
        let log_path = self.log(name);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let mut command = Command::new(exe);
        command
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        if std::env::var_os("HOMEAMP_LOG").is_none() {
            command.env("HOMEAMP_LOG", "info,sqlx=warn");
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting homeamp {}", args.join(" ")))?;
        self.record_pid(name, child.id())?;
        self.running.push((name.to_string(), child));
        Ok(())
    }

    /// The name of a child that has exited by itself, if any.
    pub fn exited(&mut self) -> Option<String> {
        self.running
            .iter_mut()
            .find_map(|(name, child)| matches!(child.try_wait(), Ok(Some(_))).then_some(name))
            .cloned()
    }

    /// Stops every child, the last started first.
    pub fn stop_all(&mut self) {
        while let Some((name, mut child)) = self.running.pop() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + GRACE;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if matches!(child.try_wait(), Ok(None)) {
                eprintln!("{name} did not stop within {GRACE:?}: killing it");
                let _ = child.kill();
            }
            let _ = child.wait();
            let _ = std::fs::remove_file(self.run.join(format!("{name}.pid")));
        }
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop_all();
    }
}
