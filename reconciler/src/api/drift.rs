//! `GET /api/drift?server=&instance=&plugin=&open=&limit=`: drift records, open ones by
//! default (`open=false` includes resolved ones), oldest first; `limit=N` gives the newest N.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use homeamp_schemas::api::{DriftInfo, DriftList};
use serde::Deserialize;

use super::{ApiError, AppState, Reader, known_server, server_filter};
use crate::store::{DriftFilter, DriftRecord};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/drift", get(list))
}

#[derive(Debug, Deserialize)]
struct DriftQuery {
    server: Option<String>,
    instance: Option<String>,
    plugin: Option<String>,
    open: Option<bool>,
    limit: Option<u32>,
}

fn info(d: DriftRecord) -> DriftInfo {
    DriftInfo {
        id: d.id,
        server: d.server,
        instance: d.instance,
        plugin: d.plugin,
        config_file: d.config_file,
        key_path: d.key_path,
        drift_type: d.drift_type.as_str().to_string(),
        severity: d.severity.as_str().to_string(),
        cause: d.cause,
        desired_value: d.desired_value,
        live_value: d.live_value,
        detected_at: d.detected_at,
        updated_at: d.updated_at,
        resolved: d.resolved,
        resolved_at: d.resolved_at,
    }
}

async fn list(
    _: Reader,
    State(state): State<AppState>,
    query: Result<Query<DriftQuery>, QueryRejection>,
) -> Result<Json<DriftList>, ApiError> {
    let Query(query) = query?;
    let server = server_filter(query.server);
    known_server(&state, server.as_deref()).await?;
    // An alias (`SMP-201`) finds the instance's records under its canonical name.
    let instance = query.instance.filter(|i| !i.is_empty()).map(|name| {
        state
            .host
            .active()
            .and_then(|a| a.state.instance(&name).map(|i| i.name.clone()))
            .unwrap_or(name)
    });
    let records = state
        .host
        .store()
        .list_drift(&DriftFilter {
            server,
            instance,
            plugin: query.plugin.filter(|p| !p.is_empty()),
            open_only: query.open.unwrap_or(true),
            limit: query.limit,
            // `limit=N` means the newest N.
            newest_first: query.limit.is_some(),
        })
        .await?;
    Ok(Json(DriftList {
        drift: records.into_iter().map(info).collect(),
    }))
}
