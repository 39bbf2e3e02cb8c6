//! The agent's link to the host in the same process (calls instead of HTTP), timing what
//! the host spends on each kind of call and counting the results it stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use homeamp_agent::{HostLink, LinkError};
use homeamp_reconciler::host::{Host, HostError};
use homeamp_schemas::report::{Heartbeat, JobResult, Manifest};
use tokio::sync::Notify;

pub struct TimedLink {
    host: Arc<Host>,
    results: AtomicUsize,
    result_nanos: AtomicU64,
    reports: AtomicUsize,
    report_nanos: AtomicU64,
    stored: Notify,
}

fn refused(e: HostError) -> LinkError {
    LinkError::Refused {
        status: 500,
        message: e.to_string(),
    }
}

fn nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

impl TimedLink {
    pub fn new(host: Arc<Host>) -> Self {
        Self {
            host,
            results: AtomicUsize::new(0),
            result_nanos: AtomicU64::new(0),
            reports: AtomicUsize::new(0),
            report_nanos: AtomicU64::new(0),
            stored: Notify::new(),
        }
    }

    /// Waits until `n` results are stored.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + limit;
        while self.results.load(Ordering::Acquire) < n {
            let left = deadline.saturating_duration_since(Instant::now());
            anyhow::ensure!(
                !left.is_zero(),
                "only {} results of {n} stored",
                self.results.load(Ordering::Acquire)
            );
            let _ =
                tokio::time::timeout(left.min(Duration::from_millis(50)), self.stored.notified())
                    .await;
        }
        Ok(())
    }

    /// Mean host time per call of each kind (summed over concurrent agents).
    pub fn print_breakdown(&self, n: usize) {
        let per = |total: &AtomicU64, count: &AtomicUsize| {
            total.load(Ordering::Relaxed) as f64 / 1e3 / count.load(Ordering::Relaxed).max(1) as f64
        };
        println!(
            "  host time per result (ingest_job_result): {:.0} µs; per rescan report (ingest_manifest): {:.0} µs, {} reports for {n} jobs",
            per(&self.result_nanos, &self.results),
            per(&self.report_nanos, &self.reports),
            self.reports.load(Ordering::Relaxed),
        );
    }
}

impl HostLink for TimedLink {
    async fn report(&self, manifest: &Manifest) -> Result<Vec<String>, LinkError> {
        let started = Instant::now();
        let missing = self.host.ingest_manifest(manifest).await.map_err(refused);
        self.report_nanos
            .fetch_add(nanos(started), Ordering::Relaxed);
        self.reports.fetch_add(1, Ordering::Relaxed);
        missing
    }

    async fn upload_blob(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), LinkError> {
        self.host.ingest_blob(sha256, &bytes).await.map_err(refused)
    }

    async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<(), LinkError> {
        self.host.ingest_heartbeat(heartbeat).await.map_err(refused)
    }

    async fn job_result(&self, result: &JobResult) -> Result<(), LinkError> {
        let started = Instant::now();
        self.host.ingest_job_result(result).await.map_err(refused)?;
        self.result_nanos
            .fetch_add(nanos(started), Ordering::Relaxed);
        self.results.fetch_add(1, Ordering::Release);
        self.stored.notify_waiters();
        Ok(())
    }
}
