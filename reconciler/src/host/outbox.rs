//! The outbox publisher: jobs are written to the store first, then signed and published.
//!
//! If the bus is down, jobs simply wait in the store (`published_at` unset) and are
//! published when it is back: nothing is lost. A host killed between publishing and
//! marking a job published publishes it again on restart; agents recognise the
//! redelivery by the job id.

use std::sync::Arc;
use std::time::Duration;

use homeamp_schemas::job::{JobEnvelope, SignedJob};
use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

use super::{Host, HostError};

/// How many outbox jobs are read, published and marked at once.
const OUTBOX_BATCH: u32 = 200;
use crate::store::{Job, JobStatus};

impl Host {
    /// The signed envelope of a stored job.
    pub fn envelope(&self, job: &Job) -> SignedJob {
        let envelope = JobEnvelope {
            job_id: job.uuid.clone(),
            server: job.server.clone(),
            instance: job.instance.clone().unwrap_or_default(),
            revision: job.revision.clone().unwrap_or_default(),
            cause: job.cause,
            intent: job.intent,
            created_at: job.created_at,
            expires_at: job
                .expires_at
                .unwrap_or_else(|| job.created_at + self.config.job_ttl),
            attempt: job.attempt,
            spec: job.spec.clone(),
        };
        SignedJob::sign(envelope, &self.key)
    }

    /// Publishes every queued, unpublished job; returns how many went out. Each batch of
    /// the outbox is published per server in one [`JobBus::publish_many`](crate::bus::JobBus::publish_many)
    /// (in order: one pipeline on Redis) and marked published in one transaction.
    pub async fn publish_outbox(&self) -> Result<usize, HostError> {
        let mut published = 0;
        loop {
            let batch = self.store.unpublished_jobs(OUTBOX_BATCH).await?;
            if batch.is_empty() {
                return Ok(published);
            }
            for (server, jobs) in by_server(&batch) {
                let payloads = jobs
                    .iter()
                    .map(|job| {
                        serde_json::to_vec(&self.envelope(job)).map_err(|source| {
                            HostError::Encode {
                                what: "a signed job",
                                source,
                            }
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let done = self.bus.publish_many(server, &payloads).await;
                let uuids: Vec<String> = jobs[..done.ids.len()]
                    .iter()
                    .map(|job| job.uuid.clone())
                    .collect();
                self.store
                    .mark_published_many(&uuids, Timestamp::now())
                    .await?;
                for _ in &uuids {
                    self.metrics.job_published();
                }
                published += uuids.len();
                if let Some(e) = done.error {
                    self.metrics.job_publish_failed();
                    return Err(e.into());
                }
            }
        }
    }

    /// Puts back in the outbox the jobs published longer than
    /// [`HostConfig::redeliver_after`](super::HostConfig::redeliver_after) ago that no agent
    /// took up (still `delivered`): the bus lost them (a Redis restarted without
    /// persistence) or the agent died before it started them. The store, not the bus, is
    /// the record of what must be done; a redelivered job carries the same id, so an agent
    /// that did get the first delivery answers the second from its record.
    pub async fn redeliver_stale(&self) -> Result<usize, HostError> {
        let Some(after) = self.config.redeliver_after else {
            return Ok(0);
        };
        let now = Timestamp::now();
        let cutoff = now - after;
        let stale = self
            .store
            .list_jobs(&crate::store::JobFilter {
                status: Some(JobStatus::Delivered),
                ..Default::default()
            })
            .await?;
        let mut requeued = 0;
        for job in stale
            .iter()
            .filter(|j| j.published_at.is_some_and(|at| at < cutoff))
        {
            self.store.requeue_job(&job.uuid, now).await?;
            tracing::info!(job = %job.uuid, server = %job.server, "no agent took the job up: publishing it again");
            requeued += 1;
        }
        if requeued > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(requeued)
    }

    /// Expires jobs past their deadline and reconciles their instances.
    pub async fn expire_jobs(&self) -> Result<(), HostError> {
        for job in self.store.expire_jobs(Timestamp::now()).await? {
            if let Some(instance) = &job.instance {
                self.trigger(instance, "job expired");
            }
        }
        Ok(())
    }

    /// Publishes whenever woken (a reconcile emitted jobs, an approval) and at least
    /// every `every`; a bus error is logged and retried on the next round.
    pub async fn run_outbox(self: Arc<Self>, every: Duration, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.publish_outbox().await {
                tracing::warn!(error = %e, "publishing jobs failed; they stay in the outbox");
            }
            if let Err(e) = self.expire_jobs().await {
                tracing::warn!(error = %e, "expiring jobs failed");
            }
            if let Err(e) = self.redeliver_stale().await {
                tracing::warn!(error = %e, "requeueing stale deliveries failed");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.outbox_wake.notified() => {}
                _ = tokio::time::sleep(every) => {}
            }
        }
    }

    /// Releases a job held for approval.
    pub async fn approve(&self, uuid: &str, by: &str) -> Result<Job, HostError> {
        let job = self.store.approve_job(uuid, by, Timestamp::now()).await?;
        self.outbox_wake.notify_one();
        Ok(job)
    }

    /// Releases every held job of a revision.
    pub async fn approve_revision(&self, revision: &str, by: &str) -> Result<usize, HostError> {
        let held = self
            .store
            .list_jobs(&crate::store::JobFilter {
                status: Some(JobStatus::AwaitingApproval),
                ..Default::default()
            })
            .await?;
        let mut n = 0;
        for job in held
            .iter()
            .filter(|j| j.revision.as_deref() == Some(revision))
        {
            self.approve(&job.uuid, by).await?;
            n += 1;
        }
        Ok(n)
    }
}

/// The jobs of a batch grouped by server, each group in outbox order.
fn by_server(batch: &[Job]) -> Vec<(&str, Vec<&Job>)> {
    let mut groups: Vec<(&str, Vec<&Job>)> = Vec::new();
    for job in batch {
        match groups.iter_mut().find(|(server, _)| *server == job.server) {
            Some((_, jobs)) => jobs.push(job),
            None => groups.push((job.server.as_str(), vec![job])),
        }
    }
    groups
}
