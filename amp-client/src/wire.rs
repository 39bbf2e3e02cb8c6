//! AMP's answers, as far as homeamp reads them. These are AMP's types, not homeamp's: they
//! stay in this crate, and only the fields a driver uses are decoded (unknown ones are
//! ignored, so a newer AMP adding fields changes nothing).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    /// The modification time as AMP sends it, a .NET JSON date (`/Date(ms)/`); see
    /// [`DirEntry::modified_time`].
    #[serde(default)]
    pub modified: String,
}

impl DirEntry {
    /// [`DirEntry::modified`] as a time; `None` when AMP sent none or something else.
    pub fn modified_time(&self) -> Option<SystemTime> {
        net_date(&self.modified)
    }
}

/// A .NET JSON date, `/Date(ms)/` or `/Date(ms+hhmm)/` (the offset only says how to show
/// the instant, which the milliseconds already fix).
fn net_date(text: &str) -> Option<SystemTime> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let ms: i64 = inner[..end].parse().ok()?;
    let offset = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_dates_read_with_and_without_an_offset() {
        let at = |ms| UNIX_EPOCH + Duration::from_millis(ms);
        assert_eq!(
            net_date("/Date(1700000000123)/"),
            Some(at(1_700_000_000_123))
        );
        assert_eq!(
            net_date("/Date(1700000000123+0100)/"),
            Some(at(1_700_000_000_123))
        );
        assert_eq!(
            net_date("/Date(-1000)/"),
            UNIX_EPOCH.checked_sub(Duration::from_secs(1))
        );
        assert_eq!(net_date("2024-01-01"), None);
        assert_eq!(net_date(""), None);
    }
}
