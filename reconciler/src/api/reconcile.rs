//! Triggers: `POST /api/reconcile` (one instance, or all) and `POST /api/hooks/git` (look
//! at the desired-state repository now instead of at the next poll).
//!
//! Both only ask: the reconcile runtime does the work, so `/api/reconcile` answers 202.
//! The webhook does the (quick) refresh itself and says what happened, so a CI job can
//! see at once that its commit was refused and why.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use homeamp_schemas::api::{HookOutcome, ReconcileAccepted, ReconcileRequest};

use super::{ApiError, AppState, Operator};
use crate::host::RevisionChange;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reconcile", post(reconcile))
        .route("/api/hooks/git", post(git_hook))
}

async fn reconcile(
    Operator(token): Operator,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReconcileAccepted>), ApiError> {
    let body = body?;
    let request: ReconcileRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ReconcileRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::BadRequest(format!(
                "the body must be empty or {{\"instance\": \"NAME\"}}: {e}"
            ))
        })?
    };
    let Some(active) = state.host.active() else {
        return Err(ApiError::Conflict(
            "no valid revision is active yet: there is nothing to reconcile to".into(),
        ));
    };
    let queued: Vec<String> = match request.instance.filter(|i| !i.is_empty()) {
        Some(name) => {
            let instance = active.state.instance(&name).ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no instance named `{name}` in revision {}",
                    active.sha
                ))
            })?;
            state.host.trigger(&instance.name, "api");
            vec![instance.name.clone()]
        }
        None => {
            state.host.trigger_all("api");
            active.state.instances().map(|i| i.name.clone()).collect()
        }
    };
    tracing::info!(by = %token.name, instances = queued.len(), "reconcile requested");
    Ok((StatusCode::ACCEPTED, Json(ReconcileAccepted { queued })))
}

async fn git_hook(
    Operator(token): Operator,
    State(state): State<AppState>,
) -> Result<Json<HookOutcome>, ApiError> {
    let change = state.host.refresh_revision().await?;
    tracing::info!(by = %token.name, ?change, "desired-state repository refreshed");
    Ok(Json(match change {
        RevisionChange::Unchanged => HookOutcome::Unchanged {
            revision: state.host.active().map(|a| a.sha.clone()),
        },
        RevisionChange::Activated { sha, guarded } => HookOutcome::Activated {
            revision: sha,
            guarded,
        },
        RevisionChange::Refused { sha, reason } => HookOutcome::Refused {
            revision: sha,
            reason,
        },
    }))
}
