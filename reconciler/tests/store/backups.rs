//! Backup sessions and items.

use anyhow::Result;
use homeamp_reconciler::store::{
    BackupItemStatus, BackupItemUpdate, BackupSessionStatus, NewBackupSession, StoreError,
};
use homeamp_schemas::job::BackupMode;

use crate::support::{Db, sha, small_fleet, t};

async fn a_backup_session_records_each_instance_in_order(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let session = store
        .create_backup_session(
            &NewBackupSession {
                mode: BackupMode::World,
                parallel: false,
                instances: vec!["VEL01".into(), "SMP201".into()],
            },
            t(1),
        )
        .await?;
    assert_eq!(session.status, BackupSessionStatus::Running);
    assert_eq!(session.mode, BackupMode::World);
    assert_eq!(
        session
            .items
            .iter()
            .map(|i| (i.instance.as_str(), i.status))
            .collect::<Vec<_>>(),
        [
            ("VEL01", BackupItemStatus::Pending),
            ("SMP201", BackupItemStatus::Pending)
        ]
    );

    store
        .update_backup_item(
            &session.uuid,
            "VEL01",
            &BackupItemUpdate::status(BackupItemStatus::Running),
            t(2),
        )
        .await?;
    store
        .update_backup_item(
            &session.uuid,
            "VEL01",
            &BackupItemUpdate {
                status: BackupItemStatus::Succeeded,
                size_bytes: Some(1 << 33),
                sha256: Some(sha(9)),
                path: Some("/backups/VEL01/2026-01-01.tar.zst".into()),
                message: None,
            },
            t(5),
        )
        .await?;
    store
        .update_backup_item(
            &session.uuid,
            "SMP201",
            &BackupItemUpdate {
                message: Some("no answer within 600 s".into()),
                ..BackupItemUpdate::status(BackupItemStatus::TimedOut)
            },
            t(9),
        )
        .await?;
    store
        .finish_backup_session(
            &session.uuid,
            BackupSessionStatus::Partial,
            Some("1 of 2 backed up"),
            t(10),
        )
        .await?;

    let session = store.backup_session(&session.uuid).await?.expect("stored");
    assert_eq!(session.status, BackupSessionStatus::Partial);
    assert_eq!(session.finished_at, Some(t(10)));
    let vel = &session.items[0];
    assert_eq!((vel.started_at, vel.finished_at), (Some(t(2)), Some(t(5))));
    assert_eq!(vel.size_bytes, Some(1 << 33));
    assert_eq!(vel.sha256, Some(sha(9)));
    let smp = &session.items[1];
    assert_eq!(smp.status, BackupItemStatus::TimedOut);
    assert_eq!(smp.started_at, None);
    assert_eq!(smp.message.as_deref(), Some("no answer within 600 s"));

    let err = store
        .update_backup_item(
            &session.uuid,
            "HUB01",
            &BackupItemUpdate::status(BackupItemStatus::Running),
            t(11),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                kind: "backup item",
                ..
            }
        ),
        "{err}"
    );
    Ok(())
}

async fn backup_sessions_are_listed_newest_first(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let mut uuids = Vec::new();
    for i in 0..3 {
        let new = NewBackupSession {
            mode: BackupMode::Full,
            parallel: true,
            instances: vec!["HUB01".into()],
        };
        uuids.push(store.create_backup_session(&new, t(i)).await?.uuid);
    }
    let listed: Vec<String> = store
        .list_backup_sessions(2)
        .await?
        .into_iter()
        .map(|s| s.uuid)
        .collect();
    assert_eq!(listed, [uuids[2].clone(), uuids[1].clone()]);
    assert!(store.backup_session("nope").await?.is_none());
    let err = store
        .create_backup_session(
            &NewBackupSession {
                mode: BackupMode::World,
                parallel: false,
                instances: vec!["GHOST".into()],
            },
            t(5),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                kind: "instance",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        store.list_backup_sessions(10).await?.len(),
        3,
        "the failed session left nothing"
    );
    Ok(())
}

store_tests!(
    a_backup_session_records_each_instance_in_order,
    backup_sessions_are_listed_newest_first,
);
