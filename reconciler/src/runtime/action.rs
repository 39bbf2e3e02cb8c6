//! What a reconcile asks the runtime to do next.

use std::time::Duration;

/// Returned by [`super::Reconcile::reconcile`] and [`super::Reconcile::error_policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Look again after this long (something is in progress).
    Requeue(Duration),
    /// Nothing to wait for: look again on the next trigger or the periodic resync.
    AwaitChange,
    /// Retry with the runtime's per-key exponential backoff (the default on error).
    Backoff,
}

impl Action {
    pub fn requeue(after: Duration) -> Self {
        Action::Requeue(after)
    }

    pub fn await_change() -> Self {
        Action::AwaitChange
    }
}
