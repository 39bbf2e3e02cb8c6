//! The deployment matrix against the plugin JARs an agent reported: the plugin half of a
//! reconcile, pure like [`super::diff`].
//!
//! For each plugin the matrix deploys on the instance, the live JARs whose descriptor
//! names it (case-insensitively, as server loaders compare) must be exactly one, at the
//! pinned version when the cell pins one, and not older than the newest artifact in the
//! host's store when the cell is `True` on a row with `auto_update`. Otherwise the plugin
//! drifts, and the fix is a `plugin_install` of an artifact from the store: the pinned
//! version; with `auto_update`, the newest; else the newest already on the instance when
//! it has several, or the newest the store holds. The install replaces every other JAR of
//! the plugin.
//!
//! A JAR of a plugin the matrix tracks (it has a row for the platform, or the instance ran
//! it at the revision it was last synced to) but does not deploy on the instance drifts
//! too; only with `prune` is a `plugin_remove` planned for it. A JAR the matrix does not
//! know at all is *unmanaged*: recorded as drift of severity info, never removed, and no
//! reason to be OutOfSync (as a cluster reconciler ignores resources it does not track). Nothing here ever removes a JAR that is
//! not in the agent's report, so an empty or missing report removes nothing.
//!
//! Causes follow the settings' rule: *intentional* when the instance's deployment of the
//! plugin differs from the revision it was last synced to (or there is none), otherwise
//! *corrective* (someone added, removed or swapped a JAR).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use homeamp_desired::model::Deployment;
use homeamp_jar::{compare_versions, same_version};
use homeamp_schemas::desired::Platform;
use homeamp_schemas::job::{JobIntent, PluginInstall, PluginRemove};

use super::diff::InstanceAt;
use crate::store::{DriftObservation, DriftType, PluginSeen, Severity};

/// An artifact a job can point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRef {
    pub version: String,
    pub sha256: String,
    /// Where the agent fetches it.
    pub url: String,
    pub file_name: String,
}

/// Finds an artifact by platform, plugin name and version (`None`: the newest).
pub trait ArtifactLookup {
    fn lookup(&self, platform: Platform, name: &str, version: Option<&str>) -> Option<ArtifactRef>;
}

/// What one plugin needs.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginAction {
    Install(PluginInstall),
    Remove(PluginRemove),
}

/// One planned plugin change, with the matrix's name for the plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginPlan {
    pub plugin: String,
    pub action: PluginAction,
    pub intent: JobIntent,
}

impl PluginPlan {
    /// What identifies the effect while a job for it is in flight.
    pub fn effect(&self) -> String {
        match &self.action {
            PluginAction::Install(i) => format!("plugin:{}", i.name.to_ascii_lowercase()),
            PluginAction::Remove(r) => format!("plugin-remove:{}", r.file),
        }
    }
}

/// Everything that differs in an instance's plugins.
#[derive(Debug, Clone, Default)]
pub struct PluginDiff {
    pub plans: Vec<PluginPlan>,
    /// Differences that keep the instance from being Synced.
    pub drift: Vec<DriftObservation>,
    /// JARs of plugins the matrix does not track: recorded only.
    pub unmanaged: Vec<DriftObservation>,
    /// Plugins to install for which the store has no artifact.
    pub unresolved: Vec<MissingArtifact>,
}

/// A plugin to install for which the artifact store has no JAR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingArtifact {
    pub platform: Platform,
    /// The name in the plugin's descriptor.
    pub name: String,
    /// `None`: any version.
    pub version: Option<String>,
}

impl std::fmt::Display for MissingArtifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no artifact for {} {} ({}): add its JAR to the host's artifact store",
            self.name,
            self.version.as_deref().unwrap_or("(any version)"),
            self.platform.as_str()
        )
    }
}

/// See the module documentation. `prune` comes from the instance's policy.
pub fn diff_plugins(
    desired: InstanceAt<'_>,
    previous: Option<InstanceAt<'_>>,
    live: &[PluginSeen],
    artifacts: &dyn ArtifactLookup,
    prune: bool,
) -> PluginDiff {
    let instance = desired.instance;
    let platform = instance.platform;
    let mut out = PluginDiff::default();
    // Live JARs by lower-cased plugin name.
    let mut by_name: BTreeMap<String, Vec<&PluginSeen>> = BTreeMap::new();
    for jar in live {
        by_name
            .entry(jar.name.to_ascii_lowercase())
            .or_default()
            .push(jar);
    }
    let deployed_before = |name: &str| -> Option<Deployment> {
        let p = previous?;
        p.state
            .deployed(p.instance)
            .find(|(n, _, _)| *n == name)
            .map(|(_, d, _)| d.clone())
    };

    for (name, deployment, plugin) in desired.state.deployed(instance) {
        let jar_name = plugin.map_or(name, |p| p.display_name.as_str());
        let jars = by_name
            .remove(&jar_name.to_ascii_lowercase())
            .unwrap_or_default();
        let pinned = deployment.version();
        // `True` on a row with auto_update: the newest version the artifact store holds.
        let newest = if pinned.is_none()
            && desired
                .state
                .matrix()
                .rows
                .get(&(platform, name.to_string()))
                .is_some_and(|row| row.auto_update)
        {
            artifacts.lookup(platform, jar_name, None)
        } else {
            None
        };
        let fits = |j: &PluginSeen| {
            let have = j.version.as_deref();
            match (pinned, &newest) {
                (Some(v), _) => have.is_some_and(|have| same_version(have, v)),
                (None, Some(a)) => {
                    have.is_some_and(|have| compare_versions(have, &a.version) != Ordering::Less)
                }
                (None, None) => true,
            }
        };
        if jars.len() == 1 && fits(jars[0]) {
            continue;
        }
        let intent = match previous {
            None => JobIntent::Intentional,
            // Only older than the store's newest: a new release, not a hand edit.
            Some(_) if newest.is_some() && jars.len() == 1 => JobIntent::Intentional,
            Some(_) if deployed_before(name).as_ref() == Some(deployment) => JobIntent::Corrective,
            Some(_) => JobIntent::Intentional,
        };
        let live_versions = jars
            .iter()
            .map(|j| j.version.clone().unwrap_or_else(|| "unversioned".into()))
            .collect::<Vec<_>>();
        out.drift.push(DriftObservation {
            plugin: Some(name.to_string()),
            config_file: None,
            key_path: None,
            drift_type: DriftType::Plugin,
            severity: if jars.is_empty() {
                Severity::Critical
            } else {
                Severity::Warning
            },
            cause: intent,
            desired_value: Some(match (pinned, &newest) {
                (Some(v), _) => v.to_string(),
                (None, Some(a)) => format!("{} (auto_update: the newest in the store)", a.version),
                (None, None) => "installed".to_string(),
            }),
            live_value: (!jars.is_empty()).then(|| live_versions.join(", ")),
        });
        // Which version to install: the pin; for `True`, the newest already there (when
        // several are), else the newest the store has.
        let newest_live = jars
            .iter()
            .filter_map(|j| j.version.as_deref())
            .max_by(|a, b| compare_versions(a, b));
        let artifact = match (pinned, newest_live) {
            (Some(v), _) => artifacts.lookup(platform, jar_name, Some(v)),
            (None, _) if newest.is_some() => newest.clone(),
            (None, Some(v)) => artifacts
                .lookup(platform, jar_name, Some(v))
                .or_else(|| artifacts.lookup(platform, jar_name, None)),
            (None, None) => artifacts.lookup(platform, jar_name, None),
        };
        let Some(artifact) = artifact else {
            out.unresolved.push(MissingArtifact {
                platform,
                name: jar_name.to_string(),
                version: pinned.map(str::to_string),
            });
            continue;
        };
        let target = format!("{}/{}", platform.plugin_dir(), artifact.file_name);
        let replaces = jars
            .iter()
            .map(|j| j.jar_path.clone())
            .filter(|p| *p != target)
            .collect();
        out.plans.push(PluginPlan {
            plugin: name.to_string(),
            action: PluginAction::Install(PluginInstall {
                name: jar_name.to_string(),
                version: artifact.version,
                url: artifact.url,
                sha256: artifact.sha256,
                file: Some(target),
                replaces,
            }),
            intent,
        });
    }

    // What is left is deployed nowhere on this instance. A plugin the matrix tracks (a
    // row for the platform now, or deployed here at the last synced revision) is extra;
    // any other JAR is unmanaged: recorded, never removed, not a reason to be OutOfSync.
    if by_name.is_empty() {
        // The steady state: nothing left to classify.
        return out;
    }
    let jar_name_of = |state: &homeamp_desired::DesiredState, name: &str| -> String {
        state
            .plugin(platform, name)
            .map_or(name, |p| p.display_name.as_str())
            .to_ascii_lowercase()
    };
    let mut tracked: Vec<String> = desired
        .state
        .matrix()
        .rows
        .keys()
        .filter(|(p, _)| *p == platform)
        .map(|(_, name)| jar_name_of(desired.state, name))
        .collect();
    let mut before: Vec<String> = Vec::new();
    if let Some(p) = previous {
        before = p
            .state
            .deployed(p.instance)
            .map(|(n, _, _)| jar_name_of(p.state, n))
            .collect();
        tracked.extend(before.iter().cloned());
    }
    for (key, jars) in by_name {
        let managed = tracked.contains(&key);
        let intent = if before.contains(&key) {
            JobIntent::Intentional
        } else {
            JobIntent::Corrective
        };
        for jar in jars {
            let observation = DriftObservation {
                plugin: Some(jar.name.clone()),
                config_file: Some(jar.jar_path.clone()),
                key_path: None,
                drift_type: DriftType::Plugin,
                severity: if managed {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                cause: intent,
                desired_value: None,
                live_value: Some(
                    jar.version
                        .clone()
                        .unwrap_or_else(|| "unversioned".to_string()),
                ),
            };
            if !managed {
                out.unmanaged.push(observation);
                continue;
            }
            out.drift.push(observation);
            if prune {
                out.plans.push(PluginPlan {
                    plugin: jar.name.clone(),
                    action: PluginAction::Remove(PluginRemove {
                        name: jar.name.clone(),
                        file: jar.jar_path.clone(),
                        sha256: jar.sha256.clone(),
                    }),
                    intent,
                });
            }
        }
    }
    out
}
