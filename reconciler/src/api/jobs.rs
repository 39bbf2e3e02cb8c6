//! The job queue: `GET /api/jobs?status=&server=&instance=`, `GET /api/jobs/{id}` with its
//! events, and approvals (`POST /api/jobs/{id}/approve`, `POST /api/approve?revision=`).
//!
//! A job is shown without its payload: `targets` names what it touches (files, key
//! paths, actions) so an operator can judge it, while values, which may hold resolved
//! secrets, stay in the store.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use homeamp_schemas::api::{ApprovedJobs, JobDetail, JobEventInfo, JobInfo, JobList};
use homeamp_schemas::job::JobSpec;
use serde::Deserialize;

use super::{ApiError, AppState, Operator, Reader, known_server, server_filter};
use crate::store::{Job, JobFilter, JobStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/jobs", get(list))
        .route("/api/jobs/{id}", get(detail))
        .route("/api/jobs/{id}/approve", post(approve))
        .route("/api/approve", post(approve_revision))
}

/// What a job touches, without values.
fn targets(job: &Job) -> Vec<String> {
    match &job.spec {
        JobSpec::ConfigPatch(patch) => {
            if patch.ops.is_empty() {
                vec![patch.file.clone()]
            } else {
                patch
                    .ops
                    .iter()
                    .map(|op| format!("{}: {}", patch.file, op.path()))
                    .collect()
            }
        }
        JobSpec::FileWrite(write) => vec![write.file.clone()],
        JobSpec::PluginInstall(install) => vec![install.target_file()],
        JobSpec::PluginRemove(remove) => vec![remove.file.clone()],
        JobSpec::Lifecycle(action) => vec![action.as_str().to_string()],
        JobSpec::Backup(_) => vec!["backup".into()],
        JobSpec::Rescan => vec!["rescan".into()],
    }
}

pub(super) fn info(job: Job) -> JobInfo {
    JobInfo {
        targets: targets(&job),
        id: job.uuid,
        server: job.server,
        instance: job.instance,
        kind: job.kind,
        status: job.status.as_str().to_string(),
        plugin: job.plugin_name,
        plugin_version: job.plugin_version,
        revision: job.revision,
        cause: job.cause,
        intent: job.intent,
        attempt: job.attempt,
        created_at: job.created_at,
        updated_at: job.updated_at,
        expires_at: job.expires_at,
        completed_at: job.completed_at,
        message: job.result_message,
        approved_by: job.approved_by,
    }
}

#[derive(Debug, Deserialize)]
struct JobQuery {
    /// A job status, or `in_flight` for every status still pending.
    status: Option<String>,
    server: Option<String>,
    instance: Option<String>,
    limit: Option<u32>,
}

async fn list(
    _: Reader,
    State(state): State<AppState>,
    query: Result<Query<JobQuery>, QueryRejection>,
) -> Result<Json<JobList>, ApiError> {
    let Query(query) = query?;
    let mut filter = JobFilter {
        server: server_filter(query.server),
        instance: query.instance.filter(|i| !i.is_empty()),
        limit: query.limit,
        // `limit=N` means the newest N.
        newest_first: query.limit.is_some(),
        ..Default::default()
    };
    match query.status.as_deref() {
        None | Some("") | Some("all") => {}
        Some("in_flight") => filter.in_flight_only = true,
        Some(word) => {
            filter.status = Some(JobStatus::parse(word).ok_or_else(|| {
                let known: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::BadRequest(format!(
                    "unknown job status `{word}`; use one of {}, in_flight or all",
                    known.join(", ")
                ))
            })?)
        }
    }
    known_server(&state, filter.server.as_deref()).await?;
    let jobs = state.host.store().list_jobs(&filter).await?;
    Ok(Json(JobList {
        jobs: jobs.into_iter().map(info).collect(),
    }))
}

async fn job_or_404(state: &AppState, id: &str) -> Result<Job, ApiError> {
    state
        .host
        .store()
        .job(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no job with id {id}")))
}

async fn detail(
    _: Reader,
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<JobDetail>, ApiError> {
    let Path(id) = id?;
    let job = job_or_404(&state, &id).await?;
    let events = state.host.store().job_events(&id).await?;
    Ok(Json(JobDetail {
        job: info(job),
        events: events
            .into_iter()
            .map(|e| JobEventInfo {
                at: e.at,
                status: e.status.as_str().to_string(),
                message: e.message,
            })
            .collect(),
    }))
}

async fn approve(
    Operator(token): Operator,
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<JobInfo>, ApiError> {
    let Path(id) = id?;
    let job = job_or_404(&state, &id).await?;
    if job.status != JobStatus::AwaitingApproval {
        return Err(ApiError::Conflict(format!(
            "job {id} is {}, not awaiting approval",
            job.status.as_str()
        )));
    }
    let job = state.host.approve(&id, &token.name).await?;
    tracing::info!(job = %id, by = %token.name, "job approved");
    Ok(Json(info(job)))
}

#[derive(Debug, Deserialize)]
struct RevisionQuery {
    revision: String,
}

async fn approve_revision(
    Operator(token): Operator,
    State(state): State<AppState>,
    query: Result<Query<RevisionQuery>, QueryRejection>,
) -> Result<Json<ApprovedJobs>, ApiError> {
    let Query(RevisionQuery { revision }) = query?;
    if revision.is_empty() {
        return Err(ApiError::BadRequest(
            "give the revision whose held jobs to approve: ?revision=SHA".into(),
        ));
    }
    // A short sha of the active revision stands for it (as `git` would accept it).
    let revision = match state.host.active() {
        Some(active) if revision.len() >= 7 && active.sha.starts_with(&revision) => {
            active.sha.clone()
        }
        _ => revision,
    };
    let approved = state.host.approve_revision(&revision, &token.name).await?;
    tracing::info!(%revision, approved, by = %token.name, "revision approved");
    Ok(Json(ApprovedJobs { revision, approved }))
}
