//! The fleet's reconcile status, as `GET /api/status` answers and `homeamp status` prints.

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::desired::Platform;

/// An instance's sync state, in the words Argo CD uses (`docs/status.md` defines each).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum SyncState {
    /// Every desired setting and plugin is live; nothing is in flight.
    Synced,
    /// Live differs from desired and no job is on its way (held, refused by policy, or
    /// nothing can fix it).
    OutOfSync,
    /// Jobs are on their way, or their effect has not been reported yet.
    Progressing,
    /// A job failed, or something the fix needs is missing (an artifact).
    Degraded,
    /// Nothing is known: no agent report, a silent agent, or an empty report.
    Unknown,
}

impl SyncState {
    /// Every state, in display order.
    pub const ALL: [SyncState; 5] = [
        SyncState::Synced,
        SyncState::OutOfSync,
        SyncState::Progressing,
        SyncState::Degraded,
        SyncState::Unknown,
    ];

    /// The word the API and the store use (`Synced`, `OutOfSync`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Synced => "Synced",
            SyncState::OutOfSync => "OutOfSync",
            SyncState::Progressing => "Progressing",
            SyncState::Degraded => "Degraded",
            SyncState::Unknown => "Unknown",
        }
    }

    /// The state named `word`, exactly as [`SyncState::as_str`] writes it.
    pub fn parse(word: &str) -> Option<SyncState> {
        SyncState::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

impl std::fmt::Display for SyncState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetStatus {
    /// The active revision (commit sha); `null` before the first valid one.
    pub revision: Option<String>,
    /// The last revision refused as invalid, when it is newer than the active one.
    pub refused_revision: Option<RefusedRevisionStatus>,
    /// Instances per sync state; every state is present, zero or not.
    pub summary: BTreeMap<String, usize>,
    pub instances: Vec<InstanceStatus>,
    /// Each physical server and whether its agent speaks (the unified view lists all;
    /// `?server=` only that one).
    #[serde(default)]
    pub servers: Vec<ServerStatus>,
}

/// A physical server as the host hears its agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerStatus {
    pub name: String,
    /// `online` (heard within the agent timeout), `silent` (not heard for longer: its
    /// instances are `Unknown`) or `never` (no agent has spoken for it yet).
    pub agent: String,
    /// The agent's last heartbeat.
    pub last_seen: Option<Timestamp>,
    pub agent_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RefusedRevisionStatus {
    pub sha: String,
    /// `file:line:col: message` lines.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InstanceStatus {
    pub name: String,
    pub server: String,
    pub platform: Platform,
    pub sync: SyncState,
    /// Why, when not `Synced`.
    pub message: Option<String>,
    /// The revision the instance was last synced to.
    pub revision: Option<String>,
    /// Open drift records.
    pub drift: usize,
    pub jobs_in_flight: usize,
    /// When its agent last reported it.
    pub last_report: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::SyncState;

    #[test]
    fn sync_states_serialise_as_their_words() {
        for state in SyncState::ALL {
            let json = serde_json::to_value(state).unwrap();
            assert_eq!(json, serde_json::Value::String(state.as_str().into()));
            assert_eq!(SyncState::parse(state.as_str()), Some(state));
        }
        assert_eq!(SyncState::parse("synced"), None);
    }
}
