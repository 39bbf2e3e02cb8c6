//! Secret values never appear in an answer, even where the host had to resolve them to
//! compare and to plan the job that corrects them.

use axum::http::{Method, StatusCode};
use homeamp_reconciler::api::Auth;
use homeamp_reconciler::host::{RevisionChange, Secrets};

use crate::support::Fixture;

const SECRET: &str = "hunter2-never-in-an-answer";

#[tokio::test]
async fn no_answer_holds_a_secret_value() {
    let mut secrets = Secrets::empty();
    secrets.insert("cmi-db", SECRET);
    let f = Fixture::with_secrets(Auth::closed(), secrets).await;
    f.host.refresh_revision().await.unwrap();
    let second = f.commit(
        &[(
            "plugins/paper/CMI.yaml",
            "reload: none\nuniversal:\n  config.yml:\n    a: 1\n    password: \"${secret:cmi-db}\"\n",
        )],
        "a secret",
    );
    let change = f.host.refresh_revision().await.unwrap();
    assert!(
        matches!(change, RevisionChange::Activated { .. }),
        "{change:?}"
    );
    // The live file lacks the password: drift, and a job that writes it.
    f.report("ovh", "SMP201", 1).await;
    f.reconciler.reconcile_instance("SMP201").await.unwrap();

    let (_, jobs) = f.get("/api/jobs", Some(&f.tokens.viewer)).await;
    let id = jobs["jobs"][0]["id"].as_str().expect("a job").to_string();
    assert!(
        jobs.to_string().contains("password"),
        "the job names the key it sets: {jobs}"
    );
    let mut answers = vec![jobs];
    for uri in [
        format!("/api/jobs/{id}"),
        "/api/drift?open=false".to_string(),
        "/api/status".to_string(),
        "/api/instances".to_string(),
        format!("/api/plan?base={}&head={second}", f.first),
        "/metrics".to_string(),
        "/".to_string(),
    ] {
        let (status, body) = f.get(&uri, Some(&f.tokens.admin)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        answers.push(body);
    }
    let (_, approve) = f
        .call(
            Method::POST,
            &format!("/api/approve?revision={second}"),
            Some(&f.tokens.admin),
            None,
        )
        .await;
    answers.push(approve);
    for answer in answers {
        assert!(!answer.to_string().contains(SECRET), "{answer}");
    }
}
