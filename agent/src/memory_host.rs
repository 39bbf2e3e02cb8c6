//! [`InMemoryHost`]: a [`HostLink`] that keeps what it receives in memory.
//!
//! It behaves as the host does at the boundary (a content-addressed blob store that
//! answers a manifest with the blobs it lacks and refuses a blob whose sha256 is not
//! the one claimed) and records every message, so the all-in-one mode can hand them
//! to the reconciler and tests can wait for them.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use homeamp_schemas::report::{Heartbeat, JobResult, Manifest};
use tokio::sync::watch;

use crate::digest::sha256_hex;
use crate::link::{HostLink, LinkError};

/// Everything an [`InMemoryHost`] has received, in arrival order.
#[derive(Debug, Default, Clone)]
pub struct Received {
    pub manifests: Vec<Manifest>,
    pub blobs: HashMap<String, Vec<u8>>,
    pub heartbeats: Vec<Heartbeat>,
    pub results: Vec<JobResult>,
}

impl Received {
    /// The newest manifest of `instance`.
    pub fn latest_manifest(&self, instance: &str) -> Option<&Manifest> {
        self.manifests.iter().rev().find(|m| m.instance == instance)
    }
}

/// An in-process host endpoint that records what it receives.
#[derive(Debug)]
pub struct InMemoryHost {
    // std Mutex: no await is ever held while it is locked.
    received: Mutex<Received>,
    changes: watch::Sender<u64>,
}

impl Default for InMemoryHost {
    fn default() -> Self {
        Self {
            received: Mutex::default(),
            changes: watch::Sender::new(0),
        }
    }
}

impl InMemoryHost {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Received> {
        // A panic while holding the lock cannot leave `Received` half-updated: every
        // update is one push or insert.
        self.received
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record(&self, update: impl FnOnce(&mut Received)) {
        update(&mut self.lock());
        self.changes.send_modify(|n| *n += 1);
    }

    /// A copy of everything received so far.
    pub fn snapshot(&self) -> Received {
        self.lock().clone()
    }

    /// Reads the received state without copying it.
    pub fn with<T>(&self, read: impl FnOnce(&Received) -> T) -> T {
        read(&self.lock())
    }

    /// Waits until `check` returns `Some` on the received state, or `timeout` passes.
    pub async fn wait_for<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&Received) -> Option<T>,
    ) -> Option<T> {
        let mut changes = self.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.lock()) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                _ => return None,
            }
        }
    }
}

impl HostLink for InMemoryHost {
    async fn report(&self, manifest: &Manifest) -> Result<Vec<String>, LinkError> {
        let mut missing = Vec::new();
        self.record(|r| {
            for file in &manifest.files {
                if !r.blobs.contains_key(&file.sha256) && !missing.contains(&file.sha256) {
                    missing.push(file.sha256.clone());
                }
            }
            r.manifests.push(manifest.clone());
        });
        Ok(missing)
    }

    async fn upload_blob(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), LinkError> {
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(LinkError::BlobMismatch {
                claimed: sha256.to_string(),
                actual,
            });
        }
        self.record(|r| {
            r.blobs.insert(actual, bytes);
        });
        Ok(())
    }

    async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<(), LinkError> {
        self.record(|r| r.heartbeats.push(heartbeat.clone()));
        Ok(())
    }

    async fn job_result(&self, result: &JobResult) -> Result<(), LinkError> {
        self.record(|r| r.results.push(result.clone()));
        Ok(())
    }
}
