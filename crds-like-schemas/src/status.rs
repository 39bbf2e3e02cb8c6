//! The fleet's reconcile status, as `GET /api/status` answers and `homeamp status` prints.

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::desired::Platform;

/// The sync state words of DESIGN §5.
pub mod sync_status {
    pub const SYNCED: &str = "Synced";
    pub const OUT_OF_SYNC: &str = "OutOfSync";
    pub const PROGRESSING: &str = "Progressing";
    pub const DEGRADED: &str = "Degraded";
    pub const UNKNOWN: &str = "Unknown";
}

/// The five sync states, in display order.
pub const SYNC_STATES: [&str; 5] = [
    sync_status::SYNCED,
    sync_status::OUT_OF_SYNC,
    sync_status::PROGRESSING,
    sync_status::DEGRADED,
    sync_status::UNKNOWN,
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetStatus {
    /// The active revision (commit sha); `null` before the first valid one.
    pub revision: Option<String>,
    /// The last revision refused as invalid, when it is newer than the active one.
    pub refused_revision: Option<RefusedRevisionStatus>,
    /// Instances per sync state; every state is present, zero or not.
    pub summary: BTreeMap<String, usize>,
    pub instances: Vec<InstanceStatus>,
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
    /// One of [`SYNC_STATES`].
    pub sync: String,
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
