//! `POST /api/reconcile` reaches the real reconcile runtime.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use homeamp_reconciler::host::InstanceReconciler;
use homeamp_reconciler::runtime::{Controller, ControllerConfig};
use homeamp_schemas::status::SyncState;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::support::{Fixture, error_code};

#[tokio::test]
async fn a_reconcile_request_for_one_instance_runs_its_reconcile() {
    let f = Fixture::new().await;
    // Started after the first revision, whose triggers are dropped: only the API's request
    // triggers anything.
    let mut inbox = f.take_inbox();
    inbox.discard_pending();
    let controller = Controller::with_inbox(
        InstanceReconciler::new(f.host.clone()),
        ControllerConfig {
            concurrency: 2,
            resync: Duration::from_secs(3600),
            jitter: 0.0,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
        },
        inbox,
    );
    let shutdown = CancellationToken::new();
    let runtime = tokio::spawn(controller.run(shutdown.clone()));
    assert_eq!(
        f.host
            .store()
            .instance("SMP201")
            .await
            .unwrap()
            .unwrap()
            .status,
        None
    );

    let (status, body) = f
        .call(
            Method::POST,
            "/api/reconcile",
            Some(&f.tokens.operator),
            Some(json!({ "instance": "SMP-201" })),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body, json!({ "queued": ["SMP201"] }));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let record = f.host.store().instance("SMP201").await.unwrap().unwrap();
        if record.status.is_some() {
            // No agent has reported: the reconcile says so.
            assert_eq!(record.status, Some(SyncState::Unknown));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never reconciled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Only the instance asked for.
    let dev = f.host.store().instance("DEV01").await.unwrap().unwrap();
    assert_eq!(dev.status, None);
    shutdown.cancel();
    runtime.await.unwrap();
}

#[tokio::test]
async fn no_body_queues_every_instance() {
    let f = Fixture::new().await;
    let (status, body) = f
        .call(
            Method::POST,
            "/api/reconcile",
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let mut queued: Vec<&str> = body["queued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    queued.sort();
    assert_eq!(queued, ["DEV01", "SMP201"]);
}

#[tokio::test]
async fn unknown_instances_and_bad_bodies_are_refused() {
    let f = Fixture::new().await;
    let (status, body) = f
        .call(
            Method::POST,
            "/api/reconcile",
            Some(&f.tokens.operator),
            Some(json!({ "instance": "NOPE" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");

    let (status, body) = f
        .send(
            Method::POST,
            "/api/reconcile",
            Some(&f.tokens.operator),
            Some(b"SMP201".to_vec()),
            "text/plain",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
}
