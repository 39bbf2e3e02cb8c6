//! Probes, metrics and the dashboard.

use axum::http::StatusCode;
use homeamp_reconciler::api::Auth;

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
