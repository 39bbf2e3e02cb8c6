//! The per-instance reconcile: recompute everything, act, say when to look again.
//!
//! Idempotent by construction: it reads the active revision, the instance's latest
//! manifest and blobs, its jobs in flight and its policy, and from those alone decides
//! the drift records, the jobs and the status. Running it twice in a row does nothing
//! the second time (jobs in flight are recognised by their effect key).

use std::collections::HashMap;
use std::time::Duration;

use homeamp_configfiles::Format;
use homeamp_desired::model::Reload;
use homeamp_schemas::desired::{FileFormat, RestartPolicy, SyncMode};
use homeamp_schemas::job::{JobCause, JobIntent, JobKind, JobSpec, LifecycleAction};
use jiff::Timestamp;

use super::diff::{InstanceAt, LiveDoc, diff_instance, live_path};
use super::plugin_diff::diff_plugins;
use super::round::plan_round;
use super::{Host, HostError};
use crate::runtime::{Action, Reconcile};
use crate::store::{InstanceStatusUpdate, Job, JobFilter, JobStatus, NewJob};

use homeamp_schemas::status::sync_status::*;

/// How often an instance with work in progress is looked at even without a trigger.
const PROGRESS_RECHECK: Duration = Duration::from_secs(5);

/// How often an instance waiting for an artifact looks at the artifact store again.
const ARTIFACT_RECHECK: Duration = Duration::from_secs(2);

/// How long after a job succeeded its agent's new manifest is waited for.
const REPORT_GRACE: Duration = Duration::from_secs(10);

impl Reconcile for Host {
    type Key = String;
    type Error = HostError;

    async fn reconcile(&self, name: &String) -> Result<Action, HostError> {
        let started = std::time::Instant::now();
        let outcome = self.reconcile_instance(name).await;
        self.metrics.reconciled(started.elapsed(), outcome.is_ok());
        outcome
    }
}

impl Host {
    async fn set_status(
        &self,
        name: &str,
        status: &str,
        message: Option<String>,
        synced_revision: Option<String>,
    ) -> Result<(), HostError> {
        self.store
            .set_instance_status(
                name,
                &InstanceStatusUpdate {
                    status: status.to_string(),
                    message,
                    synced_revision,
                },
            )
            .await?;
        Ok(())
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
        let Some(bytes) = self.store.blob(sha256).await? else {
            return Ok(None);
        };
        let doc = match String::from_utf8(bytes) {
            Ok(text) => LiveDoc::parse(sha256.to_string(), Format::from(format), &text),
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

    /// See the module documentation.
    pub async fn reconcile_instance(&self, name: &str) -> Result<Action, HostError> {
        let Some(active) = self.active() else {
            return Ok(Action::AwaitChange);
        };
        let Some(instance) = active.state.instance(name) else {
            return Ok(Action::AwaitChange);
        };
        let Some(record) = self.store.instance(name).await? else {
            return Ok(Action::AwaitChange);
        };
        let server = self.store.server(&instance.server).await?;
        let heard = server.as_ref().and_then(|s| s.last_seen);
        let stale = heard.is_none_or(|at| {
            Timestamp::now().duration_since(at).unsigned_abs() > self.config.agent_timeout
        });
        if record.last_seen.is_none() || stale {
            let why = if heard.is_none() {
                format!("no agent of server {} has reported yet", instance.server)
            } else if stale {
                format!("the agent of server {} is silent", instance.server)
            } else {
                "the agent has not reported this instance yet".to_string()
            };
            self.set_status(name, UNKNOWN, Some(why), record.synced_revision.clone())
                .await?;
            return Ok(Action::requeue(self.config.agent_timeout / 2));
        }

        let desired = InstanceAt {
            state: &active.state,
            instance,
        };
        let manifest: HashMap<String, String> = self
            .store
            .latest_manifest(name)
            .await?
            .into_iter()
            .map(|f| (f.path, f.sha256))
            .collect();
        let wants_files = desired.plugins().any(|p| !p.files.is_empty());
        if manifest.is_empty() && wants_files {
            // An empty report is far more often an unmounted disk or a half-made instance
            // than a fleet to rebuild from scratch: never act on it.
            self.set_status(
                name,
                UNKNOWN,
                Some(
                    "the agent reported no files: nothing is changed until it reports them".into(),
                ),
                record.synced_revision.clone(),
            )
            .await?;
            return Ok(Action::AwaitChange);
        }
        let mut live = HashMap::new();
        let mut waiting_for_blobs = false;
        let wanted: Vec<(String, FileFormat)> = desired
            .plugins()
            .flat_map(|p| {
                p.files
                    .values()
                    .map(|f| (live_path(instance.platform, &p.folder, &f.path), f.format))
            })
            .collect();
        for (path, format) in wanted {
            if let Some(sha) = manifest.get(&path) {
                match self.live_doc(sha, format).await? {
                    Some(doc) => {
                        live.insert(path, doc);
                    }
                    None => waiting_for_blobs = true,
                }
            }
        }
        if waiting_for_blobs {
            // The agent uploads what the host asked for right after its report.
            return Ok(Action::requeue(Duration::from_millis(500)));
        }

        let earlier = match record.synced_revision.as_deref() {
            Some(sha) if sha != active.sha => self.revision_state(sha).await,
            _ => None,
        };
        let previous = match record.synced_revision.as_deref() {
            None => None,
            Some(sha) if sha == active.sha => Some(desired),
            Some(_) => earlier
                .as_deref()
                .and_then(|state| InstanceAt::new(state, name)),
        };
        let diff = diff_instance(desired, previous, &live, &self.secrets);
        let policy = &instance.policy;
        let jars = self.store.current_plugins(name).await?;
        let plugins = diff_plugins(desired, previous, &jars, self, policy.prune);
        let now = Timestamp::now();
        let unresolved = if plugins.unresolved.is_empty() {
            Vec::new()
        } else {
            self.fetch_from_fleet(&plugins.unresolved, &active, now)
                .await?
        };
        let observed: Vec<_> = diff
            .drift
            .iter()
            .chain(&plugins.drift)
            .chain(&plugins.unmanaged)
            .cloned()
            .collect();
        self.store.sync_drift(name, &observed, now).await?;

        let jobs = self
            .store
            .list_jobs(&JobFilter {
                instance: Some(name.to_string()),
                ..Default::default()
            })
            .await?;
        let in_flight: Vec<&Job> = jobs.iter().filter(|j| j.status.is_in_flight()).collect();

        if diff.is_in_sync() && plugins.drift.is_empty() {
            if in_flight.iter().any(|j| j.kind != JobKind::Lifecycle) {
                self.set_status(name, PROGRESSING, None, record.synced_revision.clone())
                    .await?;
                return Ok(Action::requeue(PROGRESS_RECHECK));
            }
            self.set_status(name, SYNCED, None, Some(active.sha.clone()))
                .await?;
            return Ok(Action::AwaitChange);
        }

        // What policy lets us change: nothing under observe; hand edits only with self_heal.
        let allowed = |intent: JobIntent| {
            policy.sync != SyncMode::Observe
                && (intent == JobIntent::Intentional || policy.self_heal)
        };
        let (planned, held_back) = plan_round(name, &diff, &plugins, allowed);
        if planned.is_empty() {
            let why = if !unresolved.is_empty() {
                unresolved.join("; ")
            } else if policy.sync == SyncMode::Observe {
                "observe policy: drift is recorded, not corrected".to_string()
            } else if held_back {
                "self_heal is off: hand edits are recorded, not reverted".to_string()
            } else if !policy.prune && plugins.drift.iter().any(|d| d.desired_value.is_none()) {
                "plugin JARs the matrix does not deploy here are recorded, not removed: prune is off"
                    .to_string()
            } else {
                format!(
                    "{} difference(s) no job can fix (a live file that does not parse?): see /api/drift?instance={name}",
                    diff.drift.len() + plugins.drift.len()
                )
            };
            let moving = in_flight
                .iter()
                .any(|j| j.status != JobStatus::AwaitingApproval);
            let status = if moving {
                PROGRESSING
            } else if plugins.unresolved.is_empty() {
                OUT_OF_SYNC
            } else {
                DEGRADED
            };
            self.set_status(name, status, Some(why), record.synced_revision.clone())
                .await?;
            return Ok(if plugins.unresolved.is_empty() {
                Action::AwaitChange
            } else {
                Action::requeue(ARTIFACT_RECHECK)
            });
        }
        let cause = if planned.iter().any(|p| p.intent == JobIntent::Intentional) {
            JobIntent::Intentional
        } else {
            JobIntent::Corrective
        };

        let needs_approval =
            policy.sync == SyncMode::Approve || (cause == JobIntent::Intentional && active.guarded);
        let job_cause = match cause {
            JobIntent::Intentional => JobCause::Commit,
            JobIntent::Corrective => JobCause::Drift,
        };
        let expires_at = now.checked_add(self.config.job_ttl).ok().or(Some(now));
        // Every job of this round differs only in what it does.
        let new_job = |kind, plugin_name, plugin_version, payload, effect_key| NewJob {
            server: instance.server.clone(),
            instance: Some(name.to_string()),
            kind,
            plugin_name,
            plugin_version,
            payload,
            effect_key,
            revision: Some(active.sha.clone()),
            cause: job_cause,
            intent: cause,
            expires_at,
            needs_approval,
        };
        let mut degraded = unresolved.clone();
        let mut waiting_for_report = false;
        let mut emitted = 0usize;
        let mut restart = false;
        let mut reload_commands = Vec::new();
        for plan in planned {
            let kind = plan.spec.kind();
            let payload =
                serde_json::to_value(&plan.spec).map_err(|e| HostError::Invalid(e.to_string()))?;
            let effect_key = plan.effect_key;
            let latest = jobs.iter().rfind(|j| j.effect_key == effect_key);
            if let Some(job) = latest {
                if job.status.is_in_flight() {
                    if job.payload == payload
                        || matches!(job.status, JobStatus::Delivered | JobStatus::Running)
                    {
                        continue; // the same effect is on its way
                    }
                    // An older plan still waiting: the new one replaces it.
                    self.store
                        .transition_job(&job.uuid, JobStatus::Superseded, Some("re-planned"), now)
                        .await?;
                } else if job.status == JobStatus::Succeeded
                    && job.payload == payload
                    && job.completed_at.is_some_and(|done| {
                        record.last_seen.is_none_or(|seen| seen < done)
                            && now.duration_since(done).unsigned_abs() < REPORT_GRACE
                    })
                {
                    // Done, and no report since: the live view is older than the write, not
                    // the file. Look again shortly instead of planning the same edit. (A report
                    // after the job, or the grace period, ends the wait: the file went back.)
                    waiting_for_report = true;
                    continue;
                } else if job.status == JobStatus::Failed && job.payload == payload {
                    degraded.push(format!(
                        "{}: {}",
                        plan.label,
                        job.result_message.clone().unwrap_or_default()
                    ));
                    continue;
                }
            }
            let insert = self
                .store
                .insert_job(
                    &new_job(kind, plan.plugin, plan.version, payload, effect_key),
                    now,
                )
                .await?;
            if insert.is_created() {
                emitted += 1;
                match plan.reload {
                    Reload::Restart => restart = true,
                    Reload::Command(command) if !reload_commands.contains(&command) => {
                        reload_commands.push(command)
                    }
                    _ => {}
                }
            }
        }
        // One restart per instance per round, after the round's writes (the bus keeps order).
        let mut lifecycle = Vec::new();
        if restart && policy.restart != RestartPolicy::Never {
            lifecycle.push(LifecycleAction::Restart);
        } else {
            lifecycle.extend(
                reload_commands
                    .into_iter()
                    .map(|command| LifecycleAction::Reload { command }),
            );
        }
        for action in lifecycle {
            let key = format!("{name}:lifecycle:{}", action.as_str());
            let payload = serde_json::to_value(JobSpec::Lifecycle(action))
                .map_err(|e| HostError::Invalid(e.to_string()))?;
            self.store
                .insert_job(&new_job(JobKind::Lifecycle, None, None, payload, key), now)
                .await?;
        }
        if emitted > 0 {
            self.outbox_wake.notify_one();
        }

        let jobs_now = self
            .store
            .list_jobs(&JobFilter {
                instance: Some(name.to_string()),
                in_flight_only: true,
                ..Default::default()
            })
            .await?;
        let held = jobs_now
            .iter()
            .filter(|j| j.status == JobStatus::AwaitingApproval)
            .count();
        let moving = jobs_now.len() - held;
        let (status, message) = if !degraded.is_empty() {
            (DEGRADED, Some(degraded.join("; ")))
        } else if moving > 0 || waiting_for_report {
            (PROGRESSING, None)
        } else if held > 0 {
            (
                OUT_OF_SYNC,
                Some(format!("{held} job(s) awaiting approval")),
            )
        } else {
            (OUT_OF_SYNC, None)
        };
        self.set_status(name, status, message, record.synced_revision.clone())
            .await?;
        Ok(if waiting_for_report {
            Action::requeue(Duration::from_millis(500))
        } else if !plugins.unresolved.is_empty() {
            Action::requeue(ARTIFACT_RECHECK)
        } else if moving > 0 {
            Action::requeue(PROGRESS_RECHECK)
        } else {
            Action::AwaitChange
        })
    }
}
