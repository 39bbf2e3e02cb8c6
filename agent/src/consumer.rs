//! An agent's side of the job bus: read its server's jobs, apply each, report the result
//! over the agent's link, then acknowledge. Entries left unacknowledged (an apply that
//! died halfway) are reclaimed after [`RECLAIM_AFTER`]; redelivery is harmless because
//! jobs are idempotent and replays are recognised by job id.

use std::sync::Arc;
use std::time::Duration;

use homeamp_bus::JobBus;
use homeamp_schemas::job::SignedJob;
use tokio_util::sync::CancellationToken;

use crate::{Agent, HostLink};

/// Entries unacknowledged this long are taken back (an apply that died halfway).
pub const RECLAIM_AFTER: Duration = Duration::from_secs(60);

/// Consumes `server`'s jobs from `bus` until `shutdown`.
pub async fn run<L: HostLink>(
    bus: Arc<dyn JobBus>,
    agent: Arc<Agent>,
    link: Arc<L>,
    server: String,
    shutdown: CancellationToken,
) {
    let consumer = agent.config().consumer.clone();
    loop {
        let read = tokio::select! {
            _ = shutdown.cancelled() => return,
            read = bus.read(&server, &consumer, 16, Duration::from_secs(1)) => read,
        };
        let mut deliveries = match read {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "reading jobs failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if deliveries.is_empty() {
            match bus.reclaim(&server, &consumer, RECLAIM_AFTER).await {
                Ok(reclaimed) => deliveries = reclaimed,
                Err(e) => tracing::warn!(error = %e, "reclaiming jobs failed"),
            }
        }
        for delivery in deliveries {
            match serde_json::from_slice::<SignedJob>(&delivery.payload) {
                Ok(job) => {
                    let result = agent.process_job(link.as_ref(), job).await;
                    tracing::debug!(job = %result.job_id, status = ?result.status, "job done");
                }
                Err(e) => {
                    tracing::warn!(error = %e, entry = %delivery.id, "dropping an unreadable job")
                }
            }
            if let Err(e) = bus.ack(&server, std::slice::from_ref(&delivery.id)).await {
                tracing::warn!(error = %e, "acknowledging a job failed");
            }
        }
    }
}
