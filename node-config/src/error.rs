//! [`ConfigError`]: what is wrong with a config file, where, and what to do.

use std::fmt;
use std::path::PathBuf;

/// A config file that cannot be used. Every variant names the file; those about a key
/// name its line and the key too.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read it: {source}", file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Box<Invalid>),
}

/// A finding about one place of the file.
#[derive(Debug)]
pub struct Invalid {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    /// The key, as a dotted path (`mariadb.password`); `None` for a syntax error.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.col)?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl ConfigError {
    pub(crate) fn invalid(
        file: impl Into<PathBuf>,
        (line, col): (usize, usize),
        key: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(Box::new(Invalid {
            file: file.into(),
            line,
            col,
            key: key.map(str::to_string),
            message: message.into(),
        }))
    }

    /// The finding, for a config that was read but is wrong.
    pub fn finding(&self) -> Option<&Invalid> {
        match self {
            Self::Invalid(invalid) => Some(invalid),
            Self::Read { .. } => None,
        }
    }
}
