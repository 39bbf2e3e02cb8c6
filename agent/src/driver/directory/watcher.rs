//! The directory driver's file watching (notify).
//!
//! Each instance's game root is watched non-recursively (server files), and its
//! `config/` and `plugins/` folders (the latter recursively). An event is kept only
//! when the [`ChangeFeed`] says its path could change the manifest; it names the
//! instance, never the file, because a rescan of one instance is cheap (unchanged files
//! are not re-read) and always right.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::folders::InstanceFolder;
use crate::driver::{ChangeFeed, ChangeWatch, DriverError, Instance};

/// (game root, instance name) of every watched instance.
type Roots = Arc<RwLock<Vec<(PathBuf, String)>>>;

/// Watches instance folders and reports each instance that changed on its feed.
pub struct FolderWatcher {
    watcher: RecommendedWatcher,
    watched: HashSet<PathBuf>,
    roots: Roots,
    folders: Arc<RwLock<BTreeMap<String, InstanceFolder>>>,
}

impl FolderWatcher {
    /// A watcher for the instances in `folders` (the driver's table), reporting on `feed`.
    pub fn new(
        feed: ChangeFeed,
        folders: Arc<RwLock<BTreeMap<String, InstanceFolder>>>,
    ) -> Result<Self, DriverError> {
        let roots: Roots = Roots::default();
        let shared = roots.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            let Ok(event) = event else { return };
            if !is_interesting(&event.kind) {
                return;
            }
            let roots = shared.read().unwrap_or_else(|p| p.into_inner());
            let mut sent = HashSet::new();
            for path in &event.paths {
                if let Some(name) = instance_of(&roots, &feed, path)
                    && sent.insert(name)
                {
                    feed.send(name);
                }
            }
        })
        .map_err(|source| DriverError::Watch {
            what: "instance folders".into(),
            source: Box::new(source),
        })?;
        Ok(Self {
            watcher,
            watched: HashSet::new(),
            roots,
            folders,
        })
    }
}

impl ChangeWatch for FolderWatcher {
    /// Watches the folders of `instances` that exist and are not watched yet. A folder that
    /// cannot be watched (removed meanwhile, or out of inotify watches) is logged and tried
    /// again on the next refresh; the periodic rescan covers it until then.
    fn refresh(&mut self, instances: &[Instance]) {
        let game_roots: Vec<(PathBuf, String)> = {
            let folders = self.folders.read().unwrap_or_else(|p| p.into_inner());
            instances
                .iter()
                .filter_map(|i| folders.get(&i.name))
                .map(|f| (f.game_root.clone(), f.name.clone()))
                .collect()
        };
        *self.roots.write().unwrap_or_else(|p| p.into_inner()) = game_roots.clone();
        for (root, _) in &game_roots {
            for (dir, mode) in [
                (root.clone(), RecursiveMode::NonRecursive),
                (root.join("config"), RecursiveMode::NonRecursive),
                (root.join("plugins"), RecursiveMode::Recursive),
            ] {
                if self.watched.contains(&dir) || !dir.is_dir() {
                    continue;
                }
                match self.watcher.watch(&dir, mode) {
                    Ok(()) => {
                        self.watched.insert(dir);
                    }
                    Err(e) => {
                        tracing::warn!(path = %dir.display(), error = %e, "cannot watch a folder")
                    }
                }
            }
        }
        // Folders that vanished are dropped from the set so that a re-created one is watched again.
        self.watched.retain(|dir| dir.is_dir());
    }
}

fn is_interesting(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        _ => true,
    }
}

fn instance_of<'a>(
    roots: &'a [(PathBuf, String)],
    feed: &ChangeFeed,
    path: &Path,
) -> Option<&'a str> {
    let (root, name) = roots
        .iter()
        .filter(|(root, _)| path.starts_with(root))
        .max_by_key(|(root, _)| root.as_os_str().len())?;
    let rel = path.strip_prefix(root).ok()?;
    let rel: Vec<&str> = rel.iter().map(|s| s.to_str()).collect::<Option<_>>()?;
    feed.is_relevant(&rel.join("/")).then_some(name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanRules;

    #[test]
    fn events_map_to_the_innermost_instance_and_respect_the_rules() {
        let roots = vec![
            (PathBuf::from("/srv/A/Minecraft"), "A".to_string()),
            (PathBuf::from("/srv/B"), "B".to_string()),
        ];
        let rules = ScanRules::default();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let feed = ChangeFeed::new(move |rel| rules.is_relevant_change(rel), tx);
        assert_eq!(
            instance_of(
                &roots,
                &feed,
                Path::new("/srv/A/Minecraft/plugins/X/config.yml")
            ),
            Some("A")
        );
        assert_eq!(
            instance_of(&roots, &feed, Path::new("/srv/B/server.properties")),
            Some("B")
        );
        assert_eq!(
            instance_of(&roots, &feed, Path::new("/srv/B/world/level.dat")),
            None
        );
        assert_eq!(
            instance_of(&roots, &feed, Path::new("/srv/C/server.properties")),
            None
        );
    }
}
