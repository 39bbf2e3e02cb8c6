//! A real MariaDB server (`mariadbd`) for tests.
//!
//! `mariadb-install-db` takes a second or more, so it runs once per machine and MariaDB
//! version into a template data directory under the system temp dir;
//! each server copies the template (tens of milliseconds) and starts in about 0.2 s.
//! Tests that need their own server (to kill it) call [`MariaDb::start`]; the others share
//! one server per test process through [`MariaDb::shared`] and take a
//! [`fresh_database`](MariaDb::fresh_database) each.
//!
//! The server runs without fsync (`--debug-no-sync`, `innodb_flush_log_at_trx_commit=2`):
//! a committed transaction reaches the operating system before the commit returns, so it
//! survives a killed server (what the tests do), not a machine crash (which they don't).

use std::ffi::OsString;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::process::{ServerProcess, Spec, tail};
use crate::{Error, binaries};

/// The database every server is created with; [`MariaDb::url`] points at it.
pub const DEFAULT_DATABASE: &str = "homeamp";

/// Server options shared by the template's bootstrap and every server: InnoDB's log size
/// must match between the two, the rest keeps the servers small and fast. `debug-no-sync`
/// skips fsync (MariaDB's option for test suites): data still reaches the operating system
/// at commit, which is all a killed server needs to find it again. Tables share InnoDB's
/// system tablespace (no file per table), which makes `CREATE TABLE` several times faster.
const SERVER_OPTIONS: &[&str] = &[
    "--debug-no-sync",
    "--innodb-log-file-size=8M",
    "--innodb-file-per-table=0",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-method=nosync",
    "--innodb-doublewrite=0",
    "--innodb-flush-log-at-trx-commit=2",
];
/// Changes whenever the template's options change, so old templates are not reused.
const TEMPLATE_LAYOUT: &str = "v3";

/// A MariaDB server on 127.0.0.1 with its own data directory.
pub struct MariaDb {
    process: ServerProcess,
    client: PathBuf,
}

impl MariaDb {
    /// Starts a new server with a `homeamp` database, on a free port in a temp dir.
    pub fn start() -> Result<Self, Error> {
        Self::start_in(&std::env::temp_dir())
    }

    /// As [`MariaDb::start`], with the server's directory made inside `parent` (removed
    /// when the server is dropped or its owner exits).
    pub fn start_in(parent: &Path) -> Result<Self, Error> {
        let server = binaries::find("mariadbd")?;
        let client = binaries::find("mariadb")?;
        let template = template(&server)?;
        let dir = tempfile::Builder::new()
            .prefix("homeamp-mariadb-")
            .tempdir_in(parent)
            .map_err(|e| Error::io("creating a temp dir for MariaDB", e))?;
        copy_dir(&template, &dir.path().join("data"))?;
        let spec = Spec {
            name: "mariadbd",
            binary: server,
            args: server_args,
            probe: greets,
        };
        let db = MariaDb {
            process: ServerProcess::start(spec, dir)?,
            client,
        };
        db.create_database(DEFAULT_DATABASE)?;
        Ok(db)
    }

    /// The server shared by every test of this process (started on first use, stopped when
    /// the process exits). It cannot be killed: take [`fresh_database`](Self::fresh_database)
    /// from it, and [`start`](Self::start) your own server to test outages.
    pub fn shared() -> Result<&'static MariaDb, Error> {
        static SHARED: OnceLock<Result<MariaDb, String>> = OnceLock::new();
        match SHARED.get_or_init(|| MariaDb::start().map_err(|e| e.to_string())) {
            Ok(db) => Ok(db),
            Err(message) => Err(Error::SharedUnavailable {
                name: "MariaDB",
                message: message.clone(),
            }),
        }
    }

    /// Creates a new, empty database with a unique name and returns its URL.
    pub fn fresh_database(&self) -> Result<String, Error> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let name = format!("test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.create_database(&name)?;
        Ok(self.url_for(&name))
    }

    /// Creates the database `name` (utf8mb4, binary collation) if it does not exist.
    pub fn create_database(&self, name: &str) -> Result<(), Error> {
        self.run_sql(&format!(
            "CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        ))
        .map(drop)
    }

    /// Runs SQL through the `mariadb` client over the server's socket and returns what it
    /// printed (tab-separated rows, no headers). For tests that inspect tables directly.
    pub fn run_sql(&self, sql: &str) -> Result<String, Error> {
        let socket = self.process.dir().join("sock");
        let output = Command::new(&self.client)
            .arg("--no-defaults")
            .arg("--user=root")
            .arg(format!("--socket={}", socket.display()))
            .arg("--batch")
            .arg("--skip-column-names")
            .arg(format!("--execute={sql}"))
            .output()
            .map_err(|e| Error::io(format!("running {}", self.client.display()), e))?;
        if !output.status.success() {
            return Err(Error::CommandFailed {
                command: format!("mariadb --execute={sql}"),
                status: output.status,
                output: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// `mysql://root@127.0.0.1:PORT/homeamp`.
    pub fn url(&self) -> String {
        self.url_for(DEFAULT_DATABASE)
    }

    /// The URL of another database on this server.
    pub fn url_for(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port())
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// The server's directory (data directory in `data/`, its output in `output.log`).
    pub fn dir(&self) -> &Path {
        self.process.dir()
    }

    /// Kills the server (SIGKILL, a crash); its port refuses connections afterwards.
    pub fn kill(&mut self) -> Result<(), Error> {
        self.process.kill()
    }

    /// Starts the server again on the same port with the same data (InnoDB recovers).
    pub fn restart(&mut self) -> Result<(), Error> {
        self.process.restart()
    }
}

fn server_args(port: u16, dir: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "--no-defaults".into(),
        format!("--datadir={}", dir.join("data").display()).into(),
        "--user=root".into(),
        format!("--port={port}").into(),
        "--bind-address=127.0.0.1".into(),
        format!("--socket={}", dir.join("sock").display()).into(),
        format!("--pid-file={}", dir.join("mariadbd.pid").display()).into(),
        "--skip-name-resolve".into(),
        "--skip-log-bin".into(),
        "--max-connections=500".into(),
        "--max-allowed-packet=256M".into(),
    ];
    args.extend(SERVER_OPTIONS.iter().map(OsString::from));
    args
}

/// True when the server on `port` sends its greeting: protocol version 10.
fn greets(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut header = [0u8; 5]; // 3-byte length, sequence id, first payload byte
    stream.read_exact(&mut header).is_ok() && header[4] == 10
}

/// The template data directory for this `mariadbd`, made by `mariadb-install-db` once.
fn template(server: &Path) -> Result<PathBuf, Error> {
    let meta = server
        .metadata()
        .map_err(|e| Error::io(format!("reading {}", server.display()), e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let parent = std::env::temp_dir().join("homeamp-testkit");
    let target = parent.join(format!(
        "mariadb-template-{TEMPLATE_LAYOUT}-{}-{modified}",
        meta.len()
    ));
    if target.join("mysql").is_dir() {
        return Ok(target);
    }
    std::fs::create_dir_all(&parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let staging = tempfile::Builder::new()
        .prefix("mariadb-template-staging-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(format!("creating a staging dir in {}", parent.display()), e))?;
    let data = staging.path().join("data");
    let install = binaries::find("mariadb-install-db")?;
    let output = Command::new(&install)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg("--user=root")
        .arg("--auth-root-authentication-method=normal")
        .arg("--skip-test-db")
        .args(SERVER_OPTIONS)
        .output()
        .map_err(|e| Error::io(format!("running {}", install.display()), e))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        return Err(Error::CommandFailed {
            command: format!("{} --datadir={}", install.display(), data.display()),
            status: output.status,
            output: tail(&text),
        });
    }
    // Atomic: a concurrent test process either wins the rename or finds the target ready.
    if let Err(e) = std::fs::rename(&data, &target)
        && !target.join("mysql").is_dir()
    {
        return Err(Error::io(
            format!("moving the template to {}", target.display()),
            e,
        ));
    }
    Ok(target)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(format!("creating {}", to.display()), e))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| Error::io(format!("reading {}", from.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", from.display()), e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let is_dir = entry
            .file_type()
            .map_err(|e| Error::io(format!("reading {}", source.display()), e))?
            .is_dir();
        if is_dir {
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| {
                Error::io(
                    format!("copying {} to {}", source.display(), target.display()),
                    e,
                )
            })?;
        }
    }
    Ok(())
}
