//! The raw files of the desired-state repository (docs/design.md §3), as serde reads them.
//!
//! These are *raw* types: they say what may be written in the files and nothing
//! more. `homeamp-desired` turns them into a validated model with `file:line:col`
//! errors; nothing downstream of validation sees these types.
//!
//! Unknown fields are refused everywhere (`deny_unknown_fields`), so a typo in a
//! field name is an error rather than a silently ignored setting.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::value::Value;

/// `homeamp.yaml`: the fleet.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FleetFile {
    /// Physical servers by name (`hetzner`, `ovh`).
    #[serde(default)]
    pub servers: IndexMap<String, ServerSpec>,
    /// Instances by canonical name (`SMP201`).
    #[serde(default)]
    pub instances: IndexMap<String, InstanceSpec>,
    /// Tags that instances may carry, with an optional description each.
    /// A tag used by an instance but not listed here is a validation warning.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, TagSpec>,
    /// Other names for instances, `OLD: NEW`, applied to scopes and matrix columns.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub aliases: IndexMap<String, String>,
    #[serde(default)]
    pub policy: PolicySpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ServerRole {
    /// Runs the host (reconcile loop, store, API) and an agent.
    Host,
    /// Runs an agent only.
    Client,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    pub role: ServerRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The AMP panel of this server; absent when instances are driven on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amp: Option<AmpSpec>,
    /// The folder holding this server's instance folders, for the directory driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances_root: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AmpSpec {
    pub url: String,
    pub username: String,
    /// Always a `${secret:NAME}` reference.
    pub password: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Paper,
    Velocity,
    Geyser,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Paper, Platform::Velocity, Platform::Geyser];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Paper => "paper",
            Platform::Velocity => "velocity",
            Platform::Geyser => "geyser",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The folder under the game root that holds the platform's plugin JARs and their
    /// config folders: `plugins` for Paper and Velocity, `extensions` for a Geyser
    /// standalone (its extensions keep their data in `extensions/<id>/`).
    pub fn plugin_dir(self) -> &'static str {
        match self {
            Platform::Paper | Platform::Velocity => "plugins",
            Platform::Geyser => "extensions",
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    /// The physical server, a key of `servers`.
    pub server: String,
    pub platform: Platform,
    /// The instance's name in AMP, when it differs from the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amp_instance: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Other names this instance goes by in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minecraft_version: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Applies to every instance unless overridden.
    #[serde(default)]
    pub default: PolicyRule,
    /// Overrides per tag (`survival: { sync: approve }`), applied before instance overrides.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, PolicyRule>,
    /// Overrides per instance.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub instances: IndexMap<String, PolicyRule>,
    #[serde(default)]
    pub guard: GuardSpec,
}

/// A policy; every field is optional so that overrides set only what they change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncMode>,
    /// Revert hand edits of live files (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_heal: Option<bool>,
    /// Remove plugins the matrix no longer deploys (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// Jobs are emitted and applied without a person.
    Auto,
    /// Jobs wait in `awaiting_approval` until approved.
    Approve,
    /// Drift is recorded, nothing is changed.
    Observe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    /// Restart once no player is online.
    WhenEmpty,
    Immediately,
    /// Never restart; changes needing a restart wait for the next one.
    Never,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardSpec {
    /// A revision changing more than this share of instances waits for approval.
    #[serde(default = "GuardSpec::default_pct")]
    pub max_instances_changed_pct: u8,
}

impl GuardSpec {
    fn default_pct() -> u8 {
        50
    }
}

impl Default for GuardSpec {
    fn default() -> Self {
        Self {
            max_instances_changed_pct: Self::default_pct(),
        }
    }
}

/// `plugins/<platform>/<Plugin>.yaml`: one plugin on one platform.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginFile {
    /// The plugin's name as its `plugin.yml` gives it, when it differs from the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The folder under `plugins/` holding its files, when it differs from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// Config files by path relative to the plugin's folder. Default: `config.yml` as YAML.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub files: IndexMap<String, FileSpec>,
    /// `restart`, `none`, or `command:<console command>` (default `restart`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload: Option<String>,
    /// Settings identical on every instance running the plugin: file → key path → value.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub universal: IndexMap<String, IndexMap<String, Value>>,
    /// Settings per scope: file → key path → scope → value. A scope is an instance name,
    /// `tag:X` or `server:Y`; precedence instance > tag > server > universal.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub variable: IndexMap<String, IndexMap<String, IndexMap<String, Value>>>,
}

pub use crate::file_format::FileFormat;

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    #[serde(default)]
    pub format: FileFormat,
    /// The desired state owns the whole file: keys not set here are removed
    /// (`file_write` jobs) instead of being left alone (`config_patch`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub owned: bool,
}
