//! An instance's files through `FileManagerPlugin`. Paths are the game root's own
//! (`RelPath`s, or the agent's `.homeamp/…`), which is what AMP's file manager calls `/`
//! for a Minecraft instance; AMP itself refuses anything outside that root.
//!
//! AMP lists a missing folder as empty and reads a missing file as a failure, so
//! absence is told by looking at the parent's listing.

use std::time::SystemTime;

use homeamp_ampclient::{AmpError, DirEntry as AmpEntry};

use super::InstanceApi;
use crate::driver::{DirEntry, DriverError, EntryKind, FileMeta, PathEscape};

/// Splits `a/b/c.yml` into (`a/b`, `c.yml`); a top-level name has the parent `""`.
pub fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn meta(entry: &AmpEntry) -> FileMeta {
    FileMeta {
        size: entry.size_bytes,
        modified: entry.modified_time().unwrap_or(SystemTime::UNIX_EPOCH),
    }
}

impl InstanceApi<'_> {
    async fn listing(&self, dir: &str) -> Result<Vec<AmpEntry>, DriverError> {
        self.client
            .list_dir(self.id(), dir)
            .await
            .map_err(|e| self.fail(format_args!("list {dir:?}"), e))
    }

    /// The entry at `path` in its parent's listing.
    async fn entry(&self, path: &str) -> Result<Option<AmpEntry>, DriverError> {
        let (dir, name) = split(path);
        let entries = self.listing(dir).await?;
        Ok(entries.into_iter().find(|e| e.filename == name))
    }

    async fn is_dir(&self, path: &str) -> Result<bool, DriverError> {
        Ok(path.is_empty() || self.entry(path).await?.is_some_and(|e| e.is_directory))
    }

    /// The folder `dir` of the game root (`""`: the root); `None` when it is not there.
    pub async fn list(&self, dir: &str) -> Result<Option<Vec<DirEntry>>, DriverError> {
        let entries = self.listing(dir).await?;
        if entries.is_empty() && !self.is_dir(dir).await? {
            return Ok(None);
        }
        let listed = entries
            .iter()
            .map(|e| DirEntry {
                name: e.filename.clone(),
                kind: match e.is_directory {
                    true => EntryKind::Folder,
                    false => EntryKind::File(meta(e)),
                },
            })
            .collect();
        Ok(Some(listed))
    }

    pub async fn stat(&self, path: &str) -> Result<Option<FileMeta>, DriverError> {
        let entry = self.entry(path).await?;
        Ok(entry.filter(|e| !e.is_directory).map(|e| meta(&e)))
    }

    pub async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, DriverError> {
        match self.client.read_file(self.id(), path).await {
            Ok(bytes) => Ok(Some(bytes)),
            // AMP says only "no": a missing file is no error here, anything else is.
            Err(e @ AmpError::ActionFailed { .. }) => match self.stat(path).await? {
                None => Ok(None),
                Some(_) => Err(self.fail(format_args!("read {path}"), e)),
            },
            Err(e) => Err(self.fail(format_args!("read {path}"), e)),
        }
    }

    /// Replaces `path` by way of a temporary name and a rename, keeping the previous
    /// version in the history first. Missing folders are created.
    pub async fn write(&self, path: &str, bytes: &[u8]) -> Result<(), DriverError> {
        self.create_folders(split(path).0).await?;
        if let Some(previous) = self.read(path).await? {
            self.keep_previous(path, &previous).await?;
        }
        self.write_new(path, bytes).await
    }

    /// Writes `path` atomically, without keeping what was there.
    pub async fn write_new(&self, path: &str, bytes: &[u8]) -> Result<(), DriverError> {
        self.client
            .write_file_atomic(self.id(), path, bytes)
            .await
            .map_err(|e| self.fail(format_args!("write {path}"), e))
    }

    /// Removes `path` (AMP moves it to the instance's trash), keeping it in the history
    /// first; nothing to do when it is not there.
    pub async fn remove(&self, path: &str) -> Result<(), DriverError> {
        let Some(previous) = self.read(path).await? else {
            return Ok(());
        };
        self.keep_previous(path, &previous).await?;
        self.delete(path).await
    }

    pub async fn delete(&self, path: &str) -> Result<(), DriverError> {
        self.client
            .delete_file(self.id(), path)
            .await
            .map_err(|e| self.fail(format_args!("remove {path}"), e))
    }

    /// Creates `dir` and the folders above it that are missing (`""`: the root, there).
    pub async fn create_folders(&self, dir: &str) -> Result<(), DriverError> {
        if self.is_dir(dir).await? {
            return Ok(());
        }
        let mut prefix = String::new();
        for segment in dir.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            match self.entry(&prefix).await? {
                Some(e) if e.is_directory => continue,
                Some(_) => {
                    return Err(DriverError::Escape(PathEscape::NotAFolder {
                        path: dir.to_string(),
                        component: prefix.into(),
                    }));
                }
                None => self
                    .client
                    .create_dir(self.id(), &prefix)
                    .await
                    .map_err(|e| self.fail(format_args!("create the folder {prefix}"), e))?,
            }
        }
        Ok(())
    }
}
