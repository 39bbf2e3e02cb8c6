//! Errors of the agent outside job application (which reports through
//! [`crate::apply::ApplyError`] inside a `JobResult` instead).

use std::io;
use std::path::PathBuf;

/// Why the agent could not start, discover instances, or scan one.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("instances root {path}: {source} (check `instances_root` in the agent config)")]
    InstancesRoot { path: PathBuf, source: io::Error },
    #[error("state directory {path}: {source} (check `state_dir` in the agent config)")]
    StateDir { path: PathBuf, source: io::Error },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("no instance named {name:?} under {root}")]
    UnknownInstance { name: String, root: PathBuf },
    #[error("could not watch {path}: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error(transparent)]
    Link(#[from] crate::link::LinkError),
    #[error("a blocking agent task stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl AgentError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        AgentError::Io {
            path: path.into(),
            source,
        }
    }
}
