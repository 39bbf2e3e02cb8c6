//! [`DriverError`]: why an instance backend could not do what was asked.

use std::error::Error as StdError;
use std::io;

use super::rel_path::PathEscape;

/// A boxed cause from a backend's own library (notify, an HTTP client, …).
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// One cause per variant, each keeping its source. Above the trait, the apply code
/// turns [`DriverError::Escape`] and [`DriverError::Unsupported`] into refused jobs and
/// everything else into failed ones.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// A path that leads out of the game root (a symbolic link, a file where a folder
    /// must be).
    #[error(transparent)]
    Escape(#[from] PathEscape),
    /// The backend cannot do this at all.
    #[error("{what} is not supported by the {driver} driver")]
    Unsupported { driver: &'static str, what: String },
    /// The instances could not be listed: `place` is where the driver looked, `hint`
    /// what the operator should check.
    #[error("{place}: {source} ({hint})")]
    Discovery {
        place: String,
        hint: &'static str,
        #[source]
        source: BoxError,
    },
    /// The driver does not know this instance (not discovered, or gone since).
    #[error("the {driver} driver has no instance named {instance:?}")]
    UnknownInstance {
        driver: &'static str,
        instance: String,
    },
    /// Reading or writing a file failed; `path` is where, as the backend names it.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    /// Changes to instance files cannot be watched.
    #[error("could not watch {what}: {source}")]
    Watch {
        what: String,
        #[source]
        source: BoxError,
    },
    /// A lifecycle or console command could not be started.
    #[error("could not run {program:?}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    /// The operator's command template is not valid.
    #[error(
        "the agent's {action} command template {template:?} is not valid: {detail} \
         (close the quote, or escape it with a backslash)"
    )]
    CommandTemplate {
        action: &'static str,
        template: String,
        detail: String,
    },
    /// A lifecycle or console action ran and failed (`output`: the tail of what it said).
    #[error("{action} command {program:?} exited with {status}: {output}")]
    CommandFailed {
        action: &'static str,
        program: String,
        status: String,
        output: String,
    },
    #[error("{action} command {program:?} still running after {seconds} s; killed")]
    CommandTimeout {
        action: &'static str,
        program: String,
        seconds: u64,
    },
    /// A remote backend (AMP's API) could not be reached or answered nonsense.
    #[error("{driver}: {what}: {source}")]
    Unreachable {
        driver: &'static str,
        what: String,
        #[source]
        source: BoxError,
    },
    /// A remote backend answered, refusing.
    #[error("{driver}: {what} refused: {message}")]
    Refused {
        driver: &'static str,
        what: String,
        message: String,
    },
}

impl DriverError {
    pub fn io(path: impl std::fmt::Display, source: io::Error) -> Self {
        DriverError::Io {
            path: path.to_string(),
            source,
        }
    }
}
