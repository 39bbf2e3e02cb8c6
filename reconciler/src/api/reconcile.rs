//! Triggers: `POST /api/reconcile` (one instance, or all) and `POST /api/hooks/git` (look
//! at the desired-state repository now instead of at the next poll).
//!
//! Both only ask: the reconcile runtime does the work, so `/api/reconcile` answers 202.
//! The webhook does the (quick) refresh itself and says what happened, so a CI job can
//! see at once that its commit was refused and why.
//!
//! The webhook takes an operator's bearer token, or, when [`Auth`](super::Auth) has a
//! webhook secret, the signature or token a git forge sends ([`webhook_signature`]).
//! GitHub's `ping` event (sent when a webhook is created) is answered 204 once it is
//! authenticated, and triggers nothing. A signed delivery seen before is refused as a
//! replay ([`replay`]); the body limit holds whoever calls.

pub(crate) mod replay;
mod webhook_signature;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use homeamp_schemas::api::{HookOutcome, ReconcileAccepted, ReconcileRequest};

pub(crate) use webhook_signature::WebhookSecret;

use super::{ApiError, AppState, Operator};
use crate::host::RevisionChange;

/// The largest webhook body read (a larger one is 413). Signatures cover the whole body,
/// so it must be read; GitHub caps deliveries at 25 MiB, but a push event is a few KiB
/// to a few hundred, and 5 MiB leaves room for pushes of thousands of commits.
const HOOK_BODY_LIMIT: usize = 5 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reconcile", post(reconcile))
        .route(
            "/api/hooks/git",
            post(git_hook).layer(DefaultBodyLimit::max(HOOK_BODY_LIMIT)),
        )
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
    operator: Result<Operator, ApiError>,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let by = hook_caller(operator, &state, &headers, body)?;
    if headers
        .get("x-github-event")
        .is_some_and(|event| event.as_bytes() == b"ping")
    {
        tracing::info!(%by, "webhook ping answered");
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let change = state.host.refresh_revision().await?;
    tracing::info!(%by, ?change, "desired-state repository refreshed");
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
    })
    .into_response())
}

/// Who called the hook: an operator's token (its name), else, with a webhook secret,
/// the forge's credential (`webhook <header>`). Without either, the token's refusal.
fn hook_caller(
    operator: Result<Operator, ApiError>,
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<String, ApiError> {
    // The body is read (and its limit enforced) whatever the credential.
    let body = body?;
    let refused = match operator {
        Ok(Operator(token)) => return Ok(token.name),
        Err(refused) => refused,
    };
    let Some(secret) = state.auth.webhook_secret() else {
        return Err(refused);
    };
    if !webhook_signature::presented(headers) {
        return Err(refused);
    }
    match webhook_signature::verify(secret, headers, &body)? {
        Some(header) => {
            state
                .deliveries
                .first_time(headers, &body)
                .map_err(ApiError::Conflict)?;
            let by = format!("webhook {header}");
            tracing::Span::current().record("caller", by.as_str());
            Ok(by)
        }
        None => Err(refused),
    }
}
