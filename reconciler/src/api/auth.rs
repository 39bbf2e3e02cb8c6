//! Who may call what: bearer tokens checked against the store, and the role extractors
//! handlers take as arguments ([`Reader`], [`Operator`], [`AgentCaller`]).
//!
//! Roles rank viewer < operator < admin; the `agent` role is outside that ladder and
//! opens only the agent endpoints, for the one server its token names. No token, or
//! one the store does not know (or revoked), is 401; a known token without the role
//! is 403. Tokens are never logged: the store sees only their hash, and the request
//! span records the method and path alone.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};

use super::reconcile::WebhookSecret;
use super::{ApiError, AppState};
use crate::store::{Role, Token};

/// How the API authenticates. Build it with [`Auth::closed`] or [`Auth::open_reads`],
/// then [`Auth::with_webhook_secret`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth {
    /// When true, `GET` requests need no token (`homeamp up` on loopback). A token that is
    /// sent is still checked.
    pub open_reads: bool,
    /// The secret git forges sign `POST /api/hooks/git` with; without one, the hook takes
    /// bearer tokens only.
    webhook_secret: Option<WebhookSecret>,
}

impl Auth {
    /// Every request needs a token.
    pub fn closed() -> Self {
        Self::default()
    }

    /// Reads are open; changes need a token.
    pub fn open_reads() -> Self {
        Self {
            open_reads: true,
            ..Self::default()
        }
    }

    /// `POST /api/hooks/git` also takes a webhook signed with `secret` (GitHub, Gitea,
    /// Forgejo) or carrying it (GitLab); see `api/reconcile/webhook_signature.rs`. An empty
    /// secret configures nothing (a signature with an empty key proves nothing).
    pub fn with_webhook_secret(self, secret: impl AsRef<[u8]>) -> Self {
        let webhook_secret = WebhookSecret::new(secret.as_ref());
        if webhook_secret.is_none() {
            tracing::warn!("the webhook secret is empty: the git hook takes bearer tokens only");
        }
        Self {
            webhook_secret,
            ..self
        }
    }

    /// The webhook secret, when one is configured.
    pub(crate) fn webhook_secret(&self) -> Option<&WebhookSecret> {
        self.webhook_secret.as_ref()
    }
}

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No token, on an open read.
    Anonymous,
    Token(Token),
}

impl Caller {
    /// The name recorded for approvals and in logs.
    pub fn name(&self) -> &str {
        match self {
            Caller::Anonymous => "anonymous",
            Caller::Token(t) => &t.name,
        }
    }
}

fn rank(role: Role) -> Option<u8> {
    match role {
        Role::Viewer => Some(1),
        Role::Operator => Some(2),
        Role::Admin => Some(3),
        Role::Agent => None,
    }
}

/// The token of the request: `Authorization: Bearer <token>`, or for webhooks from git
/// forges that cannot set that header, `X-Gitlab-Token: <token>`.
fn presented(parts: &Parts) -> Result<Option<&str>, ApiError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| ApiError::Unauthorized("the Authorization header is not text".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthorized("use `Authorization: Bearer <token>`".into()))?;
        return Ok(Some(token));
    }
    if let Some(value) = parts.headers.get("x-gitlab-token") {
        return value
            .to_str()
            .map(|t| Some(t.trim()))
            .map_err(|_| ApiError::Unauthorized("the X-Gitlab-Token header is not text".into()));
    }
    Ok(None)
}

/// The caller's token, checked against the store; `None` when none was sent.
async fn token(parts: &Parts, state: &AppState) -> Result<Option<Token>, ApiError> {
    let Some(secret) = presented(parts)? else {
        return Ok(None);
    };
    match state.host.store().verify_token(secret).await? {
        Some(token) => {
            tracing::Span::current().record("caller", token.name.as_str());
            Ok(Some(token))
        }
        None => Err(ApiError::Unauthorized(
            "the token is unknown or revoked".into(),
        )),
    }
}

fn missing() -> ApiError {
    ApiError::Unauthorized("this endpoint needs `Authorization: Bearer <token>`".into())
}

fn require(token: Token, at_least: Role) -> Result<Token, ApiError> {
    let needed = rank(at_least).unwrap_or(u8::MAX);
    match rank(token.role) {
        Some(have) if have >= needed => Ok(token),
        _ => Err(ApiError::Forbidden(format!(
            "token `{}` has role {}; this needs {} or above",
            token.name,
            token.role.as_str(),
            at_least.as_str()
        ))),
    }
}

/// Anyone who may read: a viewer token or above, or nobody on an open read.
#[derive(Debug, Clone)]
pub struct Reader(pub Caller);

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match token(parts, state).await? {
            Some(token) => Ok(Reader(Caller::Token(require(token, Role::Viewer)?))),
            None if state.auth.open_reads
                && (parts.method == Method::GET || parts.method == Method::HEAD) =>
            {
                Ok(Reader(Caller::Anonymous))
            }
            None => Err(missing()),
        }
    }
}

/// An operator or admin: approves jobs, triggers reconciles and refreshes.
#[derive(Debug, Clone)]
pub struct Operator(pub Token);

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token(parts, state).await?.ok_or_else(missing)?;
        Ok(Operator(require(token, Role::Operator)?))
    }
}

/// An agent (or an admin) on the agent endpoints.
#[derive(Debug, Clone)]
pub struct AgentCaller(pub Token);

impl AgentCaller {
    /// Refuses a request about `server` unless this caller speaks for it.
    pub fn may_speak_for(&self, server: &str) -> Result<(), ApiError> {
        match (self.0.role, &self.0.server) {
            (Role::Admin, _) => Ok(()),
            (Role::Agent, Some(own)) if own == server => Ok(()),
            _ => Err(ApiError::Forbidden(format!(
                "token `{}` speaks for server {}, not {server}",
                self.0.name,
                self.0.server.as_deref().unwrap_or("(none)")
            ))),
        }
    }
}

impl FromRequestParts<AppState> for AgentCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token(parts, state).await?.ok_or_else(missing)?;
        match token.role {
            Role::Agent | Role::Admin => Ok(AgentCaller(token)),
            role => Err(ApiError::Forbidden(format!(
                "token `{}` has role {}; agent endpoints need an agent token",
                token.name,
                role.as_str()
            ))),
        }
    }
}
