//! Replacing a local file atomically: the instance files of the directory driver, and
//! the agent's own records in its state directory.
//!
//! A write goes to a temporary file in the target's own folder (`.homeamp-*.tmp`,
//! hidden from scans), takes the old file's permissions and owner (0644 and the
//! folder's owner for a new file), is fsynced, renamed over the target, and the folder
//! is fsynced so the rename itself survives a crash. A reader sees the old file or the
//! new one, never a mix.

use std::fs::{self, File, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

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

/// Makes the entries of `dir` (a rename, a removal) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
