//! The store against a real MariaDB (started by `homeamp-testkit`) and against SQLite.
//!
//! Every test body in the area modules runs twice, through [`store_tests!`]: once on a
//! fresh database of the shared MariaDB server and once on a fresh SQLite file. Tests
//! that are about one backend (a MariaDB killed mid-test, `sqlite::memory:`) live in
//! `lifecycle`.

/// Generates `mod mariadb` and `mod sqlite`, each with a `#[tokio::test]` per named body
/// (`async fn name(db: Db) -> anyhow::Result<()>` in the invoking module).
macro_rules! store_tests {
    ($($name:ident),+ $(,)?) => {
        mod mariadb {
            $(
                #[tokio::test]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(crate::support::Db::mariadb().await?).await
                }
            )+
        }
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(crate::support::Db::sqlite().await?).await
                }
            )+
        }
    };
}

mod backups;
mod blobs;
mod drift;
mod instances;
mod jobs;
mod lifecycle;
mod manifests;
mod outbox;
mod plugins;
mod revisions;
mod servers;
mod support;
mod tokens;
