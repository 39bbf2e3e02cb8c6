//! Content-addressed blobs: the bytes of every live file version the host has seen, keyed
//! by their sha256. The key is always computed here from the bytes, never trusted.

use std::collections::HashSet;

use jiff::Timestamp;

use crate::store::codec::{millis, placeholders, sha256_hex, size_to_db};
use crate::store::{Store, StoreError};

/// How many shas go into one `IN (…)` query.
const CHUNK: usize = 500;

impl Store {
    /// Stores `bytes` (once: storing the same content again changes nothing) and returns
    /// its sha256 in lower-case hex.
    pub async fn put_blob(&self, bytes: &[u8], at: Timestamp) -> Result<String, StoreError> {
        let sha = sha256_hex(bytes);
        self.insert_blob(sha, bytes, at).await
    }

    /// Stores `stored` under the sha256 of `original`, which must be `expected`: the host
    /// keeps live files with secret values replaced by their references, under the sha the
    /// agent reported for the file on disk.
    pub async fn put_blob_redacted(
        &self,
        expected: &str,
        original: &[u8],
        stored: &[u8],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let actual = sha256_hex(original);
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(StoreError::BlobMismatch {
                expected: expected.to_owned(),
                actual,
            });
        }
        self.insert_blob(actual, stored, at).await.map(drop)
    }

    async fn insert_blob(
        &self,
        sha: String,
        bytes: &[u8],
        at: Timestamp,
    ) -> Result<String, StoreError> {
        let exists = with_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT 1 FROM blobs WHERE sha256 = ?")
                .bind(&sha)
                .fetch_optional(pool)
                .await?
                .is_some()
        });
        if exists {
            return Ok(sha);
        }
        let inserted: Result<(), StoreError> = with_pool!(self, pool => {
            sqlx::query("INSERT INTO blobs (sha256, size, bytes, created_at) VALUES (?, ?, ?, ?)")
                .bind(&sha)
                .bind(size_to_db(bytes.len() as u64))
                .bind(bytes)
                .bind(millis(at))
                .execute(pool)
                .await
                .map(drop)
                .map_err(StoreError::from)
        });
        match inserted {
            // Another upload of the same content won the race: the blob is there.
            Err(e) if e.is_unique_violation() => Ok(sha),
            Err(e) => Err(e),
            Ok(()) => Ok(sha),
        }
    }

    /// Stores a blob an agent announced as `expected`; refuses bytes with another sha256.
    pub async fn put_blob_expecting(
        &self,
        expected: &str,
        bytes: &[u8],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(StoreError::BlobMismatch {
                expected: expected.to_owned(),
                actual,
            });
        }
        self.put_blob(bytes, at).await.map(drop)
    }

    pub async fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT bytes FROM blobs WHERE sha256 = ?")
                .bind(sha256)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The shas of `shas` that the store does not hold, in the order given, without
    /// duplicates: what the host asks an agent to upload.
    pub async fn missing_blobs(&self, shas: &[String]) -> Result<Vec<String>, StoreError> {
        let mut seen = HashSet::new();
        let wanted: Vec<&String> = shas
            .iter()
            .filter(|sha| seen.insert(sha.as_str()))
            .collect();
        let mut present = HashSet::new();
        for chunk in wanted.chunks(CHUNK) {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT sha256 FROM blobs WHERE sha256 IN ({})",
                placeholders(chunk.len())
            ));
            let found: Vec<String> = with_pool!(self, pool => {
                let mut query = sqlx::query_scalar(sql);
                for sha in chunk {
                    query = query.bind(sha.as_str());
                }
                query.fetch_all(pool).await?
            });
            present.extend(found);
        }
        Ok(wanted
            .into_iter()
            .filter(|sha| !present.contains(sha.as_str()))
            .cloned()
            .collect())
    }
}
