//! An agent's side of the job bus: read its server's jobs, apply each, report the result
//! over the agent's link, then acknowledge (the entries of one read in one `XACK`, once their
//! results are with the host; the instances the batch changed or asked to rescan are then
//! scanned and reported once each); a result the host does not take waits in the
//! [`spool`](crate::spool), unacknowledged, and goes first once the host is back. Entries left unacknowledged (an apply that
//! died halfway) are reclaimed after [`RECLAIM_AFTER`]; redelivery is harmless because
//! jobs are idempotent and replays are recognised by job id.

use std::sync::Arc;
use std::time::Duration;

use homeamp_bus::JobBus;
use homeamp_schemas::job::{JobSpec, SignedJob};
use homeamp_schemas::report::JobResult;
use tokio_util::sync::CancellationToken;

use crate::spool::Spooled;
use crate::{Agent, HostLink, LinkError};

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
        flush_spool(bus.as_ref(), &agent, link.as_ref(), &server).await;
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
        let mut acks = Vec::new();
        // Instances to scan and report once the batch is done (true: a rescan job asked).
        let mut rescans: Vec<(String, bool)> = Vec::new();
        for delivery in deliveries {
            // Only a redelivered entry can have its result in the spool already.
            if delivery.deliveries > 1 && agent.spool().holds_entry(&delivery.id) {
                // Reclaimed while its result waits in the spool: the spool acknowledges it.
                continue;
            }
            match serde_json::from_slice::<SignedJob>(&delivery.payload) {
                Ok(job) => {
                    let instance = job.envelope.instance.clone();
                    let rescan = matches!(job.envelope.spec, JobSpec::Rescan);
                    let result = agent.run_job(job).await;
                    tracing::debug!(job = %result.job_id, status = ?result.status, "job done");
                    acks.extend(deliver(&agent, link.as_ref(), &result, delivery.id).await);
                    if result.changed || rescan {
                        note_rescan(&mut rescans, instance, rescan);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, entry = %delivery.id, "dropping an unreadable job");
                    acks.push(delivery.id);
                }
            }
        }
        ack(bus.as_ref(), &server, &acks).await;
        for (instance, rescan) in rescans {
            agent
                .rescan_after_jobs(link.as_ref(), &instance, rescan)
                .await;
        }
    }
}

/// Adds `instance` to the batch's rescans once (a rescan job's forced report wins).
fn note_rescan(rescans: &mut Vec<(String, bool)>, instance: String, rescan: bool) {
    match rescans.iter_mut().find(|(name, _)| *name == instance) {
        Some((_, forced)) => *forced |= rescan,
        None => rescans.push((instance, rescan)),
    }
}

/// Acknowledges `entries` in one `XACK`.
async fn ack(bus: &dyn JobBus, server: &str, entries: &[String]) {
    if entries.is_empty() {
        return;
    }
    if let Err(e) = bus.ack(server, entries).await {
        tracing::warn!(error = %e, "acknowledging a job failed");
    }
}

/// Hands `result` to the host and returns its entry, to acknowledge; when the host does
/// not take it (or older results still wait), keeps it in the spool instead, unacknowledged.
async fn deliver<L: HostLink>(
    agent: &Agent,
    link: &L,
    result: &JobResult,
    entry: String,
) -> Option<String> {
    if agent.spool().is_empty() {
        match link.job_result(result).await {
            Ok(()) => return Some(entry),
            Err(e) if permanent(&e) => {
                tracing::warn!(job_id = %result.job_id, error = %e, "the host refused a job result");
                return Some(entry);
            }
            Err(e) => {
                tracing::warn!(job_id = %result.job_id, error = %e, "the host did not take a job result; spooling it");
            }
        }
    }
    let item = Spooled {
        result: result.clone(),
        entry: Some(entry),
    };
    if let Err(e) = agent.spool().push(&item) {
        // Not acknowledged either: the entry is reclaimed and answered from the job record.
        tracing::error!(error = %e, "could not spool a job result");
    }
    None
}

/// A refusal that sending again cannot change (the host does not know the job, or the
/// token may not speak for its server): retrying forever would block the spool.
fn permanent(e: &LinkError) -> bool {
    matches!(e, LinkError::Refused { status, .. } if (400..500).contains(status) && *status != 408 && *status != 429)
}

/// Delivers the spooled results in order, acknowledging each one's entry once the host
/// has it; stops at the first the host does not take.
pub async fn flush_spool<L: HostLink>(bus: &dyn JobBus, agent: &Agent, link: &L, server: &str) {
    let pending = match agent.spool().pending() {
        Ok(p) => p,
        Err(e) => return tracing::error!(error = %e, "reading the spool failed"),
    };
    for (seq, item) in pending {
        match link.job_result(&item.result).await {
            Ok(()) => {}
            Err(e) if permanent(&e) => {
                tracing::warn!(job_id = %item.result.job_id, error = %e, "the host refused a spooled job result");
            }
            Err(_) => return,
        }
        if let Err(e) = agent.spool().remove(seq) {
            tracing::error!(error = %e, "could not remove a delivered result from the spool");
            return;
        }
        if let Some(entry) = item.entry {
            ack(bus, server, &[entry]).await;
        }
    }
}
