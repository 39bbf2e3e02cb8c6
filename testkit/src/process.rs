//! One server process in its own directory: spawn it on a free port, wait until it accepts
//! connections, kill it, start it again on the same port, and clean up.
//!
//! Start-up picks a port, spawns, and if the server dies saying its address is in use (the
//! port was taken between picking and binding) tries again on a fresh port. The server's
//! stdout and stderr go to `output.log` in its directory; errors quote its last lines.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::Error;
use crate::port::free_port;

/// How long a server may take to accept connections (generous: CI machines are busy).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(10);
/// Fresh ports tried when the picked one was taken before the server bound it.
const PORT_ATTEMPTS: usize = 8;
const LOG_FILE: &str = "output.log";
const PID_FILE: &str = "server.pid";

/// What differs between servers: how to run one and how to tell it is ready.
pub(crate) struct Spec {
    pub name: &'static str,
    pub binary: PathBuf,
    /// The arguments for a server on `port` whose directory is `dir`.
    pub args: fn(port: u16, dir: &Path) -> Vec<OsString>,
    /// True once the server on `port` answers like itself.
    pub probe: fn(port: u16) -> bool,
}

/// A running (or killed) server process and its directory.
pub(crate) struct ServerProcess {
    spec: Spec,
    port: u16,
    child: Option<Child>,
    /// Kills the server and removes `dir` when the test process goes away (see lib docs).
    watcher: Option<(Child, ChildStdin)>,
    dir: TempDir,
}

impl ServerProcess {
    /// Starts the server in `dir` (already prepared by the caller) on a free port.
    pub fn start(spec: Spec, dir: TempDir) -> Result<Self, Error> {
        let watcher = spawn_watcher(dir.path())?;
        let mut process = ServerProcess {
            spec,
            port: 0,
            child: None,
            watcher: Some(watcher),
            dir,
        };
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            process.port = free_port()?;
            match process.spawn_and_wait() {
                Ok(()) => return Ok(process),
                Err(Started::AddressInUse(err)) => last_error = Some(err),
                Err(Started::Failed(err)) => return Err(err),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            Error::io("starting a server", std::io::ErrorKind::AddrInUse.into())
        }))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server with SIGKILL (no clean shutdown: this is the crash a test wants)
    /// and waits until it is gone, so its port refuses connections when this returns.
    pub fn kill(&mut self) -> Result<(), Error> {
        if let Some(mut child) = self.child.take() {
            // An error here means the process already exited; `wait` reaps it either way.
            let _ = child.kill();
            child
                .wait()
                .map_err(|e| Error::io(format!("waiting for {} to exit", self.spec.name), e))?;
        }
        let _ = std::fs::remove_file(self.dir.path().join(PID_FILE));
        Ok(())
    }

    /// Kills the server if it runs, then starts it again with the same directory and port.
    /// Retries for a while if the port is still held (e.g. by a dying process).
    pub fn restart(&mut self) -> Result<(), Error> {
        self.kill()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return Ok(()),
                Err(Started::AddressInUse(err)) if Instant::now() > deadline => return Err(err),
                Err(Started::AddressInUse(_)) => std::thread::sleep(Duration::from_millis(100)),
                Err(Started::Failed(err)) => return Err(err),
            }
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(LOG_FILE)
    }

    fn spawn_and_wait(&mut self) -> Result<(), Started> {
        let name = self.spec.name;
        let log_path = self.log_path();
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| {
                Started::Failed(Error::io(format!("opening {}", log_path.display()), e))
            })?;
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let stderr = log
            .try_clone()
            .map_err(|e| Started::Failed(Error::io("duplicating a log file handle", e)))?;
        let child = Command::new(&self.spec.binary)
            .args((self.spec.args)(self.port, self.dir.path()))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(stderr)
            // Own process group: a Ctrl-C in the terminal goes to the test process only,
            // whose exit the watcher then turns into a clean kill.
            .process_group(0)
            .spawn()
            .map_err(|e| {
                Started::Failed(Error::io(
                    format!("running {}", self.spec.binary.display()),
                    e,
                ))
            })?;
        std::fs::write(self.dir.path().join(PID_FILE), child.id().to_string())
            .map_err(|e| Started::Failed(Error::io("writing the server's pid file", e)))?;
        self.child = Some(child);

        let started = Instant::now();
        loop {
            let exited = match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(status)) => status,
                Some(Err(e)) => {
                    return Err(Started::Failed(Error::io(format!("polling {name}"), e)));
                }
                None => None,
            };
            if let Some(status) = exited {
                self.child = None;
                let since_spawn = read_from(&log_path, log_start);
                let err = Error::Exited {
                    name,
                    status,
                    log: log_path.clone(),
                    tail: tail(&since_spawn),
                };
                return Err(if since_spawn.contains("Address already in use") {
                    Started::AddressInUse(err)
                } else {
                    Started::Failed(err)
                });
            }
            if (self.spec.probe)(self.port) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                let _ = self.kill();
                return Err(Started::Failed(Error::NotReady {
                    name,
                    port: self.port,
                    secs: READY_TIMEOUT.as_secs(),
                    log: log_path.clone(),
                    tail: tail(&read_from(&log_path, log_start)),
                }));
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.kill();
        if let Some((mut watcher, stdin)) = self.watcher.take() {
            drop(stdin); // the watcher's `read` returns: it removes the directory and exits
            let _ = watcher.wait();
        }
    }
}

enum Started {
    /// The server could not bind its port: worth another try on another port.
    AddressInUse(Error),
    Failed(Error),
}

/// A `sh` process that waits for its stdin to close, then kills the server whose pid is in
/// `dir/server.pid` and removes `dir`. Its stdin is a pipe from this process, closed by the
/// kernel when this process exits, however it exits.
fn spawn_watcher(dir: &Path) -> Result<(Child, ChildStdin), Error> {
    const SCRIPT: &str = r#"read _ignored
if [ -f "$1/server.pid" ]; then kill -9 "$(cat "$1/server.pid")" 2>/dev/null; fi
rm -rf "$1""#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("homeamp-testkit-watcher")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| Error::io("running sh for the server watcher", e))?;
    let stdin = child.stdin.take().ok_or_else(|| {
        Error::io(
            "opening the watcher's stdin",
            std::io::ErrorKind::BrokenPipe.into(),
        )
    })?;
    Ok((child, stdin))
}

fn read_from(path: &Path, offset: u64) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let _ = file.seek(SeekFrom::Start(offset));
        let mut bytes = Vec::new();
        let _ = file.read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    text
}

/// The last lines of a log, for error messages.
pub(crate) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
