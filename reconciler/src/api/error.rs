//! [`ApiError`]: every way a request can fail, and the one place that turns a failure
//! into a status code and a JSON body (`{"error": {"code", "message"}}`).
//!
//! Client mistakes (4xx) say what was wrong. Server failures (5xx) say only "internal
//! error" to the client; the cause is logged here, inside the request's span, so the
//! log line carries the method and path of the request that failed.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use homeamp_schemas::api::{ErrorBody, ErrorDetail};

use crate::host::HostError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, or one the store does not know.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token whose role or server does not allow the request.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// The request is valid but the resource is not in a state that allows it.
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but its content is refused (`code` says why).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The host cannot serve the request yet (no revision, no database).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure of the host itself (a task that panicked, a bug).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The status code and the stable error code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Host(HostError::Store(e)) | ApiError::Store(e) => store_status(e),
            ApiError::Host(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

fn store_status(e: &StoreError) -> (StatusCode, &'static str) {
    match e {
        StoreError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
        StoreError::IllegalTransition { .. }
        | StoreError::EffectInFlight { .. }
        | StoreError::TokenNameTaken(_) => (StatusCode::CONFLICT, "conflict"),
        StoreError::InvalidRevision { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_revision")
        }
        StoreError::BlobMismatch { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "blob_mismatch"),
        StoreError::InvalidToken { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            // Runs inside the request span (the TraceLayer in `api::router`): the log names the request.
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => self.to_string(),
                _ => "internal error".to_string(),
            }
        } else {
            tracing::debug!(error = %self, "request refused");
            self.to_string()
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// Rejections of axum's extractors, as JSON errors like every other error.
fn rejection(status: StatusCode, text: String) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(text),
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable {
            code: "bad_request",
            message: text,
        },
        s if s.is_server_error() => ApiError::Internal(text),
        _ => ApiError::BadRequest(text),
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        rejection(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        rejection(r.status(), r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        rejection(r.status(), r.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        rejection(r.status(), r.body_text())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(format!("a blocking task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refusals_map_to_client_errors() {
        let missing = ApiError::Store(StoreError::NotFound {
            kind: "job",
            name: "x".into(),
        });
        assert_eq!(
            missing.status_and_code(),
            (StatusCode::NOT_FOUND, "not_found")
        );
        let mismatch = ApiError::Host(HostError::Store(StoreError::BlobMismatch {
            expected: "a".into(),
            actual: "b".into(),
        }));
        assert_eq!(
            mismatch.status_and_code(),
            (StatusCode::UNPROCESSABLE_ENTITY, "blob_mismatch")
        );
    }

    #[test]
    fn host_failures_are_internal() {
        let e = ApiError::Host(HostError::Git {
            repo: "/srv/secret/path".into(),
            source: git2::Error::from_str("gone"),
        });
        assert_eq!(
            e.status_and_code(),
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        );
    }
}
