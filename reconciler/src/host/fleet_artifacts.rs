//! The fleet as a source of artifacts: a plugin version the store lacks but an instance
//! runs is fetched from that instance's agent into the store.
//!
//! When a reconcile finds no artifact for a plugin it must install, the host looks for a
//! JAR of that plugin (at the pinned version, or the newest for `True`) in the latest
//! reports of the instances of the same platform. If one has it, its sha256 is *wanted*
//! and a `rescan` job goes to that instance: the agent's forced report is answered with
//! the wanted sha256 among the blobs to upload, and the upload lands in the artifact
//! store (never in the database). The instance waiting for it rechecks the store every
//! few seconds and installs it. A request is repeated at most every [`REQUEST_AGAIN`].

use std::time::{Duration, Instant};

use homeamp_jar::{compare_versions, same_version};
use homeamp_schemas::job::{JobCause, JobIntent, JobSpec};
use jiff::Timestamp;

use super::plugin_diff::MissingArtifact;
use super::{ActiveRevision, Host, HostError};
use crate::digest::sha256_hex;
use crate::store::{NewJob, PluginSeen, StoreError};

/// How long a wanted JAR is waited for before it is asked for again.
pub const REQUEST_AGAIN: Duration = Duration::from_secs(60);

/// Where a missing artifact could come from: an instance of the same platform that runs
/// the wanted version (`None` when none does, or the host has no artifact store).
#[derive(Debug, Clone, PartialEq)]
pub struct FleetSource {
    pub missing: MissingArtifact,
    pub found: Option<(String, PluginSeen)>,
}

impl FleetSource {
    /// What to tell the operator while the artifact is missing.
    pub fn line(&self) -> String {
        let m = &self.missing;
        match &self.found {
            None => m.to_string(),
            Some((instance, jar)) => format!(
                "no artifact for {} {} ({}) in the store: fetching {} from {instance}",
                m.name,
                m.version.as_deref().unwrap_or("(any version)"),
                m.platform.as_str(),
                jar.jar_path
            ),
        }
    }
}

impl Host {
    /// For each missing artifact, the instance whose latest report holds a JAR of it (the
    /// newest that fits). Reads only; [`Host::request_jar`] asks for it.
    pub(crate) async fn fleet_sources(
        &self,
        missing: &[MissingArtifact],
        active: &ActiveRevision,
    ) -> Result<Vec<FleetSource>, HostError> {
        let mut sources = Vec::with_capacity(missing.len());
        for m in missing {
            if self.config.artifacts.is_none() {
                sources.push(FleetSource {
                    missing: m.clone(),
                    found: None,
                });
                continue;
            }
            let jars = self.store.present_jars_of(&m.name).await?;
            let found = jars
                .into_iter()
                .filter(|(instance, jar)| {
                    active
                        .state
                        .instance(instance)
                        .is_some_and(|i| i.platform == m.platform)
                        && match (&m.version, &jar.version) {
                            (Some(want), Some(have)) => same_version(have, want),
                            (Some(_), None) => false,
                            (None, _) => true,
                        }
                })
                .max_by(|(_, a), (_, b)| {
                    compare_versions(
                        a.version.as_deref().unwrap_or(""),
                        b.version.as_deref().unwrap_or(""),
                    )
                });
            sources.push(FleetSource {
                missing: m.clone(),
                found,
            });
        }
        Ok(sources)
    }

    /// Asks `instance`'s agent for the JAR `jar` of `plugin` (a `rescan` job), unless it was
    /// asked for less than [`REQUEST_AGAIN`] ago.
    pub(crate) async fn request_jar(
        &self,
        instance: &str,
        plugin: &str,
        jar: &PluginSeen,
        active: &ActiveRevision,
        now: Timestamp,
    ) -> Result<(), HostError> {
        if self.want_jar(&jar.sha256) {
            self.request_rescan(instance, plugin, active, now).await?;
        }
        Ok(())
    }

    /// Marks `sha256` wanted; false when it already was, less than [`REQUEST_AGAIN`] ago.
    fn want_jar(&self, sha256: &str) -> bool {
        let mut wanted = self.wanted_jars.lock().expect("lock poisoned");
        let key = sha256.to_ascii_lowercase();
        if wanted
            .get(&key)
            .is_some_and(|at: &Instant| at.elapsed() < REQUEST_AGAIN)
        {
            return false;
        }
        wanted.insert(key, Instant::now());
        true
    }

    /// True when the host asked an agent for the JAR with this sha256.
    pub(crate) fn is_wanted_jar(&self, sha256: &str) -> bool {
        self.wanted_jars
            .lock()
            .expect("lock poisoned")
            .contains_key(&sha256.to_ascii_lowercase())
    }

    /// Puts an uploaded wanted JAR into the artifact store, after checking its sha256.
    pub(crate) async fn store_wanted_jar(
        &self,
        sha256: &str,
        bytes: &[u8],
    ) -> Result<(), HostError> {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(sha256) {
            return Err(StoreError::BlobMismatch {
                expected: sha256.to_string(),
                actual,
            }
            .into());
        }
        let Some(store) = self.config.artifacts.clone() else {
            return Ok(());
        };
        let bytes = bytes.to_vec();
        let added = tokio::task::spawn_blocking(move || store.add(&bytes)).await?;
        self.wanted_jars
            .lock()
            .expect("lock poisoned")
            .remove(&sha256.to_ascii_lowercase());
        match added {
            Ok(artifacts) => {
                for a in &artifacts {
                    tracing::info!(
                        plugin = %a.name,
                        version = a.version.as_deref().unwrap_or(""),
                        file = %a.file_name,
                        "artifact fetched from the fleet"
                    );
                }
                self.trigger_all("artifact fetched");
            }
            Err(e) => tracing::warn!(sha256, error = %e, "a fetched JAR was not stored"),
        }
        Ok(())
    }

    async fn request_rescan(
        &self,
        instance: &str,
        plugin: &str,
        active: &ActiveRevision,
        now: Timestamp,
    ) -> Result<(), HostError> {
        let Some(source) = active.state.instance(instance) else {
            return Ok(());
        };
        let insert = self
            .store
            .insert_job(
                &NewJob {
                    server: source.server.clone(),
                    instance: Some(instance.to_string()),
                    plugin_name: Some(plugin.to_string()),
                    plugin_version: None,
                    spec: JobSpec::Rescan,
                    effect_key: format!("{instance}:rescan"),
                    revision: Some(active.sha.clone()),
                    cause: JobCause::Drift,
                    intent: JobIntent::Corrective,
                    expires_at: now.checked_add(self.config.job_ttl).ok(),
                    needs_approval: false,
                },
                now,
            )
            .await?;
        if insert.is_created() {
            self.outbox_wake.notify_one();
        }
        Ok(())
    }
}
