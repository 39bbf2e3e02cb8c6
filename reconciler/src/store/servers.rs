//! Physical servers (the seed's `physical_servers`) and their agents' heartbeats.

use homeamp_schemas::desired::ServerRole;
use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::{from_wire_name, millis, opt_timestamp, wire_name};
use crate::store::{Store, StoreError};

/// A server as `homeamp.yaml` declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServer {
    pub name: String,
    pub role: ServerRole,
    pub gaming_role: Option<String>,
    pub ip_address: Option<String>,
    pub amp_url: Option<String>,
}

/// A server row, with what its agent last said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicalServer {
    pub id: i64,
    pub name: String,
    pub role: ServerRole,
    pub gaming_role: Option<String>,
    pub ip_address: Option<String>,
    pub amp_url: Option<String>,
    /// The last heartbeat of its agent; `None` if it never reported.
    pub last_seen: Option<Timestamp>,
    pub status: Option<String>,
    pub agent_version: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ServerRow {
    id: i64,
    name: String,
    role: String,
    gaming_role: Option<String>,
    ip_address: Option<String>,
    amp_url: Option<String>,
    last_seen: Option<i64>,
    status: Option<String>,
    agent_version: Option<String>,
}

const COLUMNS: &str = "SELECT id, name, role, gaming_role, ip_address, amp_url, last_seen, status, agent_version FROM physical_servers";

impl TryFrom<ServerRow> for PhysicalServer {
    type Error = StoreError;
    fn try_from(row: ServerRow) -> Result<Self, StoreError> {
        Ok(PhysicalServer {
            id: row.id,
            role: from_wire_name("physical_servers.role", &row.role)?,
            last_seen: opt_timestamp("physical_servers.last_seen", row.last_seen)?,
            name: row.name,
            gaming_role: row.gaming_role,
            ip_address: row.ip_address,
            amp_url: row.amp_url,
            status: row.status,
            agent_version: row.agent_version,
        })
    }
}

impl Store {
    /// Creates the server or updates its declared fields (not its heartbeat). Returns its id.
    pub async fn upsert_server(&self, server: &NewServer) -> Result<i64, StoreError> {
        let role = wire_name(&server.role);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE physical_servers SET role = ?, gaming_role = ?, ip_address = ?, amp_url = ? \
                 WHERE name = ?",
            )
            .bind(&role)
            .bind(&server.gaming_role)
            .bind(&server.ip_address)
            .bind(&server.amp_url)
            .bind(&server.name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO physical_servers (name, role, gaming_role, ip_address, amp_url) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&server.name)
                .bind(&role)
                .bind(&server.gaming_role)
                .bind(&server.ip_address)
                .bind(&server.amp_url)
                .execute(&mut *tx)
                .await?;
            }
            let id: i64 = sqlx::query_scalar("SELECT id FROM physical_servers WHERE name = ?")
                .bind(&server.name)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn server(&self, name: &str) -> Result<Option<PhysicalServer>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE name = ?"));
        let row: Option<ServerRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(name).fetch_optional(pool).await?
        });
        row.map(PhysicalServer::try_from).transpose()
    }

    /// Every server, by name.
    pub async fn list_servers(&self) -> Result<Vec<PhysicalServer>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{COLUMNS} ORDER BY name"));
        let rows: Vec<ServerRow> =
            with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter().map(PhysicalServer::try_from).collect()
    }

    /// Records that the agent of `server` is alive (status `online`).
    pub async fn record_heartbeat(
        &self,
        server: &str,
        agent_version: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let updated = with_pool!(self, pool => {
            sqlx::query(
                "UPDATE physical_servers SET last_seen = ?, status = 'online', agent_version = ? \
                 WHERE name = ?",
            )
            .bind(millis(at))
            .bind(agent_version)
            .bind(server)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound {
                kind: "server",
                name: server.to_owned(),
            });
        }
        Ok(())
    }

    /// Sets a server's status (`online`, `offline`, `degraded`), e.g. when its agent went silent.
    pub async fn set_server_status(&self, server: &str, status: &str) -> Result<(), StoreError> {
        let updated = with_pool!(self, pool => {
            sqlx::query("UPDATE physical_servers SET status = ? WHERE name = ?")
                .bind(status)
                .bind(server)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound {
                kind: "server",
                name: server.to_owned(),
            });
        }
        Ok(())
    }
}
