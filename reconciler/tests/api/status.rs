//! `GET /api/status` and `GET /api/instances`, with and without `?server=`.

use axum::http::StatusCode;
use homeamp_reconciler::api::Auth;
use homeamp_schemas::api::InstanceList;
use homeamp_schemas::status::{FleetStatus, SyncState};

use crate::support::{Fixture, error_code};

#[tokio::test]
async fn status_has_the_revision_the_five_states_and_every_instance() {
    let f = Fixture::new().await;
    let (status, body) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revision"], f.first.as_str());
    let summary = body["summary"].as_object().unwrap();
    let states: Vec<&str> = summary.keys().map(String::as_str).collect();
    for state in ["Synced", "OutOfSync", "Progressing", "Degraded", "Unknown"] {
        assert!(states.contains(&state), "{body}");
    }
    let instances = body["instances"].as_array().unwrap();
    let names: Vec<&str> = instances
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["DEV01", "SMP201"]);
    for field in [
        "name",
        "server",
        "platform",
        "sync",
        "revision",
        "drift",
        "jobs_in_flight",
        "last_report",
    ] {
        assert!(instances[0].get(field).is_some(), "{field} missing: {body}");
    }
    // The body is the schemas crate's wire type.
    let typed: FleetStatus = serde_json::from_value(body).unwrap();
    assert_eq!(typed.instances[1].server, "ovh");
}

#[tokio::test]
async fn status_counts_a_reported_and_reconciled_instance() {
    let f = Fixture::new().await;
    f.report("ovh", "SMP201", 1).await;
    f.reconciler.reconcile_instance("SMP201").await.unwrap();
    let (_, body) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    assert_eq!(body["summary"]["Synced"], 1, "{body}");
    assert_eq!(body["summary"]["Unknown"], 1, "{body}");
    let smp = &body["instances"][1];
    assert_eq!(smp["sync"], "Synced");
    assert_eq!(smp["revision"], f.first.as_str());
    assert!(smp["last_report"].is_string(), "{body}");
}

#[tokio::test]
async fn status_filters_by_server() {
    let f = Fixture::new().await;
    let (_, body) = f
        .get("/api/status?server=ovh", Some(&f.tokens.viewer))
        .await;
    let names: Vec<&str> = body["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["SMP201"]);
    let total: u64 = body["summary"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 1);

    let (_, all) = f
        .get("/api/status?server=all", Some(&f.tokens.viewer))
        .await;
    assert_eq!(all["instances"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_unknown_server_filter_is_a_404_naming_the_known_ones() {
    let f = Fixture::new().await;
    let (status, body) = f
        .get("/api/status?server=ovhh", Some(&f.tokens.viewer))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("ovhh") && message.contains("hetzner"),
        "{message}"
    );
}

#[tokio::test]
async fn instances_carry_desired_attributes_and_filter_by_server() {
    let f = Fixture::with_auth(Auth::open_reads()).await;
    let (status, body) = f.get("/api/instances", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: InstanceList = serde_json::from_value(body).unwrap();
    assert_eq!(list.revision.as_deref(), Some(f.first.as_str()));
    let smp = list.instances.iter().find(|i| i.name == "SMP201").unwrap();
    assert_eq!(smp.tags, ["survival"]);
    assert_eq!(smp.aliases, ["SMP-201"]);
    assert!(smp.managed);
    assert_eq!(smp.sync, SyncState::Unknown);
    let dev = list.instances.iter().find(|i| i.name == "DEV01").unwrap();
    assert_eq!(
        serde_json::to_value(dev.sync_policy).unwrap(),
        serde_json::json!("approve")
    );

    let (_, body) = f.get("/api/instances?server=hetzner", None).await;
    let names: Vec<&str> = body["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["DEV01"]);
}
