//! Plugin JARs seen on each instance: name, version, file and sha256, when each was first
//! and last seen, and whether the latest report still lists it.

use homeamp_schemas::report::PluginJar;
use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::{millis, timestamp};
use crate::store::instances::TOUCH_INSTANCE;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSeen {
    pub name: String,
    pub version: Option<String>,
    /// Relative to the game root (`plugins/LuckPerms-Bukkit-5.4.jar`).
    pub jar_path: String,
    pub sha256: String,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Listed in the instance's latest report.
    pub present: bool,
}

#[derive(sqlx::FromRow)]
struct PluginRow {
    name: String,
    version: Option<String>,
    jar_path: String,
    sha256: String,
    first_seen: i64,
    last_seen: i64,
    present: bool,
}

impl TryFrom<PluginRow> for PluginSeen {
    type Error = StoreError;
    fn try_from(row: PluginRow) -> Result<Self, StoreError> {
        Ok(PluginSeen {
            first_seen: timestamp("plugins_seen.first_seen", row.first_seen)?,
            last_seen: timestamp("plugins_seen.last_seen", row.last_seen)?,
            name: row.name,
            version: row.version,
            jar_path: row.jar_path,
            sha256: row.sha256,
            present: row.present,
        })
    }
}

impl Store {
    /// Records the plugin JARs of `instance`'s latest report: each (file, sha256) pair is
    /// created or its `last_seen` moved to `at`; JARs the report no longer lists stay in
    /// the history with `present = false`.
    pub async fn record_plugins_seen(
        &self,
        instance: &str,
        jars: &[PluginJar],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let at = millis(at);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (instance_id, _) = instance_ids!(&mut *tx, instance)?;
            sqlx::query("UPDATE plugins_seen SET present = ? WHERE instance_id = ?")
                .bind(false)
                .bind(instance_id)
                .execute(&mut *tx)
                .await?;
            for jar in jars {
                let updated = sqlx::query(
                    "UPDATE plugins_seen SET name = ?, version = ?, last_seen = ?, present = ? \
                     WHERE instance_id = ? AND jar_path = ? AND sha256 = ?",
                )
                .bind(&jar.name)
                .bind(&jar.version)
                .bind(at)
                .bind(true)
                .bind(instance_id)
                .bind(&jar.file)
                .bind(&jar.sha256)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 0 {
                    sqlx::query(
                        "INSERT INTO plugins_seen \
                         (instance_id, name, version, jar_path, sha256, first_seen, last_seen, present) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(instance_id)
                    .bind(&jar.name)
                    .bind(&jar.version)
                    .bind(&jar.file)
                    .bind(&jar.sha256)
                    .bind(at)
                    .bind(at)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query(TOUCH_INSTANCE)
                .bind(at)
                .bind(instance_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The plugins in `instance`'s latest report, by name then file.
    pub async fn current_plugins(&self, instance: &str) -> Result<Vec<PluginSeen>, StoreError> {
        self.plugins_where(instance, true).await
    }

    /// The JARs of plugin `name` (case-insensitive) that the latest reports list, on any
    /// instance: (instance name, JAR), by instance then file.
    pub async fn present_jars_of(
        &self,
        name: &str,
    ) -> Result<Vec<(String, PluginSeen)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            instance_name: String,
            #[sqlx(flatten)]
            jar: PluginRow,
        }
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT i.instance_name, p.name, p.version, p.jar_path, p.sha256, \
                 p.first_seen, p.last_seen, p.present \
                 FROM plugins_seen p JOIN instances i ON i.id = p.instance_id \
                 WHERE p.present = TRUE AND LOWER(p.name) = LOWER(?) \
                 ORDER BY i.instance_name, p.jar_path",
            )
            .bind(name)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| Ok((r.instance_name, PluginSeen::try_from(r.jar)?)))
            .collect()
    }

    /// Every plugin JAR ever seen on `instance`, by name then file.
    pub async fn plugin_history(&self, instance: &str) -> Result<Vec<PluginSeen>, StoreError> {
        self.plugins_where(instance, false).await
    }

    async fn plugins_where(
        &self,
        instance: &str,
        present_only: bool,
    ) -> Result<Vec<PluginSeen>, StoreError> {
        let sql: &'static str = if present_only {
            "SELECT name, version, jar_path, sha256, first_seen, last_seen, present \
             FROM plugins_seen WHERE instance_id = ? AND present = TRUE \
             ORDER BY name, jar_path, first_seen"
        } else {
            "SELECT name, version, jar_path, sha256, first_seen, last_seen, present \
             FROM plugins_seen WHERE instance_id = ? ORDER BY name, jar_path, first_seen"
        };
        let rows: Vec<PluginRow> = with_pool!(self, pool => {
            let (instance_id, _) = instance_ids!(pool, instance)?;
            sqlx::query_as(sql).bind(instance_id).fetch_all(pool).await?
        });
        rows.into_iter().map(PluginSeen::try_from).collect()
    }
}
