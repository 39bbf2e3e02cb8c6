//! Change notifications: how a driver that can watch files tells the agent an instance
//! changed, so the agent rescans it without waiting for the periodic rescan.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::Instance;

/// The sending half a driver's watcher gets from the agent. It carries the scan's rule
/// of which paths matter, so a watcher drops events for world files or player data at
/// the source instead of waking the agent for each.
#[derive(Clone)]
pub struct ChangeFeed {
    relevant: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    changed: mpsc::UnboundedSender<String>,
}

impl ChangeFeed {
    pub fn new(
        relevant: impl Fn(&str) -> bool + Send + Sync + 'static,
        changed: mpsc::UnboundedSender<String>,
    ) -> Self {
        Self {
            relevant: Arc::new(relevant),
            changed,
        }
    }

    /// True when a change at `rel` (relative to the game root, `/`-separated; a file or a
    /// folder, present or gone) could change the instance's manifest.
    pub fn is_relevant(&self, rel: &str) -> bool {
        (self.relevant)(rel)
    }

    /// Tells the agent that `instance` changed.
    pub fn send(&self, instance: &str) {
        // The receiver is gone only when the agent is shutting down.
        let _ = self.changed.send(instance.to_string());
    }
}

/// A running watcher. Dropping it stops the watching.
pub trait ChangeWatch: Send {
    /// Watches `instances` (the agent calls it after every rediscovery and rescan): new
    /// instances and folders are added. A part that cannot be watched is logged and tried
    /// again at the next refresh; the periodic rescan covers it meanwhile.
    fn refresh(&mut self, instances: &[Instance]);
}
