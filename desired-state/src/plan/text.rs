//! The plan as terminal text: one block per instance, `+`/`~`/`-` lines, a summary.

use std::fmt::Write;

use super::{
    InstanceChange, InstancePlan, Plan, PluginChange, PluginChangeKind, SettingChange,
    SettingChangeKind, short_rev, summary_line,
};
use crate::display::value_inline;

/// Longest value shown on one line; the JSON format has them whole.
const VALUE_WIDTH: usize = 120;

fn version_text(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "latest".to_string())
}

/// One line per plugin change.
pub(super) fn plugin_line(p: &PluginChange) -> String {
    match p.change {
        PluginChangeKind::Added => {
            format!("+ plugin {} ({})", p.plugin, version_text(&p.new_version))
        }
        PluginChangeKind::Removed => {
            format!("- plugin {} ({})", p.plugin, version_text(&p.old_version))
        }
        PluginChangeKind::Reversioned => format!(
            "~ plugin {}: {} → {}",
            p.plugin,
            version_text(&p.old_version),
            version_text(&p.new_version)
        ),
    }
}

/// One line per setting change (the plugin and file are in the group heading).
pub(super) fn setting_line(c: &SettingChange) -> String {
    let show = |v: &Option<homeamp_schemas::Value>| {
        v.as_ref()
            .map(|v| value_inline(v, VALUE_WIDTH))
            .unwrap_or_default()
    };
    match (c.change, c.secret) {
        (SettingChangeKind::Added, true) => format!("+ {}: added (secret)", c.key),
        (SettingChangeKind::Changed, true) => format!("~ {}: changed (secret)", c.key),
        (SettingChangeKind::Removed, true) => format!("- {}: removed (secret)", c.key),
        (SettingChangeKind::Added, false) => format!("+ {} = {}", c.key, show(&c.new)),
        (SettingChangeKind::Changed, false) => {
            format!("~ {}: {} → {}", c.key, show(&c.old), show(&c.new))
        }
        (SettingChangeKind::Removed, false) => format!("- {} (was {})", c.key, show(&c.old)),
    }
}

pub(super) fn heading(i: &InstancePlan) -> String {
    match i.change {
        InstanceChange::Added => format!("{} (added)", i.instance),
        InstanceChange::Removed => format!(
            "{} (removed: no longer managed, nothing is deleted)",
            i.instance
        ),
        InstanceChange::Changed => format!("{} (changed)", i.instance),
    }
}

/// The lines of one instance's block, indented by depth: (depth, text).
pub(super) fn instance_lines(i: &InstancePlan) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    for a in &i.attributes {
        lines.push((
            0,
            format!(
                "~ {}: {} → {}",
                a.attribute,
                a.old.as_deref().unwrap_or("(none)"),
                a.new.as_deref().unwrap_or("(none)")
            ),
        ));
    }
    for p in &i.plugins {
        lines.push((0, plugin_line(p)));
    }
    let mut group: Option<(&str, &str)> = None;
    for c in &i.settings {
        if group != Some((&c.plugin, &c.file)) {
            group = Some((&c.plugin, &c.file));
            lines.push((0, format!("{} {}", c.plugin, c.file)));
        }
        lines.push((1, setting_line(c)));
    }
    lines
}

/// The whole plan for a terminal.
pub fn to_text(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan: {} → {}",
        short_rev(&plan.base),
        short_rev(&plan.head)
    );
    if plan.instances.is_empty() {
        let _ = writeln!(out, "\nNo changes.");
    }
    for i in &plan.instances {
        let _ = writeln!(out, "\n{}", heading(i));
        for (depth, line) in instance_lines(i) {
            let _ = writeln!(out, "{}{line}", "  ".repeat(depth + 1));
        }
    }
    let _ = writeln!(out, "\nSummary: {}", summary_line(&plan.summary));
    out
}
