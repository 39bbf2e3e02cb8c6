//! Why a job did not succeed, and how that reads in a [`JobResult`](homeamp_schemas::report::JobResult).

use std::io;
use std::path::PathBuf;

use homeamp_schemas::job::{JobRefusal, RefusalReason};
use homeamp_schemas::report::JobStatus;
use jiff::Timestamp;

use crate::artifact::FetchError;
use crate::driver::{DriverError, PathEscape};

/// One cause per variant; [`ApplyError::classify`] says whether it is a refusal or a failure.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Signature(#[from] JobRefusal),
    #[error("job is for server {job_server:?}, this agent is {agent_server:?}")]
    WrongServer {
        job_server: String,
        agent_server: String,
    },
    #[error("no instance named {instance:?} on this server")]
    UnknownInstance { instance: String },
    #[error("job id {job_id:?} is not a UUID")]
    BadJobId { job_id: String },
    #[error("job expired at {expires_at}")]
    Expired { expires_at: Timestamp },
    #[error(
        "replayed: attempt {attempt} of job {job_id} arrived after attempt {handled} was handled"
    )]
    Replayed {
        job_id: String,
        attempt: u32,
        handled: u32,
    },
    #[error(transparent)]
    Path(#[from] PathEscape),
    #[error("base changed: {file} has sha256 {found}, the job expected {expected}")]
    BaseChanged {
        file: String,
        expected: String,
        found: String,
    },
    #[error(
        "result mismatch: editing {file} gives sha256 {actual}, the host expected {expected}; nothing written"
    )]
    ResultMismatch {
        file: String,
        expected: String,
        actual: String,
    },
    #[error("{file}: {detail}")]
    InvalidJob { file: String, detail: String },
    #[error("{file} is not valid {format}: {detail}")]
    Parse {
        file: String,
        format: &'static str,
        detail: String,
    },
    #[error("{file}: {detail}")]
    Edit { file: String, detail: String },
    #[error("artifact {url} has sha256 {actual}, the job expected {expected}")]
    ArtifactMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The instance's driver could not read, write or act.
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error("{what} is not supported by this agent")]
    Unsupported { what: String },
    #[error("job record {path}: {source}")]
    SeenStore { path: PathBuf, source: io::Error },
}

impl ApplyError {
    /// The job status and reason this error reports.
    pub fn classify(&self) -> (JobStatus, Option<RefusalReason>) {
        use ApplyError as E;
        let refused = |r| (JobStatus::Refused, Some(r));
        match self {
            E::Signature(refusal) => refused(refusal.reason()),
            E::WrongServer { .. } | E::UnknownInstance { .. } => {
                refused(RefusalReason::WrongTarget)
            }
            E::BadJobId { .. } | E::InvalidJob { .. } | E::ArtifactMismatch { .. } => {
                refused(RefusalReason::InvalidJob)
            }
            E::Expired { .. } => refused(RefusalReason::Expired),
            E::Replayed { .. } => refused(RefusalReason::Replayed),
            E::Path(_) => refused(RefusalReason::PathEscape),
            E::BaseChanged { .. } => refused(RefusalReason::BaseChanged),
            E::ResultMismatch { .. } => refused(RefusalReason::ResultMismatch),
            E::Unsupported { .. } | E::Driver(DriverError::Unsupported { .. }) => {
                refused(RefusalReason::Unsupported)
            }
            E::Driver(DriverError::Escape(_)) => refused(RefusalReason::PathEscape),
            E::Driver(DriverError::UnknownInstance { .. }) => refused(RefusalReason::WrongTarget),
            E::Parse { .. } | E::Edit { .. } | E::Fetch(_) | E::Driver(_) | E::SeenStore { .. } => {
                (JobStatus::Failed, None)
            }
        }
    }
}
