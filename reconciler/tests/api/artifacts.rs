//! The artifact store over HTTP: operators upload plugin JARs, readers list them, agents
//! (and operators) download them by sha256, through the router and, for the agent's
//! `HttpArtifacts`, through a real loopback listener.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use homeamp_agent::FetchError;
use homeamp_agent::artifact::{ArtifactSource, HttpArtifacts};
use homeamp_jar::{build_jar, plugin_jar};
use homeamp_reconciler::api::Auth;
use homeamp_reconciler::artifacts::ArtifactStore;
use homeamp_schemas::report::PluginDescriptor;
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::support::{Fixture, error_code, sha256};

const JAR_TYPE: &str = "application/java-archive";

/// A fixture whose host has an empty artifact store in a temp dir.
async fn with_store() -> (Fixture, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ArtifactStore::open(dir.path()).unwrap());
    (Fixture::with_artifacts(Auth::closed(), store).await, dir)
}

/// As [`with_store`], with [`chunky`] uploaded by an operator; its sha256 last.
async fn with_chunky() -> (Fixture, TempDir, String) {
    let (f, dir) = with_store().await;
    let jar = chunky();
    let sha = sha256(&jar);
    let (status, body) = upload(&f, &f.tokens.operator, jar).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (f, dir, sha)
}

fn chunky() -> Vec<u8> {
    plugin_jar(
        PluginDescriptor::PluginYml,
        "Chunky",
        "1.4.28",
        "org.popcraft.chunky.ChunkyBukkit",
    )
    .unwrap()
}

async fn upload(f: &Fixture, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    f.send(
        Method::PUT,
        "/api/artifacts",
        Some(token),
        Some(bytes),
        JAR_TYPE,
    )
    .await
}

/// A GET through the router, keeping the headers and the raw bytes.
async fn download(f: &Fixture, sha: &str, token: Option<&str>) -> (StatusCode, HeaderMap, Bytes) {
    let mut request = Request::get(format!("/api/agent/v1/artifacts/{sha}"));
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = f
        .app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn an_uploaded_jar_is_listed_and_downloaded_by_agents_and_operators() {
    let (f, dir) = with_store().await;
    let jar = chunky();
    let sha = sha256(&jar);

    let (status, body) = upload(&f, &f.tokens.operator, jar.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let added = &body["artifacts"][0];
    assert_eq!(added["name"], "Chunky", "{body}");
    assert_eq!(added["version"], "1.4.28");
    assert_eq!(added["platform"], "paper");
    assert_eq!(added["sha256"], sha.as_str());
    assert_eq!(added["size"], jar.len() as u64);
    assert_eq!(body["artifacts"].as_array().unwrap().len(), 1, "{body}");
    // The same JAR again: already held, nothing written.
    let (status, again) = upload(&f, &f.tokens.admin, jar.clone()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, body);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let (status, list) = f.get("/api/artifacts", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["artifacts"], body["artifacts"]);
    let file_name = list["artifacts"][0]["file_name"].as_str().unwrap();
    assert!(dir.path().join(file_name).is_file(), "{list}");
    // The store's directory is not shown.
    let dir_text = dir.path().display().to_string();
    assert!(!list.to_string().contains(&dir_text), "{list}");

    for token in [
        &f.tokens.agent_ovh,
        &f.tokens.agent_hetzner,
        &f.tokens.operator,
        &f.tokens.admin,
    ] {
        let (status, headers, bytes) = download(&f, &sha, Some(token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], JAR_TYPE);
        assert_eq!(sha256(&bytes), sha);
    }
    // Upper-case hex names the same JAR.
    let (status, _, bytes) =
        download(&f, &sha.to_ascii_uppercase(), Some(&f.tokens.agent_ovh)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.as_ref(), jar.as_slice());
}

#[tokio::test]
async fn downloads_need_an_agent_operator_or_admin_token() {
    let (f, _dir, sha) = with_chunky().await;

    let (status, _, body) = download(&f, &sha, Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error_code(&body), "forbidden");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("agent"),
        "{body}"
    );
    let (status, _, _) = download(&f, &sha, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = download(&f, &sha, Some("not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_operators_upload_and_only_plugin_jars() {
    let (f, _dir) = with_store().await;

    let (status, body) = upload(&f, &f.tokens.viewer, chunky()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    let (status, body) = upload(&f, &f.tokens.agent_ovh, chunky()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = upload(&f, &f.tokens.operator, b"not a zip at all".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "not_a_plugin");
    // A JAR, but without a descriptor.
    let library = build_jar(&[("com/example/Lib.class", b"\xca\xfe\xba\xbe".as_slice())]).unwrap();
    let (status, body) = upload(&f, &f.tokens.operator, library).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("plugin.yml"),
        "{body}"
    );

    let (_, list) = f.get("/api/artifacts", Some(&f.tokens.viewer)).await;
    assert_eq!(list["artifacts"], serde_json::json!([]), "{list}");
}

#[tokio::test]
async fn an_unknown_or_malformed_sha256_is_refused_in_json() {
    let (f, _dir) = with_store().await;
    let unknown = "ab".repeat(32);
    let (status, body) = f
        .get(
            &format!("/api/agent/v1/artifacts/{unknown}"),
            Some(&f.tokens.agent_ovh),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(error_code(&body), "not_found");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(&unknown), "{message}");
    assert!(
        message.contains("artifact store does not hold"),
        "{message}"
    );

    let (status, body) = f
        .get(
            "/api/agent/v1/artifacts/not-a-sha",
            Some(&f.tokens.agent_ovh),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "bad_request");
}

#[tokio::test]
async fn without_a_store_downloads_are_absent_and_uploads_refused() {
    let f = Fixture::new().await;
    let sha = sha256(&chunky());
    let (status, body) = f
        .get(
            &format!("/api/agent/v1/artifacts/{sha}"),
            Some(&f.tokens.agent_ovh),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains(&sha),
        "{body}"
    );

    let (status, body) = upload(&f, &f.tokens.operator, chunky()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no artifact store"),
        "{body}"
    );

    let (status, list) = f.get("/api/artifacts", Some(&f.tokens.viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["artifacts"], serde_json::json!([]));
}

#[tokio::test]
async fn the_agents_http_source_downloads_from_the_served_router() {
    let (f, _dir, sha) = with_chunky().await;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = f.app.clone();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let source = HttpArtifacts::new(f.tokens.agent_hetzner.clone()).unwrap();
    let url = format!("{base}/api/agent/v1/artifacts/{sha}");
    let fetched = {
        let (source, url) = (source.clone(), url.clone());
        tokio::task::spawn_blocking(move || source.fetch(&url))
            .await
            .unwrap()
    };
    assert_eq!(sha256(&fetched.unwrap()), sha);

    let missing = format!("{base}/api/agent/v1/artifacts/{}", "0".repeat(64));
    let refused = tokio::task::spawn_blocking(move || source.fetch(&missing))
        .await
        .unwrap();
    match refused {
        Err(FetchError::Status {
            status: 404,
            message,
            url,
        }) => {
            assert!(message.contains("does not hold"), "{message}");
            assert!(url.ends_with(&"0".repeat(64)), "{url}");
        }
        other => panic!("expected a 404, got {other:?}"),
    }

    let stranger = HttpArtifacts::new("not-a-token").unwrap();
    let refused = tokio::task::spawn_blocking(move || stranger.fetch(&url))
        .await
        .unwrap();
    assert!(
        matches!(refused, Err(FetchError::Status { status: 401, .. })),
        "{refused:?}"
    );
    server.abort();
}
