//! The agents' endpoints: manifests and missing blobs, blob checks, heartbeats, job
//! results, the host key, and the scoping of agent tokens to their server.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use homeamp_reconciler::store::{JobFilter, JobStatus};
use homeamp_schemas::report::{Heartbeat, JobResult, JobStatus as ResultStatus};
use jiff::Timestamp;
use serde_json::json;

use crate::support::{CONFIG_PATH, Fixture, error_code, sha256};

#[tokio::test]
async fn a_manifest_is_answered_with_the_missing_blobs_then_stored() {
    let f = Fixture::new().await;
    let (manifest, bytes) = Fixture::manifest("ovh", "SMP201", 3);
    let sha = sha256(&bytes);
    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/manifest",
            Some(&f.tokens.agent_ovh),
            Some(serde_json::to_value(&manifest).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "missing": [sha] }));
    let live = f.host.store().latest_manifest("SMP201").await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].path, CONFIG_PATH);

    let (status, body) = f
        .send(
            Method::PUT,
            &format!("/api/agent/v1/blobs/{sha}"),
            Some(&f.tokens.agent_ovh),
            Some(bytes.clone()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(f.host.store().blob(&sha).await.unwrap(), Some(bytes));

    // The host has the blob now: the same manifest asks for nothing.
    let (_, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/manifest",
            Some(&f.tokens.agent_ovh),
            Some(serde_json::to_value(&manifest).unwrap()),
        )
        .await;
    assert_eq!(body, json!({ "missing": [] }));
}

#[tokio::test]
async fn a_blob_whose_content_has_another_sha_is_refused_with_422() {
    let f = Fixture::new().await;
    let claimed = sha256(b"what the agent claims");
    let (status, body) = f
        .send(
            Method::PUT,
            &format!("/api/agent/v1/blobs/{claimed}"),
            Some(&f.tokens.agent_ovh),
            Some(b"something else".to_vec()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "blob_mismatch");
    assert_eq!(f.host.store().blob(&claimed).await.unwrap(), None);

    let (status, body) = f
        .send(
            Method::PUT,
            "/api/agent/v1/blobs/not-a-sha",
            Some(&f.tokens.agent_ovh),
            Some(b"x".to_vec()),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
}

#[tokio::test]
async fn blobs_over_the_body_limit_are_refused_with_413() {
    let f = Fixture::new().await;
    let big = vec![b'x'; homeamp_reconciler::api::AGENT_BODY_LIMIT + 1];
    let (status, body) = f
        .send(
            Method::PUT,
            &format!("/api/agent/v1/blobs/{}", sha256(&big)),
            Some(&f.tokens.agent_ovh),
            Some(big),
            "application/octet-stream",
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), "payload_too_large");
}

#[tokio::test]
async fn an_agent_token_speaks_only_for_its_own_server() {
    let f = Fixture::new().await;
    // Another server's name in the manifest.
    let (manifest, _) = Fixture::manifest("hetzner", "DEV01", 1);
    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/manifest",
            Some(&f.tokens.agent_ovh),
            Some(serde_json::to_value(&manifest).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    // Its own server's name, but another server's instance.
    let (manifest, _) = Fixture::manifest("ovh", "DEV01", 1);
    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/manifest",
            Some(&f.tokens.agent_ovh),
            Some(serde_json::to_value(&manifest).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        f.host
            .store()
            .latest_manifest("DEV01")
            .await
            .unwrap()
            .is_empty()
    );
    let heartbeat = Heartbeat {
        server: "hetzner".into(),
        agent_version: "x".into(),
        sent_at: Timestamp::now(),
        instances: vec![],
    };
    let (status, _) = f
        .call(
            Method::POST,
            "/api/agent/v1/heartbeat",
            Some(&f.tokens.agent_ovh),
            Some(serde_json::to_value(&heartbeat).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let server = f.host.store().server("hetzner").await.unwrap().unwrap();
    assert_eq!(server.last_seen, None);
}

#[tokio::test]
async fn a_heartbeat_marks_the_server_seen() {
    let f = Fixture::new().await;
    let heartbeat = Heartbeat {
        server: "ovh".into(),
        agent_version: "1.2.3".into(),
        sent_at: Timestamp::now(),
        instances: vec!["SMP201".into()],
    };
    let (status, _) = f
        .call(
            Method::POST,
            "/api/agent/v1/heartbeat",
            Some(&f.tokens.agent_ovh),
            Some(serde_json::to_value(&heartbeat).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let server = f.host.store().server("ovh").await.unwrap().unwrap();
    assert!(server.last_seen.is_some());
    assert_eq!(server.agent_version.as_deref(), Some("1.2.3"));
}

fn result_for(job_id: &str) -> serde_json::Value {
    serde_json::to_value(JobResult {
        job_id: job_id.into(),
        attempt: 1,
        status: ResultStatus::Succeeded,
        reason: None,
        message: "applied".into(),
        changed: true,
        result_sha256: Default::default(),
        finished_at: Timestamp::now(),
    })
    .unwrap()
}

#[tokio::test]
async fn job_results_are_taken_only_from_the_jobs_server() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let job = f
        .host
        .store()
        .list_jobs(&JobFilter {
            instance: Some("SMP201".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    assert_eq!(job.status, JobStatus::Queued);

    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/job-results",
            Some(&f.tokens.agent_hetzner),
            Some(result_for(&job.uuid)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/job-results",
            Some(&f.tokens.agent_ovh),
            Some(result_for("0190aaaa-0000-7000-8000-000000000000")),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");

    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/job-results",
            Some(&f.tokens.agent_ovh),
            Some(result_for(&job.uuid)),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let job = f.host.store().job(&job.uuid).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded);
}

#[tokio::test]
async fn malformed_json_is_a_json_400() {
    let f = Fixture::new().await;
    let (status, body) = f
        .send(
            Method::POST,
            "/api/agent/v1/manifest",
            Some(&f.tokens.agent_ovh),
            Some(b"{not json".to_vec()),
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
}

#[tokio::test]
async fn the_host_key_is_public_and_is_the_signing_key() {
    let f = Fixture::new().await;
    let (status, body) = f.get("/api/agent/v1/host-key", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["algorithm"], "ed25519");
    let key = base64::engine::general_purpose::STANDARD
        .decode(body["public_key"].as_str().unwrap())
        .unwrap();
    assert_eq!(key, f.host.verifying_key().as_bytes());
}
