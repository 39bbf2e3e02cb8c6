//! Remembering hashes between scans, so a rescan only reads files that changed.
//!
//! A file's previous sha256 (and, for a JAR, its descriptor) is reused when its size
//! and mtime are unchanged **and** the file had already been stable for
//! [`RACY_WINDOW`] when it was hashed. The second condition is git's "racily clean"
//! rule: file systems stamp mtimes with a coarse clock, so a file rewritten with the
//! same size within the same tick as the previous hash would otherwise keep a stale
//! hash forever.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use homeamp_jar::PluginInfo;

/// How long a file must have been unmodified when hashed for its hash to be reused.
pub const RACY_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub(crate) struct CacheEntry {
    pub size: u64,
    pub mtime: SystemTime,
    pub hashed_at: SystemTime,
    pub sha256: String,
    pub plugin: Option<PluginInfo>,
}

impl CacheEntry {
    fn reusable_for(&self, size: u64, mtime: SystemTime) -> bool {
        self.size == size
            && self.mtime == mtime
            && self
                .hashed_at
                .duration_since(mtime)
                .is_ok_and(|stable| stable >= RACY_WINDOW)
    }
}

/// Hashes of one instance's files from its last scan, by relative path.
#[derive(Debug, Default)]
pub struct ScanCache {
    entries: HashMap<String, CacheEntry>,
    /// Files hashed (not reused) by the last scan; for tests and benchmarks.
    hashed_last_scan: usize,
}

impl ScanCache {
    pub(crate) fn lookup(&self, rel: &str, size: u64, mtime: SystemTime) -> Option<&CacheEntry> {
        self.entries
            .get(rel)
            .filter(|e| e.reusable_for(size, mtime))
    }

    /// Replaces the cache with what one scan saw (files gone since are forgotten).
    pub(crate) fn replace(&mut self, entries: HashMap<String, CacheEntry>, hashed: usize) {
        self.entries = entries;
        self.hashed_last_scan = hashed;
    }

    /// How many files the last scan had to read and hash.
    pub fn hashed_last_scan(&self) -> usize {
        self.hashed_last_scan
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
