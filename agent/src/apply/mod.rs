//! Applying the host's signed jobs to instances, through the instance's driver
//! ([`crate::driver::Driver`]): this module never touches a file itself.
//!
//! [`Agent::apply`](crate::Agent::apply) runs these checks, in order, and reports the first
//! that fails as a refused job: the signature (unsigned or forged), the target server,
//! a well-formed job id, a known instance; then, holding that instance's lock, the
//! record of jobs already handled ([`seen`]): an exact redelivery, or a later attempt of
//! a job that did not fail, gets the recorded result back and nothing is applied again;
//! an earlier attempt arriving after a later one is refused as replayed; then expiry.
//! Only then does the job's kind run (one file each below), and its result is recorded.
//!
//! Every kind is idempotent: when its result already holds it succeeds with
//! `changed: false` and writes nothing.

mod config_patch;
mod error;
mod file_write;
mod lifecycle;
mod plugin_install;
mod plugin_remove;
pub mod seen;

use std::collections::BTreeMap;

use homeamp_schemas::job::{JobEnvelope, JobSpec, RefusalReason, SignedJob, canonical_bytes};
use homeamp_schemas::report::{JobResult, JobStatus};
use jiff::Timestamp;

use crate::Agent;
use crate::artifact::ArtifactSource;
use crate::config::AgentConfig;
use crate::digest::{same_digest, sha256_hex};
use crate::driver::{Driver, Instance, RelPath};

pub use error::ApplyError;
use seen::{SeenRecord, is_safe_job_id};

/// What a job kind did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Effect {
    pub changed: bool,
    pub message: String,
    pub result_sha256: BTreeMap<String, Option<String>>,
}

impl Effect {
    pub fn changed(message: String) -> Self {
        Self {
            changed: true,
            message,
            result_sha256: BTreeMap::new(),
        }
    }

    pub fn unchanged(message: String) -> Self {
        Self {
            changed: false,
            ..Self::changed(message)
        }
    }

    /// Records `file`'s sha256 after the job (`None`: absent).
    pub fn file(mut self, file: &str, sha256: Option<String>) -> Self {
        self.result_sha256.insert(file.to_string(), sha256);
        self
    }
}

/// What a job kind gets to work with.
pub(crate) struct JobContext<'a> {
    pub instance: &'a Instance,
    pub config: &'a AgentConfig,
    pub driver: &'a dyn Driver,
    pub artifacts: &'a dyn ArtifactSource,
}

impl JobContext<'_> {
    /// A job's path, refused when it is spelt to leave the game root (the driver refuses
    /// what leaves it on the backend, such as symbolic links).
    pub fn path(&self, rel: &str) -> Result<RelPath, ApplyError> {
        Ok(RelPath::new(rel)?)
    }

    /// The file's content, `None` when there is none.
    pub fn read(&self, path: &RelPath) -> Result<Option<Vec<u8>>, ApplyError> {
        Ok(self.driver.read(self.instance, path)?)
    }

    /// The sha256 of the file at `path`, `None` when there is none.
    pub fn current_sha(&self, path: &RelPath) -> Result<Option<String>, ApplyError> {
        Ok(self.driver.sha256(self.instance, path)?)
    }

    pub fn is_file(&self, path: &RelPath) -> Result<bool, ApplyError> {
        Ok(self.driver.stat(self.instance, path)?.is_some())
    }

    /// Replaces the file atomically, its previous version kept in the history.
    pub fn write(&self, path: &RelPath, bytes: &[u8]) -> Result<(), ApplyError> {
        Ok(self.driver.write(self.instance, path, bytes)?)
    }

    /// Removes the file, keeping it in the history.
    pub fn remove(&self, path: &RelPath) -> Result<(), ApplyError> {
        Ok(self.driver.remove(self.instance, path)?)
    }

    /// Refuses when the file is not the one the host planned against.
    pub fn check_base(
        &self,
        file: &str,
        base: Option<&str>,
        current: Option<&str>,
    ) -> Result<(), ApplyError> {
        let matches = match (base, current) {
            (None, None) => true,
            (Some(b), Some(c)) => same_digest(b, c),
            _ => false,
        };
        if matches {
            return Ok(());
        }
        Err(ApplyError::BaseChanged {
            file: file.to_string(),
            expected: base.unwrap_or("no file").to_string(),
            found: current.unwrap_or("no file").to_string(),
        })
    }
}

impl Agent {
    /// Verifies and applies one signed job; every outcome, refusals included, is a
    /// [`JobResult`]. Blocking (file IO, lifecycle commands): call it from a blocking
    /// thread in async code, as [`Agent::process_job`] does.
    pub fn apply(&self, signed: &SignedJob) -> JobResult {
        let envelope = &signed.envelope;
        match self.apply_checked(signed) {
            Ok(result) => result,
            Err(err) => {
                let (status, reason) = err.classify();
                tracing::warn!(job_id = %envelope.job_id, kind = %envelope.kind(), error = %err, "job not applied");
                result_of(
                    envelope,
                    status,
                    reason,
                    err.to_string(),
                    false,
                    BTreeMap::new(),
                )
            }
        }
    }

    fn apply_checked(&self, signed: &SignedJob) -> Result<JobResult, ApplyError> {
        let envelope = signed.verify(&self.config.host_key)?;
        if envelope.server != self.config.server {
            return Err(ApplyError::WrongServer {
                job_server: envelope.server.clone(),
                agent_server: self.config.server.clone(),
            });
        }
        if !is_safe_job_id(&envelope.job_id) {
            return Err(ApplyError::BadJobId {
                job_id: envelope.job_id.clone(),
            });
        }
        let instance =
            self.instance(&envelope.instance)
                .ok_or_else(|| ApplyError::UnknownInstance {
                    instance: envelope.instance.clone(),
                })?;
        let lock = self.instance_lock(&instance.name);
        // std Mutex: held only on this blocking thread, never across an await.
        let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());

        let digest = sha256_hex(&canonical_bytes(envelope));
        if let Some(record) = self.seen.get(&envelope.job_id)?
            && let Some(result) = redelivery(envelope, &digest, &record)?
        {
            tracing::info!(job_id = %envelope.job_id, "redelivered job: returning the recorded result");
            return Ok(result);
        }
        let now = Timestamp::now();
        if envelope.is_expired(now) {
            return Err(ApplyError::Expired {
                expires_at: envelope.expires_at,
            });
        }

        let ctx = JobContext {
            instance: &instance,
            config: &self.config,
            driver: self.driver.as_ref(),
            artifacts: self.artifacts.as_ref(),
        };
        let result = match run_kind(&ctx, &envelope.spec) {
            Ok(effect) => result_of(
                envelope,
                JobStatus::Succeeded,
                None,
                effect.message,
                effect.changed,
                effect.result_sha256,
            ),
            Err(err) => {
                let (status, reason) = err.classify();
                result_of(
                    envelope,
                    status,
                    reason,
                    err.to_string(),
                    false,
                    BTreeMap::new(),
                )
            }
        };
        tracing::info!(
            job_id = %envelope.job_id, kind = %envelope.kind(), instance = %instance.name,
            status = ?result.status, changed = result.changed, message = %result.message, "job handled"
        );
        self.seen.put(
            &envelope.job_id,
            &SeenRecord {
                digest,
                attempt: envelope.attempt,
                expires_at: envelope.expires_at,
                result: result.clone(),
            },
        )?;
        Ok(result)
    }
}

/// The answer to a job already handled: `Some(recorded result)`, `None` to apply it again
/// (a later attempt of a job that failed), or a replay refusal.
fn redelivery(
    envelope: &JobEnvelope,
    digest: &str,
    record: &SeenRecord,
) -> Result<Option<JobResult>, ApplyError> {
    if record.digest == digest {
        return Ok(Some(record.result.clone()));
    }
    if envelope.attempt > record.attempt {
        return Ok(match record.result.status {
            JobStatus::Failed => None,
            _ => Some(record.result.clone()),
        });
    }
    Err(ApplyError::Replayed {
        job_id: envelope.job_id.clone(),
        attempt: envelope.attempt,
        handled: record.attempt,
    })
}

fn run_kind(ctx: &JobContext<'_>, spec: &JobSpec) -> Result<Effect, ApplyError> {
    match spec {
        JobSpec::ConfigPatch(patch) => config_patch::apply(ctx, patch),
        JobSpec::FileWrite(write) => file_write::apply(ctx, write),
        JobSpec::PluginInstall(install) => plugin_install::apply(ctx, install),
        JobSpec::PluginRemove(remove) => plugin_remove::apply(ctx, remove),
        JobSpec::Lifecycle(action) => lifecycle::apply(ctx, action),
        JobSpec::Backup(_) => Err(ApplyError::Unsupported {
            what: "a backup job (backups come with the network backup orchestration)".into(),
        }),
        // The scan itself runs after the job, in `Agent::process_job`.
        JobSpec::Rescan => Ok(Effect::unchanged("rescan requested".into())),
    }
}

fn result_of(
    envelope: &JobEnvelope,
    status: JobStatus,
    reason: Option<RefusalReason>,
    message: String,
    changed: bool,
    result_sha256: BTreeMap<String, Option<String>>,
) -> JobResult {
    JobResult {
        job_id: envelope.job_id.clone(),
        attempt: envelope.attempt,
        status,
        reason,
        message,
        changed,
        result_sha256,
        finished_at: Timestamp::now(),
    }
}
