//! The lifecycle of a job in the store (docs/design.md §6):
//!
//! ```text
//! awaiting_approval ──approve──▶ queued ──publish──▶ delivered ──▶ running ──▶ succeeded
//!        │                         │                    │             │      ├▶ failed
//!        └──────────────┬──────────┴────────────────────┘             │      └▶ expired
//!                       └▶ expired | superseded                       └──────────▲
//! ```
//!
//! Also allowed: `queued → running | succeeded | failed` (an agent may report before the
//! publisher has marked the job delivered) and `delivered → succeeded | failed` (an agent
//! that reports only the result). Everything else is refused with
//! [`StoreError::IllegalTransition`](crate::store::StoreError::IllegalTransition). Moving a
//! job to the status it already has is a no-op, because deliveries and reports repeat.
//! Re-queueing (a retry after `failed`/`expired`, a redelivery after a lost bus) has its own
//! methods on [`Store`](crate::store::Store), since it also changes the attempt or the outbox.

use crate::store::codec::text_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Held by the `approve` policy or the mass-change guard.
    AwaitingApproval,
    /// In the outbox, waiting to be published.
    Queued,
    /// Published to the agent's stream.
    Delivered,
    /// The agent started it.
    Running,
    Succeeded,
    Failed,
    /// Not done before its `expires_at`.
    Expired,
    /// A newer job for the same effect replaced it.
    Superseded,
}

text_enum!(JobStatus, "deployment_jobs.status", {
    AwaitingApproval => "awaiting_approval",
    Queued => "queued",
    Delivered => "delivered",
    Running => "running",
    Succeeded => "succeeded",
    Failed => "failed",
    Expired => "expired",
    Superseded => "superseded",
});

impl JobStatus {
    /// Statuses of jobs that are still in flight (their effect is pending).
    pub const IN_FLIGHT: &'static [JobStatus] = &[
        JobStatus::AwaitingApproval,
        JobStatus::Queued,
        JobStatus::Delivered,
        JobStatus::Running,
    ];

    pub fn is_terminal(self) -> bool {
        !self.is_in_flight()
    }

    pub fn is_in_flight(self) -> bool {
        Self::IN_FLIGHT.contains(&self)
    }

    /// True when a job may move from `self` to `to` through a plain transition.
    pub fn can_become(self, to: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, to),
            (AwaitingApproval, Queued | Expired | Superseded)
                | (
                    Queued,
                    Delivered | Running | Succeeded | Failed | Expired | Superseded
                )
                | (
                    Delivered,
                    Running | Succeeded | Failed | Expired | Superseded
                )
                | (Running, Succeeded | Failed | Expired)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_text() {
        for status in JobStatus::ALL {
            assert_eq!(JobStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(JobStatus::parse("pending"), None);
    }

    #[test]
    fn terminal_statuses_go_nowhere() {
        for from in JobStatus::ALL.iter().filter(|s| s.is_terminal()) {
            for to in JobStatus::ALL {
                assert!(!from.can_become(*to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn the_main_path_is_allowed_and_going_back_is_not() {
        use JobStatus::*;
        let path = [AwaitingApproval, Queued, Delivered, Running, Succeeded];
        for pair in path.windows(2) {
            assert!(pair[0].can_become(pair[1]), "{} -> {}", pair[0], pair[1]);
            assert!(!pair[1].can_become(pair[0]), "{} -> {}", pair[1], pair[0]);
        }
        assert!(!AwaitingApproval.can_become(Running));
        assert!(!Running.can_become(Superseded));
    }
}
