//! The plan: what a change of desired state (base revision → head revision)
//! does, instance by instance. `homeamp plan --format json` prints it, the HTTP
//! API serves it at `/api/plan`, and its JSON Schema is `schemas/plan.schema.json`.
//!
//! Stability: fields are only ever added; a change that breaks readers bumps
//! [`PLAN_FORMAT_VERSION`]. Lists are sorted (instances by name, plugins by
//! name, settings by plugin, file, key path) so that equal plans print equal.
//! Secret values never appear: a setting whose old or new value holds a
//! `${secret:NAME}` reference has `secret: true` and neither `old` nor `new`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::keypath::KeyPath;
use crate::value::Value;

/// The version of this format; bumped on a breaking change.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// A plan between two revisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The version of this format (1); bumped on a breaking change.
    pub format_version: u32,
    pub base: PlanRevision,
    pub head: PlanRevision,
    pub summary: PlanSummary,
    /// Instances with at least one change, by name.
    pub instances: Vec<InstancePlan>,
}

/// One side of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRevision {
    /// What was asked for (`main`, `HEAD~1`, a sha, or a folder for a working tree).
    pub requested: String,
    /// The full commit sha; absent for a working tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
}

/// Counts over the whole plan (never truncated).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSummary {
    /// Instances in the head revision.
    pub instances_total: usize,
    /// Instances with any change, including added and removed ones.
    pub instances_changed: usize,
    pub instances_added: usize,
    pub instances_removed: usize,
    pub settings_added: usize,
    pub settings_changed: usize,
    pub settings_removed: usize,
    pub plugins_added: usize,
    pub plugins_removed: usize,
    pub plugins_reversioned: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InstanceChange {
    /// New in head: its plugins and settings are listed as added.
    Added,
    /// Gone from head: homeamp stops managing it (nothing is deleted on it).
    Removed,
    /// In both, with differences.
    Changed,
}

/// The changes of one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstancePlan {
    /// Canonical name.
    pub instance: String,
    pub change: InstanceChange,
    /// Changed attributes of the instance itself (server, platform, tags, policy…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<PluginChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<SettingChange>,
}

/// An attribute of an instance, printed as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeChange {
    /// `server`, `platform`, `amp_instance`, `tags`, `policy.sync`, …
    pub attribute: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PluginChangeKind {
    Added,
    Removed,
    /// Still deployed, at another version (or pinned / unpinned).
    Reversioned,
}

/// A plugin deployed, undeployed or re-versioned on an instance (per the matrix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginChange {
    pub plugin: String,
    pub change: PluginChangeKind,
    /// The version before; absent when not deployed before or not pinned (`True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    /// The version after; absent when not deployed after or not pinned (`True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SettingChangeKind {
    Added,
    Changed,
    Removed,
}

/// One effective setting of an instance that changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingChange {
    pub plugin: String,
    /// Relative to the plugin's folder.
    pub file: String,
    /// Canonical key path (`groups."essentials.home"`).
    #[schemars(with = "String")]
    pub key: KeyPath,
    pub change: SettingChangeKind,
    /// True when the old or new value holds a secret reference: values are then left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

impl Plan {
    /// True when the head revision changes nothing.
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// How many instances the change touches (added, removed or changed): what the
    /// guard (`max_instances_changed_pct`) compares with the fleet size.
    pub fn changed_instances(&self) -> usize {
        self.instances.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_changes_carry_no_values_on_the_wire() {
        let change = SettingChange {
            plugin: "CoreProtect".into(),
            file: "config.yml".into(),
            key: KeyPath::parse("mysql.password").unwrap(),
            change: SettingChangeKind::Changed,
            secret: true,
            old: None,
            new: None,
        };
        let json = serde_json::to_string(&change).unwrap();
        assert_eq!(
            json,
            r#"{"plugin":"CoreProtect","file":"config.yml","key":"mysql.password","change":"changed","secret":true}"#
        );
        let back: SettingChange = serde_json::from_str(&json).unwrap();
        assert_eq!(back, change);
    }
}
