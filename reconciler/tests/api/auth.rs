//! Tokens and roles: 401 without a valid token, 403 with the wrong role, open reads.

use axum::http::{Method, StatusCode};
use homeamp_reconciler::api::Auth;
use jiff::Timestamp;

use crate::support::{Fixture, error_code};

#[tokio::test]
async fn reads_need_a_token_unless_reads_are_open() {
    let f = Fixture::new().await;
    let (status, body) = f.get("/api/status", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");

    let open = Fixture::with_auth(Auth::open_reads()).await;
    let (status, body) = open.get("/api/status", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Open reads open reads only.
    let (status, body) = open.call(Method::POST, "/api/reconcile", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
}

#[tokio::test]
async fn an_unknown_or_malformed_token_is_refused_even_on_open_reads() {
    let f = Fixture::with_auth(Auth::open_reads()).await;
    let (status, body) = f.get("/api/status", Some("hamp_not-a-real-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");

    let request = axum::http::Request::get("/api/status")
        .header("authorization", "Basic dXNlcjpwYXNz")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(f.app.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let f = Fixture::new().await;
    let (status, _) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        f.host
            .store()
            .revoke_token("look", Timestamp::now())
            .await
            .unwrap()
    );
    let (status, body) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
}

#[tokio::test]
async fn roles_rank_viewer_operator_admin() {
    let f = Fixture::new().await;
    let (status, body) = f
        .call(Method::POST, "/api/reconcile", Some(&f.tokens.viewer), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("operator"),
        "{body}"
    );
    for token in [&f.tokens.operator, &f.tokens.admin] {
        let (status, body) = f
            .call(Method::POST, "/api/reconcile", Some(token), None)
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    for token in [&f.tokens.viewer, &f.tokens.operator, &f.tokens.admin] {
        let (status, _) = f.get("/api/jobs", Some(token)).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn agent_tokens_open_only_the_agent_endpoints() {
    let f = Fixture::new().await;
    let (status, body) = f.get("/api/status", Some(&f.tokens.agent_ovh)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = f
        .call(
            Method::POST,
            "/api/hooks/git",
            Some(&f.tokens.agent_ovh),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // And people's tokens (below admin) do not open the agent endpoints.
    let (manifest, _) = Fixture::manifest("ovh", "SMP201", 1);
    let (status, body) = f
        .call(
            Method::POST,
            "/api/agent/v1/manifest",
            Some(&f.tokens.operator),
            Some(serde_json::to_value(&manifest).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = f
        .call(
            Method::POST,
            "/api/agent/v1/manifest",
            None,
            Some(serde_json::to_value(&manifest).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_webhook_accepts_a_token_in_the_gitlab_header() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let f = Fixture::new().await;
    let request = Request::post("/api/hooks/git")
        .header("x-gitlab-token", &f.tokens.operator)
        .body(Body::empty())
        .unwrap();
    let response = f.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let request = Request::post("/api/hooks/git")
        .header("x-gitlab-token", "hamp_wrong-token-value")
        .body(Body::empty())
        .unwrap();
    let response = f.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_endpoints_answer_json_404() {
    let f = Fixture::new().await;
    let (status, body) = f.get("/api/nope", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
}
