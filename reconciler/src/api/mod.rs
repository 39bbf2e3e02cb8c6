//! The host's HTTP API (docs/design.md §8): a thin layer over [`Host`] and its store.
//!
//! [`router`] merges one `router()` per resource module over one [`AppState`]:
//! - [`status`]: `GET /api/status`, `GET /api/instances`.
//! - [`drift`]: `GET /api/drift`.
//! - [`jobs`]: `GET /api/jobs`, `GET /api/jobs/{id}`, `POST /api/jobs/{id}/approve`,
//!   `POST /api/approve?revision=`.
//! - [`reconcile`]: `POST /api/reconcile`, `POST /api/hooks/git`.
//! - [`plan`]: `GET /api/plan?base=&head=`.
//! - [`agent`]: the agents' endpoints under `/api/agent/v1/`.
//! - [`artifacts`]: `GET /api/agent/v1/artifacts/{sha256}` (a plugin JAR),
//!   `GET /api/artifacts`, `PUT /api/artifacts`.
//! - [`health`]: `GET /healthz`, `GET /readyz`, `GET /metrics`.
//! - [`dashboard`]: `GET /`, the fleet table as plain HTML.
//!
//! [`auth`] holds the token checks, [`error`] the one error type every handler returns.
//! Answers are the wire types of `homeamp_schemas` (`status`, `plan`, `api`).

mod agent;
mod artifacts;
mod auth;
mod dashboard;
mod drift;
mod error;
mod health;
mod jobs;
mod plan;
mod reconcile;
mod status;
pub mod tls;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use tower_http::trace::TraceLayer;

use crate::host::Host;

pub use agent::AGENT_BODY_LIMIT;
pub use auth::{AgentCaller, Auth, Caller, Operator, Reader};
pub use error::ApiError;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub host: Arc<Host>,
    pub auth: Auth,
    /// Webhook deliveries seen lately (replays are refused).
    pub deliveries: Arc<reconcile::replay::Deliveries>,
}

/// The whole API; [`crate::service::HostService`] serves it with `axum::serve`.
pub fn router(host: Arc<Host>, auth: Auth) -> Router {
    Router::new()
        .merge(status::router())
        .merge(drift::router())
        .merge(jobs::router())
        .merge(reconcile::router())
        .merge(plan::router())
        .merge(agent::router())
        .merge(artifacts::router())
        .merge(health::router())
        .merge(dashboard::router())
        .fallback(not_found)
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .with_state(AppState {
            host,
            auth,
            deliveries: Arc::default(),
        })
}

/// The request span: method and path only (never the query or headers, where a
/// careless client might put a token); `caller` is filled in once a token is checked.
fn span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "http",
        method = %request.method(),
        path = %request.uri().path(),
        caller = tracing::field::Empty,
    )
}

async fn not_found(request: Request) -> ApiError {
    ApiError::NotFound(format!("no endpoint at {}", request.uri().path()))
}

/// A `?server=` filter: absent or `all` means every server.
fn server_filter(server: Option<String>) -> Option<String> {
    server.filter(|s| !s.is_empty() && s != "all")
}

/// Refuses a filter naming a server the host does not know (a typo would otherwise
/// look like an empty fleet).
async fn known_server(state: &AppState, server: Option<&str>) -> Result<(), ApiError> {
    let Some(server) = server else {
        return Ok(());
    };
    if state.host.store().server(server).await?.is_some() {
        return Ok(());
    }
    let known: Vec<String> = state
        .host
        .store()
        .list_servers()
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    Err(ApiError::NotFound(format!(
        "no server named `{server}`; known servers: {}",
        if known.is_empty() {
            "(none yet)".to_string()
        } else {
            known.join(", ")
        }
    )))
}
