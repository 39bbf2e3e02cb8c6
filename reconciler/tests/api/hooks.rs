//! `POST /api/hooks/git`: a new valid commit becomes active, an invalid one is refused
//! with its reason (visible in `/api/status`), an unchanged reference is said so.

use axum::http::{Method, StatusCode};

use crate::support::{FLEET, Fixture, cmi, error_code};

#[tokio::test]
async fn a_new_commit_is_activated() {
    let f = Fixture::new().await;
    let second = f.commit(&[("plugins/paper/CMI.yaml", &cmi(5))], "a is 5");
    let (status, body) = f
        .call(
            Method::POST,
            "/api/hooks/git",
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "activated");
    assert_eq!(body["revision"], second.as_str());
    assert_eq!(
        body["guarded"], true,
        "both instances change: over the guard"
    );
    let (_, status) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    assert_eq!(status["revision"], second.as_str());

    let (status, body) = f
        .call(
            Method::POST,
            "/api/hooks/git",
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["outcome"], "unchanged");
    assert_eq!(body["revision"], second.as_str());
}

#[tokio::test]
async fn an_invalid_commit_is_refused_and_the_fleet_stays_on_the_last_valid_one() {
    let f = Fixture::new().await;
    let fleet = FLEET.replace(
        "  DEV01: { server: hetzner, platform: paper }\n",
        "  DEV01: { server: hetzner, platform: paper }\n  BAD01: { server: nowhere, platform: paper }\n",
    );
    assert_ne!(fleet, FLEET);
    let bad = f.commit(&[("homeamp.yaml", &fleet)], "an instance on no server");

    let (status, body) = f
        .call(Method::POST, "/api/hooks/git", Some(&f.tokens.admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "refused");
    assert_eq!(body["revision"], bad.as_str());
    let reason = body["reason"].as_str().unwrap();
    assert!(reason.contains("homeamp.yaml:"), "{reason}");
    assert!(reason.contains("nowhere"), "{reason}");

    let (_, status) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    assert_eq!(status["revision"], f.first.as_str());
    assert_eq!(status["refused_revision"]["sha"], bad.as_str());
    assert!(
        status["refused_revision"]["reason"]
            .as_str()
            .unwrap()
            .contains("homeamp.yaml:"),
        "{status}"
    );
    assert_eq!(status["instances"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_hook_needs_an_operator() {
    let f = Fixture::new().await;
    let (status, body) = f
        .call(Method::POST, "/api/hooks/git", Some(&f.tokens.viewer), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = f.call(Method::POST, "/api/hooks/git", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_host_failure_is_a_500_that_hides_its_cause() {
    let f = Fixture::new().await;
    std::fs::remove_dir_all(f.repo.path()).unwrap();
    let (status, body) = f
        .call(
            Method::POST,
            "/api/hooks/git",
            Some(&f.tokens.operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_code(&body), "internal");
    assert_eq!(body["error"]["message"], "internal error");
    let path = f.repo.path().display().to_string();
    assert!(!body.to_string().contains(&path), "{body}");
}
