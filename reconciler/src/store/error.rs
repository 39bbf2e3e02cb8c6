//! What can go wrong in the store. Database errors keep their sqlx source; refusals that
//! follow from the store's rules (an illegal job transition, an invalid revision) have
//! their own variants so callers can answer them precisely.

use crate::store::JobStatus;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL `{0}`: use mysql://USER@HOST:PORT/DB, mariadb://…, \
         sqlite:PATH or sqlite::memory:"
    )]
    UnsupportedUrl(String),

    #[error("cannot open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("database migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("{kind} `{name}` does not exist")]
    NotFound { kind: &'static str, name: String },

    #[error("job {job} cannot go from {from} to {to}")]
    IllegalTransition {
        job: String,
        from: JobStatus,
        to: JobStatus,
    },

    #[error(
        "job {job} cannot be queued again: job {holder} is in flight for the same effect `{effect_key}`"
    )]
    EffectInFlight {
        job: String,
        holder: String,
        effect_key: String,
    },

    #[error("revision {sha} was refused and cannot become active: {diagnostics}")]
    InvalidRevision { sha: String, diagnostics: String },

    #[error("blob content has sha256 {actual}, not the announced {expected}")]
    BlobMismatch { expected: String, actual: String },

    #[error("an active token named `{0}` exists; revoke it first")]
    TokenNameTaken(String),

    #[error("token `{name}`: {problem}")]
    InvalidToken { name: String, problem: &'static str },

    #[error("the system's random generator failed: {0}")]
    Random(String),

    #[error("job payload is not serializable JSON: {0}")]
    Payload(#[source] serde_json::Error),

    /// A column holds a value this version does not understand (a newer schema, or a hand edit).
    #[error("column {column} holds `{value}`, which this version of homeamp does not know")]
    Corrupt { column: &'static str, value: String },
}

impl StoreError {
    /// True when the error is a UNIQUE constraint violation (the same on both backends).
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
