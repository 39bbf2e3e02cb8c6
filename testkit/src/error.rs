//! Errors of the harness. Each says what to do, because a test that cannot start its
//! servers must fail loudly (tests never skip).

use std::path::PathBuf;

/// Why a server could not be started, stopped or used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A server binary is not installed.
    #[error(
        "`{name}` was not found in PATH, /usr/sbin or /usr/bin: install the Debian packages \
         `mariadb-server` and `redis-server` (scripts/ensure-test-deps.sh does)"
    )]
    MissingBinary { name: &'static str },

    /// The operating system refused to run a binary or create a file.
    #[error("{action}: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },

    /// A command (install, client) ran but failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    CommandFailed {
        command: String,
        status: std::process::ExitStatus,
        output: String,
    },

    /// The server process exited while starting.
    #[error("{name} exited while starting ({status}); last lines of {log}:\n{tail}")]
    Exited {
        name: &'static str,
        status: std::process::ExitStatus,
        log: PathBuf,
        tail: String,
    },

    /// The server did not accept connections in time.
    #[error(
        "{name} did not accept connections on 127.0.0.1:{port} within {secs} s; last lines of {log}:\n{tail}"
    )]
    NotReady {
        name: &'static str,
        port: u16,
        secs: u64,
        log: PathBuf,
        tail: String,
    },

    /// The shared instance failed to start earlier in this process.
    #[error("the shared {name} instance failed to start: {message}")]
    SharedUnavailable { name: &'static str, message: String },
}

impl Error {
    pub(crate) fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            action: action.into(),
            source,
        }
    }
}
