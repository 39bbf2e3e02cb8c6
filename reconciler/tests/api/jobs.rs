//! Drift records and the job queue as the API shows them, and approvals.

use axum::http::{Method, StatusCode};
use homeamp_schemas::api::{DriftList, JobDetail, JobList};

use crate::support::{CONFIG_PATH, Fixture, error_code};

async fn jobs(f: &Fixture, query: &str) -> JobList {
    let (status, body) = f
        .get(&format!("/api/jobs{query}"), Some(&f.tokens.viewer))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn drift(f: &Fixture, query: &str) -> DriftList {
    let (status, body) = f
        .get(&format!("/api/drift{query}"), Some(&f.tokens.viewer))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn drift_lists_open_records_with_display_values_and_filters() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let all = drift(&f, "").await;
    assert_eq!(all.drift.len(), 2, "{all:?}");
    let smp = all.drift.iter().find(|d| d.instance == "SMP201").unwrap();
    assert_eq!(smp.server, "ovh");
    assert_eq!(smp.plugin.as_deref(), Some("CMI"));
    assert_eq!(smp.config_file.as_deref(), Some(CONFIG_PATH));
    assert_eq!(smp.key_path.as_deref(), Some("a"));
    assert_eq!(smp.drift_type, "setting");
    assert_eq!(smp.desired_value.as_deref(), Some("1"));
    assert_eq!(smp.live_value.as_deref(), Some("2"));
    assert!(!smp.resolved);

    let only =
        |list: DriftList| -> Vec<String> { list.drift.into_iter().map(|d| d.instance).collect() };
    assert_eq!(only(drift(&f, "?instance=SMP201").await), ["SMP201"]);
    // An alias finds the canonical instance.
    assert_eq!(only(drift(&f, "?instance=SMP-201").await), ["SMP201"]);
    assert_eq!(only(drift(&f, "?server=hetzner").await), ["DEV01"]);
    assert_eq!(drift(&f, "?plugin=CMI").await.drift.len(), 2);
    assert!(drift(&f, "?plugin=LuckPerms").await.drift.is_empty());
    assert_eq!(drift(&f, "?limit=1").await.drift.len(), 1);
}

#[tokio::test]
async fn resolved_drift_shows_only_with_open_false() {
    let f = Fixture::new().await;
    f.with_drift().await;
    // The live file is put back by hand: the record is resolved.
    f.report("ovh", "SMP201", 1).await;
    f.reconciler.reconcile_instance("SMP201").await.unwrap();
    let open = drift(&f, "?instance=SMP201").await;
    assert!(open.drift.is_empty(), "{open:?}");
    let every = drift(&f, "?instance=SMP201&open=false").await;
    assert_eq!(every.drift.len(), 1);
    assert!(every.drift[0].resolved);
    let (status, body) = f.get("/api/drift?open=maybe", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
}

#[tokio::test]
async fn jobs_list_filters_and_describe_targets_without_values() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let all = jobs(&f, "").await;
    assert_eq!(all.jobs.len(), 2, "{all:?}");
    let smp = all
        .jobs
        .iter()
        .find(|j| j.instance.as_deref() == Some("SMP201"))
        .unwrap();
    assert_eq!(smp.status, "queued");
    assert_eq!(smp.targets, [format!("{CONFIG_PATH}: a")]);
    assert_eq!(smp.revision.as_deref(), Some(f.first.as_str()));

    let held = jobs(&f, "?status=awaiting_approval").await;
    assert_eq!(held.jobs.len(), 1);
    assert_eq!(held.jobs[0].instance.as_deref(), Some("DEV01"));
    assert_eq!(jobs(&f, "?status=in_flight").await.jobs.len(), 2);
    assert!(jobs(&f, "?status=succeeded").await.jobs.is_empty());
    assert_eq!(jobs(&f, "?server=ovh").await.jobs.len(), 1);
    assert_eq!(jobs(&f, "?instance=DEV01").await.jobs.len(), 1);

    let (status, body) = f.get("/api/jobs?status=done", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("awaiting_approval"),
        "{body}"
    );
}

#[tokio::test]
async fn a_job_is_shown_with_its_events() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let id = jobs(&f, "?instance=SMP201").await.jobs.remove(0).id;
    let (status, body) = f
        .get(&format!("/api/jobs/{id}"), Some(&f.tokens.viewer))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail: JobDetail = serde_json::from_value(body).unwrap();
    assert_eq!(detail.job.id, id);
    assert!(!detail.events.is_empty());
    assert_eq!(detail.events.last().unwrap().status, "queued");

    let (status, body) = f.get("/api/jobs/no-such-job", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
}

#[tokio::test]
async fn approving_releases_a_held_job_once() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let id = jobs(&f, "?status=awaiting_approval")
        .await
        .jobs
        .remove(0)
        .id;
    let uri = format!("/api/jobs/{id}/approve");

    let (status, _) = f
        .call(Method::POST, &uri, Some(&f.tokens.viewer), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = f
        .call(Method::POST, &uri, Some(&f.tokens.operator), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "queued");
    assert_eq!(body["approved_by"], "ops");

    let (status, body) = f
        .call(Method::POST, &uri, Some(&f.tokens.operator), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "conflict");

    // A queued job (SMP201, auto policy) was never awaiting approval.
    let queued = jobs(&f, "?instance=SMP201").await.jobs.remove(0).id;
    let (status, _) = f
        .call(
            Method::POST,
            &format!("/api/jobs/{queued}/approve"),
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, body) = f
        .call(
            Method::POST,
            "/api/jobs/no-such-job/approve",
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
}

#[tokio::test]
async fn approving_a_revision_releases_all_its_held_jobs() {
    let f = Fixture::new().await;
    f.with_drift().await;
    let short = &f.first[..10];
    let (status, body) = f
        .call(
            Method::POST,
            &format!("/api/approve?revision={short}"),
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["approved"], 1);
    assert_eq!(body["revision"], f.first.as_str());
    assert!(jobs(&f, "?status=awaiting_approval").await.jobs.is_empty());

    let (status, body) = f
        .call(Method::POST, "/api/approve", Some(&f.tokens.operator), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
}
