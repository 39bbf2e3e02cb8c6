//! Opening the store: URLs, migrations on every start, and a MariaDB that crashes under it.

use std::time::Duration;

use anyhow::{Context, Result};
use homeamp_reconciler::store::{BackendKind, JobFilter, Store, StoreError};
use homeamp_testkit::MariaDb;

use crate::jobs::new_job;
use crate::support::{small_fleet, t};

#[tokio::test]
async fn mariadb_migrations_run_once_and_a_restarted_host_finds_its_data() -> Result<()> {
    let url = tokio::task::spawn_blocking(|| MariaDb::shared()?.fresh_database()).await??;
    let store = Store::connect(&url).await?;
    assert_eq!(store.backend(), BackendKind::MySql);
    small_fleet(&store).await?;
    store.close().await;

    // `mariadb://` is accepted as well.
    let again = Store::connect(&url.replacen("mysql://", "mariadb://", 1)).await?;
    assert_eq!(again.list_instances(None).await?.len(), 3);
    let database = url.rsplit('/').next().context("database")?.to_owned();
    let applied = tokio::task::spawn_blocking(move || {
        MariaDb::shared()?.run_sql(&format!(
            "SELECT COUNT(*) FROM `{database}`._sqlx_migrations"
        ))
    })
    .await??;
    assert_eq!(applied.trim(), "1");
    Ok(())
}

#[tokio::test]
async fn sqlite_file_migrations_run_once_and_a_restarted_host_finds_its_data() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite:{}",
        dir.path().join("state").join("homeamp.db").display()
    );
    let store = Store::connect(&url).await?;
    assert_eq!(store.backend(), BackendKind::Sqlite);
    small_fleet(&store).await?;
    store.insert_job(&new_job("SMP201", "a"), t(1)).await?;
    store.close().await;

    let again = Store::connect(&url).await?;
    assert_eq!(again.list_instances(None).await?.len(), 3);
    assert_eq!(again.unpublished_jobs(10).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn an_unreachable_mariadb_is_reported_with_its_url_and_without_its_password() -> Result<()> {
    let port = homeamp_testkit::port::free_port()?;
    let url = format!("mysql://root:hunter2@127.0.0.1:{port}/homeamp");
    let err = Store::connect(&url).await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Connect { .. }), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(
        !message.contains("hunter2"),
        "the password leaked: {message}"
    );
    Ok(())
}

#[tokio::test]
async fn an_in_memory_sqlite_store_keeps_its_data_for_its_lifetime() -> Result<()> {
    let store = Store::connect("sqlite::memory:").await?;
    small_fleet(&store).await?;
    let clone = store.clone();
    assert_eq!(clone.list_instances(Some("ovh")).await?.len(), 2);
    assert!(store.ping().await);
    Ok(())
}

#[tokio::test]
async fn unsupported_urls_are_refused_with_the_accepted_forms() -> Result<()> {
    let err = Store::connect("postgres://u:secret@127.0.0.1/db")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");
    let message = err.to_string();
    assert!(message.contains("sqlite:"), "{message}");
    assert!(
        !message.contains("secret"),
        "the password leaked: {message}"
    );
    Ok(())
}

#[tokio::test]
async fn the_store_reconnects_after_mariadb_is_killed_and_restarted() -> Result<()> {
    let db = tokio::task::spawn_blocking(MariaDb::start).await??;
    let store = Store::connect(&db.url()).await?;
    small_fleet(&store).await?;
    let job = store
        .insert_job(&new_job("SMP201", "a"), t(1))
        .await?
        .into_job();
    assert!(store.ping().await);

    let db = tokio::task::spawn_blocking(move || {
        let mut db = db;
        db.kill().map(|()| db)
    })
    .await??;
    let down = tokio::time::timeout(Duration::from_secs(2), store.ping()).await;
    assert!(!matches!(down, Ok(true)), "a killed MariaDB still answers");

    let db = tokio::task::spawn_blocking(move || {
        let mut db = db;
        db.restart().map(|()| db)
    })
    .await??;
    assert!(store.ping().await, "the pool did not reconnect");
    let jobs = store.list_jobs(&JobFilter::default()).await?;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].uuid, job.uuid);
    assert_eq!(store.list_instances(None).await?.len(), 3);
    // And it writes again.
    store.insert_job(&new_job("SMP201", "b"), t(2)).await?;
    assert_eq!(store.unpublished_jobs(10).await?.len(), 2);

    // A host started against the restarted server runs no migration twice.
    let second = Store::connect(&db.url()).await?;
    assert_eq!(second.unpublished_jobs(10).await?.len(), 2);
    drop(db);
    Ok(())
}
