//! Live files: the latest manifest of each instance (`live_files`: path → sha256, size,
//! mtime) and every change between manifests (`live_file_history`), so the host keeps the
//! history of every live config (the contents are in the blobs).
//!
//! [`Store::replace_manifest`] records exactly what it is given. Deciding that an empty or
//! partial report must not count as "everything was deleted" is the reconciler's job.

use std::collections::BTreeMap;

use homeamp_schemas::report::LiveFile;
use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::{
    millis, opt_timestamp, placeholders, size_from_db, size_to_db, text_enum, timestamp,
};
use crate::store::instances::TOUCH_INSTANCE;
use crate::store::{Store, StoreError};

/// Rows per multi-row `INSERT` (well under both backends' placeholder limits).
const BATCH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileChangeKind {
    Added,
    Changed,
    Removed,
}

text_enum!(FileChangeKind, "live_file_history.change_kind", {
    Added => "added",
    Changed => "changed",
    Removed => "removed",
});

/// One difference between an instance's previous manifest and the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub kind: FileChangeKind,
    /// The sha256 before (`None` when added).
    pub old_sha256: Option<String>,
    /// The sha256 after (`None` when removed).
    pub sha256: Option<String>,
}

/// A row of an instance's file history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHistoryEntry {
    pub path: String,
    pub kind: FileChangeKind,
    pub old_sha256: Option<String>,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub mtime: Option<Timestamp>,
    pub reported_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct LiveFileRow {
    path: String,
    sha256: String,
    size: i64,
    mtime: i64,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    path: String,
    change_kind: String,
    old_sha256: Option<String>,
    sha256: Option<String>,
    size: Option<i64>,
    mtime: Option<i64>,
    reported_at: i64,
}

impl TryFrom<LiveFileRow> for LiveFile {
    type Error = StoreError;
    fn try_from(row: LiveFileRow) -> Result<Self, StoreError> {
        Ok(LiveFile {
            size: size_from_db("live_files.size", row.size)?,
            mtime: timestamp("live_files.mtime", row.mtime)?,
            path: row.path,
            sha256: row.sha256,
        })
    }
}

impl TryFrom<HistoryRow> for FileHistoryEntry {
    type Error = StoreError;
    fn try_from(row: HistoryRow) -> Result<Self, StoreError> {
        Ok(FileHistoryEntry {
            kind: FileChangeKind::from_column(&row.change_kind)?,
            size: row
                .size
                .map(|s| size_from_db("live_file_history.size", s))
                .transpose()?,
            mtime: opt_timestamp("live_file_history.mtime", row.mtime)?,
            reported_at: timestamp("live_file_history.reported_at", row.reported_at)?,
            path: row.path,
            old_sha256: row.old_sha256,
            sha256: row.sha256,
        })
    }
}

/// What to write for one manifest: rows to insert, update, delete, and history.
#[derive(Default)]
struct ManifestDiff<'a> {
    insert: Vec<&'a LiveFile>,
    update: Vec<&'a LiveFile>,
    delete: Vec<String>,
    changes: Vec<(FileChange, Option<&'a LiveFile>)>,
}

fn diff<'a>(current: &BTreeMap<String, LiveFileRow>, files: &'a [LiveFile]) -> ManifestDiff<'a> {
    // Last entry wins if a path is listed twice.
    let new: BTreeMap<&str, &LiveFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut out = ManifestDiff::default();
    for (path, file) in &new {
        match current.get(*path) {
            None => {
                out.insert.push(file);
                out.changes.push((
                    FileChange {
                        path: (*path).to_owned(),
                        kind: FileChangeKind::Added,
                        old_sha256: None,
                        sha256: Some(file.sha256.clone()),
                    },
                    Some(file),
                ));
            }
            Some(old) if old.sha256 != file.sha256 => {
                out.update.push(file);
                out.changes.push((
                    FileChange {
                        path: (*path).to_owned(),
                        kind: FileChangeKind::Changed,
                        old_sha256: Some(old.sha256.clone()),
                        sha256: Some(file.sha256.clone()),
                    },
                    Some(file),
                ));
            }
            // Same content, new metadata (a touch): keep the row current, no history.
            Some(old) if old.size != size_to_db(file.size) || old.mtime != millis(file.mtime) => {
                out.update.push(file);
            }
            Some(_) => {}
        }
    }
    for (path, old) in current {
        if !new.contains_key(path.as_str()) {
            out.delete.push(path.clone());
            out.changes.push((
                FileChange {
                    path: path.clone(),
                    kind: FileChangeKind::Removed,
                    old_sha256: Some(old.sha256.clone()),
                    sha256: None,
                },
                None,
            ));
        }
    }
    out
}

/// `INSERT INTO <head> VALUES (?, …), (?, …)` for `rows` rows of `columns` values.
fn multi_insert(head: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", placeholders(columns));
    format!("{head} VALUES {}", vec![row; rows].join(", "))
}

impl Store {
    /// Replaces the manifest of `instance` with `files`, records every difference in the
    /// file history, sets the instance's `last_seen`, and returns the differences
    /// (sorted: added and changed by path, then removed by path).
    pub async fn replace_manifest(
        &self,
        instance: &str,
        files: &[LiveFile],
        at: Timestamp,
    ) -> Result<Vec<FileChange>, StoreError> {
        let reported_at = millis(at);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (instance_id, _) = instance_ids!(&mut *tx, instance)?;
            let rows: Vec<LiveFileRow> = sqlx::query_as(
                "SELECT path, sha256, size, mtime FROM live_files WHERE instance_id = ?",
            )
            .bind(instance_id)
            .fetch_all(&mut *tx)
            .await?;
            let current: BTreeMap<String, LiveFileRow> =
                rows.into_iter().map(|r| (r.path.clone(), r)).collect();
            let diff = diff(&current, files);

            for chunk in diff.delete.chunks(BATCH) {
                let sql = sqlx::AssertSqlSafe(format!(
                    "DELETE FROM live_files WHERE instance_id = ? AND path IN ({})",
                    placeholders(chunk.len())
                ));
                let mut query = sqlx::query(sql).bind(instance_id);
                for path in chunk {
                    query = query.bind(path.as_str());
                }
                query.execute(&mut *tx).await?;
            }
            for file in &diff.update {
                sqlx::query(
                    "UPDATE live_files SET sha256 = ?, size = ?, mtime = ?, reported_at = ? \
                     WHERE instance_id = ? AND path = ?",
                )
                .bind(&file.sha256)
                .bind(size_to_db(file.size))
                .bind(millis(file.mtime))
                .bind(reported_at)
                .bind(instance_id)
                .bind(&file.path)
                .execute(&mut *tx)
                .await?;
            }
            for chunk in diff.insert.chunks(BATCH) {
                let sql = sqlx::AssertSqlSafe(multi_insert(
                    "INSERT INTO live_files (instance_id, path, sha256, size, mtime, reported_at)",
                    6,
                    chunk.len(),
                ));
                let mut query = sqlx::query(sql);
                for file in chunk {
                    query = query
                        .bind(instance_id)
                        .bind(file.path.as_str())
                        .bind(file.sha256.as_str())
                        .bind(size_to_db(file.size))
                        .bind(millis(file.mtime))
                        .bind(reported_at);
                }
                query.execute(&mut *tx).await?;
            }
            for chunk in diff.changes.chunks(BATCH) {
                let sql = sqlx::AssertSqlSafe(multi_insert(
                    "INSERT INTO live_file_history \
                     (instance_id, path, change_kind, old_sha256, sha256, size, mtime, reported_at)",
                    8,
                    chunk.len(),
                ));
                let mut query = sqlx::query(sql);
                for (change, file) in chunk {
                    query = query
                        .bind(instance_id)
                        .bind(change.path.as_str())
                        .bind(change.kind.as_str())
                        .bind(change.old_sha256.as_deref())
                        .bind(change.sha256.as_deref())
                        .bind(file.map(|f| size_to_db(f.size)))
                        .bind(file.map(|f| millis(f.mtime)))
                        .bind(reported_at);
                }
                query.execute(&mut *tx).await?;
            }
            sqlx::query(TOUCH_INSTANCE)
                .bind(reported_at)
                .bind(instance_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(diff.changes.into_iter().map(|(change, _)| change).collect())
        })
    }

    /// The latest manifest of `instance`, sorted by path (empty if it never reported).
    pub async fn latest_manifest(&self, instance: &str) -> Result<Vec<LiveFile>, StoreError> {
        let rows: Vec<LiveFileRow> = with_pool!(self, pool => {
            let (instance_id, _) = instance_ids!(pool, instance)?;
            sqlx::query_as(
                "SELECT path, sha256, size, mtime FROM live_files WHERE instance_id = ? ORDER BY path",
            )
            .bind(instance_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(LiveFile::try_from).collect()
    }

    /// The history of `instance`'s files (or of one `path`), newest first, at most `limit`.
    pub async fn file_history(
        &self,
        instance: &str,
        path: Option<&str>,
        limit: u32,
    ) -> Result<Vec<FileHistoryEntry>, StoreError> {
        let rows: Vec<HistoryRow> = with_pool!(self, pool => {
            let (instance_id, _) = instance_ids!(pool, instance)?;
            sqlx::query_as(
                "SELECT path, change_kind, old_sha256, sha256, size, mtime, reported_at \
                 FROM live_file_history WHERE instance_id = ? AND (? IS NULL OR path = ?) \
                 ORDER BY id DESC LIMIT ?",
            )
            .bind(instance_id)
            .bind(path)
            .bind(path)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(FileHistoryEntry::try_from).collect()
    }
}
