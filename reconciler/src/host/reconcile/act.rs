//! Act: carry a [`Decision`] out against the store and the bus, in the order that keeps
//! the invariants: drift first (what was seen), then the replaced jobs, then the new ones
//! (written to the outbox before the outbox is woken), then the status.

use jiff::Timestamp;

use super::InstanceReconciler;
use super::decide::Decision;
use crate::host::{ActiveRevision, HostError};
use crate::runtime::Action;
use crate::store::{InstanceStatusUpdate, JobStatus};

impl InstanceReconciler {
    pub(crate) async fn act(
        &self,
        name: &str,
        active: &ActiveRevision,
        decision: Decision,
        now: Timestamp,
    ) -> Result<Action, HostError> {
        let host = &self.host;
        for (instance, plugin, jar) in &decision.fetch {
            host.request_jar(instance, plugin, jar, active, now).await?;
        }
        if let Some(drift) = &decision.drift {
            host.store.sync_drift(name, drift, now).await?;
        }
        for uuid in &decision.supersede {
            host.store
                .transition_job(uuid, JobStatus::Superseded, Some("re-planned"), now)
                .await?;
        }
        let mut created = 0usize;
        for job in &decision.jobs {
            if host.store.insert_job(job, now).await?.is_created() {
                created += 1;
            } else {
                // Only a race can get here (one reconcile per instance at a time): the
                // store's unique index kept the job already in flight.
                tracing::debug!(effect = %job.effect_key, "a job for this effect is already in flight");
            }
        }
        if created > 0 {
            host.outbox_wake.notify_one();
        }
        if let Some(status) = decision.status {
            host.store
                .set_instance_status(
                    name,
                    &InstanceStatusUpdate {
                        status: status.state,
                        message: status.message,
                        synced_revision: status.synced_revision,
                    },
                )
                .await?;
        }
        Ok(decision.action)
    }
}
