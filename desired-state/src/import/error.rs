//! Why an import failed. Every cause that comes from the user's files names the file,
//! line and column; nothing is written when any of them occurs.

use std::path::PathBuf;

/// A failed import. Nothing has been written when one of the input variants is returned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A source file is malformed or holds something the import cannot accept.
    #[error("{file}:{line}:{column}: {message}")]
    Source {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: not an import source: expected a folder with instances.sql and <platform>/universal_configs.json (see examples/archivesmp/source)",
        path.display()
    )]
    NotASource { path: PathBuf },
    #[error("--alias {0:?}: expected OLD=NEW, e.g. --alias BIG01=BIGG01")]
    BadAliasFlag(String),
    #[error("--alias {old}={new}: {new} is not an instance in instances.sql")]
    AliasFlagTarget { old: String, new: String },
    #[error("--host-server {0}: no instance in instances.sql runs on that server")]
    UnknownHostServer(String),
    #[error(
        "{}: exists, is not empty and is not a git repository; import into a new or empty folder, or into an existing desired-state repository",
        path.display()
    )]
    OutNotRepo { path: PathBuf },
    #[error(
        "{}: the repository has uncommitted changes; commit or discard them before importing into it",
        path.display()
    )]
    DirtyRepo { path: PathBuf },
    #[error(
        "{}: must be outside the repository {} (secrets and reports never go into git); choose another path",
        path.display(),
        repo.display()
    )]
    InsideRepo { path: PathBuf, repo: PathBuf },
    #[error(
        "{}: the default secrets file would land in the git working tree {}, where it could be committed; pass --secrets FILE outside any repository, or an --out outside it",
        path.display(),
        work_tree.display()
    )]
    SecretsInWorkTree { path: PathBuf, work_tree: PathBuf },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: git: {source}", path.display())]
    Git {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
    #[error("cannot serialize {what}: {message}")]
    Serialize { what: String, message: String },
}

impl ImportError {
    pub(crate) fn source(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        ImportError::Source {
            file: file.into(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Removes the " at line L column C" suffix that serde_json and yaml_serde append, so the
/// position is printed once, in the `file:line:col:` prefix.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_string(),
        _ => message.to_string(),
    }
}
