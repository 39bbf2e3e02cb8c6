//! The previous versions of files the directory driver replaced or removed.
//!
//! Before a file is replaced or removed its current version is kept in
//! `<instance>/.homeamp/history/<path>/<UTC time>-<sha256 prefix>` (a hard link when
//! possible, so keeping it costs no copy), and only the newest `keep` versions of each
//! path are kept. The history's folders are opened without going through a symbolic link
//! ([`own_folder`]): a `.homeamp` pointing elsewhere is refused and nothing is written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::atomic_file::sync_dir;
use crate::digest::sha256_file;
use crate::own_folder::{own_folder, own_folder_if_present};

/// Where the history is, below an instance folder.
const HISTORY: &str = ".homeamp/history";

/// The history of one instance.
pub struct History<'a> {
    /// The instance folder (`InstanceFolder::dir`).
    pub instance: &'a Path,
    pub keep: usize,
}

impl History<'_> {
    /// The kept versions of `rel`, oldest first.
    pub fn versions(&self, rel: &str) -> io::Result<Vec<PathBuf>> {
        let Some(dir) = own_folder_if_present(self.instance, &format!("{HISTORY}/{rel}"))? else {
            return Ok(Vec::new());
        };
        let mut versions: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        versions.sort();
        Ok(versions)
    }

    /// Puts the current `target` (named `rel`) into the history; moves it there when
    /// `remove` is set.
    pub fn keep_previous(&self, rel: &str, target: &Path, remove: bool) -> io::Result<()> {
        let dir = own_folder(self.instance, &format!("{HISTORY}/{rel}"))?;
        let sha = sha256_file(target)?;
        let now = Timestamp::now();
        let name = format!(
            "{}.{:03}Z-{}",
            now.strftime("%Y%m%dT%H%M%S"),
            now.subsec_millisecond(),
            &sha[..12]
        );
        let kept = dir.join(name);
        if kept.exists() {
            // The same content kept within the same millisecond: nothing to add.
            if remove {
                fs::remove_file(target)?;
            }
        } else if remove {
            if fs::rename(target, &kept).is_err() {
                fs::copy(target, &kept)?;
                fs::remove_file(target)?;
            }
        } else if fs::hard_link(target, &kept).is_err() {
            fs::copy(target, &kept)?;
        }
        if let Some(parent) = target.parent() {
            sync_dir(parent)?;
        }
        self.prune(rel)
    }

    fn prune(&self, rel: &str) -> io::Result<()> {
        let versions = self.versions(rel)?;
        let excess = versions.len().saturating_sub(self.keep.max(1));
        for old in &versions[..excess] {
            fs::remove_file(old)?;
        }
        Ok(())
    }
}
