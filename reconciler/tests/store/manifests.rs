//! Live files: latest manifest per instance and the history of changes.

use anyhow::Result;
use homeamp_reconciler::store::{FileChange, FileChangeKind, StoreError};
use homeamp_schemas::report::LiveFile;

use crate::support::{Db, sha, small_fleet, t};

fn file(path: &str, n: u8, mtime: i64) -> LiveFile {
    LiveFile {
        path: path.into(),
        sha256: sha(n),
        size: u64::from(n) * 10,
        mtime: t(mtime),
    }
}

fn kinds(changes: &[FileChange]) -> Vec<(String, FileChangeKind)> {
    changes.iter().map(|c| (c.path.clone(), c.kind)).collect()
}

async fn replacing_a_manifest_records_each_difference(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let first = vec![
        file("server.properties", 1, 0),
        file("plugins/CoreProtect/config.yml", 2, 0),
        file("plugins/LuckPerms/config.yml", 3, 0),
    ];
    let changes = store.replace_manifest("SMP201", &first, t(10)).await?;
    assert_eq!(changes.len(), 3);
    assert!(
        changes
            .iter()
            .all(|c| c.kind == FileChangeKind::Added && c.old_sha256.is_none())
    );
    assert_eq!(
        store.instance("SMP201").await?.expect("known").last_seen,
        Some(t(10))
    );

    let second = vec![
        file("server.properties", 1, 5), // touched only: no history
        file("plugins/CoreProtect/config.yml", 4, 6), // changed
        file("bukkit.yml", 5, 6),        // added
    ];
    let changes = store.replace_manifest("SMP201", &second, t(20)).await?;
    assert_eq!(
        kinds(&changes),
        [
            ("bukkit.yml".to_string(), FileChangeKind::Added),
            (
                "plugins/CoreProtect/config.yml".to_string(),
                FileChangeKind::Changed
            ),
            (
                "plugins/LuckPerms/config.yml".to_string(),
                FileChangeKind::Removed
            ),
        ]
    );
    assert_eq!(changes[1].old_sha256, Some(sha(2)));
    assert_eq!(changes[1].sha256, Some(sha(4)));
    assert_eq!(changes[2].sha256, None);

    let latest = store.latest_manifest("SMP201").await?;
    let mut expected = second.clone();
    expected.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(latest, expected, "sorted by path, metadata kept");

    let history = store.file_history("SMP201", None, 100).await?;
    assert_eq!(history.len(), 6);
    assert_eq!(history[0].reported_at, t(20), "newest first");
    let core = store
        .file_history("SMP201", Some("plugins/CoreProtect/config.yml"), 100)
        .await?;
    assert_eq!(
        core.iter().map(|h| h.kind).collect::<Vec<_>>(),
        [FileChangeKind::Changed, FileChangeKind::Added]
    );
    assert_eq!(core[0].size, Some(40));
    assert_eq!(core[0].mtime, Some(t(6)));

    // The same manifest again: nothing changed.
    assert!(
        store
            .replace_manifest("SMP201", &second, t(30))
            .await?
            .is_empty()
    );
    // Other instances are untouched.
    assert!(store.latest_manifest("VEL01").await?.is_empty());
    Ok(())
}

async fn paths_differing_only_in_case_are_different_files(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let files = vec![
        file("plugins/X/Config.yml", 1, 0),
        file("plugins/X/config.yml", 2, 0),
    ];
    store.replace_manifest("SMP201", &files, t(1)).await?;
    assert_eq!(store.latest_manifest("SMP201").await?.len(), 2);
    Ok(())
}

async fn a_large_manifest_is_written_and_diffed_in_batches(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let files: Vec<LiveFile> = (0..650u32)
        .map(|i| LiveFile {
            path: format!("plugins/P{i:04}/config.yml"),
            sha256: format!("{i:064x}"),
            size: 1,
            mtime: t(0),
        })
        .collect();
    assert_eq!(
        store.replace_manifest("SMP201", &files, t(1)).await?.len(),
        650
    );
    assert_eq!(store.latest_manifest("SMP201").await?.len(), 650);
    let changes = store
        .replace_manifest("SMP201", &files[..100], t(2))
        .await?;
    assert_eq!(changes.len(), 550);
    assert!(changes.iter().all(|c| c.kind == FileChangeKind::Removed));
    assert_eq!(store.latest_manifest("SMP201").await?.len(), 100);
    Ok(())
}

async fn manifests_of_unknown_instances_are_refused(db: Db) -> Result<()> {
    let err = db
        .store
        .replace_manifest("GHOST", &[file("a", 1, 0)], t(1))
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
    Ok(())
}

store_tests!(
    replacing_a_manifest_records_each_difference,
    paths_differing_only_in_case_are_different_files,
    a_large_manifest_is_written_and_diffed_in_batches,
    manifests_of_unknown_instances_are_refused,
);
