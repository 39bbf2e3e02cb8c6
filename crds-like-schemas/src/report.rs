//! What an agent tells the host: manifests of live files and plugin JARs,
//! heartbeats, and the results of jobs (docs/design.md §4, §6).
//!
//! Paths in a manifest are relative to the instance's *game root* (the folder
//! that holds `server.properties` or `velocity.toml`), `/`-separated, never
//! starting with `/` and never containing `..`. The host addresses files in
//! jobs the same way.

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::desired::Platform;
use crate::job::RefusalReason;

/// Everything an agent saw in one instance at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Manifest {
    /// The physical server the agent runs on (a key of `homeamp.yaml`'s `servers`).
    pub server: String,
    /// The instance name (its folder name).
    pub instance: String,
    /// The platform the agent guessed from the files it saw (`velocity.toml` → velocity,
    /// `server.properties` → paper, a Geyser `config.yml` alone → geyser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub scanned_at: Timestamp,
    /// Config files, sorted by path.
    pub files: Vec<LiveFile>,
    /// Plugin JARs in `plugins/`, sorted by file.
    pub plugins: Vec<PluginJar>,
}

impl Manifest {
    /// The entry for `path`, if the manifest has one.
    pub fn file(&self, path: &str) -> Option<&LiveFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
}

/// One live config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LiveFile {
    /// Relative to the game root, `/`-separated.
    pub path: String,
    /// Lower-case hex.
    pub sha256: String,
    pub size: u64,
    pub mtime: Timestamp,
}

/// Which descriptor a plugin JAR carried, and so which platform loads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PluginDescriptor {
    /// `plugin.yml`: Bukkit/Spigot/Paper.
    PluginYml,
    /// `paper-plugin.yml`: Paper only.
    PaperPluginYml,
    /// `velocity-plugin.json`: Velocity.
    VelocityPluginJson,
    /// `extension.yml`: a Geyser extension.
    ExtensionYml,
}

impl PluginDescriptor {
    /// The platform that loads a plugin with this descriptor.
    pub fn platform(self) -> Platform {
        match self {
            PluginDescriptor::PluginYml | PluginDescriptor::PaperPluginYml => Platform::Paper,
            PluginDescriptor::VelocityPluginJson => Platform::Velocity,
            PluginDescriptor::ExtensionYml => Platform::Geyser,
        }
    }
}

/// One plugin JAR in `plugins/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginJar {
    /// Relative to the game root (`plugins/LuckPerms-Bukkit-5.4.jar`).
    pub file: String,
    /// From the descriptor; the file name without `.jar` when the JAR has none.
    pub name: String,
    /// From the descriptor; `None` when it has no version or the JAR has no descriptor.
    pub version: Option<String>,
    /// The main class, when the descriptor names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<String>,
    /// The descriptor found, `None` for a JAR without one (a library, or not a plugin).
    pub descriptor: Option<PluginDescriptor>,
    pub sha256: String,
    pub size: u64,
}

impl PluginJar {
    /// The platform hint: which platform's loader would pick this JAR up.
    pub fn platform(&self) -> Option<Platform> {
        self.descriptor.map(PluginDescriptor::platform)
    }
}

/// "I am alive": sent periodically so that a silent server shows as `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Heartbeat {
    pub server: String,
    pub agent_version: String,
    pub sent_at: Timestamp,
    /// The instances this agent manages, by name, sorted.
    pub instances: Vec<String>,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// The job's effect holds now (it was applied, or it already held).
    Succeeded,
    /// The agent tried and could not (IO error, command failed, fetch failed); a retry may work.
    Failed,
    /// The agent would not try: see [`JobResult::reason`]. Retrying the same job will not help.
    Refused,
}

/// The outcome of one job, sent back to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JobResult {
    pub job_id: String,
    /// The delivery attempt this result answers.
    pub attempt: u32,
    pub status: JobStatus,
    /// Why a job was refused (or, for some failures, the class of failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RefusalReason>,
    /// A sentence for the operator.
    pub message: String,
    /// True when this job wrote, removed or ran something; false when its result already held.
    pub changed: bool,
    /// Each file the job concerns → its sha256 afterwards (`None`: the file does not exist).
    #[serde(default)]
    pub result_sha256: BTreeMap<String, Option<String>>,
    pub finished_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_through_json() {
        let m = Manifest {
            server: "ovh".into(),
            instance: "SMP201".into(),
            platform: Some(Platform::Paper),
            scanned_at: "2025-01-02T03:04:05Z".parse().unwrap(),
            files: vec![LiveFile {
                path: "plugins/CoreProtect/config.yml".into(),
                sha256: "ab".repeat(32),
                size: 12,
                mtime: "2025-01-01T00:00:00.5Z".parse().unwrap(),
            }],
            plugins: vec![PluginJar {
                file: "plugins/CoreProtect.jar".into(),
                name: "CoreProtect".into(),
                version: None,
                main: None,
                descriptor: Some(PluginDescriptor::PluginYml),
                sha256: "cd".repeat(32),
                size: 100,
            }],
        };
        let json = serde_json::to_string(&m).unwrap();
        assert!(
            json.contains(r#""scanned_at":"2025-01-02T03:04:05Z""#),
            "{json}"
        );
        assert!(json.contains(r#""version":null"#), "{json}");
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            back.file("plugins/CoreProtect/config.yml").unwrap().size,
            12
        );
        assert!(back.file("nope").is_none());
        assert_eq!(back.plugins[0].platform(), Some(Platform::Paper));
    }

    #[test]
    fn job_result_spells_status_and_removed_files() {
        let r = JobResult {
            job_id: "j".into(),
            attempt: 1,
            status: JobStatus::Refused,
            reason: Some(RefusalReason::BaseChanged),
            message: "base changed".into(),
            changed: false,
            result_sha256: BTreeMap::from([("plugins/X.jar".to_string(), None)]),
            finished_at: "2025-01-02T03:04:05Z".parse().unwrap(),
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["status"], "refused");
        assert_eq!(json["reason"], "base_changed");
        assert!(json["result_sha256"]["plugins/X.jar"].is_null());
    }
}
