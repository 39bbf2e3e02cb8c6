//! The work queue's state machine, free of tasks and clocks so that it is easy to reason about.
//!
//! Every key is in at most one of: `ready` (waiting for a worker), `running`,
//! `scheduled` (waiting for a deadline). `dirty` marks a running key that was
//! triggered while it ran.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::time::Duration;

use tokio::time::Instant;

use super::action::Action;

#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub resync: Duration,
    /// Fraction of `resync` added or removed at random (0.1 = ±10 %).
    pub jitter: f64,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

pub(crate) struct Queue<K> {
    ready: VecDeque<K>,
    ready_set: HashSet<K>,
    running: HashSet<K>,
    dirty: HashSet<K>,
    deadlines: HashMap<K, Instant>,
    by_deadline: BTreeSet<(Instant, K)>,
    failures: HashMap<K, u32>,
    reasons: HashMap<K, &'static str>,
}

impl<K: Clone + Eq + Hash + Ord> Queue<K> {
    pub fn new() -> Self {
        Self {
            ready: VecDeque::new(),
            ready_set: HashSet::new(),
            running: HashSet::new(),
            dirty: HashSet::new(),
            deadlines: HashMap::new(),
            by_deadline: BTreeSet::new(),
            failures: HashMap::new(),
            reasons: HashMap::new(),
        }
    }

    /// A trigger: run the key as soon as possible, unless it is backing off after an error.
    pub fn trigger(&mut self, key: K, reason: &'static str, now: Instant) {
        self.reasons.insert(key.clone(), reason);
        if self.running.contains(&key) {
            self.dirty.insert(key);
            return;
        }
        if self.ready_set.contains(&key) {
            return;
        }
        let backing_off = self.failures.get(&key).copied().unwrap_or(0) > 0
            && self.deadlines.get(&key).is_some_and(|d| *d > now);
        if backing_off {
            return;
        }
        self.unschedule(&key);
        self.push_ready(key);
    }

    /// Forgets a key entirely (the instance was removed). A running reconcile finishes.
    pub fn forget(&mut self, key: &K) {
        self.unschedule(key);
        if self.ready_set.remove(key) {
            self.ready.retain(|k| k != key);
        }
        self.dirty.remove(key);
        self.failures.remove(key);
        self.reasons.remove(key);
    }

    /// Moves every key whose deadline has passed to `ready`.
    pub fn promote_due(&mut self, now: Instant) {
        while let Some((at, key)) = self.by_deadline.first().cloned() {
            if at > now {
                break;
            }
            self.by_deadline.pop_first();
            self.deadlines.remove(&key);
            self.reasons.insert(key.clone(), "scheduled");
            self.push_ready(key);
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.by_deadline.first().map(|(at, _)| *at)
    }

    /// Takes the next ready key and marks it running.
    pub fn start_next(&mut self) -> Option<(K, &'static str)> {
        let key = self.ready.pop_front()?;
        self.ready_set.remove(&key);
        self.running.insert(key.clone());
        let reason = self.reasons.get(&key).copied().unwrap_or("unknown");
        Some((key, reason))
    }

    pub fn failures(&self, key: &K) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }

    /// Records the end of a reconcile and schedules the next look.
    /// `action` is what reconcile (on success) or error_policy (on error) returned.
    pub fn complete(
        &mut self,
        key: K,
        succeeded: bool,
        action: Action,
        now: Instant,
        timing: &Timing,
    ) {
        self.running.remove(&key);
        if succeeded {
            self.failures.remove(&key);
        } else {
            *self.failures.entry(key.clone()).or_insert(0) += 1;
        }
        let failures = self.failures(&key);
        let after = match action {
            Action::Requeue(after) => after,
            Action::AwaitChange => jittered(timing.resync, timing.jitter),
            Action::Backoff if failures > 0 => backoff(failures, timing),
            Action::Backoff => timing.backoff_base,
        };
        if self.dirty.remove(&key) && succeeded {
            self.push_ready(key);
            return;
        }
        self.schedule(key, now + after);
    }

    #[cfg(test)]
    pub fn is_idle(&self) -> bool {
        self.ready.is_empty() && self.running.is_empty()
    }

    fn push_ready(&mut self, key: K) {
        if self.ready_set.insert(key.clone()) {
            self.ready.push_back(key);
        }
    }

    fn schedule(&mut self, key: K, at: Instant) {
        self.unschedule(&key);
        self.deadlines.insert(key.clone(), at);
        self.by_deadline.insert((at, key));
    }

    fn unschedule(&mut self, key: &K) {
        if let Some(at) = self.deadlines.remove(key) {
            self.by_deadline.remove(&(at, key.clone()));
        }
    }
}

/// `base · 2^(failures-1)`, capped at `max`.
pub(crate) fn backoff(failures: u32, timing: &Timing) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(30));
    timing
        .backoff_base
        .saturating_mul(factor)
        .min(timing.backoff_max)
}

fn jittered(period: Duration, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 1.0);
    let factor = 1.0 + jitter * (fastrand::f64() * 2.0 - 1.0);
    period.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> Timing {
        Timing {
            resync: Duration::from_secs(60),
            jitter: 0.1,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
        }
    }

    #[test]
    fn repeated_triggers_are_deduplicated() {
        let mut q = Queue::new();
        let now = Instant::now();
        for _ in 0..10 {
            q.trigger("a", "test", now);
        }
        assert_eq!(q.start_next().map(|(k, _)| k), Some("a"));
        assert_eq!(q.start_next(), None);
    }

    #[test]
    fn a_trigger_while_running_runs_once_more_afterwards() {
        let mut q = Queue::new();
        let now = Instant::now();
        q.trigger("a", "test", now);
        q.start_next().unwrap();
        q.trigger("a", "again", now);
        q.trigger("a", "again", now);
        assert_eq!(
            q.start_next(),
            None,
            "never two reconciles of one key at once"
        );
        q.complete("a", true, Action::AwaitChange, now, &timing());
        assert_eq!(q.start_next(), Some(("a", "again")));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let t = timing();
        let secs: Vec<u64> = (1..=7).map(|f| backoff(f, &t).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn triggers_do_not_cut_a_backoff_short_but_success_resets_it() {
        let mut q = Queue::new();
        let t = timing();
        let now = Instant::now();
        q.trigger("a", "test", now);
        q.start_next().unwrap();
        q.complete("a", false, Action::Backoff, now, &t);
        assert!(q.is_idle());
        q.trigger("a", "test", now);
        assert_eq!(q.start_next(), None, "still backing off");
        assert_eq!(q.next_deadline(), Some(now + Duration::from_secs(1)));
        let later = now + Duration::from_secs(1);
        q.promote_due(later);
        q.start_next().unwrap();
        q.complete("a", true, Action::AwaitChange, later, &t);
        assert_eq!(q.failures(&"a"), 0);
        q.trigger("a", "test", later);
        assert!(q.start_next().is_some(), "a success ends the backoff");
    }

    #[test]
    fn resync_is_jittered_within_bounds() {
        let t = timing();
        let now = Instant::now();
        for _ in 0..200 {
            let mut q = Queue::new();
            q.trigger(1, "test", now);
            q.start_next().unwrap();
            q.complete(1, true, Action::AwaitChange, now, &t);
            let after = q.next_deadline().unwrap() - now;
            assert!(
                after >= Duration::from_secs(54) && after <= Duration::from_secs(66),
                "{after:?}"
            );
        }
    }
}
