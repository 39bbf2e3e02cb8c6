//! The agent's one way of talking to the host.
//!
//! Everything the agent sends goes through [`HostLink`]: manifests (the host answers
//! with the blobs it lacks), those blobs, heartbeats and job results. The HTTP
//! implementation is [`crate::http_link::HttpLink`] (the host's `/api/agent/v1/`
//! endpoints); [`crate::memory_host::InMemoryHost`] records what it is sent (the tests);
//! `homeamp up` links its agents to the host in the same process.

use std::future::Future;

use homeamp_schemas::report::{Heartbeat, JobResult, Manifest};

/// Why the host did not take what the agent sent. The agent logs it and carries on:
/// the next scan or heartbeat sends the state again.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("host unreachable: {0}")]
    Unreachable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("host refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("blob {claimed} has sha256 {actual}")]
    BlobMismatch { claimed: String, actual: String },
}

/// The host, as the agent sees it.
pub trait HostLink: Send + Sync + 'static {
    /// Sends a manifest. The answer lists the sha256s of files whose content the host does
    /// not have yet; the agent uploads them with [`HostLink::upload_blob`].
    fn report(
        &self,
        manifest: &Manifest,
    ) -> impl Future<Output = Result<Vec<String>, LinkError>> + Send;

    /// Uploads the content of one file, addressed by its sha256.
    fn upload_blob(
        &self,
        sha256: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<(), LinkError>> + Send;

    fn heartbeat(
        &self,
        heartbeat: &Heartbeat,
    ) -> impl Future<Output = Result<(), LinkError>> + Send;

    fn job_result(&self, result: &JobResult) -> impl Future<Output = Result<(), LinkError>> + Send;
}
