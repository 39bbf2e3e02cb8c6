//! Decide: from what was observed, what to do. A pure function, no IO and no clock (the
//! time comes in with the observation), tested branch by branch below.
//!
//! The decision is the one place where a job is judged a duplicate: a planned job whose
//! effect already has a job in flight is not emitted again (or replaces it, when that job
//! still waits and plans something else). The store's unique index on in-flight effects is
//! the invariant behind it, so a lost race can never put two jobs for one effect in flight.

use std::time::Duration;

use homeamp_desired::model::{Policy, Reload};
use homeamp_schemas::desired::{RestartPolicy, SyncMode};
use homeamp_schemas::job::{JobCause, JobIntent, JobKind, JobSpec, LifecycleAction};
use homeamp_schemas::status::SyncState;
use jiff::Timestamp;

use super::observe::{Compared, Unready};
use super::round::{Planned, plan_round};
use crate::host::diff::InstanceDiff;
use crate::host::fleet_artifacts::FleetSource;
use crate::host::plugin_diff::PluginDiff;
use crate::runtime::Action;
use crate::store::{DriftObservation, Job, JobStatus, NewJob, PluginSeen};

/// How often an instance with work in progress is looked at even without a trigger.
pub const PROGRESS_RECHECK: Duration = Duration::from_secs(5);

/// How often an instance waiting for an artifact looks at the artifact store again.
pub const ARTIFACT_RECHECK: Duration = Duration::from_secs(2);

/// How long after a job succeeded its agent's new manifest is waited for.
pub const REPORT_GRACE: Duration = Duration::from_secs(10);

/// How soon an instance waiting for its agent's uploads (or its report after a job) is
/// looked at again.
pub const SHORTLY: Duration = Duration::from_millis(500);

/// What the reconcile of one instance does.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The instance's drift as observed now (`None`: leave the records as they are).
    pub drift: Option<Vec<DriftObservation>>,
    /// Jobs still waiting that a new plan replaces (by UUID): they become `superseded`.
    pub supersede: Vec<String>,
    /// New jobs, in the order the agent is to apply them (writes before a restart).
    pub jobs: Vec<NewJob>,
    /// Plugin JARs to ask the fleet for: (instance, plugin, the JAR it reported).
    pub fetch: Vec<(String, String, PluginSeen)>,
    /// `None`: the instance's status is left as it is.
    pub status: Option<StatusChange>,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub state: SyncState,
    pub message: Option<String>,
    pub synced_revision: Option<String>,
}

/// What decide needs beyond the observation: the host's settings and the instance's.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub instance: &'a str,
    pub server: &'a str,
    pub policy: &'a Policy,
    pub agent_timeout: Duration,
    pub job_ttl: Duration,
}

impl Decision {
    fn status(
        state: SyncState,
        message: Option<String>,
        synced_revision: Option<String>,
        action: Action,
    ) -> Self {
        Decision {
            drift: None,
            supersede: Vec::new(),
            jobs: Vec::new(),
            fetch: Vec::new(),
            status: Some(StatusChange {
                state,
                message,
                synced_revision,
            }),
            action,
        }
    }
}

/// An instance whose live state cannot be acted on: say why, change nothing.
pub fn decide_unready(
    why: &Unready,
    synced_revision: Option<String>,
    rules: &Rules<'_>,
) -> Decision {
    let unknown = |message: String, action| {
        Decision::status(
            SyncState::Unknown,
            Some(message),
            synced_revision.clone(),
            action,
        )
    };
    let wait_for_agent = Action::requeue(rules.agent_timeout / 2);
    match why {
        Unready::NeverHeard { server } => unknown(
            format!("no agent of server {server} has reported yet"),
            wait_for_agent,
        ),
        Unready::AgentSilent { server } => unknown(
            format!("the agent of server {server} is silent"),
            wait_for_agent,
        ),
        Unready::NotReported => unknown(
            "the agent has not reported this instance yet".to_string(),
            wait_for_agent,
        ),
        // An empty report is far more often an unmounted disk or a half-made instance than
        // a fleet to rebuild from scratch: never act on it.
        Unready::EmptyReport => unknown(
            "the agent reported no files: nothing is changed until it reports them".to_string(),
            Action::AwaitChange,
        ),
        // The agent uploads what the host asked for right after its report.
        Unready::AwaitingBlobs => Decision {
            status: None,
            ..Decision::status(SyncState::Unknown, None, None, Action::requeue(SHORTLY))
        },
    }
}

/// An instance whose desired and live state were compared.
pub fn decide(seen: &Compared, rules: &Rules<'_>) -> Decision {
    let drift: Vec<DriftObservation> = seen
        .diff
        .drift
        .iter()
        .chain(&seen.plugins.drift)
        .chain(&seen.plugins.unmanaged)
        .cloned()
        .collect();
    let fetch = fleet_fetches(&seen.fleet);
    let unresolved: Vec<String> = seen.fleet.iter().map(FleetSource::line).collect();
    let mut decision = decide_jobs(seen, rules, unresolved);
    decision.drift = Some(drift);
    decision.fetch = fetch;
    decision
}

fn fleet_fetches(fleet: &[FleetSource]) -> Vec<(String, String, PluginSeen)> {
    fleet
        .iter()
        .filter_map(|s| {
            let (instance, jar) = s.found.as_ref()?;
            Some((instance.clone(), s.missing.name.clone(), jar.clone()))
        })
        .collect()
}

fn decide_jobs(seen: &Compared, rules: &Rules<'_>, unresolved: Vec<String>) -> Decision {
    let synced = seen.record.synced_revision.clone();
    let in_flight: Vec<&Job> = seen
        .jobs
        .iter()
        .filter(|j| j.status.is_in_flight())
        .collect();
    if seen.diff.is_in_sync() && seen.plugins.drift.is_empty() {
        if in_flight.iter().any(|j| j.kind != JobKind::Lifecycle) {
            return Decision::status(
                SyncState::Progressing,
                None,
                synced,
                Action::requeue(PROGRESS_RECHECK),
            );
        }
        return Decision::status(
            SyncState::Synced,
            None,
            Some(seen.revision.clone()),
            Action::AwaitChange,
        );
    }

    let policy = rules.policy;
    // What policy lets us change: nothing under observe; hand edits only with self_heal.
    let allowed = |intent: JobIntent| {
        policy.sync != SyncMode::Observe && (intent == JobIntent::Intentional || policy.self_heal)
    };
    let (planned, held_back) = plan_round(rules.instance, &seen.diff, &seen.plugins, allowed);
    if planned.is_empty() {
        return nothing_to_emit(seen, rules, &in_flight, unresolved, held_back);
    }
    emit(seen, rules, planned, unresolved)
}

/// Drift remains but policy (or the lack of a fix) emits no job: say why.
fn nothing_to_emit(
    seen: &Compared,
    rules: &Rules<'_>,
    in_flight: &[&Job],
    unresolved: Vec<String>,
    held_back: bool,
) -> Decision {
    let why = why_nothing(rules, &seen.diff, &seen.plugins, &unresolved, held_back);
    let moving = in_flight
        .iter()
        .any(|j| j.status != JobStatus::AwaitingApproval);
    let waiting_for_artifact = !seen.plugins.unresolved.is_empty();
    let state = if moving {
        SyncState::Progressing
    } else if waiting_for_artifact {
        SyncState::Degraded
    } else {
        SyncState::OutOfSync
    };
    let action = if waiting_for_artifact {
        Action::requeue(ARTIFACT_RECHECK)
    } else {
        Action::AwaitChange
    };
    Decision::status(
        state,
        Some(why),
        seen.record.synced_revision.clone(),
        action,
    )
}

fn why_nothing(
    rules: &Rules<'_>,
    diff: &InstanceDiff,
    plugins: &PluginDiff,
    unresolved: &[String],
    held_back: bool,
) -> String {
    let policy = rules.policy;
    if !unresolved.is_empty() {
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
            "{} difference(s) no job can fix (a live file that does not parse?): see /api/drift?instance={}",
            diff.drift.len() + plugins.drift.len(),
            rules.instance
        )
    }
}

/// What the round's jobs share: who made them, why, and whether they wait for approval.
struct RoundTemplate<'a> {
    rules: &'a Rules<'a>,
    revision: String,
    cause: JobCause,
    intent: JobIntent,
    needs_approval: bool,
    expires_at: Option<Timestamp>,
}

impl RoundTemplate<'_> {
    fn job(
        &self,
        spec: JobSpec,
        plugin_name: Option<String>,
        plugin_version: Option<String>,
        effect_key: String,
    ) -> NewJob {
        NewJob {
            server: self.rules.server.to_string(),
            instance: Some(self.rules.instance.to_string()),
            plugin_name,
            plugin_version,
            spec,
            effect_key,
            revision: Some(self.revision.clone()),
            cause: self.cause,
            intent: self.intent,
            expires_at: self.expires_at,
            needs_approval: self.needs_approval,
        }
    }
}

/// What became of one planned job against the instance's job history.
enum Judged {
    /// Emit it.
    New,
    /// Emit it, replacing the waiting job with this UUID.
    Replaces(String),
    /// The same effect is on its way.
    OnItsWay,
    /// Done, and no report since: the live view is older than the write, not the file.
    AwaitingReport,
    /// The same job failed: the instance is Degraded with this message.
    Failed(String),
}

fn judge(plan: &Planned, jobs: &[Job], last_report: Option<Timestamp>, now: Timestamp) -> Judged {
    let Some(job) = jobs.iter().rfind(|j| j.effect_key == plan.effect_key) else {
        return Judged::New;
    };
    let same = job.spec == plan.spec;
    if job.status.is_in_flight() {
        if same || matches!(job.status, JobStatus::Delivered | JobStatus::Running) {
            return Judged::OnItsWay;
        }
        // An older plan still waiting: the new one replaces it.
        return Judged::Replaces(job.uuid.clone());
    }
    if job.status == JobStatus::Succeeded
        && same
        && job.completed_at.is_some_and(|done| {
            last_report.is_none_or(|seen| seen < done)
                && now.duration_since(done).unsigned_abs() < REPORT_GRACE
        })
    {
        // Look again shortly instead of planning the same edit. (A report after the job,
        // or the grace period, ends the wait: the file went back.)
        return Judged::AwaitingReport;
    }
    if job.status == JobStatus::Failed && same {
        return Judged::Failed(format!(
            "{}: {}",
            plan.label,
            job.result_message.clone().unwrap_or_default()
        ));
    }
    Judged::New
}

fn emit(
    seen: &Compared,
    rules: &Rules<'_>,
    planned: Vec<Planned>,
    unresolved: Vec<String>,
) -> Decision {
    let now = seen.now;
    let intent = if planned.iter().any(|p| p.intent == JobIntent::Intentional) {
        JobIntent::Intentional
    } else {
        JobIntent::Corrective
    };
    let template = RoundTemplate {
        rules,
        revision: seen.revision.clone(),
        cause: match intent {
            JobIntent::Intentional => JobCause::Commit,
            JobIntent::Corrective => JobCause::Drift,
        },
        intent,
        needs_approval: rules.policy.sync == SyncMode::Approve
            || (intent == JobIntent::Intentional && seen.guarded),
        expires_at: now.checked_add(rules.job_ttl).ok().or(Some(now)),
    };
    let mut decision = Decision::status(SyncState::OutOfSync, None, None, Action::AwaitChange);
    let mut degraded = unresolved;
    let mut waiting_for_report = false;
    let mut restart = false;
    let mut reload_commands = Vec::new();
    for plan in planned {
        match judge(&plan, &seen.jobs, seen.record.last_seen, now) {
            Judged::OnItsWay => continue,
            Judged::AwaitingReport => {
                waiting_for_report = true;
                continue;
            }
            Judged::Failed(message) => {
                degraded.push(message);
                continue;
            }
            Judged::Replaces(uuid) => decision.supersede.push(uuid),
            Judged::New => {}
        }
        match plan.reload {
            Reload::Restart => restart = true,
            Reload::Command(command) if !reload_commands.contains(&command) => {
                reload_commands.push(command)
            }
            _ => {}
        }
        let job = template.job(plan.spec, plan.plugin, plan.version, plan.effect_key);
        decision.jobs.push(job);
    }
    let lifecycle = lifecycle_after(restart, reload_commands, rules.policy);
    for action in lifecycle {
        let key = format!("{}:lifecycle:{}", rules.instance, action.as_str());
        let busy = seen
            .jobs
            .iter()
            .any(|j| j.effect_key == key && j.status.is_in_flight());
        if !busy {
            decision
                .jobs
                .push(template.job(JobSpec::Lifecycle(action), None, None, key));
        }
    }
    let (status, action) = outcome(seen, &decision, degraded, waiting_for_report);
    decision.status = Some(status);
    decision.action = action;
    decision
}

/// The status and next look once a round's jobs are decided.
fn outcome(
    seen: &Compared,
    decision: &Decision,
    degraded: Vec<String>,
    waiting_for_report: bool,
) -> (StatusChange, Action) {
    let (held, moving) = in_flight_after(&seen.jobs, decision);
    let (state, message) = if !degraded.is_empty() {
        (SyncState::Degraded, Some(degraded.join("; ")))
    } else if moving > 0 || waiting_for_report {
        (SyncState::Progressing, None)
    } else if held > 0 {
        (
            SyncState::OutOfSync,
            Some(format!("{held} job(s) awaiting approval")),
        )
    } else {
        (SyncState::OutOfSync, None)
    };
    let status = StatusChange {
        state,
        message,
        synced_revision: seen.record.synced_revision.clone(),
    };
    let action = if waiting_for_report {
        Action::requeue(SHORTLY)
    } else if !seen.plugins.unresolved.is_empty() {
        Action::requeue(ARTIFACT_RECHECK)
    } else if moving > 0 {
        Action::requeue(PROGRESS_RECHECK)
    } else {
        Action::AwaitChange
    };
    (status, action)
}

/// One restart per instance per round, after the round's writes (the bus keeps order);
/// without a restart (or when the policy never restarts), each reload command once.
fn lifecycle_after(
    restart: bool,
    reload_commands: Vec<String>,
    policy: &Policy,
) -> Vec<LifecycleAction> {
    if restart && policy.restart != RestartPolicy::Never {
        return vec![LifecycleAction::Restart];
    }
    reload_commands
        .into_iter()
        .map(|command| LifecycleAction::Reload { command })
        .collect()
}

/// The jobs in flight once the decision is carried out: (held for approval, moving).
fn in_flight_after(jobs: &[Job], decision: &Decision) -> (usize, usize) {
    let mut held = 0;
    let mut moving = 0;
    let kept = jobs
        .iter()
        .filter(|j| j.status.is_in_flight() && !decision.supersede.contains(&j.uuid))
        .map(|j| j.status == JobStatus::AwaitingApproval);
    let new = decision.jobs.iter().map(|j| j.needs_approval);
    for is_held in kept.chain(new) {
        if is_held {
            held += 1;
        } else {
            moving += 1;
        }
    }
    (held, moving)
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
