//! FileManagerPlugin over a real folder. Paths are as AMP's file manager shows them: relative
//! to the instance's application folder (`DIR/<InstanceName>/Minecraft/`), with or without a
//! leading `/`, `/` as the separator; `""` and `"/"` are the root itself. Nothing outside the
//! root can be named: `..`, absolute host paths and symlinks leading out are refused.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("Access denied: {0} is outside the instance's files")]
    Outside(String),
    #[error("File not found: {0}")]
    NotFound(String),
    #[error("A file or directory named {0} already exists")]
    Exists(String),
    #[error("The parent directory of {0} does not exist")]
    NoParent(String),
    #[error("Offset {offset} is past the end of {path} ({size} bytes)")]
    OffsetPastEnd {
        path: String,
        offset: u64,
        size: u64,
    },
    #[error("The data is not valid base64")]
    BadBase64,
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// One entry of `GetDirectoryListing`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    pub created: SystemTime,
    pub modified: SystemTime,
}

/// The files of one instance.
#[derive(Debug, Clone)]
pub struct InstanceFiles<'a> {
    pub root: &'a Path,
    pub trash: &'a Path,
}

impl InstanceFiles<'_> {
    /// The host path for an AMP path, refusing anything that leaves the root.
    pub fn resolve(&self, amp_path: &str) -> Result<PathBuf, FileError> {
        let mut out = self.root.to_path_buf();
        for c in Path::new(amp_path.trim_start_matches('/')).components() {
            match c {
                Component::Normal(part) => out.push(part),
                Component::CurDir => {}
                _ => return Err(FileError::Outside(amp_path.to_string())),
            }
        }
        // A symlink anywhere on the way may lead out: check the deepest existing ancestor.
        let mut probe = out.as_path();
        while !probe.exists() {
            match probe.parent() {
                Some(p) => probe = p,
                None => break,
            }
        }
        let root = fs::canonicalize(self.root).map_err(|e| io_err(amp_path, e))?;
        let real = fs::canonicalize(probe).map_err(|e| io_err(amp_path, e))?;
        if !real.starts_with(&root) {
            return Err(FileError::Outside(amp_path.to_string()));
        }
        Ok(out)
    }

    /// The entries of a directory, directories first then by name (AMP's order). A missing
    /// directory lists as empty, as AMP's file manager shows it.
    pub fn list(&self, dir: &str) -> Result<Vec<Entry>, FileError> {
        let path = self.resolve(dir)?;
        let Ok(read) = fs::read_dir(&path) else {
            return Ok(Vec::new());
        };
        let mut entries = Vec::new();
        for e in read {
            let e = e.map_err(|e| io_err(dir, e))?;
            let meta = e.metadata().map_err(|e| io_err(dir, e))?;
            entries.push(Entry {
                name: e.file_name().to_string_lossy().into_owned(),
                is_dir: meta.is_dir(),
                size: if meta.is_dir() { 0 } else { meta.len() },
                created: meta.created().unwrap_or(SystemTime::UNIX_EPOCH),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
        entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then(a.name.cmp(&b.name)));
        Ok(entries)
    }

    /// Up to `len` bytes from `offset`; fewer (down to none) at the end of the file.
    pub fn read_chunk(&self, file: &str, offset: u64, len: u64) -> Result<Vec<u8>, FileError> {
        let path = self.resolve(file)?;
        if !path.is_file() {
            return Err(FileError::NotFound(file.to_string()));
        }
        let mut f = fs::File::open(&path).map_err(|e| io_err(file, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| io_err(file, e))?;
        let mut buf = Vec::new();
        f.take(len)
            .read_to_end(&mut buf)
            .map_err(|e| io_err(file, e))?;
        Ok(buf)
    }

    /// Writes `data` at `offset`. Offset 0 creates the file or cuts it to nothing first (a
    /// new upload); any other offset must be within what is already there. The write goes
    /// straight into the named file, so a client that stops midway leaves it half written:
    /// which is why a careful driver uploads to a temporary name and renames.
    pub fn write_chunk(&self, file: &str, offset: u64, data: &[u8]) -> Result<(), FileError> {
        let path = self.resolve(file)?;
        if !path.parent().is_some_and(Path::is_dir) {
            return Err(FileError::NoParent(file.to_string()));
        }
        let mut f = if offset == 0 {
            fs::File::create(&path).map_err(|e| io_err(file, e))?
        } else {
            let f = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|_| FileError::NotFound(file.to_string()))?;
            let size = f.metadata().map_err(|e| io_err(file, e))?.len();
            if offset > size {
                return Err(FileError::OffsetPastEnd {
                    path: file.to_string(),
                    offset,
                    size,
                });
            }
            f
        };
        f.seek(SeekFrom::Start(offset))
            .and_then(|_| f.write_all(data))
            .map_err(|e| io_err(file, e))
    }

    /// Renames a file. `new_name` is a name in the same directory, or (when it has a `/`) a
    /// path from the root. An existing target is replaced only when `overwrite` is set.
    pub fn rename(&self, file: &str, new_name: &str, overwrite: bool) -> Result<(), FileError> {
        let from = self.resolve(file)?;
        if !from.is_file() {
            return Err(FileError::NotFound(file.to_string()));
        }
        let to = if new_name.contains('/') {
            self.resolve(new_name)?
        } else {
            let parent = file.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            self.resolve(&format!("{parent}/{new_name}"))?
        };
        if to.exists() && !overwrite {
            return Err(FileError::Exists(new_name.to_string()));
        }
        fs::rename(&from, &to).map_err(|e| io_err(file, e))
    }

    /// Moves a file to the instance's trash (kept outside the file manager's root, so a trashed
    /// file is gone from every listing), under a name that never collides.
    pub fn trash_file(&self, file: &str) -> Result<(), FileError> {
        let from = self.resolve(file)?;
        if !from.is_file() {
            return Err(FileError::NotFound(file.to_string()));
        }
        fs::create_dir_all(self.trash).map_err(|e| io_err(file, e))?;
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let base = from.file_name().map(|n| n.to_string_lossy().into_owned());
        let to = self
            .trash
            .join(format!("{stamp}-{}", base.unwrap_or_default()));
        fs::rename(&from, &to).map_err(|e| io_err(file, e))
    }

    /// `CreateDirectory`: the parent must already exist (the spec says so).
    pub fn create_dir(&self, dir: &str) -> Result<(), FileError> {
        let path = self.resolve(dir)?;
        if path.exists() {
            return Err(FileError::Exists(dir.to_string()));
        }
        if !path.parent().is_some_and(Path::is_dir) {
            return Err(FileError::NoParent(dir.to_string()));
        }
        fs::create_dir(&path).map_err(|e| io_err(dir, e))
    }
}

fn io_err(path: &str, source: io::Error) -> FileError {
    FileError::Io {
        path: path.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> (PathBuf, PathBuf) {
        let root = dir.join("Minecraft");
        fs::create_dir_all(&root).unwrap();
        (root, dir.join("Trash"))
    }

    #[test]
    fn paths_are_rooted_at_the_app_folder_with_or_without_a_slash() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, trash) = files(tmp.path());
        let f = InstanceFiles {
            root: &root,
            trash: &trash,
        };
        assert_eq!(
            f.resolve("/server.properties").unwrap(),
            root.join("server.properties")
        );
        assert_eq!(
            f.resolve("server.properties").unwrap(),
            root.join("server.properties")
        );
        assert_eq!(f.resolve("").unwrap(), root);
    }

    #[test]
    fn nothing_outside_the_root_can_be_named() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, trash) = files(tmp.path());
        std::os::unix::fs::symlink(tmp.path(), root.join("out")).unwrap();
        let f = InstanceFiles {
            root: &root,
            trash: &trash,
        };
        for p in ["../AMPConfig.conf", "/plugins/../../x", "out/Trash", "out"] {
            assert!(matches!(f.resolve(p), Err(FileError::Outside(_))), "{p}");
        }
    }

    #[test]
    fn a_chunk_past_the_end_is_refused_and_offset_zero_truncates() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, trash) = files(tmp.path());
        let f = InstanceFiles {
            root: &root,
            trash: &trash,
        };
        f.write_chunk("a.txt", 0, b"hello world").unwrap();
        f.write_chunk("a.txt", 0, b"bye").unwrap();
        assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"bye");
        assert!(matches!(
            f.write_chunk("a.txt", 10, b"x"),
            Err(FileError::OffsetPastEnd { .. })
        ));
    }
}
