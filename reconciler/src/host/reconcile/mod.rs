//! The instance reconciler: recompute everything for one instance, act, say when to look
//! again. Three steps, each in its own file:
//!
//! - [`observe`](observe.rs): the active revision, the instance's record, its latest
//!   manifest and the live files in it, its plugin JARs, its jobs, and how desired and live
//!   differ (reads only);
//! - [`decide`]: a pure function from that to a [`Decision`]: drift records, jobs to emit,
//!   jobs they replace, JARs to ask the fleet for, the status and when to look again;
//! - [`act`](act.rs): the decision written to the store (and the outbox woken).
//!
//! Idempotent by construction: the reconcile is never told why it runs, and running it
//! twice in a row does nothing the second time (jobs in flight are recognised by their
//! effect key).

mod act;
pub mod decide;
pub mod observe;
mod round;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use self::decide::{Rules, decide, decide_unready};
use self::observe::Observation;
use super::diff::LiveDoc;
use super::{ActiveRevision, Host, HostError};
use crate::runtime::{Action, Reconcile};

pub use self::decide::{Decision, StatusChange};
pub use self::observe::{Compared, Unready};

/// Reconciles instances, keyed by fleet name. Holds the host's shared core, and the cache
/// of parsed live files only it reads.
pub struct InstanceReconciler {
    pub(crate) host: Arc<Host>,
    /// Parsed live files by sha256 and format (content-addressed, so never stale).
    docs: Mutex<HashMap<String, LiveDoc>>,
}

impl InstanceReconciler {
    pub fn new(host: Arc<Host>) -> Arc<Self> {
        Arc::new(Self {
            host,
            docs: Mutex::new(HashMap::new()),
        })
    }

    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }

    /// Observe, decide, act: see the module documentation.
    pub async fn reconcile_instance(&self, name: &str) -> Result<Action, HostError> {
        let (active, decision) = match self.observe(name).await? {
            Observation::Absent => return Ok(Action::AwaitChange),
            Observation::Unready {
                active,
                record,
                why,
            } => {
                let Some(rules) = self.rules(&active, name) else {
                    return Ok(Action::AwaitChange);
                };
                let synced = record.synced_revision.clone();
                (active, decide_unready(&why, synced, &rules.as_rules()))
            }
            Observation::Compared { active, seen } => {
                let Some(rules) = self.rules(&active, name) else {
                    return Ok(Action::AwaitChange);
                };
                let decision = decide(&seen, &rules.as_rules());
                (active, decision)
            }
        };
        self.act(name, &active, decision, Timestamp::now()).await
    }

    /// The instance's rules at the revision it is reconciled to.
    fn rules(&self, active: &ActiveRevision, name: &str) -> Option<OwnedRules> {
        let instance = active.state.instance(name)?;
        Some(OwnedRules {
            instance: name.to_string(),
            server: instance.server.clone(),
            policy: instance.policy,
            agent_timeout: self.host.config.agent_timeout,
            job_ttl: self.host.config.job_ttl,
        })
    }
}

/// [`Rules`] with owned fields, read from the active revision.
struct OwnedRules {
    instance: String,
    server: String,
    policy: homeamp_desired::model::Policy,
    agent_timeout: std::time::Duration,
    job_ttl: std::time::Duration,
}

impl OwnedRules {
    fn as_rules(&self) -> Rules<'_> {
        Rules {
            instance: &self.instance,
            server: &self.server,
            policy: &self.policy,
            agent_timeout: self.agent_timeout,
            job_ttl: self.job_ttl,
        }
    }
}

impl Reconcile for InstanceReconciler {
    type Key = String;
    type Error = HostError;

    async fn reconcile(&self, name: &String) -> Result<Action, HostError> {
        let started = std::time::Instant::now();
        let outcome = self.reconcile_instance(name).await;
        self.host
            .metrics
            .reconciled(started.elapsed(), outcome.is_ok());
        outcome
    }
}
