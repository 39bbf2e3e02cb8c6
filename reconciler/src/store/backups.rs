//! Network backup sessions (docs/design.md §9) and their items, one per instance: what ran, in
//! which order, how it ended, and where the archive is (size, sha256, path).

use homeamp_schemas::job::BackupMode;
use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::{
    from_wire_name, millis, opt_timestamp, size_from_db, size_to_db, text_enum, timestamp,
    wire_name,
};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackupSessionStatus {
    Running,
    Succeeded,
    Failed,
    /// Some items succeeded, some did not.
    Partial,
}

text_enum!(BackupSessionStatus, "backup_sessions.status", {
    Running => "running",
    Succeeded => "succeeded",
    Failed => "failed",
    Partial => "partial",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackupItemStatus {
    Pending,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Skipped,
}

text_enum!(BackupItemStatus, "backup_items.status", {
    Pending => "pending",
    Running => "running",
    Succeeded => "succeeded",
    Failed => "failed",
    TimedOut => "timed_out",
    Skipped => "skipped",
});

impl BackupItemStatus {
    pub fn is_finished(self) -> bool {
        !matches!(self, BackupItemStatus::Pending | BackupItemStatus::Running)
    }
}

/// A backup to start: its instances in the order they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBackupSession {
    pub mode: BackupMode,
    pub parallel: bool,
    pub instances: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSession {
    pub uuid: String,
    pub mode: BackupMode,
    pub parallel: bool,
    pub status: BackupSessionStatus,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub message: Option<String>,
    /// In run order.
    pub items: Vec<BackupItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupItem {
    pub instance: String,
    pub position: u32,
    pub status: BackupItemStatus,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub size_bytes: Option<u64>,
    pub sha256: Option<String>,
    pub path: Option<String>,
    pub message: Option<String>,
}

/// A new state of one item. `started_at` is set when it becomes `running`, `finished_at`
/// when it becomes finished; the other fields replace the stored ones when `Some`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupItemUpdate {
    pub status: BackupItemStatus,
    pub size_bytes: Option<u64>,
    pub sha256: Option<String>,
    pub path: Option<String>,
    pub message: Option<String>,
}

impl BackupItemUpdate {
    pub fn status(status: BackupItemStatus) -> Self {
        BackupItemUpdate {
            status,
            size_bytes: None,
            sha256: None,
            path: None,
            message: None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_uuid: String,
    mode: String,
    parallel: bool,
    status: String,
    started_at: i64,
    finished_at: Option<i64>,
    message: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    instance: String,
    position: i64,
    status: String,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    size_bytes: Option<i64>,
    sha256: Option<String>,
    path: Option<String>,
    message: Option<String>,
}

impl TryFrom<ItemRow> for BackupItem {
    type Error = StoreError;
    fn try_from(row: ItemRow) -> Result<Self, StoreError> {
        Ok(BackupItem {
            position: u32::try_from(row.position).map_err(|_| StoreError::Corrupt {
                column: "backup_items.position",
                value: row.position.to_string(),
            })?,
            status: BackupItemStatus::from_column(&row.status)?,
            started_at: opt_timestamp("backup_items.started_at", row.started_at)?,
            finished_at: opt_timestamp("backup_items.finished_at", row.finished_at)?,
            size_bytes: row
                .size_bytes
                .map(|s| size_from_db("backup_items.size_bytes", s))
                .transpose()?,
            instance: row.instance,
            sha256: row.sha256,
            path: row.path,
            message: row.message,
        })
    }
}

fn session(row: SessionRow, items: Vec<BackupItem>) -> Result<BackupSession, StoreError> {
    Ok(BackupSession {
        mode: from_wire_name("backup_sessions.mode", &row.mode)?,
        status: BackupSessionStatus::from_column(&row.status)?,
        started_at: timestamp("backup_sessions.started_at", row.started_at)?,
        finished_at: opt_timestamp("backup_sessions.finished_at", row.finished_at)?,
        uuid: row.session_uuid,
        parallel: row.parallel,
        message: row.message,
        items,
    })
}

impl Store {
    /// Starts a session (status `running`) with one `pending` item per instance.
    pub async fn create_backup_session(
        &self,
        new: &NewBackupSession,
        at: Timestamp,
    ) -> Result<BackupSession, StoreError> {
        let uuid = uuid::Uuid::now_v7().to_string();
        let at_ms = millis(at);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO backup_sessions (session_uuid, mode, parallel, status, started_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&uuid)
            .bind(wire_name(&new.mode))
            .bind(new.parallel)
            .bind(BackupSessionStatus::Running.as_str())
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
            for (position, instance) in new.instances.iter().enumerate() {
                let (instance_id, _) = instance_ids!(&mut *tx, instance)?;
                sqlx::query(
                    "INSERT INTO backup_items (session_uuid, instance_id, position, status) \
                     VALUES (?, ?, ?, ?)",
                )
                .bind(&uuid)
                .bind(instance_id)
                .bind(position as i64)
                .bind(BackupItemStatus::Pending.as_str())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        self.backup_session(&uuid)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "backup session",
                name: uuid,
            })
    }

    /// Records the new state of one instance's item in a session.
    pub async fn update_backup_item(
        &self,
        session: &str,
        instance: &str,
        update: &BackupItemUpdate,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let at = millis(at);
        let started = (update.status == BackupItemStatus::Running).then_some(at);
        let finished = update.status.is_finished().then_some(at);
        let changed = with_pool!(self, pool => {
            let (instance_id, _) = instance_ids!(pool, instance)?;
            sqlx::query(
                "UPDATE backup_items SET status = ?, \
                 started_at = COALESCE(started_at, ?), finished_at = COALESCE(?, finished_at), \
                 size_bytes = COALESCE(?, size_bytes), sha256 = COALESCE(?, sha256), \
                 path = COALESCE(?, path), message = COALESCE(?, message) \
                 WHERE session_uuid = ? AND instance_id = ?",
            )
            .bind(update.status.as_str())
            .bind(started)
            .bind(finished)
            .bind(update.size_bytes.map(size_to_db))
            .bind(&update.sha256)
            .bind(&update.path)
            .bind(&update.message)
            .bind(session)
            .bind(instance_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound {
                kind: "backup item",
                name: format!("{session}/{instance}"),
            });
        }
        Ok(())
    }

    /// Ends a session with its overall status and a summary message.
    pub async fn finish_backup_session(
        &self,
        session: &str,
        status: BackupSessionStatus,
        message: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let changed = with_pool!(self, pool => {
            sqlx::query(
                "UPDATE backup_sessions SET status = ?, finished_at = ?, message = ? \
                 WHERE session_uuid = ?",
            )
            .bind(status.as_str())
            .bind(millis(at))
            .bind(message)
            .bind(session)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound {
                kind: "backup session",
                name: session.to_owned(),
            });
        }
        Ok(())
    }

    /// A session with its items.
    pub async fn backup_session(&self, uuid: &str) -> Result<Option<BackupSession>, StoreError> {
        let (row, items): (Option<SessionRow>, Vec<ItemRow>) = with_pool!(self, pool => {
            let row = sqlx::query_as(
                "SELECT session_uuid, mode, parallel, status, started_at, finished_at, message \
                 FROM backup_sessions WHERE session_uuid = ?",
            )
            .bind(uuid)
            .fetch_optional(pool)
            .await?;
            let items = sqlx::query_as(
                "SELECT i.instance_name AS instance, b.position, b.status, b.started_at, \
                 b.finished_at, b.size_bytes, b.sha256, b.path, b.message \
                 FROM backup_items b JOIN instances i ON i.id = b.instance_id \
                 WHERE b.session_uuid = ? ORDER BY b.position",
            )
            .bind(uuid)
            .fetch_all(pool)
            .await?;
            (row, items)
        });
        let Some(row) = row else { return Ok(None) };
        let items = items
            .into_iter()
            .map(BackupItem::try_from)
            .collect::<Result<_, _>>()?;
        session(row, items).map(Some)
    }

    /// The `limit` most recent sessions, newest first, with their items.
    pub async fn list_backup_sessions(&self, limit: u32) -> Result<Vec<BackupSession>, StoreError> {
        let uuids: Vec<String> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT session_uuid FROM backup_sessions ORDER BY id DESC LIMIT ?")
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        let mut sessions = Vec::with_capacity(uuids.len());
        for uuid in uuids {
            if let Some(session) = self.backup_session(&uuid).await? {
                sessions.push(session);
            }
        }
        Ok(sessions)
    }
}
