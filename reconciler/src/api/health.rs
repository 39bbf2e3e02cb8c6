//! Probes and metrics, unauthenticated (they reveal counts, never contents):
//! - `GET /healthz`: 200 while the process serves.
//! - `GET /readyz`: 200 when the database answers and a valid revision is active;
//!   503 saying which is missing otherwise.
//! - `GET /metrics`: Prometheus text, rendered by hand: gauges from the store (instances by
//!   sync state, open drift, jobs in flight by status, the revision state), then the
//!   process's counters and reconcile duration histogram ([`crate::metrics`]).

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use homeamp_schemas::status::SyncState;
use serde_json::json;

use super::{ApiError, AppState};
use crate::store::{DriftFilter, JobFilter, JobStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let mut problems = Vec::new();
    if !state.host.store().ping().await {
        problems.push("the database does not answer".to_string());
    }
    let active = state.host.active();
    if active.is_none() {
        let mut why = "no valid revision of the desired state is active yet".to_string();
        if let Some(refused) = state.host.refused() {
            let _ = write!(why, " (revision {} was refused)", refused.sha);
        }
        problems.push(why);
    }
    if !problems.is_empty() {
        return Err(ApiError::Unavailable(problems.join("; ")));
    }
    Ok(Json(json!({
        "status": "ready",
        "revision": active.map(|a| a.sha.clone()),
    })))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let status = state.host.fleet_status(None).await?;
    let open_drift = state
        .host
        .store()
        .list_drift(&DriftFilter {
            open_only: true,
            ..Default::default()
        })
        .await?;
    let in_flight = state
        .host
        .store()
        .list_jobs(&JobFilter {
            in_flight_only: true,
            ..Default::default()
        })
        .await?;

    let mut out = String::new();
    out.push_str("# HELP homeamp_instances Instances of the active revision by sync state.\n");
    out.push_str("# TYPE homeamp_instances gauge\n");
    for sync in SyncState::ALL {
        let n = status.summary.get(sync.as_str()).copied().unwrap_or(0);
        let _ = writeln!(out, "homeamp_instances{{sync=\"{sync}\"}} {n}");
    }
    out.push_str("# HELP homeamp_drift_open Open drift records by instance.\n");
    out.push_str("# TYPE homeamp_drift_open gauge\n");
    for instance in &status.instances {
        let _ = writeln!(
            out,
            "homeamp_drift_open{{server=\"{}\",instance=\"{}\"}} {}",
            crate::metrics::escape_label(&instance.server),
            crate::metrics::escape_label(&instance.name),
            instance.drift
        );
    }
    out.push_str("# HELP homeamp_drift_open_total Open drift records.\n");
    out.push_str("# TYPE homeamp_drift_open_total gauge\n");
    let _ = writeln!(out, "homeamp_drift_open_total {}", open_drift.len());
    out.push_str("# HELP homeamp_jobs Jobs still in flight, by status.\n");
    out.push_str("# TYPE homeamp_jobs gauge\n");
    for s in JobStatus::IN_FLIGHT {
        let n = in_flight.iter().filter(|j| j.status == *s).count();
        let _ = writeln!(out, "homeamp_jobs{{status=\"{}\"}} {n}", s.as_str());
    }
    out.push_str("# HELP homeamp_revision_info The active revision of the desired state.\n");
    out.push_str("# TYPE homeamp_revision_info gauge\n");
    if let Some(revision) = &status.revision {
        let _ = writeln!(
            out,
            "homeamp_revision_info{{sha=\"{}\"}} 1",
            crate::metrics::escape_label(revision)
        );
    }
    out.push_str(
        "# HELP homeamp_revision_refused 1 while the newest revision is refused as invalid.\n",
    );
    out.push_str("# TYPE homeamp_revision_refused gauge\n");
    let _ = writeln!(
        out,
        "homeamp_revision_refused {}",
        u8::from(status.refused_revision.is_some())
    );
    state.host.metrics().render(&mut out);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    ))
}
