//! Observe: everything one instance's reconcile looks at, read from the store, the
//! active revision and the artifact store, and how desired and live differ.
//!
//! Reads only (the content-addressed cache of parsed live files aside). The comparison
//! itself is the pure [`diff_instance`] and [`diff_plugins`]; it belongs here because the
//! one read that depends on it (where a missing artifact could come from in the fleet)
//! must be made before anything is decided.

use std::collections::HashMap;
use std::sync::Arc;

use homeamp_desired::DesiredState;
use homeamp_schemas::desired::FileFormat;
use jiff::Timestamp;

use super::InstanceReconciler;
use crate::host::diff::{InstanceAt, InstanceDiff, LiveDoc, diff_instance, live_path};
use crate::host::fleet_artifacts::FleetSource;
use crate::host::plugin_diff::{PluginDiff, diff_plugins};
use crate::host::{ActiveRevision, HostError};
use crate::store::{InstanceRecord, Job, JobFilter};

/// What the reconcile of one instance starts from.
pub enum Observation {
    /// Nothing to reconcile: no active revision, an instance the revision does not
    /// declare, or one the store does not know yet.
    Absent,
    /// The instance is declared but its live state is not usable yet.
    Unready {
        active: Arc<ActiveRevision>,
        record: InstanceRecord,
        why: Unready,
    },
    /// Desired and live, compared at `active`.
    Compared {
        active: Arc<ActiveRevision>,
        seen: Box<Compared>,
    },
}

/// Why an instance's live state cannot be acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unready {
    /// No agent of its server has ever reported.
    NeverHeard { server: String },
    /// Its server's agent has not been heard of for longer than the agent timeout.
    AgentSilent { server: String },
    /// The agent reports, but not this instance.
    NotReported,
    /// The report lists no config files while the desired state wants some.
    EmptyReport,
    /// The agent has not uploaded every live file the host asked for yet.
    AwaitingBlobs,
}

/// One instance's desired and live state side by side.
pub struct Compared {
    /// The revision compared against, and whether the guard holds its intentional jobs.
    pub revision: String,
    pub guarded: bool,
    pub record: InstanceRecord,
    pub diff: InstanceDiff,
    pub plugins: PluginDiff,
    /// Per missing artifact, the instance that could supply it.
    pub fleet: Vec<FleetSource>,
    /// Every job of the instance, oldest first.
    pub jobs: Vec<Job>,
    pub now: Timestamp,
}

impl InstanceReconciler {
    pub(crate) async fn observe(&self, name: &str) -> Result<Observation, HostError> {
        let host = &self.host;
        let Some(active) = host.active() else {
            return Ok(Observation::Absent);
        };
        let Some(instance) = active.state.instance(name) else {
            return Ok(Observation::Absent);
        };
        let Some(record) = host.store.instance(name).await? else {
            return Ok(Observation::Absent);
        };
        let unready = |why| {
            Ok(Observation::Unready {
                active: active.clone(),
                record: record.clone(),
                why,
            })
        };
        if let Some(why) = self.agent_unready(&instance.server, &record).await? {
            return unready(why);
        }

        let desired = InstanceAt {
            state: &active.state,
            instance,
        };
        let manifest: HashMap<String, String> = host
            .store
            .latest_manifest(name)
            .await?
            .into_iter()
            .map(|f| (f.path, f.sha256))
            .collect();
        if manifest.is_empty() && desired.plugins().any(|p| !p.files.is_empty()) {
            return unready(Unready::EmptyReport);
        }
        let Some(live) = self.live_docs(desired, &manifest).await? else {
            return unready(Unready::AwaitingBlobs);
        };

        let earlier = match record.synced_revision.as_deref() {
            Some(sha) if sha != active.sha => host.revision_state(sha).await,
            _ => None,
        };
        let previous = previous_at(&record, &active, desired, earlier.as_deref(), name);
        let diff = diff_instance(desired, previous, &live, &host.secrets);
        let jars = host.store.current_plugins(name).await?;
        let plugins = diff_plugins(
            desired,
            previous,
            &jars,
            host.as_ref(),
            instance.policy.prune,
        );
        let fleet = if plugins.unresolved.is_empty() {
            Vec::new()
        } else {
            host.fleet_sources(&plugins.unresolved, &active).await?
        };
        let jobs = host
            .store
            .list_jobs(&JobFilter {
                instance: Some(name.to_string()),
                ..Default::default()
            })
            .await?;
        Ok(Observation::Compared {
            seen: Box::new(Compared {
                revision: active.sha.clone(),
                guarded: active.guarded,
                record,
                diff,
                plugins,
                fleet,
                jobs,
                now: Timestamp::now(),
            }),
            active: active.clone(),
        })
    }

    /// Why nothing the agent of `server` said about the instance can be used, if so.
    async fn agent_unready(
        &self,
        server: &str,
        record: &InstanceRecord,
    ) -> Result<Option<Unready>, HostError> {
        let heard = self
            .host
            .store
            .server(server)
            .await?
            .and_then(|s| s.last_seen);
        let Some(heard) = heard else {
            return Ok(Some(Unready::NeverHeard {
                server: server.to_string(),
            }));
        };
        if Timestamp::now().duration_since(heard).unsigned_abs() > self.host.config.agent_timeout {
            return Ok(Some(Unready::AgentSilent {
                server: server.to_string(),
            }));
        }
        Ok(record.last_seen.is_none().then_some(Unready::NotReported))
    }

    /// The parsed live files the desired state names, by path; `None` while a blob the
    /// manifest lists has not been uploaded yet.
    async fn live_docs(
        &self,
        desired: InstanceAt<'_>,
        manifest: &HashMap<String, String>,
    ) -> Result<Option<HashMap<String, LiveDoc>>, HostError> {
        let platform = desired.instance.platform;
        let wanted: Vec<(String, FileFormat)> = desired
            .plugins()
            .flat_map(|p| {
                p.files
                    .values()
                    .map(|f| (live_path(platform, &p.folder, &f.path), f.format))
            })
            .collect();
        let mut live = HashMap::new();
        let mut complete = true;
        for (path, format) in wanted {
            if let Some(sha) = manifest.get(&path) {
                match self.live_doc(sha, format).await? {
                    Some(doc) => {
                        live.insert(path, doc);
                    }
                    None => complete = false,
                }
            }
        }
        Ok(complete.then_some(live))
    }

    /// The parsed content of a live file, from the cache or the blob store.
    async fn live_doc(
        &self,
        sha256: &str,
        format: FileFormat,
    ) -> Result<Option<LiveDoc>, HostError> {
        let cache_key = format!("{sha256}:{}", format.as_str());
        if let Some(doc) = self.docs.lock().expect("lock poisoned").get(&cache_key) {
            return Ok(Some(doc.clone()));
        }
        let Some(bytes) = self.host.store.blob(sha256).await? else {
            return Ok(None);
        };
        let doc = match String::from_utf8(bytes) {
            Ok(text) => LiveDoc::parse(sha256.to_string(), format, &text),
            Err(_) => LiveDoc {
                sha256: sha256.to_string(),
                parsed: Err("not UTF-8 text".to_string()),
            },
        };
        self.docs
            .lock()
            .expect("lock poisoned")
            .insert(cache_key, doc.clone());
        Ok(Some(doc))
    }
}

/// The instance at the revision it was last synced to, to tell intentional from
/// corrective drift (`None`: never synced, or that revision cannot be read).
fn previous_at<'a>(
    record: &InstanceRecord,
    active: &'a ActiveRevision,
    desired: InstanceAt<'a>,
    earlier: Option<&'a DesiredState>,
    name: &str,
) -> Option<InstanceAt<'a>> {
    match record.synced_revision.as_deref() {
        None => None,
        Some(sha) if sha == active.sha => Some(desired),
        Some(_) => earlier.and_then(|state| InstanceAt::new(state, name)),
    }
}
