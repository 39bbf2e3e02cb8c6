//! What a driver says about the files of a game root.

use std::time::SystemTime;

/// A regular file's size and modification time. The scan reuses a file's hash while both
/// hold (see `scan::cache`), so a backend must change `modified` whenever the content
/// changes; a backend with only a coarser clock still works, because the scan hashes
/// again any file modified less than `RACY_WINDOW` before its last hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    pub modified: SystemTime,
}

/// One entry of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name within its folder (no `/`).
    pub name: String,
    pub kind: EntryKind,
}

/// Listings name only files and folders: symbolic links and special files are left out
/// (a scan never follows a link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File(FileMeta),
    Folder,
}
