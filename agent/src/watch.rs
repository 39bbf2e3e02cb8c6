//! Noticing changes: file watching (notify) per instance, and the debounce that turns
//! a burst of events into one rescan per instance.
//!
//! Each instance's game root is watched non-recursively (server files), and its
//! `config/` and `plugins/` folders (the latter recursively). An event is kept only
//! when [`ScanRules::is_relevant_change`] says its path could change the manifest;
//! it names the instance, never the file, because a rescan of one instance is cheap
//! (unchanged files are not re-read) and always right.
//!
//! [`Debouncer`]: an instance is rescanned once no event for it arrived for `debounce`
//! (200 ms), but never later than `max_delay` (500 ms) after the first event of a
//! burst, so a steady stream of writes still gets reported within a second.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::error::AgentError;
use crate::instance::Instance;
use crate::scan::ScanRules;

/// Watches instance folders and sends the name of each instance that changed.
pub struct InstanceWatcher {
    watcher: RecommendedWatcher,
    watched: HashSet<PathBuf>,
    roots: std::sync::Arc<std::sync::RwLock<Vec<(PathBuf, String)>>>,
}

impl InstanceWatcher {
    /// A watcher that sends instance names on `changed`; call [`Self::refresh`] to start.
    pub fn new(
        rules: ScanRules,
        changed: mpsc::UnboundedSender<String>,
    ) -> Result<Self, AgentError> {
        let roots: std::sync::Arc<std::sync::RwLock<Vec<(PathBuf, String)>>> = Default::default();
        let shared = roots.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            let Ok(event) = event else { return };
            if !is_interesting(&event.kind) {
                return;
            }
            let roots = shared.read().unwrap_or_else(|p| p.into_inner());
            let mut sent = HashSet::new();
            for path in &event.paths {
                if let Some(name) = instance_of(&roots, &rules, path)
                    && sent.insert(name)
                {
                    // The receiver is gone only when the agent is shutting down.
                    let _ = changed.send(name.to_string());
                }
            }
        })
        .map_err(|source| AgentError::Watch {
            path: PathBuf::new(),
            source,
        })?;
        Ok(Self {
            watcher,
            watched: HashSet::new(),
            roots,
        })
    }

    /// Watches the folders of `instances` that exist and are not watched yet. A folder that
    /// cannot be watched (removed meanwhile, or out of inotify watches) is logged and tried
    /// again on the next refresh; the periodic rescan covers it until then.
    pub fn refresh(&mut self, instances: &[Instance]) {
        {
            let mut roots = self.roots.write().unwrap_or_else(|p| p.into_inner());
            *roots = instances
                .iter()
                .map(|i| (i.game_root.clone(), i.name.clone()))
                .collect();
        }
        for instance in instances {
            let root = &instance.game_root;
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
    rules: &ScanRules,
    path: &Path,
) -> Option<&'a str> {
    let (root, name) = roots
        .iter()
        .filter(|(root, _)| path.starts_with(root))
        .max_by_key(|(root, _)| root.as_os_str().len())?;
    let rel = path.strip_prefix(root).ok()?;
    let rel: Vec<&str> = rel.iter().map(|s| s.to_str()).collect::<Option<_>>()?;
    rules
        .is_relevant_change(&rel.join("/"))
        .then_some(name.as_str())
}

/// Coalesces change notifications per instance (see the module documentation).
#[derive(Debug)]
pub struct Debouncer {
    debounce: Duration,
    max_delay: Duration,
    /// instance → (first event, last event) of the current burst.
    pending: HashMap<String, (Instant, Instant)>,
}

impl Debouncer {
    pub fn new(debounce: Duration, max_delay: Duration) -> Self {
        Self {
            debounce,
            max_delay,
            pending: HashMap::new(),
        }
    }

    pub fn note(&mut self, instance: String, now: Instant) {
        self.pending
            .entry(instance)
            .and_modify(|(_, last)| *last = now)
            .or_insert((now, now));
    }

    fn due_at(&self, first: Instant, last: Instant) -> Instant {
        (last + self.debounce).min(first + self.max_delay)
    }

    /// When the next instance becomes due, if any is pending.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending
            .values()
            .map(|(f, l)| self.due_at(*f, *l))
            .min()
    }

    /// The instances due at `now`, removed from the pending set, sorted.
    pub fn take_due(&mut self, now: Instant) -> Vec<String> {
        let mut due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, (f, l))| self.due_at(*f, *l) <= now)
            .map(|(name, _)| name.clone())
            .collect();
        for name in &due {
            self.pending.remove(name);
        }
        due.sort();
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_instance_is_due_after_the_debounce() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(Duration::from_millis(200), Duration::from_millis(500));
        d.note("A".into(), t0);
        assert_eq!(d.next_due(), Some(t0 + Duration::from_millis(200)));
        assert!(d.take_due(t0 + Duration::from_millis(199)).is_empty());
        assert_eq!(d.take_due(t0 + Duration::from_millis(200)), ["A"]);
        assert_eq!(d.next_due(), None);
    }

    #[test]
    fn a_burst_is_coalesced_and_capped() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(Duration::from_millis(200), Duration::from_millis(500));
        for ms in (0..=450).step_by(50) {
            d.note("A".into(), t0 + Duration::from_millis(ms));
        }
        d.note("B".into(), t0 + Duration::from_millis(450));
        // Still noisy at 450 ms, but A's burst began at 0: due at the 500 ms cap.
        assert_eq!(d.next_due(), Some(t0 + Duration::from_millis(500)));
        assert_eq!(d.take_due(t0 + Duration::from_millis(500)), ["A"]);
        assert_eq!(d.take_due(t0 + Duration::from_millis(650)), ["B"]);
    }

    #[test]
    fn events_map_to_the_innermost_instance_and_respect_the_rules() {
        let roots = vec![
            (PathBuf::from("/srv/A/Minecraft"), "A".to_string()),
            (PathBuf::from("/srv/B"), "B".to_string()),
        ];
        let rules = ScanRules::default();
        assert_eq!(
            instance_of(
                &roots,
                &rules,
                Path::new("/srv/A/Minecraft/plugins/X/config.yml")
            ),
            Some("A")
        );
        assert_eq!(
            instance_of(&roots, &rules, Path::new("/srv/B/server.properties")),
            Some("B")
        );
        assert_eq!(
            instance_of(&roots, &rules, Path::new("/srv/B/world/level.dat")),
            None
        );
        assert_eq!(
            instance_of(&roots, &rules, Path::new("/srv/C/server.properties")),
            None
        );
    }
}
