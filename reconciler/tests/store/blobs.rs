//! Content-addressed blobs.

use anyhow::Result;
use homeamp_reconciler::store::StoreError;
use sha2::{Digest, Sha256};

use crate::support::{Db, t};

async fn blobs_round_trip_byte_for_byte_and_are_stored_once(db: Db) -> Result<()> {
    let store = db.store;
    let bytes: Vec<u8> = (0..=255u8).chain([0, 0, 0xff]).collect(); // not UTF-8, NULs
    let sha = store.put_blob(&bytes, t(1)).await?;
    assert_eq!(sha, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(store.put_blob(&bytes, t(2)).await?, sha);
    assert_eq!(store.blob(&sha).await?.as_deref(), Some(bytes.as_slice()));
    assert_eq!(store.blob(&"00".repeat(32)).await?, None);

    let empty = store.put_blob(b"", t(3)).await?;
    assert_eq!(store.blob(&empty).await?, Some(Vec::new()));
    Ok(())
}

async fn a_large_blob_round_trips(db: Db) -> Result<()> {
    let store = db.store;
    let bytes: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let sha = store.put_blob(&bytes, t(1)).await?;
    assert_eq!(store.blob(&sha).await?.map(|b| b.len()), Some(bytes.len()));
    Ok(())
}

async fn missing_blobs_lists_what_the_store_lacks_in_order_without_duplicates(
    db: Db,
) -> Result<()> {
    let store = db.store;
    let have = store.put_blob(b"server.properties", t(1)).await?;
    let want_a = "aa".repeat(32);
    let want_b = "bb".repeat(32);
    let asked = vec![want_b.clone(), have.clone(), want_a.clone(), want_b.clone()];
    assert_eq!(store.missing_blobs(&asked).await?, vec![want_b, want_a]);
    assert!(store.missing_blobs(&[]).await?.is_empty());

    // More shas than one IN list holds.
    let many: Vec<String> = (0..1200u32).map(|i| format!("{i:064x}")).collect();
    assert_eq!(store.missing_blobs(&many).await?.len(), 1200);
    Ok(())
}

async fn an_upload_whose_content_does_not_match_its_sha_is_refused(db: Db) -> Result<()> {
    let store = db.store;
    let claimed = "ab".repeat(32);
    let err = store
        .put_blob_expecting(&claimed, b"other bytes", t(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BlobMismatch { .. }), "{err}");
    assert_eq!(store.missing_blobs(&[claimed]).await?.len(), 1);

    let right = hex::encode(Sha256::digest(b"ok"));
    store.put_blob_expecting(&right, b"ok", t(1)).await?;
    assert!(store.missing_blobs(&[right]).await?.is_empty());
    Ok(())
}

store_tests!(
    blobs_round_trip_byte_for_byte_and_are_stored_once,
    a_large_blob_round_trips,
    missing_blobs_lists_what_the_store_lacks_in_order_without_duplicates,
    an_upload_whose_content_does_not_match_its_sha_is_refused,
);
