//! `GET /api/status` (the fleet's sync states, counted) and `GET /api/instances` (the
//! instances with their desired attributes), both filtered by `?server=`.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use homeamp_schemas::api::{InstanceInfo, InstanceList};
use homeamp_schemas::status::{FleetStatus, SyncState};
use serde::Deserialize;

use super::{ApiError, AppState, Reader, known_server, server_filter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/status", get(status))
        .route("/api/instances", get(instances))
}

#[derive(Debug, Deserialize)]
pub struct ServerQuery {
    pub server: Option<String>,
}

async fn status(
    _: Reader,
    State(state): State<AppState>,
    query: Result<Query<ServerQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<FleetStatus>, ApiError> {
    let Query(query) = query?;
    let server = server_filter(query.server);
    known_server(&state, server.as_deref()).await?;
    Ok(Json(state.host.fleet_status(server.as_deref()).await?))
}

async fn instances(
    _: Reader,
    State(state): State<AppState>,
    query: Result<Query<ServerQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<InstanceList>, ApiError> {
    let Query(query) = query?;
    let server = server_filter(query.server);
    known_server(&state, server.as_deref()).await?;
    let active = state.host.active();
    let records = state.host.store().list_instances(server.as_deref()).await?;
    let instances = records
        .into_iter()
        .map(|record| {
            let desired = active.as_ref().and_then(|a| a.state.instance(&record.name));
            InstanceInfo {
                managed: desired.is_some(),
                tags: desired.map(|d| d.tags.clone()).unwrap_or_default(),
                aliases: desired.map(|d| d.aliases.clone()).unwrap_or_default(),
                sync_policy: desired.map(|d| d.policy.sync),
                amp_instance: desired
                    .map(|d| d.amp_instance.clone())
                    .or(record.amp_instance_id),
                sync: record.status.unwrap_or(SyncState::Unknown),
                message: record.status_message,
                revision: record.synced_revision,
                last_report: record.last_seen,
                name: record.name,
                server: record.server,
                platform: record.platform,
            }
        })
        .collect();
    Ok(Json(InstanceList {
        revision: active.map(|a| a.sha.clone()),
        instances,
    }))
}
