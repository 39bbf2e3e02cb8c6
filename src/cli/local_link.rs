//! The agent's link to a host in the same process: calls instead of HTTP.

use std::sync::Arc;

use homeamp_agent::{HostLink, LinkError};
use homeamp_reconciler::host::{Host, HostError};
use homeamp_schemas::report::{Heartbeat, JobResult, Manifest};

pub struct LocalLink {
    host: Arc<Host>,
}

impl LocalLink {
    pub fn new(host: Arc<Host>) -> Self {
        Self { host }
    }
}

fn refused(e: HostError) -> LinkError {
    LinkError::Refused {
        status: 500,
        message: e.to_string(),
    }
}

impl HostLink for LocalLink {
    async fn report(&self, manifest: &Manifest) -> Result<Vec<String>, LinkError> {
        self.host.ingest_manifest(manifest).await.map_err(refused)
    }

    async fn upload_blob(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), LinkError> {
        self.host.ingest_blob(sha256, &bytes).await.map_err(refused)
    }

    async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<(), LinkError> {
        self.host.ingest_heartbeat(heartbeat).await.map_err(refused)
    }

    async fn job_result(&self, result: &JobResult) -> Result<(), LinkError> {
        self.host.ingest_job_result(result).await.map_err(refused)
    }
}
