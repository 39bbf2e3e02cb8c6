//! Desired-state revisions (commits) the host has loaded: valid ones, refused ones with
//! their diagnostics, and the one active revision the fleet is reconciled to.
//!
//! "Exactly one active" is held by the schema: `active_key` is 1 on the active row and
//! NULL elsewhere, under a UNIQUE index; [`Store::activate_revision`] moves it in one
//! transaction and refuses an invalid revision.

use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::{millis, opt_timestamp, timestamp};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: i64,
    pub sha: String,
    pub loaded_at: Timestamp,
    pub valid: bool,
    /// Why it was refused (`file:line:col: message` lines); empty when valid.
    pub diagnostics: String,
    pub active: bool,
    pub activated_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: i64,
    sha: String,
    loaded_at: i64,
    valid: bool,
    diagnostics: String,
    active: bool,
    activated_at: Option<i64>,
}

const SELECT: &str =
    "SELECT id, sha, loaded_at, valid, diagnostics, active, activated_at FROM revisions";

impl TryFrom<RevisionRow> for Revision {
    type Error = StoreError;
    fn try_from(row: RevisionRow) -> Result<Self, StoreError> {
        Ok(Revision {
            id: row.id,
            loaded_at: timestamp("revisions.loaded_at", row.loaded_at)?,
            activated_at: opt_timestamp("revisions.activated_at", row.activated_at)?,
            sha: row.sha,
            valid: row.valid,
            diagnostics: row.diagnostics,
            active: row.active,
        })
    }
}

impl Store {
    /// Records the validation outcome of a revision. Recording the same sha again updates
    /// its validity and diagnostics (a secret may have appeared) but never its active flag.
    pub async fn record_revision(
        &self,
        sha: &str,
        valid: bool,
        diagnostics: &str,
        at: Timestamp,
    ) -> Result<Revision, StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query("UPDATE revisions SET valid = ?, diagnostics = ? WHERE sha = ?")
                .bind(valid)
                .bind(diagnostics)
                .bind(sha)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO revisions (sha, loaded_at, valid, diagnostics, active) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(sha)
                .bind(millis(at))
                .bind(valid)
                .bind(diagnostics)
                .bind(false)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        self.revision(sha)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "revision",
                name: sha.to_owned(),
            })
    }

    /// Makes `sha` the active revision (and no other). Refuses a revision recorded as
    /// invalid; activating the active revision changes nothing.
    pub async fn activate_revision(
        &self,
        sha: &str,
        at: Timestamp,
    ) -> Result<Revision, StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let found: Option<(bool, bool, String)> =
                sqlx::query_as("SELECT valid, active, diagnostics FROM revisions WHERE sha = ?")
                    .bind(sha)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (valid, active, diagnostics) = found.ok_or_else(|| StoreError::NotFound {
                kind: "revision",
                name: sha.to_owned(),
            })?;
            if !valid {
                return Err(StoreError::InvalidRevision {
                    sha: sha.to_owned(),
                    diagnostics,
                });
            }
            if !active {
                sqlx::query("UPDATE revisions SET active = ?, active_key = NULL WHERE active_key = 1")
                    .bind(false)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE revisions SET active = ?, active_key = 1, activated_at = ? WHERE sha = ?",
                )
                .bind(true)
                .bind(millis(at))
                .bind(sha)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        self.revision(sha)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "revision",
                name: sha.to_owned(),
            })
    }

    /// The revision the fleet is reconciled to, if one was ever activated.
    pub async fn active_revision(&self) -> Result<Option<Revision>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE active_key = 1"));
        let row: Option<RevisionRow> =
            with_pool!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await?);
        row.map(Revision::try_from).transpose()
    }

    pub async fn revision(&self, sha: &str) -> Result<Option<Revision>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE sha = ?"));
        let row: Option<RevisionRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(sha).fetch_optional(pool).await?);
        row.map(Revision::try_from).transpose()
    }

    /// The `limit` most recently recorded revisions, newest first.
    pub async fn list_revisions(&self, limit: u32) -> Result<Vec<Revision>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id DESC LIMIT ?"));
        let rows: Vec<RevisionRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(i64::from(limit)).fetch_all(pool).await?
        });
        rows.into_iter().map(Revision::try_from).collect()
    }
}
