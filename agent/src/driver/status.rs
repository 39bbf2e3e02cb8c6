//! What a driver says about a running server, and what a lifecycle action did.

/// Whether the server process runs, as far as the backend knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunningState {
    Running,
    Starting,
    Stopping,
    Stopped,
    /// The backend cannot tell (the directory driver runs no server itself).
    Unknown,
}

/// An instance's state and player count (`restart: when-empty` waits for zero players).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceStatus {
    pub state: RunningState,
    /// Players online, when the backend can count them.
    pub players: Option<u32>,
}

impl InstanceStatus {
    /// A backend that knows nothing about the server process.
    pub const UNKNOWN: Self = Self {
        state: RunningState::Unknown,
        players: None,
    };
}

/// What a lifecycle action did: `changed` is false when there was nothing to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    pub changed: bool,
    pub message: String,
}
