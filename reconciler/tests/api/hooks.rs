//! `POST /api/hooks/git`: a new valid commit becomes active, an invalid one is refused
//! with its reason (visible in `/api/status`), an unchanged reference is said so. With a
//! webhook secret, git forges' signed deliveries (GitHub, Gitea, Forgejo) and GitLab's
//! token trigger it too; a delivery that does not verify triggers nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use hmac::{Hmac, Mac};
use homeamp_reconciler::api::Auth;
use serde_json::Value;
use sha2::Sha256;

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

const SECRET: &str = "correct horse battery staple";

/// A push event as a forge would send it (its content does not matter to the host).
fn push_body(sha: &str) -> Vec<u8> {
    format!(r#"{{"ref":"refs/heads/main","before":"0000","after":"{sha}","commits":[]}}"#)
        .into_bytes()
}

/// HMAC-SHA256 of `body` under `secret`, in hex, computed here and not by the host.
fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Posts `body` to the hook with `headers` and no bearer token.
async fn deliver(f: &Fixture, headers: &[(&str, &str)], body: Vec<u8>) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/hooks/git")
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    f.deliver(request.body(Body::from(body)).unwrap()).await
}

async fn with_secret() -> Fixture {
    Fixture::with_auth(Auth::closed().with_webhook_secret(SECRET)).await
}

/// Commits CMI with `a: <a>`; returns the sha.
fn next_commit(f: &Fixture, a: i64) -> String {
    f.commit(&[("plugins/paper/CMI.yaml", &cmi(a))], &format!("a is {a}"))
}

/// Asserts the hook answered `activated` for `sha` and the fleet moved to it.
async fn assert_activated(f: &Fixture, (status, answer): (StatusCode, Value), sha: &str) {
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "activated", "{answer}");
    assert_eq!(answer["revision"], sha, "{answer}");
    assert_eq!(active(f).await, sha);
}

/// The revision `/api/status` reports as active.
async fn active(f: &Fixture) -> String {
    let (_, status) = f.get("/api/status", Some(&f.tokens.viewer)).await;
    status["revision"].as_str().unwrap().to_string()
}

/// Asserts a 401 naming `header` that gives away neither the secret nor `digest`.
fn assert_refused(status: StatusCode, body: &Value, header: &str, digest: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_code(body), "unauthorized");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(header), "{message}");
    assert!(!body.to_string().contains(SECRET), "{body}");
    assert!(!body.to_string().contains(digest), "{body}");
}

#[tokio::test]
async fn a_github_signed_push_activates_the_new_commit() {
    let f = with_secret().await;
    let second = next_commit(&f, 5);
    let body = push_body(&second);
    let signature = format!("sha256={}", hmac_hex(SECRET, &body));
    let headers = [
        ("x-github-event", "push"),
        ("x-hub-signature-256", &signature),
    ];
    assert_activated(&f, deliver(&f, &headers, body).await, &second).await;
}

#[tokio::test]
async fn a_wrong_or_replayed_github_signature_is_refused_and_triggers_nothing() {
    let f = with_secret().await;
    let body = push_body(&next_commit(&f, 5));
    let expected = hmac_hex(SECRET, &body);
    let other_key = format!("sha256={}", hmac_hex("not the secret", &body));
    // The signature of another body: the body was changed on the way.
    let replayed = format!("sha256={}", hmac_hex(SECRET, &push_body(&f.first)));
    // The right digest without GitHub's `sha256=` prefix is not GitHub's header.
    for signature in [&other_key, &replayed, &expected] {
        let headers = [("x-hub-signature-256", signature.as_str())];
        let (status, answer) = deliver(&f, &headers, body.clone()).await;
        assert_refused(status, &answer, "X-Hub-Signature-256", &expected);
    }
    assert_eq!(active(&f).await, f.first, "nothing was triggered");
}

#[tokio::test]
async fn gitea_and_forgejo_signatures_are_accepted() {
    let f = with_secret().await;
    let second = next_commit(&f, 5);
    let body = push_body(&second);
    let signature = hmac_hex(SECRET, &body);
    let headers = [("x-gitea-event", "push"), ("x-gitea-signature", &signature)];
    assert_activated(&f, deliver(&f, &headers, body).await, &second).await;

    // Forgejo sends its own header and Gitea's, both signed with the same secret.
    let third = next_commit(&f, 6);
    let body = push_body(&third);
    let signature = hmac_hex(SECRET, &body);
    let headers = [
        ("x-forgejo-signature", signature.as_str()),
        ("x-gitea-signature", &signature),
    ];
    assert_activated(&f, deliver(&f, &headers, body).await, &third).await;
}

#[tokio::test]
async fn every_signature_sent_must_verify() {
    let f = with_secret().await;
    let body = push_body(&next_commit(&f, 5));
    let good = hmac_hex(SECRET, &body);
    let bad = hmac_hex("not the secret", &body);
    let headers = [
        ("x-gitea-signature", good.as_str()),
        ("x-forgejo-signature", &bad),
    ];
    let (status, answer) = deliver(&f, &headers, body).await;
    assert_refused(status, &answer, "X-Forgejo-Signature", &good);
    assert_eq!(active(&f).await, f.first);
}

#[tokio::test]
async fn the_gitlab_token_is_accepted_and_a_wrong_one_refused() {
    let f = with_secret().await;
    let second = next_commit(&f, 5);
    for wrong in ["correct horse", "correct horse battery staple!"] {
        let headers = [("x-gitlab-event", "Push Hook"), ("x-gitlab-token", wrong)];
        let (status, answer) = deliver(&f, &headers, push_body(&second)).await;
        assert_refused(status, &answer, "X-Gitlab-Token", SECRET);
    }
    assert_eq!(active(&f).await, f.first, "nothing was triggered");

    let headers = [("x-gitlab-event", "Push Hook"), ("x-gitlab-token", SECRET)];
    let answer = deliver(&f, &headers, push_body(&second)).await;
    assert_activated(&f, answer, &second).await;
}

#[tokio::test]
async fn a_github_ping_is_answered_without_a_refresh() {
    let f = with_secret().await;
    next_commit(&f, 5);
    let body = br#"{"zen":"Keep it logically awesome.","hook_id":1}"#.to_vec();
    let signature = format!("sha256={}", hmac_hex(SECRET, &body));
    let headers = [
        ("x-github-event", "ping"),
        ("x-hub-signature-256", &signature),
    ];
    let (status, answer) = deliver(&f, &headers, body.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    assert_eq!(active(&f).await, f.first, "a ping triggers nothing");

    // A ping proves the secret: an unsigned one is refused like any delivery.
    let (status, _) = deliver(&f, &[("x-github-event", "ping")], body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_a_webhook_secret_signatures_are_not_accepted() {
    let f = Fixture::new().await;
    next_commit(&f, 5);
    let body = push_body("x");
    let signature = format!("sha256={}", hmac_hex(SECRET, &body));
    for header in [
        ("x-hub-signature-256", signature.as_str()),
        ("x-gitlab-token", SECRET),
    ] {
        let (status, answer) = deliver(&f, &[header], body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
        assert_eq!(error_code(&answer), "unauthorized");
    }
    assert_eq!(active(&f).await, f.first);
}

#[tokio::test]
async fn a_bearer_token_is_checked_first_with_a_webhook_secret() {
    let f = with_secret().await;
    let second = next_commit(&f, 5);
    let bearer = format!("Bearer {}", f.tokens.operator);
    let wrong = format!("sha256={}", hmac_hex("not the secret", b"{}"));
    let headers = [
        ("authorization", bearer.as_str()),
        ("x-hub-signature-256", &wrong),
    ];
    assert_activated(&f, deliver(&f, &headers, b"{}".to_vec()).await, &second).await;

    let (status, answer) = f
        .call(Method::POST, "/api/hooks/git", Some(&f.tokens.viewer), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

#[tokio::test]
async fn a_delivery_over_the_body_limit_is_413() {
    let f = with_secret().await;
    let body = vec![b' '; 5 * 1024 * 1024 + 1];
    let signature = format!("sha256={}", hmac_hex(SECRET, &body));
    let (status, answer) = deliver(&f, &[("x-hub-signature-256", &signature)], body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(error_code(&answer), "payload_too_large");
    assert_eq!(active(&f).await, f.first);
}

#[tokio::test]
async fn replayed_webhook_is_refused() {
    let f = with_secret().await;
    let second = next_commit(&f, 5);
    let body = push_body(&second);
    let signature = format!("sha256={}", hmac_hex(SECRET, &body));
    let first = [
        ("x-github-event", "push"),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("x-hub-signature-256", &signature),
    ];
    assert_activated(&f, deliver(&f, &first, body.clone()).await, &second).await;
    // The same signed body again, under its own delivery id or another one.
    for id in ["72d3162e-cc78-11e3-81ab-4c9367dc0958", "another-id"] {
        let headers = [
            ("x-github-event", "push"),
            ("x-github-delivery", id),
            ("x-hub-signature-256", &signature),
        ];
        let (status, answer) = deliver(&f, &headers, body.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        assert!(answer.to_string().contains("replay"), "{answer}");
    }
    // Another body under a delivery id already seen.
    let third = next_commit(&f, 6);
    let other = push_body(&third);
    let signature = format!("sha256={}", hmac_hex(SECRET, &other));
    let headers = [
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("x-hub-signature-256", signature.as_str()),
    ];
    let (status, answer) = deliver(&f, &headers, other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(active(&f).await, second, "the replays triggered nothing");
}

#[tokio::test]
async fn webhook_body_limit_applies_with_an_operator_token() {
    let f = with_secret().await;
    next_commit(&f, 5);
    let bearer = format!("Bearer {}", f.tokens.operator);
    let body = vec![b' '; 10 * 1024 * 1024];
    let (status, answer) = deliver(&f, &[("authorization", bearer.as_str())], body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(active(&f).await, f.first, "nothing was triggered");
}
