//! Revisions: exactly one active valid revision; refused ones kept with their reason.

use anyhow::Result;
use homeamp_reconciler::store::StoreError;

use crate::support::{Db, t};

async fn exactly_one_revision_is_active(db: Db) -> Result<()> {
    let store = db.store;
    assert!(store.active_revision().await?.is_none());
    store.record_revision("aaa", true, "", t(1)).await?;
    store.record_revision("bbb", true, "", t(2)).await?;

    let a = store.activate_revision("aaa", t(3)).await?;
    assert!(a.active);
    assert_eq!(a.activated_at, Some(t(3)));
    let b = store.activate_revision("bbb", t(4)).await?;
    assert!(b.active);
    assert!(!store.revision("aaa").await?.expect("kept").active);
    assert_eq!(store.active_revision().await?.expect("one").sha, "bbb");

    // Activating the active revision again changes nothing.
    let again = store.activate_revision("bbb", t(5)).await?;
    assert_eq!(again.activated_at, Some(t(4)));
    let active: Vec<_> = store
        .list_revisions(10)
        .await?
        .into_iter()
        .filter(|r| r.active)
        .collect();
    assert_eq!(active.len(), 1);
    Ok(())
}

async fn a_refused_revision_keeps_its_reason_and_the_last_valid_one_stays_active(
    db: Db,
) -> Result<()> {
    let store = db.store;
    store.record_revision("good", true, "", t(1)).await?;
    store.activate_revision("good", t(1)).await?;
    let reason = "homeamp.yaml:3:5: unknown server `mars`";
    let bad = store.record_revision("bad", false, reason, t(2)).await?;
    assert!(!bad.valid);
    assert_eq!(bad.diagnostics, reason);

    let err = store.activate_revision("bad", t(3)).await.unwrap_err();
    match err {
        StoreError::InvalidRevision { sha, diagnostics } => {
            assert_eq!(sha, "bad");
            assert_eq!(diagnostics, reason);
        }
        other => panic!("unexpected {other}"),
    }
    assert_eq!(store.active_revision().await?.expect("kept").sha, "good");
    let err = store
        .activate_revision("never-seen", t(3))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::NotFound {
            kind: "revision",
            ..
        }
    ));
    Ok(())
}

async fn recording_a_revision_again_updates_validity_but_not_activity(db: Db) -> Result<()> {
    let store = db.store;
    store
        .record_revision("r1", false, "missing secret coreprotect-db", t(1))
        .await?;
    let r1 = store.record_revision("r1", true, "", t(9)).await?;
    assert!(r1.valid);
    assert_eq!(r1.diagnostics, "");
    assert_eq!(r1.loaded_at, t(1), "first load time kept");
    store.activate_revision("r1", t(10)).await?;
    let r1 = store.record_revision("r1", true, "", t(11)).await?;
    assert!(r1.active);
    Ok(())
}

async fn revisions_are_listed_newest_first(db: Db) -> Result<()> {
    let store = db.store;
    for (i, sha) in ["one", "two", "three"].iter().enumerate() {
        store.record_revision(sha, true, "", t(i as i64)).await?;
    }
    let shas: Vec<String> = store
        .list_revisions(2)
        .await?
        .into_iter()
        .map(|r| r.sha)
        .collect();
    assert_eq!(shas, ["three", "two"]);
    Ok(())
}

store_tests!(
    exactly_one_revision_is_active,
    a_refused_revision_keeps_its_reason_and_the_last_valid_one_stays_active,
    recording_a_revision_again_updates_validity_but_not_activity,
    revisions_are_listed_newest_first,
);
