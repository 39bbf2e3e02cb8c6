//! `plan`: what changes from a base revision to a head revision, instance by
//! instance (plugins per the matrix, effective settings per file), as the
//! wire type [`Plan`] of `homeamp-schemas`, with text and markdown views.
//!
//! Added instances list every plugin and setting they will get. Removed
//! instances are listed alone (homeamp stops managing them; nothing is deleted).
//! A plugin added to an instance lists the settings it brings; a removed plugin
//! is one line (its files are left alone unless prune is set). A plugin file change
//! that touches no setting (descriptor name, folder, reload rule, a file's format or
//! `owned`) is listed as an attribute of each instance running the plugin.

mod markdown;
mod plugin_attributes;
#[cfg(test)]
mod tests;
mod text;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use homeamp_schemas::plan::*;
use homeamp_schemas::{KeyPath, Value};

pub use markdown::{MARKDOWN_LIMIT, to_markdown};
pub use text::to_text;

use crate::InvalidRevision;
use crate::error::LoadError;
use crate::model::{Deployment, DesiredState, Instance, Origin, Plugin, Policy};
use crate::render::effective_file;
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

/// Loads both revisions of the repository at `repo` (on two threads) and plans
/// between them. An invalid revision is an error carrying its diagnostics.
pub fn plan_revisions(repo: &Path, base: &str, head: &str) -> Result<Plan, PlanError> {
    let load = |rev: &str, side: &'static str| -> Result<DesiredState, PlanError> {
        DesiredState::load(repo, Some(rev))?
            .into_valid()
            .map_err(|invalid| PlanError::Invalid { side, invalid })
    };
    let (base, head) = std::thread::scope(|scope| {
        let head = scope.spawn(|| load(head, "head"));
        let base = load(base, "base");
        (
            base,
            head.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    Ok(plan(&base?, &head?))
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

fn deployments<'a>(
    state: &'a DesiredState,
    instance: &'a Instance,
) -> BTreeMap<&'a str, &'a Deployment> {
    state
        .deployed(instance)
        .map(|(name, d, _)| (name, d))
        .collect()
}

fn setting_change(
    plugin: &str,
    file: &str,
    key: &KeyPath,
    old: Option<&Value>,
    new: Option<&Value>,
) -> SettingChange {
    let secret = old.is_some_and(holds_secret) || new.is_some_and(holds_secret);
    let change = match (old, new) {
        (None, _) => SettingChangeKind::Added,
        (_, None) => SettingChangeKind::Removed,
        _ => SettingChangeKind::Changed,
    };
    SettingChange {
        plugin: plugin.to_string(),
        file: file.to_string(),
        key: key.clone(),
        change,
        secret,
        old: if secret { None } else { old.cloned() },
        new: if secret { None } else { new.cloned() },
    }
}

/// One side of a plugin's diff on one instance.
type Side<'a> = Option<(&'a Plugin, &'a Instance)>;

/// Appends the changes of the effective settings of one plugin on one instance,
/// file by file, merging the two sorted effective settings (no maps built).
fn diff_plugin<'a>(name: &str, old: Side<'a>, new: Side<'a>, out: &mut Vec<SettingChange>) {
    let mut paths: Vec<&str> = Vec::new();
    if let Some((plugin, _)) = old {
        paths.extend(plugin.files.keys().map(String::as_str));
    }
    if let Some((plugin, _)) = new {
        for path in plugin.files.keys() {
            if !old.is_some_and(|(p, _)| p.files.contains_key(path)) {
                paths.push(path);
            }
        }
    }
    for path in paths {
        let side = |s: Side<'a>| {
            s.and_then(|(p, i)| p.files.get(path).map(|f| (f, i)))
                .into_iter()
                .flat_map(|(f, i)| effective_file(f, i))
                .peekable()
        };
        let (mut before, mut after) = (side(old), side(new));
        loop {
            let order = match (before.peek(), after.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(b), Some(a)) => b.0.cmp(a.0),
            };
            match order {
                Ordering::Less => {
                    if let Some((key, s)) = before.next() {
                        out.push(setting_change(name, path, key, Some(&s.value), None));
                    }
                }
                Ordering::Greater => {
                    if let Some((key, s)) = after.next() {
                        out.push(setting_change(name, path, key, None, Some(&s.value)));
                    }
                }
                Ordering::Equal => {
                    if let (Some((key, b)), Some((_, a))) = (before.next(), after.next())
                        && b.value != a.value
                    {
                        out.push(setting_change(
                            name,
                            path,
                            key,
                            Some(&b.value),
                            Some(&a.value),
                        ));
                    }
                }
            }
        }
    }
}

fn sort_settings(settings: &mut [SettingChange]) {
    settings.sort_by(|a, b| (&a.plugin, &a.file, &a.key).cmp(&(&b.plugin, &b.file, &b.key)));
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
    // Equal plugin bytes give equal settings only when scopes resolve the same way.
    let same_aliases = base.fleet().aliases == head.fleet().aliases;
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
            (None, Some(new)) => {
                let mut settings = Vec::new();
                let mut plugins = Vec::new();
                for (plugin, d, file) in head.deployed(new) {
                    plugins.push(PluginChange {
                        plugin: plugin.to_string(),
                        change: PluginChangeKind::Added,
                        old_version: None,
                        new_version: version(d),
                    });
                    diff_plugin(plugin, None, file.map(|f| (f, new)), &mut settings);
                }
                sort_settings(&mut settings);
                InstancePlan {
                    instance: name.to_string(),
                    change: InstanceChange::Added,
                    attributes: Vec::new(),
                    plugins,
                    settings,
                }
            }
            (Some(old), Some(new)) => {
                let same_instance = old.server == new.server
                    && old.tags == new.tags
                    && old.platform == new.platform;
                let before = deployments(base, old);
                let after = deployments(head, new);
                let mut plugins = Vec::new();
                let mut settings = Vec::new();
                let mut attributes = attributes(old, new);
                for (plugin, d) in &before {
                    let Some(n) = after.get(plugin) else {
                        plugins.push(PluginChange {
                            plugin: plugin.to_string(),
                            change: PluginChangeKind::Removed,
                            old_version: version(d),
                            new_version: None,
                        });
                        continue;
                    };
                    if n != d {
                        plugins.push(PluginChange {
                            plugin: plugin.to_string(),
                            change: PluginChangeKind::Reversioned,
                            old_version: version(d),
                            new_version: version(n),
                        });
                    }
                    let was = base.plugin(old.platform, plugin);
                    let is = head.plugin(new.platform, plugin);
                    if let (Some(was), Some(is)) = (was, is) {
                        plugin_attributes::plugin_attributes(was, is, &mut attributes);
                    }
                    let unchanged = same_aliases
                        && same_instance
                        && matches!((was, is), (Some(a), Some(b)) if a.digest == b.digest);
                    if !unchanged {
                        diff_plugin(
                            plugin,
                            was.map(|p| (p, old)),
                            is.map(|p| (p, new)),
                            &mut settings,
                        );
                    }
                }
                for (plugin, d) in &after {
                    if !before.contains_key(plugin) {
                        plugins.push(PluginChange {
                            plugin: plugin.to_string(),
                            change: PluginChangeKind::Added,
                            old_version: None,
                            new_version: version(d),
                        });
                        let is = head.plugin(new.platform, plugin);
                        diff_plugin(plugin, None, is.map(|p| (p, new)), &mut settings);
                    }
                }
                plugins.sort_by(|a, b| a.plugin.cmp(&b.plugin));
                sort_settings(&mut settings);
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
