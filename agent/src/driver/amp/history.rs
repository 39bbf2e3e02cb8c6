//! The previous versions of files the AMP driver replaced or removed, kept through AMP in
//! the game root's `.homeamp/history/<path>/<UTC time>-<sha256 prefix>` (the directory
//! driver's naming), newest `history_keep` per path.

use jiff::Timestamp;

use super::InstanceApi;
use crate::digest::sha256_hex;
use crate::driver::{AGENT_DIR, DriverError, EntryKind};

/// The history folder of `path`, as AMP names it.
pub fn history_dir(path: &str) -> String {
    format!("{AGENT_DIR}/history/{path}")
}

/// The name a version of `bytes` kept at `now` gets: sortable by time.
pub fn version_name(now: Timestamp, bytes: &[u8]) -> String {
    format!(
        "{}.{:03}Z-{}",
        now.strftime("%Y%m%dT%H%M%S"),
        now.subsec_millisecond(),
        &sha256_hex(bytes)[..12]
    )
}

impl InstanceApi<'_> {
    /// Keeps `previous`, the current content of `path`, and prunes the oldest versions.
    pub async fn keep_previous(&self, path: &str, previous: &[u8]) -> Result<(), DriverError> {
        let dir = history_dir(path);
        self.create_folders(&dir).await?;
        let name = version_name(Timestamp::now(), previous);
        let mut versions = self.versions(&dir).await?;
        // The same content kept within the same millisecond: nothing to add.
        if !versions.contains(&name) {
            self.write_new(&format!("{dir}/{name}"), previous).await?;
            versions.push(name);
            versions.sort();
        }
        let excess = versions
            .len()
            .saturating_sub(self.config.history_keep.max(1));
        for old in &versions[..excess] {
            self.delete(&format!("{dir}/{old}")).await?;
        }
        Ok(())
    }

    /// The kept versions in `dir`, oldest first (a write's temporary dot file is none).
    pub async fn versions(&self, dir: &str) -> Result<Vec<String>, DriverError> {
        let Some(entries) = self.list(dir).await? else {
            return Ok(Vec::new());
        };
        let mut names: Vec<String> = entries
            .into_iter()
            .filter(|e| matches!(e.kind, EntryKind::File(_)) && !e.name.starts_with('.'))
            .map(|e| e.name)
            .collect();
        names.sort();
        Ok(names)
    }
}
