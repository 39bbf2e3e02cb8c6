//! A real Redis server (`redis-server`) for tests, without persistence: a restart starts
//! empty, like a Redis that lost its memory.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use crate::process::{ServerProcess, Spec};
use crate::{Error, binaries};

/// A Redis server on 127.0.0.1 with its own directory.
pub struct Redis {
    process: ServerProcess,
}

impl Redis {
    /// Starts a new server on a free port in a temp dir.
    pub fn start() -> Result<Self, Error> {
        Self::start_in(&std::env::temp_dir())
    }

    /// As [`Redis::start`], with the server's directory made inside `parent` (removed when
    /// the server is dropped or its owner exits).
    pub fn start_in(parent: &Path) -> Result<Self, Error> {
        let binary = binaries::find("redis-server")?;
        let dir = tempfile::Builder::new()
            .prefix("homeamp-redis-")
            .tempdir_in(parent)
            .map_err(|e| Error::io("creating a temp dir for Redis", e))?;
        let spec = Spec {
            name: "redis-server",
            binary,
            args: server_args,
            probe: answers_ping,
        };
        Ok(Redis {
            process: ServerProcess::start(spec, dir)?,
        })
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port())
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// The server's directory (its output in `output.log`).
    pub fn dir(&self) -> &Path {
        self.process.dir()
    }

    /// Kills the server (SIGKILL); its port refuses connections afterwards.
    pub fn kill(&mut self) -> Result<(), Error> {
        self.process.kill()
    }

    /// Starts the server again on the same port (empty: nothing is persisted).
    pub fn restart(&mut self) -> Result<(), Error> {
        self.process.restart()
    }
}

fn server_args(port: u16, dir: &Path) -> Vec<OsString> {
    vec![
        "--port".into(),
        port.to_string().into(),
        "--bind".into(),
        "127.0.0.1".into(),
        "--save".into(),
        "".into(),
        "--appendonly".into(),
        "no".into(),
        "--dir".into(),
        dir.into(),
        "--daemonize".into(),
        "no".into(),
    ]
}

/// True when the server on `port` answers PING with PONG.
fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}
