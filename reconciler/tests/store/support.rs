//! Fixtures: a store on a fresh database of either backend, a way to read a table's raw
//! contents, fixed times, and a small fleet.

use std::path::PathBuf;

use anyhow::{Context, Result};
use homeamp_reconciler::store::{NewInstance, NewServer, Store};
use homeamp_schemas::desired::{Platform, ServerRole};
use homeamp_testkit::MariaDb;
use jiff::Timestamp;
use tempfile::TempDir;

/// A store on a fresh database, and where its bytes live.
pub struct Db {
    pub store: Store,
    raw: Raw,
}

enum Raw {
    MariaDb { database: String },
    Sqlite { _dir: TempDir, path: PathBuf },
}

impl Db {
    /// A fresh database on the MariaDB server shared by this test process.
    pub async fn mariadb() -> Result<Db> {
        let url = tokio::task::spawn_blocking(|| MariaDb::shared()?.fresh_database()).await??;
        let database = url
            .rsplit('/')
            .next()
            .context("no database in url")?
            .to_owned();
        let store = Store::connect(&url).await?;
        Ok(Db {
            store,
            raw: Raw::MariaDb { database },
        })
    }

    /// A fresh SQLite file in a temp dir (WAL mode, as in production).
    pub async fn sqlite() -> Result<Db> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("homeamp.db");
        let store = Store::connect(&format!("sqlite:{}", path.display())).await?;
        Ok(Db {
            store,
            raw: Raw::Sqlite { _dir: dir, path },
        })
    }

    /// Everything the database holds for `table`, as text: MariaDB's `SELECT *` output,
    /// or SQLite's database and WAL files read as bytes (so nothing can hide in a page
    /// the query would not show).
    pub async fn raw_contents(&self, table: &str) -> Result<String> {
        match &self.raw {
            Raw::MariaDb { database } => {
                let sql = format!("SELECT * FROM `{database}`.`{table}`");
                Ok(tokio::task::spawn_blocking(move || MariaDb::shared()?.run_sql(&sql)).await??)
            }
            Raw::Sqlite { path, .. } => {
                let mut text = String::new();
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    if let Ok(bytes) = std::fs::read(&file) {
                        text.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                Ok(text)
            }
        }
    }
}

/// A fixed instant `secs` seconds after a base time, so tests control the clock.
pub fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).expect("valid test time")
}

/// Servers `hetzner` (host) and `ovh` (client); instances SMP201 and VEL01 on ovh, HUB01 on hetzner.
pub async fn small_fleet(store: &Store) -> Result<()> {
    for (name, role) in [("hetzner", ServerRole::Host), ("ovh", ServerRole::Client)] {
        store
            .upsert_server(&NewServer {
                name: name.into(),
                role,
                gaming_role: None,
                ip_address: None,
                amp_url: None,
            })
            .await?;
    }
    for (name, server, platform) in [
        ("SMP201", "ovh", Platform::Paper),
        ("VEL01", "ovh", Platform::Velocity),
        ("HUB01", "hetzner", Platform::Paper),
    ] {
        store
            .upsert_instance(&NewInstance {
                name: name.into(),
                server: server.into(),
                platform,
                amp_instance_id: None,
            })
            .await?;
    }
    Ok(())
}

pub fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}
