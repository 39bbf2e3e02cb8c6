//! The jobs this agent has handled, persisted in `<state>/seen-jobs/<job_id>.json`,
//! so that a redelivered job returns its recorded result instead of being applied
//! again, also across agent restarts.
//!
//! Records are dropped a day after the job expired: a delivery after that is refused
//! as expired anyway.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use homeamp_schemas::report::JobResult;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::error::ApplyError;
use crate::atomic_file::write_atomic;

/// What is remembered of one handled job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenRecord {
    /// sha256 of the signed envelope's canonical bytes: equal for an exact redelivery.
    pub digest: String,
    pub attempt: u32,
    pub expires_at: Timestamp,
    pub result: JobResult,
}

/// The `seen-jobs` folder.
#[derive(Debug, Clone)]
pub struct SeenJobs {
    dir: PathBuf,
}

/// How long a record outlives its job's expiry.
const KEEP_AFTER_EXPIRY: SignedDuration = SignedDuration::from_hours(24);

impl SeenJobs {
    pub fn open(state_dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(state_dir)?;
        let dir = crate::own_folder::own_folder(state_dir, "seen-jobs")?;
        Ok(Self { dir })
    }

    fn path(&self, job_id: &str) -> PathBuf {
        // Callers pass only ids that passed `is_safe_job_id`.
        self.dir.join(format!("{job_id}.json"))
    }

    pub fn get(&self, job_id: &str) -> Result<Option<SeenRecord>, ApplyError> {
        let path = self.path(job_id);
        match fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(record) => Ok(Some(record)),
                Err(e) => {
                    // A damaged record (a crash mid-write cannot cause one: writes are atomic)
                    // is treated as absent: jobs are idempotent, so applying again is safe.
                    tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable job record");
                    Ok(None)
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ApplyError::SeenStore { path, source }),
        }
    }

    pub fn put(&self, job_id: &str, record: &SeenRecord) -> Result<(), ApplyError> {
        let path = self.path(job_id);
        let bytes = serde_json::to_vec_pretty(record).map_err(|e| ApplyError::SeenStore {
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        write_atomic(&path, &bytes).map_err(|source| ApplyError::SeenStore { path, source })
    }

    /// Drops records of jobs that expired more than a day before `now`; returns how many.
    pub fn prune(&self, now: Timestamp) -> io::Result<usize> {
        let mut dropped = 0;
        for entry in fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let stale = match fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<SeenRecord>(&b).ok())
            {
                Some(record) => record
                    .expires_at
                    .saturating_add(KEEP_AFTER_EXPIRY)
                    .is_ok_and(|t| t < now),
                None => true,
            };
            if stale {
                fs::remove_file(&path)?;
                dropped += 1;
            }
        }
        Ok(dropped)
    }
}

/// True for ids made of ASCII letters, digits and `-`, 1 to 64 long (a UUID is 36):
/// the id becomes a file name.
pub fn is_safe_job_id(job_id: &str) -> bool {
    (1..=64).contains(&job_id.len())
        && job_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
