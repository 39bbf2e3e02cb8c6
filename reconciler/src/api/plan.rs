//! `GET /api/plan?base=&head=&format=json|text|markdown`: what a change request does,
//! instance by instance, key by key (the same plan as `homeamp plan`).
//!
//! `base` defaults to the active revision and `head` to the reference the host follows,
//! so a bare `GET /api/plan` answers "what would the next refresh change". Loading two
//! revisions with git2 is blocking work: it runs on the blocking pool, under the same
//! bounds as the host's own loading (`homeamp_schemas::limits`) and a time budget
//! ([`PLAN_BUDGET`]), one plan at a time, so no request can hold the host's memory or cores.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use homeamp_desired::LoadError;
use homeamp_desired::plan::{MARKDOWN_LIMIT, PlanError, plan_revisions, to_markdown, to_text};
use serde::Deserialize;

use super::{ApiError, AppState, Reader};

/// How long one plan may take before the request is answered 503.
pub const PLAN_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Plans computed at once (each holds two loaded revisions).
static PLANS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

pub fn router() -> Router<AppState> {
    Router::new().route("/api/plan", get(plan))
}

#[derive(Debug, Deserialize)]
struct PlanQuery {
    base: Option<String>,
    head: Option<String>,
    format: Option<String>,
}

fn plan_error(e: PlanError) -> ApiError {
    match e {
        PlanError::Load(LoadError::RevParse { rev, .. }) => ApiError::NotFound(format!(
            "revision `{rev}` is not in the desired-state repository: give a branch, tag or sha"
        )),
        PlanError::Invalid { side, invalid } => {
            let errors: Vec<String> = invalid
                .diagnostics
                .iter()
                .filter(|d| d.severity == homeamp_desired::Severity::Error)
                .map(|d| d.to_string())
                .collect();
            ApiError::Unprocessable {
                code: "invalid_revision",
                message: format!(
                    "the {side} revision {} is invalid:\n{}",
                    invalid.origin_label,
                    errors.join("\n")
                ),
            }
        }
        other => ApiError::Internal(format!(
            "planning: {}",
            homeamp_desired::error_chain(&other)
        )),
    }
}

async fn plan(
    _: Reader,
    State(state): State<AppState>,
    query: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let format = query.format.unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "text" | "markdown") {
        return Err(ApiError::BadRequest(format!(
            "unknown format `{format}`: use json, text or markdown"
        )));
    }
    let base = match query.base.filter(|b| !b.is_empty()) {
        Some(base) => base,
        None => state.host.active().map(|a| a.sha.clone()).ok_or_else(|| {
            ApiError::BadRequest(
                "no revision is active yet: give the base revision with ?base=REV".into(),
            )
        })?,
    };
    let head = query
        .head
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| state.host.config().reference.clone());
    let repo = state.host.config().repo.clone();
    let busy = || {
        ApiError::Unavailable(format!(
            "planning took longer than {} s: try again later, or plan locally with `homeamp plan`",
            PLAN_BUDGET.as_secs()
        ))
    };
    let work = async {
        // The turn goes with the work: a plan past its budget still holds it until it ends.
        let turn = PLANS.acquire().await.expect("never closed");
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            plan_revisions(&repo, &base, &head)
        })
        .await
    };
    let plan = tokio::time::timeout(PLAN_BUDGET, work)
        .await
        .map_err(|_| busy())??
        .map_err(plan_error)?;
    Ok(match format.as_str() {
        "text" => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            to_text(&plan),
        )
            .into_response(),
        "markdown" => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            to_markdown(&plan, MARKDOWN_LIMIT),
        )
            .into_response(),
        _ => Json(plan).into_response(),
    })
}
