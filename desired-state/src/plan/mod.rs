//! `plan`: what changes from a base revision to a head revision, instance by
//! instance (plugins per the matrix, effective settings per file), as the
//! wire type [`Plan`] of `homeamp-schemas`, with text and markdown views.
//!
//! Added instances list every plugin and setting they will get. Removed
//! instances are listed alone (homeamp stops managing them; nothing is deleted).
//! A plugin added to an instance lists the settings it brings; a removed plugin
//! is one line (its files are left alone unless prune is set).

mod markdown;
#[cfg(test)]
mod tests;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use homeamp_schemas::plan::*;
use homeamp_schemas::{KeyPath, Value};

pub use markdown::{MARKDOWN_LIMIT, to_markdown};
pub use text::to_text;

use crate::InvalidRevision;
use crate::error::LoadError;
use crate::model::{Deployment, DesiredState, Instance, Origin, Policy};
use crate::render::effective_plugin;
use crate::secret::holds_secret;

/// Why a plan between two revisions could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("the {side} revision is invalid")]
    Invalid {
        /// `base` or `head`.
        side: &'static str,
        #[source]
        invalid: InvalidRevision,
    },
}

/// Loads both revisions of the repository at `repo` and plans between them.
/// An invalid revision is an error carrying its diagnostics.
pub fn plan_revisions(repo: &Path, base: &str, head: &str) -> Result<Plan, PlanError> {
    let load = |rev: &str, side: &'static str| -> Result<DesiredState, PlanError> {
        DesiredState::load(repo, Some(rev))?
            .into_valid()
            .map_err(|invalid| PlanError::Invalid { side, invalid })
    };
    let base = load(base, "base")?;
    let head = load(head, "head")?;
    Ok(plan(&base, &head))
}

fn revision(state: &DesiredState) -> PlanRevision {
    match state.origin() {
        Origin::Commit { sha, requested } => PlanRevision {
            requested: requested.clone(),
            sha: Some(sha.clone()),
        },
        Origin::WorkingTree { path } => PlanRevision {
            requested: path.clone(),
            sha: None,
        },
    }
}

/// Key of one effective setting of an instance: plugin, file, key path.
type SettingKey<'a> = (&'a str, &'a str, &'a KeyPath);

/// Every effective setting of `instance` for the plugins in `only` (all deployed ones when `None`).
fn settings_of<'a>(
    state: &'a DesiredState,
    instance: &'a Instance,
    only: Option<&BTreeSet<&str>>,
) -> BTreeMap<SettingKey<'a>, &'a Value> {
    let mut out = BTreeMap::new();
    for (name, _, plugin) in state.deployed(instance) {
        if only.is_some_and(|set| !set.contains(name)) {
            continue;
        }
        let Some(plugin) = plugin else { continue };
        for (file, settings) in effective_plugin(plugin, instance) {
            for (path, setting) in settings {
                out.insert((name, file.path.as_str(), path), &setting.value);
            }
        }
    }
    out
}

fn deployments<'a>(
    state: &'a DesiredState,
    instance: &'a Instance,
) -> BTreeMap<&'a str, &'a Deployment> {
    state
        .deployed(instance)
        .map(|(name, d, _)| (name, d))
        .collect()
}

fn setting_change(key: SettingKey<'_>, old: Option<&Value>, new: Option<&Value>) -> SettingChange {
    let secret = old.is_some_and(holds_secret) || new.is_some_and(holds_secret);
    let change = match (old, new) {
        (None, _) => SettingChangeKind::Added,
        (_, None) => SettingChangeKind::Removed,
        _ => SettingChangeKind::Changed,
    };
    SettingChange {
        plugin: key.0.to_string(),
        file: key.1.to_string(),
        key: key.2.clone(),
        change,
        secret,
        old: if secret { None } else { old.cloned() },
        new: if secret { None } else { new.cloned() },
    }
}

fn diff_settings(
    old: &BTreeMap<SettingKey<'_>, &Value>,
    new: &BTreeMap<SettingKey<'_>, &Value>,
) -> Vec<SettingChange> {
    let mut out = Vec::new();
    for (key, old_value) in old {
        match new.get(key) {
            None => out.push(setting_change(*key, Some(old_value), None)),
            Some(new_value) if new_value != old_value => {
                out.push(setting_change(*key, Some(old_value), Some(new_value)));
            }
            Some(_) => {}
        }
    }
    for (key, new_value) in new {
        if !old.contains_key(key) {
            out.push(setting_change(*key, None, Some(new_value)));
        }
    }
    out.sort_by(|a, b| (&a.plugin, &a.file, &a.key).cmp(&(&b.plugin, &b.file, &b.key)));
    out
}

fn version(d: &Deployment) -> Option<String> {
    d.version().map(str::to_string)
}

fn policy_attributes(old: &Policy, new: &Policy, out: &mut Vec<AttributeChange>) {
    let pairs = [
        (
            "policy.sync",
            format!("{:?}", old.sync),
            format!("{:?}", new.sync),
        ),
        (
            "policy.self_heal",
            old.self_heal.to_string(),
            new.self_heal.to_string(),
        ),
        ("policy.prune", old.prune.to_string(), new.prune.to_string()),
        (
            "policy.restart",
            format!("{:?}", old.restart),
            format!("{:?}", new.restart),
        ),
    ];
    for (attribute, o, n) in pairs {
        if o != n {
            out.push(AttributeChange {
                attribute: attribute.to_string(),
                old: Some(o.to_lowercase()),
                new: Some(n.to_lowercase()),
            });
        }
    }
}

fn attributes(old: &Instance, new: &Instance) -> Vec<AttributeChange> {
    let mut out = Vec::new();
    let text = [
        ("server", old.server.clone(), new.server.clone()),
        (
            "platform",
            old.platform.to_string(),
            new.platform.to_string(),
        ),
        (
            "amp_instance",
            old.amp_instance.clone(),
            new.amp_instance.clone(),
        ),
        ("tags", old.tags.join(", "), new.tags.join(", ")),
    ];
    for (attribute, o, n) in text {
        if o != n {
            out.push(AttributeChange {
                attribute: attribute.to_string(),
                old: Some(o),
                new: Some(n),
            });
        }
    }
    policy_attributes(&old.policy, &new.policy, &mut out);
    out
}

/// The plan from `base` to `head`.
pub fn plan(base: &DesiredState, head: &DesiredState) -> Plan {
    let names: BTreeSet<&str> = base
        .fleet()
        .instances
        .keys()
        .chain(head.fleet().instances.keys())
        .map(String::as_str)
        .collect();
    let mut instances = Vec::new();
    for name in names {
        let old = base.fleet().instances.get(name);
        let new = head.fleet().instances.get(name);
        let entry = match (old, new) {
            (None, None) => continue,
            (Some(_), None) => InstancePlan {
                instance: name.to_string(),
                change: InstanceChange::Removed,
                attributes: Vec::new(),
                plugins: Vec::new(),
                settings: Vec::new(),
            },
            (None, Some(new)) => InstancePlan {
                instance: name.to_string(),
                change: InstanceChange::Added,
                attributes: Vec::new(),
                plugins: deployments(head, new)
                    .into_iter()
                    .map(|(plugin, d)| PluginChange {
                        plugin: plugin.to_string(),
                        change: PluginChangeKind::Added,
                        old_version: None,
                        new_version: version(d),
                    })
                    .collect(),
                settings: diff_settings(&BTreeMap::new(), &settings_of(head, new, None)),
            },
            (Some(old), Some(new)) => {
                let before = deployments(base, old);
                let after = deployments(head, new);
                let mut plugins = Vec::new();
                let mut kept = BTreeSet::new();
                let mut added = BTreeSet::new();
                for (plugin, d) in &before {
                    match after.get(plugin) {
                        None => plugins.push(PluginChange {
                            plugin: plugin.to_string(),
                            change: PluginChangeKind::Removed,
                            old_version: version(d),
                            new_version: None,
                        }),
                        Some(n) => {
                            kept.insert(*plugin);
                            if n != d {
                                plugins.push(PluginChange {
                                    plugin: plugin.to_string(),
                                    change: PluginChangeKind::Reversioned,
                                    old_version: version(d),
                                    new_version: version(n),
                                });
                            }
                        }
                    }
                }
                for (plugin, d) in &after {
                    if !before.contains_key(plugin) {
                        added.insert(*plugin);
                        plugins.push(PluginChange {
                            plugin: plugin.to_string(),
                            change: PluginChangeKind::Added,
                            old_version: None,
                            new_version: version(d),
                        });
                    }
                }
                plugins.sort_by(|a, b| a.plugin.cmp(&b.plugin));
                let mut settings = diff_settings(
                    &settings_of(base, old, Some(&kept)),
                    &settings_of(head, new, Some(&kept)),
                );
                settings.extend(diff_settings(
                    &BTreeMap::new(),
                    &settings_of(head, new, Some(&added)),
                ));
                settings.sort_by(|a, b| {
                    (&a.plugin, &a.file, &a.key).cmp(&(&b.plugin, &b.file, &b.key))
                });
                let attributes = attributes(old, new);
                if plugins.is_empty() && settings.is_empty() && attributes.is_empty() {
                    continue;
                }
                InstancePlan {
                    instance: name.to_string(),
                    change: InstanceChange::Changed,
                    attributes,
                    plugins,
                    settings,
                }
            }
        };
        instances.push(entry);
    }
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        base: revision(base),
        head: revision(head),
        summary: summarize(&instances, head.fleet().instances.len()),
        instances,
    }
}

fn summarize(instances: &[InstancePlan], total: usize) -> PlanSummary {
    let mut s = PlanSummary {
        instances_total: total,
        instances_changed: instances.len(),
        ..PlanSummary::default()
    };
    for i in instances {
        match i.change {
            InstanceChange::Added => s.instances_added += 1,
            InstanceChange::Removed => s.instances_removed += 1,
            InstanceChange::Changed => {}
        }
        for p in &i.plugins {
            match p.change {
                PluginChangeKind::Added => s.plugins_added += 1,
                PluginChangeKind::Removed => s.plugins_removed += 1,
                PluginChangeKind::Reversioned => s.plugins_reversioned += 1,
            }
        }
        for c in &i.settings {
            match c.change {
                SettingChangeKind::Added => s.settings_added += 1,
                SettingChangeKind::Changed => s.settings_changed += 1,
                SettingChangeKind::Removed => s.settings_removed += 1,
            }
        }
    }
    s
}

/// The one-line summary of counts, shared by every view.
pub fn summary_line(s: &PlanSummary) -> String {
    format!(
        "{} of {} instances changed ({} added, {} removed); settings: {} added, {} changed, {} removed; plugins: {} added, {} removed, {} re-versioned",
        s.instances_changed,
        s.instances_total,
        s.instances_added,
        s.instances_removed,
        s.settings_added,
        s.settings_changed,
        s.settings_removed,
        s.plugins_added,
        s.plugins_removed,
        s.plugins_reversioned
    )
}

/// `requested (sha12)` for a commit, the folder for a working tree.
pub fn short_rev(r: &PlanRevision) -> String {
    match &r.sha {
        Some(sha) => format!("{} ({})", r.requested, &sha[..sha.len().min(12)]),
        None => r.requested.clone(),
    }
}
