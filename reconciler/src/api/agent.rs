//! The agents' endpoints, under `/api/agent/v1/`:
//! - `POST manifest` (a [`Manifest`]) → `{"missing": [sha256…]}`: the blobs to upload.
//! - `PUT blobs/{sha256}` (the raw bytes) → 204; bytes with another sha256 → 422.
//! - `POST heartbeat` (a [`Heartbeat`]) → 204.
//! - `POST job-results` (a [`JobResult`]) → 204.
//! - `GET whoami` → the calling token's name, role and server ([`Caller`]).
//! - `GET host-key`, unauthenticated: the Ed25519 key agents verify jobs with.
//!
//! An agent token speaks for one server: it may report only that server's instances
//! and the results of that server's jobs (403 otherwise). Blobs are content-addressed
//! and checked, so any agent may upload any blob.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine as _;
use homeamp_schemas::api::{Caller, HostKey, MissingBlobs};
use homeamp_schemas::report::{Heartbeat, JobResult, JobStatus as ResultStatus, Manifest};

use super::{AgentCaller, ApiError, AppState};

/// The largest body the agent endpoints accept: a config file or a plugin JAR the host
/// asked for (blob), or a manifest.
pub const AGENT_BODY_LIMIT: usize = 256 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/v1/manifest", post(manifest))
        .route("/api/agent/v1/blobs/{sha256}", put(blob))
        .route("/api/agent/v1/heartbeat", post(heartbeat))
        .route("/api/agent/v1/job-results", post(job_result))
        .route("/api/agent/v1/whoami", get(whoami))
        .layer(DefaultBodyLimit::max(AGENT_BODY_LIMIT))
        .route("/api/agent/v1/host-key", get(host_key))
}

async fn manifest(
    agent: AgentCaller,
    State(state): State<AppState>,
    body: Result<Json<Manifest>, JsonRejection>,
) -> Result<Json<MissingBlobs>, ApiError> {
    let Json(manifest) = body?;
    agent.may_speak_for(&manifest.server)?;
    // The instance's server is the desired state's word, not the agent's.
    if let Some(record) = state.host.store().instance(&manifest.instance).await?
        && record.server != manifest.server
    {
        return Err(ApiError::Forbidden(format!(
            "instance {} belongs to server {}, not {}",
            manifest.instance, record.server, manifest.server
        )));
    }
    let missing = state.host.ingest_manifest(&manifest).await?;
    Ok(Json(MissingBlobs { missing }))
}

async fn blob(
    _: AgentCaller,
    State(state): State<AppState>,
    sha256: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(sha256) = sha256?;
    if !crate::digest::is_sha256_hex(&sha256) {
        return Err(ApiError::BadRequest(format!(
            "`{sha256}` is not a sha256 (64 hex digits)"
        )));
    }
    let bytes = body?;
    state
        .host
        .ingest_blob(&sha256.to_ascii_lowercase(), &bytes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn heartbeat(
    agent: AgentCaller,
    State(state): State<AppState>,
    body: Result<Json<Heartbeat>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(heartbeat) = body?;
    agent.may_speak_for(&heartbeat.server)?;
    state.host.ingest_heartbeat(&heartbeat).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn job_result(
    agent: AgentCaller,
    State(state): State<AppState>,
    body: Result<Json<JobResult>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(result) = body?;
    let Some(job) = state.host.store().job(&result.job_id).await? else {
        // A job this host never made, refused by the agent: someone else wrote to the
        // server's stream. Recorded (metric, warning), not stored as a job.
        if result.status == ResultStatus::Refused
            && let Some(server) = agent.0.server.as_deref()
        {
            state.host.note_foreign_refusal(server, &result);
            return Ok(StatusCode::ACCEPTED);
        }
        return Err(ApiError::NotFound(format!(
            "no job with id {}",
            result.job_id
        )));
    };
    agent.may_speak_for(&job.server)?;
    state.host.ingest_job_result(&result).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn whoami(agent: AgentCaller) -> Json<Caller> {
    let AgentCaller(token) = agent;
    Json(Caller {
        name: token.name,
        role: token.role.as_str().to_string(),
        server: token.server,
    })
}

async fn host_key(State(state): State<AppState>) -> Json<HostKey> {
    Json(HostKey {
        algorithm: "ed25519".into(),
        public_key: base64::engine::general_purpose::STANDARD
            .encode(state.host.verifying_key().as_bytes()),
    })
}
