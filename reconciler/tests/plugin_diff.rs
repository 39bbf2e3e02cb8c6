//! `diff_plugins`, the plugin half of a reconcile: the deployment matrix against the JARs
//! an agent reported.

use std::collections::BTreeMap;

use homeamp_desired::snapshot::Snapshot;
use homeamp_desired::{DesiredState, Origin, load_snapshot};
use homeamp_reconciler::host::InstanceAt;
use homeamp_reconciler::host::plugin_diff::{
    ArtifactLookup, ArtifactRef, PluginAction, PluginDiff, diff_plugins,
};
use homeamp_reconciler::store::{DriftType, PluginSeen, Severity};
use homeamp_schemas::desired::Platform;
use homeamp_schemas::job::JobIntent;
use jiff::Timestamp;

/// A fleet of one paper instance whose matrix rows are `rows` (`name,cell`).
fn state(rows: &[(&str, &str)]) -> DesiredState {
    let rows: Vec<_> = rows.iter().map(|(n, c)| (*n, *c, false)).collect();
    state_with(&rows)
}

/// As [`state`], with each row's `auto_update`.
fn state_with(rows: &[(&str, &str, bool)]) -> DesiredState {
    let mut matrix = "plugin_name,plugin_type,auto_update,update_source,server_SMP1\n".to_string();
    for (name, cell, auto) in rows {
        let auto = if *auto { "True" } else { "False" };
        matrix.push_str(&format!("{name},bukkit/paper,{auto},manual,{cell}\n"));
    }
    let mut files = BTreeMap::from([
        (
            "homeamp.yaml".to_string(),
            b"servers:\n  s: { role: host }\ninstances:\n  SMP1: { server: s, platform: paper }\n"
                .to_vec(),
        ),
        ("deployment_matrix.csv".to_string(), matrix.into_bytes()),
        (
            // The plugin file names the JAR's descriptor name.
            "plugins/paper/EssentialsX.yaml".to_string(),
            b"name: Essentials\nuniversal: {}\n".to_vec(),
        ),
    ]);
    // Every marked row needs a plugin file.
    for (name, _, _) in rows {
        files
            .entry(format!("plugins/paper/{name}.yaml"))
            .or_insert_with(|| b"universal: {}\n".to_vec());
    }
    load_snapshot(Snapshot {
        origin: Origin::WorkingTree {
            path: "test".into(),
        },
        files,
    })
    .into_valid()
    .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

fn at(state: &DesiredState) -> InstanceAt<'_> {
    InstanceAt::new(state, "SMP1").unwrap()
}

fn jar(name: &str, version: &str, file: &str) -> PluginSeen {
    PluginSeen {
        name: name.into(),
        version: Some(version.into()),
        jar_path: format!("plugins/{file}"),
        sha256: format!("sha-{file}"),
        first_seen: Timestamp::UNIX_EPOCH,
        last_seen: Timestamp::UNIX_EPOCH,
        present: true,
    }
}

/// An artifact store holding `(name, version)` pairs, the newest last.
struct Store(Vec<(&'static str, &'static str)>);

impl ArtifactLookup for Store {
    fn lookup(&self, platform: Platform, name: &str, version: Option<&str>) -> Option<ArtifactRef> {
        assert_eq!(platform, Platform::Paper);
        self.0
            .iter()
            .rev()
            .find(|(n, v)| n.eq_ignore_ascii_case(name) && version.is_none_or(|w| w == *v))
            .map(|(n, v)| ArtifactRef {
                version: v.to_string(),
                sha256: format!("sha-{n}-{v}"),
                url: format!("file:///store/{n}-{v}.jar"),
                file_name: format!("{n}-{v}.jar"),
            })
    }
}

fn store() -> Store {
    Store(vec![
        ("CMI", "9.7.0"),
        ("CMI", "9.7.1"),
        ("Essentials", "2.20.1"),
        ("Vault", "1.7.3"),
    ])
}

fn installs(diff: &PluginDiff) -> Vec<(String, String, Vec<String>)> {
    diff.plans
        .iter()
        .filter_map(|p| match &p.action {
            PluginAction::Install(i) => {
                Some((i.name.clone(), i.version.clone(), i.replaces.clone()))
            }
            PluginAction::Remove(_) => None,
        })
        .collect()
}

fn removes(diff: &PluginDiff) -> Vec<String> {
    diff.plans
        .iter()
        .filter_map(|p| match &p.action {
            PluginAction::Remove(r) => Some(r.file.clone()),
            PluginAction::Install(_) => None,
        })
        .collect()
}

#[test]
fn deployed_plugins_present_once_are_in_sync_whatever_their_version_unless_pinned() {
    let desired = state(&[("CMI", "True"), ("EssentialsX", "True")]);
    let live = [
        jar("CMI", "9.0", "CMI.jar"),
        jar("essentials", "2.19", "EssentialsX-2.19.jar"),
    ];
    let diff = diff_plugins(at(&desired), Some(at(&desired)), &live, &store(), false);
    assert!(diff.drift.is_empty(), "{:?}", diff.drift);
    assert!(diff.plans.is_empty());

    let pinned = state(&[("CMI", "9.7.1"), ("EssentialsX", "True")]);
    let diff = diff_plugins(at(&pinned), Some(at(&desired)), &live, &store(), false);
    assert_eq!(diff.drift.len(), 1, "{:?}", diff.drift);
    assert_eq!(diff.drift[0].drift_type, DriftType::Plugin);
    assert_eq!(diff.drift[0].desired_value.as_deref(), Some("9.7.1"));
    assert_eq!(diff.drift[0].live_value.as_deref(), Some("9.0"));
    // The pin moved in a commit: intentional.
    assert_eq!(diff.drift[0].cause, JobIntent::Intentional);
    assert_eq!(
        installs(&diff),
        vec![("CMI".into(), "9.7.1".into(), vec!["plugins/CMI.jar".into()])]
    );
    assert_eq!(diff.plans[0].intent, JobIntent::Intentional);
}

#[test]
fn a_missing_plugin_is_installed_at_the_newest_version_and_a_deleted_one_is_corrective() {
    let desired = state(&[("CMI", "True"), ("Vault", "True")]);
    let live = [jar("Vault", "1.7.3", "Vault.jar")];
    // First sync: intentional.
    let first = diff_plugins(at(&desired), None, &live, &store(), false);
    assert_eq!(
        installs(&first),
        vec![("CMI".into(), "9.7.1".into(), vec![])]
    );
    assert_eq!(first.plans[0].intent, JobIntent::Intentional);
    assert_eq!(first.drift[0].severity, Severity::Critical);
    assert_eq!(first.drift[0].live_value, None);
    // Synced to the same deployment before: someone deleted the JAR.
    let again = diff_plugins(at(&desired), Some(at(&desired)), &live, &store(), false);
    assert_eq!(again.plans[0].intent, JobIntent::Corrective);
    assert_eq!(again.drift[0].cause, JobIntent::Corrective);
    match &again.plans[0].action {
        PluginAction::Install(i) => {
            assert_eq!(i.file.as_deref(), Some("plugins/CMI-9.7.1.jar"));
            assert_eq!(i.sha256, "sha-CMI-9.7.1");
            assert_eq!(i.url, "file:///store/CMI-9.7.1.jar");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn duplicates_keep_the_newest_live_version_and_replace_the_others() {
    let desired = state(&[("CMI", "True")]);
    let live = [
        jar("CMI", "9.7.0", "CMI-old.jar"),
        jar("CMI", "9.7.1", "CMI-new.jar"),
    ];
    let diff = diff_plugins(at(&desired), Some(at(&desired)), &live, &store(), false);
    assert_eq!(diff.drift.len(), 1);
    assert_eq!(diff.drift[0].live_value.as_deref(), Some("9.7.0, 9.7.1"));
    assert_eq!(
        installs(&diff),
        vec![(
            "CMI".into(),
            "9.7.1".into(),
            vec!["plugins/CMI-old.jar".into(), "plugins/CMI-new.jar".into()]
        )]
    );
}

#[test]
fn without_an_artifact_the_drift_is_unresolved_and_says_what_to_do() {
    let desired = state(&[("LuckPerms", "5.4.102")]);
    let diff = diff_plugins(at(&desired), None, &[], &store(), false);
    assert!(diff.plans.is_empty());
    assert_eq!(diff.drift.len(), 1);
    assert_eq!(diff.unresolved.len(), 1);
    let message = diff.unresolved[0].to_string();
    assert!(message.contains("LuckPerms 5.4.102"), "{message}");
    assert!(message.contains("artifact store"), "{message}");
}

#[test]
fn extra_jars_are_removed_only_with_prune_and_unknown_ones_never() {
    let desired = state(&[("CMI", "True"), ("Vault", "False")]);
    let live = [
        jar("CMI", "9.7.1", "CMI.jar"),
        jar("Vault", "1.7.3", "Vault.jar"),
        jar("SomethingElse", "1.0", "SomethingElse.jar"),
    ];
    let kept = diff_plugins(at(&desired), Some(at(&desired)), &live, &store(), false);
    // Vault has a matrix row: extra, OutOfSync, but not removed without prune.
    assert_eq!(kept.drift.len(), 1, "{:?}", kept.drift);
    assert_eq!(kept.drift[0].plugin.as_deref(), Some("Vault"));
    assert_eq!(kept.drift[0].desired_value, None);
    assert_eq!(kept.drift[0].cause, JobIntent::Corrective);
    assert!(kept.plans.is_empty());
    // A JAR the matrix does not know: recorded, never a reason to act.
    assert_eq!(kept.unmanaged.len(), 1);
    assert_eq!(kept.unmanaged[0].severity, Severity::Info);

    let pruned = diff_plugins(at(&desired), Some(at(&desired)), &live, &store(), true);
    assert_eq!(removes(&pruned), vec!["plugins/Vault.jar".to_string()]);
    match &pruned.plans[0].action {
        PluginAction::Remove(r) => assert_eq!(r.sha256, "sha-Vault.jar"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_plugin_dropped_from_the_matrix_is_intentional_and_prunable() {
    let before = state(&[("CMI", "True"), ("Vault", "True")]);
    let after = state(&[("CMI", "True")]);
    let live = [
        jar("CMI", "9.7.1", "CMI.jar"),
        jar("Vault", "1.7.3", "Vault.jar"),
    ];
    let diff = diff_plugins(at(&after), Some(at(&before)), &live, &store(), true);
    assert_eq!(removes(&diff), vec!["plugins/Vault.jar".to_string()]);
    assert_eq!(diff.plans[0].intent, JobIntent::Intentional);
    assert!(diff.unmanaged.is_empty());
}

#[test]
fn an_empty_report_removes_nothing() {
    let desired = state(&[("CMI", "False"), ("Vault", "False")]);
    let diff = diff_plugins(at(&desired), Some(at(&desired)), &[], &store(), true);
    assert!(diff.plans.is_empty());
    assert!(diff.drift.is_empty());
}

#[test]
fn auto_update_keeps_a_plugin_at_the_newest_version_of_the_store_and_never_downgrades() {
    let desired = state_with(&[("CMI", "True", true)]);
    let old = [jar("CMI", "9.7.0", "CMI.jar")];
    let diff = diff_plugins(at(&desired), Some(at(&desired)), &old, &store(), false);
    assert_eq!(
        installs(&diff),
        vec![("CMI".into(), "9.7.1".into(), vec!["plugins/CMI.jar".into()])]
    );
    // A new release in the store is not a hand edit.
    assert_eq!(diff.plans[0].intent, JobIntent::Intentional);
    assert!(
        diff.drift[0]
            .desired_value
            .as_deref()
            .is_some_and(|v| v.starts_with("9.7.1 (auto_update")),
        "{:?}",
        diff.drift
    );
    for version in ["9.7.1", "9.8"] {
        let live = [jar("CMI", version, "CMI.jar")];
        let diff = diff_plugins(at(&desired), Some(at(&desired)), &live, &store(), false);
        assert!(diff.plans.is_empty(), "{version}: {:?}", diff.plans);
    }
    // Without auto_update the old version is fine.
    let manual = state(&[("CMI", "True")]);
    let diff = diff_plugins(at(&manual), Some(at(&manual)), &old, &store(), false);
    assert!(diff.drift.is_empty());
}
