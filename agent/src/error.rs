//! Errors of the agent outside job application (which reports through
//! [`crate::apply::ApplyError`] inside a `JobResult` instead).

use std::io;
use std::path::PathBuf;

use crate::driver::DriverError;

/// Why the agent could not start, discover instances, or scan one.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("state directory {path}: {source} (check `state_dir` in the agent config)")]
    StateDir { path: PathBuf, source: io::Error },
    /// The driver could not list instances, read a file, or watch.
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error("no instance named {name:?} in {place}")]
    UnknownInstance { name: String, place: String },
    #[error("instance {instance}: its game root {location} is gone")]
    GameRootMissing { instance: String, location: String },
    #[error(transparent)]
    Link(#[from] crate::link::LinkError),
    #[error("a blocking agent task stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}
