//! Probes, metrics and the dashboard.

use axum::http::{Method, StatusCode};
use homeamp_reconciler::api::Auth;
use homeamp_reconciler::runtime::Reconcile;
use homeamp_reconciler::store::{Job, JobFilter};
use homeamp_schemas::report::{JobResult, JobStatus as ResultStatus};
use jiff::Timestamp;

use crate::support::{FLEET, Fixture, error_code};

#[tokio::test]
async fn healthz_is_ok_and_readyz_waits_for_a_revision() {
    let f = Fixture::unrefreshed(Auth::closed()).await;
    let (status, _) = f.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = f.get("/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), "unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no valid revision"),
        "{body}"
    );

    f.host.refresh_revision().await.unwrap();
    let (status, body) = f.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revision"], f.first.as_str());
}

#[tokio::test]
async fn readyz_names_a_refused_revision_while_none_is_active() {
    let f = Fixture::unrefreshed(Auth::closed()).await;
    let fleet = FLEET.replace("server: ovh", "server: nowhere");
    let bad = f.commit(&[("homeamp.yaml", &fleet)], "broken");
    f.host.refresh_revision().await.unwrap();
    let (status, body) = f.get("/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body["error"]["message"].as_str().unwrap().contains(&bad),
        "{body}"
    );
}

#[tokio::test]
async fn metrics_count_instances_drift_and_jobs() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let (status, body) = f.get("/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap();
    let line = |prefix: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .to_string()
    };
    // The same counts as `/api/status`, state by state.
    let (_, status) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    for (state, n) in status["summary"].as_object().unwrap() {
        let prefix = format!("homeamp_instances{{sync=\"{state}\"}}");
        assert_eq!(line(&prefix), format!("{prefix} {n}"));
    }
    assert_eq!(
        line("homeamp_instances{sync=\"Synced\"}"),
        "homeamp_instances{sync=\"Synced\"} 0"
    );
    assert_eq!(
        line("homeamp_drift_open_total "),
        "homeamp_drift_open_total 2"
    );
    assert_eq!(
        line("homeamp_drift_open{server=\"ovh\",instance=\"SMP201\"}"),
        "homeamp_drift_open{server=\"ovh\",instance=\"SMP201\"} 1"
    );
    assert_eq!(
        line("homeamp_jobs{status=\"queued\"}"),
        "homeamp_jobs{status=\"queued\"} 1"
    );
    assert_eq!(
        line("homeamp_jobs{status=\"awaiting_approval\"}"),
        "homeamp_jobs{status=\"awaiting_approval\"} 1"
    );
    assert!(text.contains(&format!("homeamp_revision_info{{sha=\"{}\"}} 1", f.first)));
    assert_eq!(
        line("homeamp_revision_refused "),
        "homeamp_revision_refused 0"
    );
    // Every sample has HELP and TYPE lines.
    assert!(text.contains("# TYPE homeamp_instances gauge"));
}

/// The `/metrics` text.
async fn metrics_text(f: &Fixture) -> String {
    let (status, body) = f.get("/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    body.as_str().unwrap().to_string()
}

/// The value of the sample named exactly `name` (labels included).
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn metrics_count_reports_blobs_reconciles_and_their_duration() {
    let f = Fixture::new().await;
    let before = metrics_text(&f).await;
    assert_eq!(sample(&before, "homeamp_reports_total"), 0.0);
    assert_eq!(
        sample(&before, "homeamp_reconcile_duration_seconds_count"),
        0.0
    );

    f.report("ovh", "SMP201", 2).await;
    f.report("hetzner", "DEV01", 1).await;
    // Through the runtime's entry point, as the controller calls it.
    for name in ["SMP201", "DEV01"] {
        f.reconciler.reconcile(&name.to_string()).await.unwrap();
    }
    assert_eq!(f.host.publish_outbox().await.unwrap(), 1);

    let text = metrics_text(&f).await;
    // The store's gauges are still there.
    assert!(text.contains("# TYPE homeamp_instances gauge"));
    assert_eq!(sample(&text, "homeamp_reports_total"), 2.0);
    assert_eq!(sample(&text, "homeamp_blobs_ingested_total"), 2.0);
    assert_eq!(sample(&text, "homeamp_jobs_published_total"), 1.0);
    assert_eq!(sample(&text, "homeamp_job_publish_errors_total"), 0.0);
    let ok = sample(&text, "homeamp_reconcile_total{result=\"ok\"}");
    let error = sample(&text, "homeamp_reconcile_total{result=\"error\"}");
    assert_eq!((ok, error), (2.0, 0.0));

    const H: &str = "homeamp_reconcile_duration_seconds";
    assert!(text.contains(&format!("# TYPE {H} histogram")));
    let count = sample(&text, &format!("{H}_count"));
    assert_eq!(count, ok + error);
    assert!(sample(&text, &format!("{H}_sum")) > 0.0);
    let buckets: Vec<(String, f64)> = text
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{H}_bucket{{le=\"")))
        .map(|rest| {
            let (le, value) = rest.split_once("\"} ").unwrap();
            (le.to_string(), value.parse().unwrap())
        })
        .collect();
    assert_eq!(buckets.len(), 13, "{text}");
    assert!(
        buckets.windows(2).all(|w| w[0].1 <= w[1].1),
        "not cumulative: {buckets:?}"
    );
    assert_eq!(buckets.last().unwrap(), &("+Inf".to_string(), count));
}

/// The first job of `instance`.
async fn job_of(f: &Fixture, instance: &str) -> Job {
    f.host
        .store()
        .list_jobs(&JobFilter {
            instance: Some(instance.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0)
}

/// The agent with `token` sends the result of `job`, which the host takes.
async fn send_result(f: &Fixture, token: &str, job: &Job, status: ResultStatus) {
    let result = JobResult {
        job_id: job.uuid.clone(),
        attempt: 1,
        status,
        reason: None,
        message: "done".into(),
        changed: true,
        result_sha256: Default::default(),
        finished_at: Timestamp::now(),
    };
    let body = serde_json::to_value(&result).unwrap();
    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/job-results",
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn metrics_count_job_results_by_status_once_per_job() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let results = |text: &str| {
        ["succeeded", "failed", "refused"].map(|s| {
            sample(
                text,
                &format!("homeamp_job_results_total{{status=\"{s}\"}}"),
            )
        })
    };
    assert_eq!(results(&metrics_text(&f).await), [0.0, 0.0, 0.0]);

    let smp = job_of(&f, "SMP201").await;
    send_result(&f, &f.tokens.agent_ovh, &smp, ResultStatus::Succeeded).await;
    // A redelivery's result: the first one counted.
    send_result(&f, &f.tokens.agent_ovh, &smp, ResultStatus::Succeeded).await;
    assert_eq!(results(&metrics_text(&f).await), [1.0, 0.0, 0.0]);

    let dev = job_of(&f, "DEV01").await;
    f.host.approve(&dev.uuid, "ops").await.unwrap();
    send_result(&f, &f.tokens.agent_hetzner, &dev, ResultStatus::Refused).await;
    assert_eq!(results(&metrics_text(&f).await), [1.0, 0.0, 1.0]);
}

#[tokio::test]
async fn the_dashboard_shows_the_fleet_as_html() {
    let f = Fixture::with_auth(Auth::open_reads()).await;
    let (status, body) = f.get("/", None).await;
    assert_eq!(status, StatusCode::OK);
    let html = body.as_str().unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("<td>SMP201</td>") && html.contains("<td>DEV01</td>"));
    assert!(html.contains(&f.first[..10]));
    assert!(html.contains("Unknown: 2"));

    let closed = Fixture::new().await;
    let (status, _) = closed.get("/", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
