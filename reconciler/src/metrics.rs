//! The host's process metrics and their Prometheus text rendering.
//!
//! Counted as things happen, lock-free (one `AtomicU64` per sample): reconcile runs and
//! their duration, jobs published and publish failures, job results by status, manifests
//! and blobs taken from agents. `GET /metrics` appends [`Metrics::render`] to the gauges
//! it computes from the store. The values live in memory and start at zero with the
//! process, as Prometheus counters do.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use homeamp_schemas::report::JobStatus as ResultStatus;

/// The upper bounds (seconds, inclusive) of the reconcile duration histogram's buckets;
/// the `+Inf` bucket follows them.
pub const RECONCILE_BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A monotonic counter.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A histogram of durations over fixed buckets, rendered as Prometheus's cumulative
/// `_bucket{le=…}` samples with `_sum` and `_count`.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// Observations per bucket, not cumulative; the last slot holds those above every
    /// bound. `_count` is their total, so it always equals the `+Inf` bucket.
    slots: Box<[AtomicU64]>,
    sum_nanos: AtomicU64,
}

impl Histogram {
    /// A histogram with the given ascending upper bounds, in seconds.
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            slots: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
        }
    }

    /// Counts one observation in the first bucket whose bound it does not exceed.
    pub fn observe(&self, value: Duration) {
        let seconds = value.as_secs_f64();
        let slot = self
            .bounds
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(self.bounds.len());
        self.slots[slot].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Appends the `_bucket`, `_sum` and `_count` samples of `name`.
    fn render(&self, out: &mut String, name: &str) {
        let mut cumulative = 0;
        for (bound, slot) in self.bounds.iter().zip(self.slots.iter()) {
            cumulative += slot.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.slots[self.bounds.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = Duration::from_nanos(self.sum_nanos.load(Ordering::Relaxed)).as_secs_f64();
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {cumulative}");
    }
}

/// The host's process metrics, one instance per [`crate::host::Host`].
#[derive(Debug)]
pub struct Metrics {
    reconcile_duration: Histogram,
    reconcile_ok: Counter,
    reconcile_error: Counter,
    jobs_published: Counter,
    job_publish_errors: Counter,
    job_succeeded: Counter,
    job_failed: Counter,
    job_refused: Counter,
    reports: Counter,
    blobs: Counter,
    /// Jobs agents would not apply, by server and refusal reason (forged, expired, …).
    refusals: std::sync::Mutex<std::collections::BTreeMap<(String, String), u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self {
            reconcile_duration: Histogram::new(&RECONCILE_BUCKETS),
            reconcile_ok: Counter::default(),
            reconcile_error: Counter::default(),
            jobs_published: Counter::default(),
            job_publish_errors: Counter::default(),
            job_succeeded: Counter::default(),
            job_failed: Counter::default(),
            job_refused: Counter::default(),
            reports: Counter::default(),
            blobs: Counter::default(),
            refusals: Default::default(),
        }
    }

    /// One reconcile run took `elapsed` and ended well (`ok`) or with an error.
    pub fn reconciled(&self, elapsed: Duration, ok: bool) {
        self.reconcile_duration.observe(elapsed);
        if ok {
            self.reconcile_ok.inc();
        } else {
            self.reconcile_error.inc();
        }
    }

    /// One job went out on the bus.
    pub fn job_published(&self) {
        self.jobs_published.inc();
    }

    /// The bus would not take a job.
    pub fn job_publish_failed(&self) {
        self.job_publish_errors.inc();
    }

    /// A result came for a job not yet finished (a redelivery's second one does not count).
    pub fn job_result(&self, status: ResultStatus) {
        self.job_results(status).inc();
    }

    /// An agent of `server` refused a job for `reason` (the job the host made, or one it
    /// never made: something else wrote to that server's stream).
    pub fn agent_refused(&self, server: &str, reason: &str) {
        let mut refusals = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        *refusals
            .entry((server.to_string(), reason.to_string()))
            .or_default() += 1;
    }

    /// An agent's manifest was stored.
    pub fn report_stored(&self) {
        self.reports.inc();
    }

    /// An agent's blob was stored.
    pub fn blob_stored(&self) {
        self.blobs.inc();
    }

    fn job_results(&self, status: ResultStatus) -> &Counter {
        match status {
            ResultStatus::Succeeded => &self.job_succeeded,
            ResultStatus::Failed => &self.job_failed,
            ResultStatus::Refused => &self.job_refused,
        }
    }

    /// Appends every metric, with its HELP and TYPE lines, in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        const DURATION: &str = "homeamp_reconcile_duration_seconds";
        header(
            out,
            DURATION,
            "histogram",
            "Time taken by instance reconciles.",
        );
        self.reconcile_duration.render(out, DURATION);

        header(
            out,
            "homeamp_reconcile_total",
            "counter",
            "Instance reconciles, by result.",
        );
        for (result, counter) in [("ok", &self.reconcile_ok), ("error", &self.reconcile_error)] {
            let _ = writeln!(
                out,
                "homeamp_reconcile_total{{result=\"{result}\"}} {}",
                counter.get()
            );
        }

        simple(
            out,
            "homeamp_jobs_published_total",
            "Jobs published on the job bus.",
            &self.jobs_published,
        );
        simple(
            out,
            "homeamp_job_publish_errors_total",
            "Jobs the job bus refused; they stay in the outbox and are retried.",
            &self.job_publish_errors,
        );

        header(
            out,
            "homeamp_job_results_total",
            "counter",
            "Results of jobs not yet finished, by the status the agent reported.",
        );
        for status in [
            ResultStatus::Succeeded,
            ResultStatus::Failed,
            ResultStatus::Refused,
        ] {
            let _ = writeln!(
                out,
                "homeamp_job_results_total{{status=\"{}\"}} {}",
                result_label(status),
                self.job_results(status).get()
            );
        }

        header(
            out,
            "homeamp_agent_refused_jobs_total",
            "counter",
            "Jobs agents refused to apply, by server and reason (unsigned, forged, expired, \
             replayed, wrong_target, path_escape, ...).",
        );
        let refusals = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        for ((server, reason), n) in refusals.iter() {
            let _ = writeln!(
                out,
                "homeamp_agent_refused_jobs_total{{server=\"{}\",reason=\"{}\"}} {n}",
                escape_label(server),
                escape_label(reason)
            );
        }
        drop(refusals);

        simple(
            out,
            "homeamp_reports_total",
            "Agent manifests stored.",
            &self.reports,
        );
        simple(
            out,
            "homeamp_blobs_ingested_total",
            "Blobs stored from agents (live files and requested plugin JARs).",
            &self.blobs,
        );
    }
}

/// A Prometheus label value with `\\`, `"` and newlines escaped.
pub(crate) fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A counter without labels.
fn simple(out: &mut String, name: &str, help: &str, counter: &Counter) {
    header(out, name, "counter", help);
    let _ = writeln!(out, "{name} {}", counter.get());
}

fn result_label(status: ResultStatus) -> &'static str {
    match status {
        ResultStatus::Succeeded => "succeeded",
        ResultStatus::Failed => "failed",
        ResultStatus::Refused => "refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(histogram: &Histogram) -> String {
        let mut out = String::new();
        histogram.render(&mut out, "h");
        out
    }

    #[test]
    fn observations_land_in_the_first_bucket_they_do_not_exceed() {
        let h = Histogram::new(&RECONCILE_BUCKETS);
        h.observe(Duration::from_micros(500)); // le 0.001
        h.observe(Duration::from_millis(1)); // le 0.001: bounds are inclusive
        h.observe(Duration::from_millis(30)); // le 0.05
        h.observe(Duration::from_secs(3)); // le 5
        h.observe(Duration::from_secs(60)); // only +Inf
        let text = rendered(&h);
        let (names, values): (Vec<&str>, Vec<&str>) =
            text.lines().map(|l| l.rsplit_once(' ').unwrap()).unzip();
        let les: Vec<&str> = names
            .iter()
            .filter_map(|n| n.strip_prefix("h_bucket{le=\"")?.strip_suffix("\"}"))
            .collect();
        assert_eq!(
            les,
            [
                "0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
                "10", "+Inf"
            ]
        );
        assert_eq!(names[13..], ["h_sum", "h_count"]);
        assert_eq!(
            values,
            [
                "2", "2", "2", "2", "3", "3", "3", "3", "3", "3", "4", "4", "5", "63.0315", "5"
            ]
        );
    }

    #[test]
    fn an_empty_histogram_renders_zeros() {
        let text = rendered(&Histogram::new(&[0.5, 1.0]));
        assert_eq!(
            text,
            "h_bucket{le=\"0.5\"} 0\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n"
        );
    }

    #[test]
    fn every_metric_has_help_and_type_and_counts_what_happened() {
        let m = Metrics::new();
        m.reconciled(Duration::from_millis(2), true);
        m.reconciled(Duration::from_millis(2), false);
        m.reconciled(Duration::from_millis(2), true);
        m.job_published();
        m.job_publish_failed();
        m.job_result(ResultStatus::Refused);
        m.report_stored();
        m.blob_stored();
        m.blob_stored();
        let mut text = String::new();
        m.render(&mut text);
        for line in [
            "# TYPE homeamp_reconcile_duration_seconds histogram",
            "homeamp_reconcile_duration_seconds_bucket{le=\"0.005\"} 3",
            "homeamp_reconcile_duration_seconds_count 3",
            "homeamp_reconcile_total{result=\"ok\"} 2",
            "homeamp_reconcile_total{result=\"error\"} 1",
            "homeamp_jobs_published_total 1",
            "homeamp_job_publish_errors_total 1",
            "homeamp_job_results_total{status=\"succeeded\"} 0",
            "homeamp_job_results_total{status=\"failed\"} 0",
            "homeamp_job_results_total{status=\"refused\"} 1",
            "homeamp_reports_total 1",
            "homeamp_blobs_ingested_total 2",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
        }
        // Every sample's metric family has HELP and TYPE lines before it.
        for sample in text.lines().filter(|l| !l.starts_with('#')) {
            let name = sample.split(['{', ' ']).next().unwrap();
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .filter(|f| text.contains(&format!("# TYPE {f} histogram")))
                .unwrap_or(name);
            assert!(text.contains(&format!("# HELP {family} ")), "{sample}");
            assert!(text.contains(&format!("# TYPE {family} ")), "{sample}");
        }
    }
}
