//! Changing files safely: atomic replacement, and the previous version kept.
//!
//! A write goes to a temporary file in the target's own folder (`.homeamp-*.tmp`,
//! hidden from scans), takes the old file's permissions and owner (0644 and the
//! folder's owner for a new file), is fsynced, renamed over the target, and the folder
//! is fsynced so the rename itself survives a crash. A reader sees the old file or the
//! new one, never a mix.
//!
//! Before a file is replaced or removed its current version is kept in
//! `<instance>/.homeamp/history/<path>/<UTC time>-<sha256 prefix>` (a hard link when
//! possible, so keeping it costs no copy), and only the newest `keep` versions of each
//! path are kept.

use std::fs::{self, File, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::digest::sha256_file;
use crate::instance::Instance;

/// Writes and removes files of one instance, keeping history.
pub struct FileStore<'a> {
    pub instance: &'a Instance,
    pub keep: usize,
}

impl FileStore<'_> {
    /// Replaces (or creates) `target` with `bytes`; `rel` names it in the history.
    pub fn write(&self, rel: &str, target: &Path, bytes: &[u8]) -> io::Result<()> {
        if target.is_file() {
            self.keep_previous(rel, target, false)?;
        }
        write_atomic(target, bytes)
    }

    /// Removes `target`, keeping it in the history.
    pub fn remove(&self, rel: &str, target: &Path) -> io::Result<()> {
        self.keep_previous(rel, target, true)
    }

    /// The kept versions of `rel`, oldest first.
    pub fn versions(&self, rel: &str) -> io::Result<Vec<PathBuf>> {
        let dir = self.instance.history_dir().join(rel);
        let mut versions: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        versions.sort();
        Ok(versions)
    }

    /// Puts the current `target` into the history; moves it there when `remove` is set.
    fn keep_previous(&self, rel: &str, target: &Path, remove: bool) -> io::Result<()> {
        let dir = self.instance.history_dir().join(rel);
        fs::create_dir_all(&dir)?;
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

/// Replaces `target` with `bytes` atomically (see the module documentation).
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = target.parent().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a file path has a parent folder",
        )
    })?;
    fs::create_dir_all(dir)?;
    let (mode, owner) = match fs::metadata(target) {
        Ok(meta) => (meta.permissions().mode(), (meta.uid(), meta.gid())),
        Err(_) => {
            let parent = fs::metadata(dir)?;
            (0o644, (parent.uid(), parent.gid()))
        }
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".homeamp-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    let file = tmp.as_file();
    file.set_permissions(Permissions::from_mode(mode))?;
    // Keeping the owner needs privileges when it is not ours; without them the file is
    // ours, which the server can still read when the mode allows it.
    if let Err(e) = std::os::unix::fs::fchown(file, Some(owner.0), Some(owner.1)) {
        tracing::debug!(path = %target.display(), error = %e, "could not keep the file's owner");
    }
    file.sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
