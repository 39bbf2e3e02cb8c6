//! Drift records (the seed's `drift_reports`): one per difference between desired and
//! live for one setting, plugin or file of one instance.
//!
//! A record is *opened* when a difference first appears, *updated* when its values,
//! severity or cause change, and *resolved* when it is gone. While open it is identified by
//! its fingerprint (plugin, file, key path, type): the schema allows one open record per
//! fingerprint and instance. Values are stored as given: the caller passes display forms
//! with secrets redacted or digested, never secrets.

use std::collections::{HashMap, HashSet};

use homeamp_schemas::job::JobIntent;
use jiff::Timestamp;

use crate::store::backend::{BeginWrite, InsertedId};
use crate::store::codec::{
    from_wire_name, millis, opt_timestamp, sha256_hex, text_enum, timestamp, wire_name,
};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriftType {
    /// One setting (key path) of one config file.
    Setting,
    /// A plugin missing, extra, or at another version.
    Plugin,
    /// A whole file (missing, extra, or owned entirely by the desired state).
    File,
}

text_enum!(DriftType, "drift_reports.drift_type", {
    Setting => "setting",
    Plugin => "plugin",
    File => "file",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

text_enum!(Severity, "drift_reports.severity", {
    Info => "info",
    Warning => "warning",
    Critical => "critical",
});

/// A difference the reconciler sees now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftObservation {
    pub plugin: Option<String>,
    pub config_file: Option<String>,
    /// The key path in its canonical form (`groups."essentials.home"`).
    pub key_path: Option<String>,
    pub drift_type: DriftType,
    pub severity: Severity,
    /// Intentional: a commit changed the desired state. Corrective: the live file changed.
    pub cause: JobIntent,
    /// Display forms (redacted or digests for secrets).
    pub desired_value: Option<String>,
    pub live_value: Option<String>,
}

impl DriftObservation {
    /// What identifies the record while it is open.
    fn fingerprint(&self) -> String {
        let parts = [
            self.plugin.as_deref().unwrap_or(""),
            self.config_file.as_deref().unwrap_or(""),
            self.key_path.as_deref().unwrap_or(""),
            self.drift_type.as_str(),
        ];
        sha256_hex(parts.join("\u{0}").as_bytes())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftRecord {
    pub id: i64,
    pub server: String,
    pub instance: String,
    pub plugin: Option<String>,
    pub config_file: Option<String>,
    pub key_path: Option<String>,
    pub drift_type: DriftType,
    pub severity: Severity,
    pub cause: JobIntent,
    pub desired_value: Option<String>,
    pub live_value: Option<String>,
    pub detected_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved: bool,
    pub resolved_at: Option<Timestamp>,
}

/// What [`Store::observe_drift`] did, with the record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftOutcome {
    Opened(i64),
    Updated(i64),
    Unchanged(i64),
}

/// What [`Store::sync_drift`] did: record ids by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftSync {
    pub opened: Vec<i64>,
    pub updated: Vec<i64>,
    pub unchanged: Vec<i64>,
    pub resolved: Vec<i64>,
}

/// Which records [`Store::list_drift`] returns. The default: every record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftFilter {
    pub server: Option<String>,
    pub instance: Option<String>,
    pub plugin: Option<String>,
    pub open_only: bool,
    pub limit: Option<u32>,
    /// Newest first (for "the last N records"); oldest first otherwise.
    pub newest_first: bool,
}

#[derive(sqlx::FromRow)]
struct DriftRow {
    id: i64,
    server: String,
    instance: String,
    plugin_name: Option<String>,
    config_file: Option<String>,
    key_path: Option<String>,
    drift_type: String,
    severity: String,
    cause: String,
    desired_value: Option<String>,
    live_value: Option<String>,
    detected_at: i64,
    updated_at: i64,
    resolved: bool,
    resolved_at: Option<i64>,
}

impl TryFrom<DriftRow> for DriftRecord {
    type Error = StoreError;
    fn try_from(row: DriftRow) -> Result<Self, StoreError> {
        Ok(DriftRecord {
            id: row.id,
            drift_type: DriftType::from_column(&row.drift_type)?,
            severity: Severity::from_column(&row.severity)?,
            cause: from_wire_name("drift_reports.cause", &row.cause)?,
            detected_at: timestamp("drift_reports.detected_at", row.detected_at)?,
            updated_at: timestamp("drift_reports.updated_at", row.updated_at)?,
            resolved_at: opt_timestamp("drift_reports.resolved_at", row.resolved_at)?,
            server: row.server,
            instance: row.instance,
            plugin: row.plugin_name,
            config_file: row.config_file,
            key_path: row.key_path,
            desired_value: row.desired_value,
            live_value: row.live_value,
            resolved: row.resolved,
        })
    }
}

/// An open record, as far as deciding "unchanged or updated" needs it.
#[derive(sqlx::FromRow)]
struct OpenDrift {
    id: i64,
    fingerprint: String,
    severity: String,
    cause: String,
    desired_value: Option<String>,
    live_value: Option<String>,
}

const SELECT_OPEN: &str = "SELECT id, fingerprint, severity, cause, desired_value, live_value \
     FROM drift_reports WHERE instance_id = ? AND resolved = FALSE";

/// Opens, updates or leaves alone the record for one observation inside the transaction
/// `$tx`, given the instance's open record with the same fingerprint (`$open`, read by the
/// caller). Evaluates to `Result<DriftOutcome, StoreError>`.
macro_rules! observe_in {
    ($tx:ident, $instance_id:expr, $server_id:expr, $obs:expr, $open:expr, $at:expr) => {{
        let obs: &DriftObservation = $obs;
        let open: Option<&OpenDrift> = $open;
        let cause = wire_name(&obs.cause);
        match open {
            None => {
                let fingerprint = obs.fingerprint();
                let id = sqlx::query(
                    "INSERT INTO drift_reports (physical_server_id, instance_id, plugin_name, \
                     config_file, key_path, drift_type, severity, cause, desired_value, live_value, \
                     detected_at, updated_at, resolved, fingerprint, open_fingerprint) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind($server_id)
                .bind($instance_id)
                .bind(&obs.plugin)
                .bind(&obs.config_file)
                .bind(&obs.key_path)
                .bind(obs.drift_type.as_str())
                .bind(obs.severity.as_str())
                .bind(&cause)
                .bind(&obs.desired_value)
                .bind(&obs.live_value)
                .bind($at)
                .bind($at)
                .bind(false)
                .bind(&fingerprint)
                .bind(&fingerprint)
                .execute(&mut *$tx)
                .await?
                .inserted_id();
                Ok::<_, StoreError>(DriftOutcome::Opened(id))
            }
            Some(open)
                if open.severity == obs.severity.as_str()
                    && open.cause == cause
                    && open.desired_value == obs.desired_value
                    && open.live_value == obs.live_value =>
            {
                Ok(DriftOutcome::Unchanged(open.id))
            }
            Some(open) => {
                sqlx::query(
                    "UPDATE drift_reports SET severity = ?, cause = ?, desired_value = ?, \
                     live_value = ?, updated_at = ? WHERE id = ?",
                )
                .bind(obs.severity.as_str())
                .bind(&cause)
                .bind(&obs.desired_value)
                .bind(&obs.live_value)
                .bind($at)
                .bind(open.id)
                .execute(&mut *$tx)
                .await?;
                Ok(DriftOutcome::Updated(open.id))
            }
        }
    }};
}

const RESOLVE: &str = "UPDATE drift_reports SET resolved = TRUE, resolved_at = ?, updated_at = ?, \
                       open_fingerprint = NULL WHERE id = ? AND resolved = FALSE";

impl Store {
    /// Opens a record for `observation` on `instance`, or updates the open one.
    pub async fn observe_drift(
        &self,
        instance: &str,
        observation: &DriftObservation,
        at: Timestamp,
    ) -> Result<DriftOutcome, StoreError> {
        let at = millis(at);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (instance_id, server_id) = instance_ids!(&mut *tx, instance)?;
            let sql = sqlx::AssertSqlSafe(format!("{SELECT_OPEN} AND open_fingerprint = ?"));
            let open: Option<OpenDrift> = sqlx::query_as(sql)
                .bind(instance_id)
                .bind(observation.fingerprint())
                .fetch_optional(&mut *tx)
                .await?;
            let outcome =
                observe_in!(tx, instance_id, server_id, observation, open.as_ref(), at)?;
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Resolves one record. False if it was already resolved.
    pub async fn resolve_drift(&self, id: i64, at: Timestamp) -> Result<bool, StoreError> {
        let at = millis(at);
        let resolved = with_pool!(self, pool => {
            sqlx::query(RESOLVE).bind(at).bind(at).bind(id).execute(pool).await?.rows_affected()
        });
        Ok(resolved == 1)
    }

    /// Makes the open records of `instance` match `observations`, the complete list of its
    /// differences now: opens or updates each, resolves every other open record. One
    /// transaction, so readers never see half a reconcile.
    pub async fn sync_drift(
        &self,
        instance: &str,
        observations: &[DriftObservation],
        at: Timestamp,
    ) -> Result<DriftSync, StoreError> {
        let at = millis(at);
        // One observation per fingerprint, the last one listed winning, in list order.
        let mut seen = HashSet::new();
        let mut latest: Vec<(String, &DriftObservation)> = observations
            .iter()
            .rev()
            .map(|o| (o.fingerprint(), o))
            .filter(|(f, _)| seen.insert(f.clone()))
            .collect();
        latest.reverse();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (instance_id, server_id) = instance_ids!(&mut *tx, instance)?;
            let open: Vec<OpenDrift> = sqlx::query_as(SELECT_OPEN)
                .bind(instance_id)
                .fetch_all(&mut *tx)
                .await?;
            let open: HashMap<String, OpenDrift> =
                open.into_iter().map(|o| (o.fingerprint.clone(), o)).collect();
            let mut sync = DriftSync::default();
            for (fingerprint, observation) in &latest {
                let existing = open.get(fingerprint.as_str());
                match observe_in!(tx, instance_id, server_id, observation, existing, at)? {
                    DriftOutcome::Opened(id) => sync.opened.push(id),
                    DriftOutcome::Updated(id) => sync.updated.push(id),
                    DriftOutcome::Unchanged(id) => sync.unchanged.push(id),
                }
            }
            let mut gone: Vec<&OpenDrift> = open
                .values()
                .filter(|o| !seen.contains(&o.fingerprint))
                .collect();
            gone.sort_by_key(|o| o.id);
            for record in gone {
                sqlx::query(RESOLVE)
                    .bind(at)
                    .bind(at)
                    .bind(record.id)
                    .execute(&mut *tx)
                    .await?;
                sync.resolved.push(record.id);
            }
            tx.commit().await?;
            Ok(sync)
        })
    }

    /// Drift records matching `filter`, oldest first unless [`DriftFilter::newest_first`].
    pub async fn list_drift(&self, filter: &DriftFilter) -> Result<Vec<DriftRecord>, StoreError> {
        let mut sql = String::from(
            "SELECT d.id, s.name AS server, i.instance_name AS instance, d.plugin_name, \
             d.config_file, d.key_path, d.drift_type, d.severity, d.cause, d.desired_value, \
             d.live_value, d.detected_at, d.updated_at, d.resolved, d.resolved_at \
             FROM drift_reports d \
             JOIN instances i ON i.id = d.instance_id \
             JOIN physical_servers s ON s.id = d.physical_server_id \
             WHERE (? IS NULL OR s.name = ?) AND (? IS NULL OR i.instance_name = ?) \
             AND (? IS NULL OR d.plugin_name = ?)",
        );
        if filter.open_only {
            sql.push_str(" AND d.resolved = FALSE");
        }
        sql.push_str(if filter.newest_first {
            " ORDER BY d.id DESC LIMIT ?"
        } else {
            " ORDER BY d.id LIMIT ?"
        });
        let limit = filter.limit.map_or(i64::MAX, i64::from);
        let rows: Vec<DriftRow> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&filter.server)
                .bind(&filter.server)
                .bind(&filter.instance)
                .bind(&filter.instance)
                .bind(&filter.plugin)
                .bind(&filter.plugin)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(DriftRecord::try_from).collect()
    }
}
