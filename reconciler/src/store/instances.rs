//! Instances (the seed's `instances`): one game server process on one physical server,
//! named as in `homeamp.yaml` (`instance_name`), with AMP's id in `instance_id` when known.

use homeamp_schemas::desired::Platform;
use homeamp_schemas::status::SyncState;
use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::opt_timestamp;
use crate::store::{Store, StoreError};

/// An instance as the desired state declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstance {
    pub name: String,
    /// The physical server's name; it must exist ([`Store::upsert_server`]).
    pub server: String,
    pub platform: Platform,
    pub amp_instance_id: Option<String>,
}

/// The reconciler's verdict on an instance, kept across host restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceStatusUpdate {
    pub status: SyncState,
    pub message: Option<String>,
    pub synced_revision: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRecord {
    pub id: i64,
    pub name: String,
    pub server: String,
    pub platform: Platform,
    pub amp_instance_id: Option<String>,
    /// `None` until the first reconcile.
    pub status: Option<SyncState>,
    pub status_message: Option<String>,
    pub synced_revision: Option<String>,
    /// When its agent last reported it; `None` if never.
    pub last_seen: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct InstanceRow {
    id: i64,
    instance_name: String,
    server: String,
    platform: String,
    instance_id: Option<String>,
    status: Option<String>,
    status_message: Option<String>,
    synced_revision: Option<String>,
    last_seen: Option<i64>,
}

const SELECT: &str = "SELECT i.id, i.instance_name, s.name AS server, i.platform, i.instance_id, \
     i.status, i.status_message, i.synced_revision, i.last_seen \
     FROM instances i JOIN physical_servers s ON s.id = i.physical_server_id";

impl TryFrom<InstanceRow> for InstanceRecord {
    type Error = StoreError;
    fn try_from(row: InstanceRow) -> Result<Self, StoreError> {
        Ok(InstanceRecord {
            id: row.id,
            platform: Platform::parse(&row.platform).ok_or_else(|| StoreError::Corrupt {
                column: "instances.platform",
                value: row.platform.clone(),
            })?,
            last_seen: opt_timestamp("instances.last_seen", row.last_seen)?,
            name: row.instance_name,
            server: row.server,
            amp_instance_id: row.instance_id,
            status: row
                .status
                .map(|word| {
                    SyncState::parse(&word).ok_or(StoreError::Corrupt {
                        column: "instances.status",
                        value: word,
                    })
                })
                .transpose()?,
            status_message: row.status_message,
            synced_revision: row.synced_revision,
        })
    }
}

impl Store {
    /// Creates the instance or updates its server, platform and AMP id. Returns its id.
    pub async fn upsert_instance(&self, instance: &NewInstance) -> Result<i64, StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let server_id: i64 = sqlx::query_scalar("SELECT id FROM physical_servers WHERE name = ?")
                .bind(&instance.server)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "server",
                    name: instance.server.clone(),
                })?;
            let updated = sqlx::query(
                "UPDATE instances SET physical_server_id = ?, platform = ?, instance_id = ? \
                 WHERE instance_name = ?",
            )
            .bind(server_id)
            .bind(instance.platform.as_str())
            .bind(&instance.amp_instance_id)
            .bind(&instance.name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO instances (physical_server_id, instance_name, platform, instance_id) \
                     VALUES (?, ?, ?, ?)",
                )
                .bind(server_id)
                .bind(&instance.name)
                .bind(instance.platform.as_str())
                .bind(&instance.amp_instance_id)
                .execute(&mut *tx)
                .await?;
            }
            let id: i64 = sqlx::query_scalar("SELECT id FROM instances WHERE instance_name = ?")
                .bind(&instance.name)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn instance(&self, name: &str) -> Result<Option<InstanceRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.instance_name = ?"));
        let row: Option<InstanceRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(name).fetch_optional(pool).await?
        });
        row.map(InstanceRecord::try_from).transpose()
    }

    /// The instances of `server`, or of every server with `None`, by name.
    pub async fn list_instances(
        &self,
        server: Option<&str>,
    ) -> Result<Vec<InstanceRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE (? IS NULL OR s.name = ?) ORDER BY i.instance_name"
        ));
        let rows: Vec<InstanceRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(server).bind(server).fetch_all(pool).await?
        });
        rows.into_iter().map(InstanceRecord::try_from).collect()
    }

    /// Records the reconciler's status for an instance.
    pub async fn set_instance_status(
        &self,
        name: &str,
        update: &InstanceStatusUpdate,
    ) -> Result<(), StoreError> {
        let updated = with_pool!(self, pool => {
            sqlx::query(
                "UPDATE instances SET status = ?, status_message = ?, synced_revision = ? \
                 WHERE instance_name = ?",
            )
            .bind(update.status.as_str())
            .bind(&update.message)
            .bind(&update.synced_revision)
            .bind(name)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound {
                kind: "instance",
                name: name.to_owned(),
            });
        }
        Ok(())
    }
}

/// Sets `instances.last_seen`; shared by the manifest and plugin writers.
pub(crate) const TOUCH_INSTANCE: &str = "UPDATE instances SET last_seen = ? WHERE id = ?";
