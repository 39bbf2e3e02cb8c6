//! The artifact store over HTTP (the JARs `plugin_install` jobs point at):
//! - `GET /api/agent/v1/artifacts/{sha256}`: the JAR's bytes (`application/java-archive`),
//!   for agent tokens and operator or admin tokens. 404 when the store does not hold it.
//! - `GET /api/artifacts` (readers): the store's JARs as an [`ArtifactList`]; empty when
//!   the host has no artifact store. The store's directory is never shown.
//! - `PUT /api/artifacts` (operators): the body is a JAR, added with
//!   [`ArtifactStore::add`]; 201 with what it gives, 200 when the store already held it,
//!   422 `not_a_plugin` when it holds no plugin descriptor, 409 without a store.
//!
//! The store reads its directory and hashes new JARs, so every call to it runs on a
//! blocking thread. A download reads the one JAR it serves, never the whole store.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use homeamp_schemas::api::{ArtifactInfo, ArtifactList};

use super::{AgentCaller, ApiError, AppState, Operator, Reader};
use crate::artifacts::{Artifact, ArtifactError, ArtifactStore};

/// The largest JAR `PUT /api/artifacts` accepts.
pub const ARTIFACT_BODY_LIMIT: usize = 256 * 1024 * 1024;

const JAR_CONTENT_TYPE: &str = "application/java-archive";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/v1/artifacts/{sha256}", get(download))
        .route(
            "/api/artifacts",
            get(list)
                .put(upload)
                .layer(DefaultBodyLimit::max(ARTIFACT_BODY_LIMIT)),
        )
}

/// Who may download a JAR: an agent (any server's: artifacts are not per server), or an
/// operator or admin.
struct Fetcher;

impl FromRequestParts<AppState> for Fetcher {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match AgentCaller::from_request_parts(parts, state).await {
            Ok(_) => Ok(Fetcher),
            Err(ApiError::Forbidden(_)) => match Operator::from_request_parts(parts, state).await {
                Ok(_) => Ok(Fetcher),
                Err(ApiError::Forbidden(why)) => Err(ApiError::Forbidden(format!(
                    "{why}; artifact downloads take an agent, operator or admin token"
                ))),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

/// The store, when the host has one.
fn store(state: &AppState) -> Option<Arc<ArtifactStore>> {
    state.host.config().artifacts.clone()
}

fn absent(sha256: &str) -> ApiError {
    ApiError::NotFound(format!(
        "the artifact store does not hold an artifact with sha256 {sha256}"
    ))
}

fn info(artifact: Artifact) -> ArtifactInfo {
    ArtifactInfo {
        platform: artifact.platform,
        name: artifact.name,
        version: artifact.version,
        sha256: artifact.sha256,
        size: artifact.size,
        file_name: artifact.file_name,
    }
}

async fn download(
    _: Fetcher,
    State(state): State<AppState>,
    sha256: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(sha256) = sha256?;
    if !crate::digest::is_sha256_hex(&sha256) {
        return Err(ApiError::BadRequest(format!(
            "`{sha256}` is not a sha256 (64 hex digits)"
        )));
    }
    let sha256 = sha256.to_ascii_lowercase();
    let store = store(&state).ok_or_else(|| absent(&sha256))?;
    let wanted = sha256.clone();
    let artifact = tokio::task::spawn_blocking(move || store.by_sha256(&wanted))
        .await?
        .ok_or_else(|| absent(&sha256))?;
    let bytes = match tokio::fs::read(&artifact.path).await {
        Ok(bytes) => bytes,
        // Removed since the store last looked.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(absent(&sha256)),
        Err(e) => {
            return Err(ApiError::Internal(format!(
                "reading artifact {}: {e}",
                artifact.path.display()
            )));
        }
    };
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JAR_CONTENT_TYPE),
        )],
        bytes,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(disposition) = attachment(&artifact.file_name) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

/// `attachment; filename="…"` for a file name that needs no quoting.
fn attachment(file_name: &str) -> Option<HeaderValue> {
    let plain = !file_name.is_empty()
        && file_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'));
    plain
        .then(|| HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")).ok())
        .flatten()
}

async fn list(_: Reader, State(state): State<AppState>) -> Result<Json<ArtifactList>, ApiError> {
    let Some(store) = store(&state) else {
        return Ok(Json(ArtifactList::default()));
    };
    let artifacts = tokio::task::spawn_blocking(move || store.list()).await?;
    Ok(Json(ArtifactList {
        artifacts: artifacts.into_iter().map(info).collect(),
    }))
}

async fn upload(
    Operator(token): Operator,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ArtifactList>), ApiError> {
    let bytes = body?;
    let store = store(&state).ok_or_else(|| {
        ApiError::Conflict(
            "this host has no artifact store: configure one to upload plugin JARs".into(),
        )
    })?;
    let sha256 = crate::digest::sha256_hex(&bytes);
    let (held, added) = tokio::task::spawn_blocking(move || {
        let held = store.by_sha256(&sha256).is_some();
        (held, store.add(&bytes))
    })
    .await?;
    let added = added.map_err(|e| match e {
        ArtifactError::NotAPlugin { .. } => ApiError::Unprocessable {
            code: "not_a_plugin",
            message: e.to_string(),
        },
        ArtifactError::DescriptorTooLarge { .. } => ApiError::Unprocessable {
            code: "descriptor_too_large",
            message: e.to_string(),
        },
        ArtifactError::Io { .. } => ApiError::Internal(e.to_string()),
    })?;
    let status = if held {
        StatusCode::OK
    } else {
        if let Some(first) = added.first() {
            tracing::info!(
                by = %token.name,
                plugin = %first.name,
                version = first.version.as_deref().unwrap_or("-"),
                sha256 = %first.sha256,
                "artifact added"
            );
        }
        // Instances waiting for this plugin can now get their install job.
        state.host.trigger_all("artifact");
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(ArtifactList {
            artifacts: added.into_iter().map(info).collect(),
        }),
    ))
}
