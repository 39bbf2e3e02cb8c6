//! Plans between two in-memory revisions of the fixture fleet.

use homeamp_schemas::Value;

use super::*;
use crate::fixture::{CMI, FLEET, MATRIX, load};

fn state(changes: &[(&str, Option<&str>)]) -> DesiredState {
    load(changes).into_valid().unwrap()
}

fn plan_of(base: &[(&str, Option<&str>)], head: &[(&str, Option<&str>)]) -> Plan {
    plan(&state(base), &state(head))
}

fn instance<'a>(plan: &'a Plan, name: &str) -> &'a InstancePlan {
    plan.instances
        .iter()
        .find(|i| i.instance == name)
        .unwrap_or_else(|| panic!("{name} not in plan: {plan:#?}"))
}

#[test]
fn identical_revisions_plan_nothing() {
    let p = plan_of(&[], &[]);
    assert!(p.is_empty());
    assert_eq!(p.changed_instances(), 0);
    assert_eq!(p.summary.instances_total, 4);
    assert!(to_text(&p).contains("No changes."));
}

#[test]
fn setting_added_changed_removed() {
    let head = CMI
        .replace("    a: 1\n", "    a: 2\n    n: new\n")
        .replace(", \"server:hetzner\": z", "");
    let p = plan_of(&[], &[("plugins/paper/CMI.yaml", Some(&head))]);
    let smp = instance(&p, "SMP201");
    assert_eq!(smp.change, InstanceChange::Changed);
    let kinds: Vec<(String, SettingChangeKind)> = smp
        .settings
        .iter()
        .map(|s| (s.key.to_string(), s.change))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a".to_string(), SettingChangeKind::Changed),
            ("n".to_string(), SettingChangeKind::Added)
        ]
    );
    assert_eq!(smp.settings[0].old, Some(Value::Int(1)));
    assert_eq!(smp.settings[0].new, Some(Value::Int(2)));
    let dev = instance(&p, "DEV01");
    let removed = dev
        .settings
        .iter()
        .find(|s| s.key.to_string() == "b")
        .unwrap();
    assert_eq!(removed.change, SettingChangeKind::Removed);
    assert_eq!(removed.old, Some(Value::String("z".into())));
    assert_eq!(p.summary.settings_changed, 3, "a on three instances");
    assert_eq!(p.summary.settings_added, 3);
    assert_eq!(p.summary.settings_removed, 1);
    assert_eq!(p.summary.instances_changed, 3, "VEL01 runs no CMI");
    let text = to_text(&p);
    assert!(text.contains("~ a: 1 → 2"), "{text}");
    assert!(text.contains("+ n = \"new\""), "{text}");
    assert!(text.contains("- b (was \"z\")"), "{text}");
    assert!(text.contains("Summary: 3 of 4 instances changed"), "{text}");
}

#[test]
fn secret_changes_never_show_values() {
    let base = CMI.replace(
        "    a: 1\n",
        "    a: 1\n    db.password: \"${secret:cmi-old}\"\n",
    );
    let head = CMI.replace(
        "    a: 1\n",
        "    a: 1\n    db.password: \"${secret:cmi-new}\"\n",
    );
    let p = plan_of(
        &[("plugins/paper/CMI.yaml", Some(&base))],
        &[("plugins/paper/CMI.yaml", Some(&head))],
    );
    let c = &instance(&p, "SMP201").settings[0];
    assert!(c.secret);
    assert_eq!((c.old.as_ref(), c.new.as_ref()), (None, None));
    let text = to_text(&p);
    assert!(text.contains("~ db.password: changed (secret)"), "{text}");
    let json = serde_json::to_string(&p).unwrap();
    let md = to_markdown(&p, MARKDOWN_LIMIT);
    for out in [&text, &json, &md] {
        assert!(
            !out.contains("cmi-old") && !out.contains("cmi-new"),
            "{out}"
        );
    }
}

#[test]
fn plugin_added_removed_reversioned() {
    let matrix = MATRIX.replace("True,True,9.7.1,False", "False,True,9.8.0,False")
        + "Essentials,bukkit/paper,False,manual,True,False,False,False\n";
    let p = plan_of(
        &[],
        &[
            ("deployment_matrix.csv", Some(&matrix)),
            (
                "plugins/paper/Essentials.yaml",
                Some("universal:\n  config.yml:\n    motd: hi\n"),
            ),
        ],
    );
    let smp = instance(&p, "SMP201");
    let plugins: Vec<(&str, PluginChangeKind)> = smp
        .plugins
        .iter()
        .map(|c| (c.plugin.as_str(), c.change))
        .collect();
    assert_eq!(
        plugins,
        [
            ("CMI", PluginChangeKind::Removed),
            ("Essentials", PluginChangeKind::Added)
        ]
    );
    // The added plugin brings its settings; the removed one is one line.
    assert_eq!(smp.settings.len(), 1);
    assert_eq!(smp.settings[0].plugin, "Essentials");
    assert_eq!(smp.settings[0].change, SettingChangeKind::Added);
    let dev = instance(&p, "DEV01");
    assert_eq!(dev.plugins[0].change, PluginChangeKind::Reversioned);
    assert_eq!(dev.plugins[0].old_version.as_deref(), Some("9.7.1"));
    assert_eq!(dev.plugins[0].new_version.as_deref(), Some("9.8.0"));
    assert!(dev.settings.is_empty());
    assert_eq!(
        (
            p.summary.plugins_added,
            p.summary.plugins_removed,
            p.summary.plugins_reversioned
        ),
        (1, 1, 1)
    );
    assert!(to_text(&p).contains("~ plugin CMI: 9.7.1 → 9.8.0"));
}

#[test]
fn instance_added_and_removed() {
    let fleet = FLEET.replace(
        "  DEV01: { server: hetzner, platform: paper }\n",
        "  DEV02: { server: hetzner, platform: paper }\n",
    );
    let matrix = MATRIX.replace("server_DEV01", "server_DEV02");
    let p = plan_of(
        &[],
        &[
            ("homeamp.yaml", Some(&fleet)),
            ("deployment_matrix.csv", Some(&matrix)),
        ],
    );
    let added = instance(&p, "DEV02");
    assert_eq!(added.change, InstanceChange::Added);
    assert_eq!(added.plugins[0].new_version.as_deref(), Some("9.7.1"));
    assert_eq!(added.settings.len(), 2, "a and b (server:hetzner)");
    let removed = instance(&p, "DEV01");
    assert_eq!(removed.change, InstanceChange::Removed);
    assert!(removed.settings.is_empty());
    assert_eq!(
        (p.summary.instances_added, p.summary.instances_removed),
        (1, 1)
    );
}

#[test]
fn instance_attributes_changes_are_listed() {
    let fleet = FLEET.replace("DEV01: { server: hetzner", "DEV01: { server: ovh");
    let p = plan_of(&[], &[("homeamp.yaml", Some(&fleet))]);
    let dev = instance(&p, "DEV01");
    assert_eq!(dev.attributes[0].attribute, "server");
    // On ovh, DEV01 no longer gets the hetzner value of b.
    assert_eq!(dev.settings[0].change, SettingChangeKind::Removed);
}

#[test]
fn plans_are_json_round_trips() {
    let head = CMI.replace("    a: 1\n", "    a: [1, {x: 2}]\n");
    let p = plan_of(&[], &[("plugins/paper/CMI.yaml", Some(&head))]);
    let json = serde_json::to_string_pretty(&p).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
}

#[test]
fn markdown_fits_one_comment_and_keeps_full_counts() {
    let mut head = String::from("universal:\n  config.yml:\n");
    for i in 0..5_000 {
        head.push_str(&format!("    section{i}.value: \"{}\"\n", "x".repeat(40)));
    }
    let p = plan_of(&[], &[("plugins/paper/CMI.yaml", Some(&head))]);
    assert_eq!(p.summary.settings_added, 15_000);
    let md = to_markdown(&p, MARKDOWN_LIMIT);
    assert!(
        md.chars().count() < MARKDOWN_LIMIT,
        "{} chars",
        md.chars().count()
    );
    assert!(md.contains("**Truncated**"), "no truncation note");
    assert!(
        md.contains("15000 added"),
        "the summary keeps the full counts"
    );
    // Fences stay balanced so the comment renders.
    assert_eq!(md.matches("```").count() % 2, 0);
}

#[test]
fn small_markdown_is_not_truncated() {
    let head = CMI.replace("    a: 1\n", "    a: 2\n");
    let p = plan_of(&[], &[("plugins/paper/CMI.yaml", Some(&head))]);
    let md = to_markdown(&p, MARKDOWN_LIMIT);
    assert!(!md.contains("Truncated"));
    assert!(md.contains("#### SMP201 (changed)"), "{md}");
    assert!(
        md.contains("```diff\nCMI config.yml\n  ~ a: 1 → 2\n```"),
        "{md}"
    );
}

#[test]
fn plugin_file_changes_that_touch_no_setting_are_listed_as_attributes() {
    let head = format!(
        "name: CMI-Premium\nreload: \"command:cmi reload\"\nfiles:\n  config.yml: {{ format: yaml, owned: true }}\n{CMI}"
    );
    let p = plan_of(&[], &[("plugins/paper/CMI.yaml", Some(&head))]);
    for name in ["SMP201", "CREA01", "DEV01"] {
        let attrs: Vec<(String, Option<String>, Option<String>)> = instance(&p, name)
            .attributes
            .iter()
            .map(|a| (a.attribute.clone(), a.old.clone(), a.new.clone()))
            .collect();
        assert_eq!(
            attrs,
            vec![
                (
                    "plugin CMI: name in its descriptor".to_string(),
                    Some("CMI".to_string()),
                    Some("CMI-Premium".to_string())
                ),
                (
                    "plugin CMI: folder".to_string(),
                    Some("CMI".to_string()),
                    Some("CMI-Premium".to_string())
                ),
                (
                    "plugin CMI: reload".to_string(),
                    Some("restart".to_string()),
                    Some("command:cmi reload".to_string())
                ),
                (
                    "plugin CMI: config.yml owned".to_string(),
                    Some("false".to_string()),
                    Some("true".to_string())
                ),
            ],
            "{name}"
        );
    }
    // VEL01 does not run CMI.
    assert!(p.instances.iter().all(|i| i.instance != "VEL01"));
    assert!(to_text(&p).contains("~ plugin CMI: reload: restart → command:cmi reload"));
}
