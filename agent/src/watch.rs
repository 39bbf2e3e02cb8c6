//! [`Debouncer`]: turning a burst of change notifications into one rescan per instance.
//!
//! Notifications come from the driver's watcher ([`crate::driver::ChangeWatch`]) and
//! name an instance, never a file. An instance is rescanned once no notification for it
//! arrived for `debounce` (200 ms), but never later than `max_delay` (500 ms) after the
//! first of a burst, so a steady stream of writes still gets reported within a second.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

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
}
