//! Pools, database URLs, migrations, and the two small things the backends spell
//! differently (the id of an inserted row, how a write transaction begins).

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions, MySqlQueryResult};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, MySql, Sqlite, Transaction};

use crate::store::{Store, StoreError};

static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/mysql");
/// Creates the SQLite file readable by its owner only (mode 0600) when it is missing:
/// it holds live config files and token hashes. SQLite gives its `-wal` and `-shm` files
/// the database file's mode.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");

/// How long a caller waits for a connection before the store reports the database down.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long SQLite waits on a locked database before failing a statement.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// MariaDB or MySQL.
    MySql,
    Sqlite,
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date.
    ///
    /// `mysql://user[:password]@host:port/db` or `mariadb://…` for MariaDB;
    /// `sqlite:PATH` (created with its folder if missing, WAL journal) or `sqlite::memory:`
    /// for SQLite.
    /// Migrations that already ran are skipped, so this is safe on every start.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let connect_error = |source| StoreError::Connect {
            url: redact_password(url),
            source,
        };
        let pool = if let Some(rest) = url
            .strip_prefix("mysql://")
            .or_else(|| url.strip_prefix("mariadb://"))
        {
            let options =
                MySqlConnectOptions::from_str(&format!("mysql://{rest}")).map_err(connect_error)?;
            // One direct connection first: the pool would retry a refused connection until
            // its acquire timeout and then report the timeout, not the cause.
            options
                .connect()
                .await
                .map_err(connect_error)?
                .close()
                .await
                .map_err(connect_error)?;
            let pool = MySqlPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(connect_error)?;
            MYSQL_MIGRATIONS.run(&pool).await?;
            Pool::MySql(pool)
        } else if url.starts_with("sqlite:") {
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_error)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            let pool_options = SqlitePoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
            let pool = if in_memory {
                // An in-memory database lives and dies with its one connection: keep it.
                pool_options
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await
            } else {
                // `create_if_missing` creates the file, not its folder.
                if let Some(parent) = options.get_filename().parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent).map_err(|e| connect_error(e.into()))?;
                }
                create_private(options.get_filename()).map_err(|e| connect_error(e.into()))?;
                pool_options
                    .max_connections(4)
                    .connect_with(
                        options
                            .journal_mode(SqliteJournalMode::Wal)
                            .synchronous(SqliteSynchronous::Normal),
                    )
                    .await
            }
            .map_err(connect_error)?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Pool::Sqlite(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(redact_password(url)));
        };
        Ok(Store { pool })
    }

    pub fn backend(&self) -> BackendKind {
        match self.pool {
            Pool::MySql(_) => BackendKind::MySql,
            Pool::Sqlite(_) => BackendKind::Sqlite,
        }
    }

    /// Closes every connection; later calls fail. For orderly shutdown.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }

    /// True when the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }
}

/// `mysql://user:secret@host/db` → `mysql://user:***@host/db`, for error messages.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// Beginning a transaction that will write.
///
/// SQLite's default `BEGIN` takes the write lock only at the first write, and a
/// transaction that read first then fails with "database is locked" without waiting;
/// `BEGIN IMMEDIATE` takes the lock up front and waits for it (busy timeout).
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>, sqlx::Error>;
}

impl BeginWrite for MySqlPool {
    type Db = MySql;
    async fn begin_write(&self) -> Result<Transaction<'static, MySql>, sqlx::Error> {
        self.begin().await
    }
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

/// The id of the row an `INSERT` created.
pub(crate) trait InsertedId {
    fn inserted_id(&self) -> i64;
}

impl InsertedId for MySqlQueryResult {
    fn inserted_id(&self) -> i64 {
        i64::try_from(self.last_insert_id()).unwrap_or(i64::MAX)
    }
}

impl InsertedId for SqliteQueryResult {
    fn inserted_id(&self) -> i64 {
        self.last_insert_rowid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_store_file_is_created_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/homeamp.db");
        let store = crate::store::Store::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        drop(store);
        for file in [path.clone(), path.with_extension("db-wal")] {
            if file.exists() {
                let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", file.display());
            }
        }
        assert!(path.exists());
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_password("mysql://root:hunter2@127.0.0.1:3306/db"),
            "mysql://root:***@127.0.0.1:3306/db"
        );
        assert_eq!(
            redact_password("mysql://root@127.0.0.1/db"),
            "mysql://root@127.0.0.1/db"
        );
        assert_eq!(redact_password("sqlite::memory:"), "sqlite::memory:");
    }
}
