//! What agents send the host: manifests, blobs, heartbeats and job results.
//!
//! Each is stored first and then triggers a reconcile of the instance concerned; none
//! of them decides anything on its own. A report for an instance the desired state does
//! not know is accepted and ignored (an agent may see folders homeamp does not manage).

use homeamp_schemas::report::{Heartbeat, JobResult, JobStatus as ResultStatus, Manifest};
use jiff::Timestamp;

use super::{Host, HostError};
use crate::store::{JobStatus, StoreError};

impl Host {
    /// Stores a manifest and returns the sha256s of the blobs the host lacks.
    pub async fn ingest_manifest(&self, manifest: &Manifest) -> Result<Vec<String>, HostError> {
        if self.store.instance(&manifest.instance).await?.is_none() {
            tracing::debug!(instance = %manifest.instance, "report for an instance not in the desired state");
            return Ok(Vec::new());
        }
        let now = Timestamp::now();
        let changes = self
            .store
            .replace_manifest(&manifest.instance, &manifest.files, now)
            .await?;
        self.store
            .record_plugins_seen(&manifest.instance, &manifest.plugins, now)
            .await?;
        self.metrics.report_stored();
        let shas: Vec<String> = manifest.files.iter().map(|f| f.sha256.clone()).collect();
        let mut missing = self.store.missing_blobs(&shas).await?;
        // JARs the host asked for, for its artifact store (see `fleet_artifacts`).
        missing.extend(
            manifest
                .plugins
                .iter()
                .filter(|jar| self.is_wanted_jar(&jar.sha256))
                .map(|jar| jar.sha256.clone()),
        );
        tracing::debug!(
            instance = %manifest.instance,
            changed = changes.len(),
            missing = missing.len(),
            "manifest stored"
        );
        self.trigger(&manifest.instance, "report");
        Ok(missing)
    }

    /// Stores one blob after checking that its content has the claimed sha256. Every
    /// secret value the host knows is replaced by its `${secret:NAME}` reference first, so
    /// the store never holds it (and desired references compare equal to the stored text).
    pub async fn ingest_blob(&self, sha256: &str, bytes: &[u8]) -> Result<(), HostError> {
        if self.is_wanted_jar(sha256) {
            // A JAR the host asked for goes to the artifact store, not the database.
            self.store_wanted_jar(sha256, bytes).await?;
            self.metrics.blob_stored();
            return Ok(());
        }
        let stored = match std::str::from_utf8(bytes) {
            Ok(text) => std::borrow::Cow::Owned(self.secrets.redact(text).into_bytes()),
            Err(_) => std::borrow::Cow::Borrowed(bytes),
        };
        self.store
            .put_blob_redacted(sha256, bytes, &stored, Timestamp::now())
            .await?;
        self.metrics.blob_stored();
        Ok(())
    }

    pub async fn ingest_heartbeat(&self, heartbeat: &Heartbeat) -> Result<(), HostError> {
        let was_silent = self
            .store
            .server(&heartbeat.server)
            .await?
            .and_then(|s| s.last_seen)
            .is_none_or(|at| {
                Timestamp::now().duration_since(at).unsigned_abs() > self.config.agent_timeout
            });
        self.store
            .record_heartbeat(
                &heartbeat.server,
                &heartbeat.agent_version,
                Timestamp::now(),
            )
            .await?;
        if was_silent {
            // The server's instances were Unknown: look at them again now.
            for instance in &heartbeat.instances {
                self.trigger(instance, "agent back");
            }
        }
        Ok(())
    }

    /// Records a job's outcome and reconciles its instance.
    pub async fn ingest_job_result(&self, result: &JobResult) -> Result<(), HostError> {
        let Some(job) = self.store.job(&result.job_id).await? else {
            return Err(HostError::UnknownJob {
                job: result.job_id.clone(),
            });
        };
        let now = Timestamp::now();
        let (to, message) = match result.status {
            ResultStatus::Succeeded => (JobStatus::Succeeded, result.message.clone()),
            ResultStatus::Failed => (JobStatus::Failed, result.message.clone()),
            ResultStatus::Refused => (
                JobStatus::Failed,
                match result.reason {
                    Some(reason) => format!("refused ({reason}): {}", result.message),
                    None => format!("refused: {}", result.message),
                },
            ),
        };
        if job.status.is_terminal() {
            // A redelivered job's second result: the first one counted.
            return Ok(());
        }
        match self
            .store
            .transition_job(&job.uuid, to, Some(&message), now)
            .await
        {
            Ok(_) | Err(StoreError::IllegalTransition { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        self.metrics.job_result(result.status);
        if result.status == ResultStatus::Refused {
            let reason = result.reason.map_or("unknown", |r| r.as_str());
            self.metrics.agent_refused(&job.server, reason);
        }
        if let Some(instance) = &job.instance {
            self.trigger(instance, "job result");
        }
        Ok(())
    }

    /// An agent of `server` refused a job this host never made (unsigned, forged, or
    /// signed for another server): nothing to store, but the operator must hear of it.
    pub fn note_foreign_refusal(&self, server: &str, result: &JobResult) {
        let reason = result.reason.map_or("unknown", |r| r.as_str());
        tracing::warn!(
            server,
            job_id = %result.job_id,
            reason,
            message = %result.message,
            "an agent refused a job this host did not make: something else writes to its stream"
        );
        self.metrics.agent_refused(server, reason);
    }
}
