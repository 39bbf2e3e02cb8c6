//! The controller task: owns the [`Queue`], spawns reconciles, sleeps until the next deadline.

use std::collections::HashMap;
use std::fmt::{Debug, Display};
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::action::Action;
use super::queue::{Queue, Timing};

/// Brings one key to its desired state. Implementations own no queue, no timer, no retry.
pub trait Reconcile: Send + Sync + 'static {
    type Key: Clone + Eq + Hash + Ord + Debug + Display + Send + Sync + 'static;
    type Error: Display + Send + 'static;

    /// Recomputes everything for `key` and acts; must be idempotent.
    fn reconcile(
        &self,
        key: &Self::Key,
    ) -> impl Future<Output = Result<Action, Self::Error>> + Send;

    /// What to do after an error; the default backs off exponentially per key.
    fn error_policy(&self, _key: &Self::Key, _error: &Self::Error, _failures: u32) -> Action {
        Action::Backoff
    }
}

#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// How many keys may reconcile at once.
    pub concurrency: usize,
    /// Every known key is reconciled at least this often (± `jitter`).
    pub resync: Duration,
    pub jitter: f64,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            resync: Duration::from_secs(300),
            jitter: 0.1,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(300),
        }
    }
}

enum Command<K> {
    Trigger(K, &'static str),
    Forget(K),
}

/// Sends triggers to a running controller; cheap to clone.
pub struct Handle<K> {
    tx: mpsc::UnboundedSender<Command<K>>,
}

impl<K> Clone for Handle<K> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
        }
    }
}

impl<K> Handle<K> {
    /// Asks for `key` to be reconciled; `reason` goes into the tracing span.
    /// Returns false when the controller has stopped.
    pub fn trigger(&self, key: K, reason: &'static str) -> bool {
        self.tx.send(Command::Trigger(key, reason)).is_ok()
    }

    pub fn trigger_all(&self, keys: impl IntoIterator<Item = K>, reason: &'static str) {
        for key in keys {
            self.trigger(key, reason);
        }
    }

    /// Stops reconciling `key` (its resync too) until it is triggered again.
    pub fn forget(&self, key: K) {
        let _ = self.tx.send(Command::Forget(key));
    }
}

/// Where a [`Handle`]'s triggers wait until a [`Controller`] takes them.
///
/// Made before the controller by [`channel`], so that whatever sends triggers (the host's
/// shared core) can be built first and the reconciler, which holds that core, after it:
/// no reference cycle and no slot filled in later.
pub struct Inbox<K> {
    rx: mpsc::UnboundedReceiver<Command<K>>,
}

impl<K> Inbox<K> {
    /// Drops the triggers sent so far and returns how many there were (for a caller that
    /// starts its controller late and wants only what comes after).
    pub fn discard_pending(&mut self) -> usize {
        let mut n = 0;
        while self.rx.try_recv().is_ok() {
            n += 1;
        }
        n
    }
}

/// A handle and the inbox its triggers go to.
pub fn channel<K>() -> (Handle<K>, Inbox<K>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Handle { tx }, Inbox { rx })
}

pub struct Controller<R: Reconcile> {
    reconciler: Arc<R>,
    config: ControllerConfig,
    rx: mpsc::UnboundedReceiver<Command<R::Key>>,
}

impl<R: Reconcile> Controller<R> {
    /// A controller with a new channel; the handle sends it triggers.
    pub fn new(reconciler: Arc<R>, config: ControllerConfig) -> (Self, Handle<R::Key>) {
        let (handle, inbox) = channel();
        (Self::with_inbox(reconciler, config, inbox), handle)
    }

    /// A controller taking the triggers of an existing [`channel`].
    pub fn with_inbox(reconciler: Arc<R>, config: ControllerConfig, inbox: Inbox<R::Key>) -> Self {
        Self {
            reconciler,
            config,
            rx: inbox.rx,
        }
    }

    /// Runs until `shutdown` is cancelled (or every handle is dropped), then waits for
    /// the reconciles in flight to finish: none is cut off halfway.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let timing = Timing {
            resync: self.config.resync,
            jitter: self.config.jitter,
            backoff_base: self.config.backoff_base,
            backoff_max: self.config.backoff_max,
        };
        let concurrency = self.config.concurrency.max(1);
        let mut queue: Queue<R::Key> = Queue::new();
        let mut tasks: JoinSet<(R::Key, bool, Action)> = JoinSet::new();
        // Which key a task reconciles, so that a panicking reconcile backs off like an error.
        let mut task_keys: HashMap<tokio::task::Id, R::Key> = HashMap::new();
        let mut open = true;

        while open {
            queue.promote_due(Instant::now());
            while tasks.len() < concurrency {
                let Some((key, reason)) = queue.start_next() else {
                    break;
                };
                let failures = queue.failures(&key);
                let reconciler = Arc::clone(&self.reconciler);
                let span = tracing::info_span!("reconcile", key = %key, trigger = reason);
                let task_key = key.clone();
                let handle = tasks.spawn(
                    async move {
                        match reconciler.reconcile(&key).await {
                            Ok(action) => (key, true, action),
                            Err(error) => {
                                tracing::warn!(%error, "reconcile failed");
                                let action = reconciler.error_policy(&key, &error, failures + 1);
                                (key, false, action)
                            }
                        }
                    }
                    .instrument(span),
                );
                task_keys.insert(handle.id(), task_key);
            }

            let deadline = queue.next_deadline();
            tokio::select! {
                _ = shutdown.cancelled() => open = false,
                command = self.rx.recv() => match command {
                    Some(command) => {
                        // Take every command already waiting before starting work, so that a
                        // burst of triggers for one key becomes one reconcile.
                        apply(&mut queue, command);
                        while let Ok(command) = self.rx.try_recv() {
                            apply(&mut queue, command);
                        }
                    }
                    None => open = false,
                },
                Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => match done {
                    Ok((id, (key, succeeded, action))) => {
                        task_keys.remove(&id);
                        queue.complete(key, succeeded, action, Instant::now(), &timing);
                    }
                    Err(join_error) => {
                        tracing::error!(%join_error, "a reconcile task panicked");
                        if let Some(key) = task_keys.remove(&join_error.id()) {
                            queue.complete(key, false, Action::Backoff, Instant::now(), &timing);
                        }
                    }
                },
                _ = sleep_until(deadline), if deadline.is_some() => {}
            }
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(join_error) = done {
                tracing::error!(%join_error, "a reconcile task panicked during shutdown");
            }
        }
    }
}

fn apply<K: Clone + Eq + Hash + Ord>(queue: &mut Queue<K>, command: Command<K>) {
    match command {
        Command::Trigger(key, reason) => queue.trigger(key, reason, Instant::now()),
        Command::Forget(key) => queue.forget(&key),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
