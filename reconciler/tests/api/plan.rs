//! `GET /api/plan`: the plan between two revisions, as JSON or text, and its errors.

use axum::http::StatusCode;
use homeamp_schemas::plan::Plan;

use crate::support::{FLEET, Fixture, cmi, error_code};

#[tokio::test]
async fn the_plan_between_two_commits_lists_each_changed_setting() {
    let f = Fixture::new().await;
    let second = f.commit(&[("plugins/paper/CMI.yaml", &cmi(5))], "a is 5");
    let (status, body) = f
        .get(
            &format!("/api/plan?base={}&head={second}", f.first),
            Some(&f.tokens.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let plan: Plan = serde_json::from_value(body).unwrap();
    assert_eq!(plan.base.sha.as_deref(), Some(f.first.as_str()));
    assert_eq!(plan.head.sha.as_deref(), Some(second.as_str()));
    assert_eq!(plan.summary.instances_changed, 2);
    assert_eq!(plan.summary.settings_changed, 2);

    // Defaults: base = the active revision, head = the followed reference (HEAD).
    let (_, defaults) = f.get("/api/plan", Some(&f.tokens.viewer)).await;
    assert_eq!(defaults["summary"]["settings_changed"], 2, "{defaults}");

    let (status, text) = f
        .get(
            &format!("/api/plan?base={}&head={second}&format=text", f.first),
            Some(&f.tokens.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().unwrap();
    assert!(text.contains("SMP201") && text.contains("DEV01"), "{text}");
}

#[tokio::test]
async fn an_unknown_revision_is_404_and_an_invalid_one_422() {
    let f = Fixture::new().await;
    let (status, body) = f
        .get(
            "/api/plan?base=no-such-branch&head=HEAD",
            Some(&f.tokens.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(error_code(&body), "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-branch")
    );

    let fleet = FLEET.replace("server: ovh", "server: nowhere");
    let bad = f.commit(&[("homeamp.yaml", &fleet)], "broken");
    let (status, body) = f
        .get(
            &format!("/api/plan?base={}&head={bad}", f.first),
            Some(&f.tokens.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid_revision");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("homeamp.yaml:"),
        "{body}"
    );

    let (status, body) = f.get("/api/plan?format=yaml", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "bad_request");
}
