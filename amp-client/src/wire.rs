//! AMP's answers, as far as homeamp reads them. These are AMP's types, not homeamp's: they
//! stay in this crate, and only the fields a driver uses are decoded (unknown ones are
//! ignored, so a newer AMP adding fields changes nothing).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

/// One instance of ADSModule/GetInstances (the spec's InstanceSummary).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceSummary {
    #[serde(rename = "InstanceID")]
    pub instance_id: String,
    pub instance_name: String,
    pub friendly_name: String,
    pub module: String,
    /// Whether the instance's own AMP process runs (its API answers).
    pub running: bool,
    /// The game server's ApplicationState (20 Ready, 0 Stopped, …).
    pub app_state: i32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Target {
    pub available_instances: Vec<InstanceSummary>,
}

/// A MetricInfo: a value and its maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    pub raw_value: i64,
    pub max_value: i64,
}

/// Core/GetStatus (the spec's StatusResponse).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Status {
    /// The ApplicationState code: 20 Ready, 0 Stopped, 10 Starting, 40 Stopping, …
    pub state: i32,
    #[serde(default)]
    pub uptime: String,
    #[serde(default)]
    pub metrics: HashMap<String, Metric>,
}

impl Status {
    pub const READY: i32 = 20;
    pub const STOPPED: i32 = 0;

    /// Players online and the maximum, from the "Active Users" metric.
    pub fn active_users(&self) -> Option<Metric> {
        self.metrics.get("Active Users").copied()
    }
}

/// One console line of Core/GetUpdates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsoleEntry {
    pub contents: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default, rename = "Type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Updates {
    #[serde(default)]
    pub console_entries: Vec<ConsoleEntry>,
}

/// One entry of FileManagerPlugin/GetDirectoryListing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DirEntry {
    pub filename: String,
    pub is_directory: bool,
    #[serde(default)]
    pub size_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ActionResult {
    pub status: bool,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub result: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginResponse {
    pub success: bool,
    #[serde(default, rename = "sessionID")]
    pub session_id: String,
    #[serde(default)]
    pub result: i64,
    #[serde(default)]
    pub result_reason: String,
}
