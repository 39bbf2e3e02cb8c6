//! `diff_instance`, the pure core of a reconcile: desired against live for one instance.

use std::collections::{BTreeMap, HashMap};

use homeamp_configfiles::Format;
use homeamp_desired::snapshot::Snapshot;
use homeamp_desired::{DesiredState, Origin, load_snapshot};
use homeamp_reconciler::host::{InstanceAt, LiveDoc, Secrets, diff_instance};
use homeamp_reconciler::store::DriftType;
use homeamp_schemas::job::{JobIntent, PatchOp};
use homeamp_schemas::{KeyPath, Value};

const PATH: &str = "plugins/CoreProtect/config.yml";

fn state(verbose: &str) -> DesiredState {
    let files = BTreeMap::from([
        (
            "homeamp.yaml".to_string(),
            b"servers:\n  s: { role: host }\ninstances:\n  SMP1: { server: s, platform: paper }\n"
                .to_vec(),
        ),
        (
            "deployment_matrix.csv".to_string(),
            b"plugin_name,plugin_type,auto_update,update_source,server_SMP1\nCoreProtect,bukkit/paper,False,manual,True\n".to_vec(),
        ),
        (
            "plugins/paper/CoreProtect.yaml".to_string(),
            format!("universal:\n  config.yml:\n    verbose: {verbose}\n    table-prefix: co_\n")
                .into_bytes(),
        ),
    ]);
    load_snapshot(Snapshot {
        origin: Origin::WorkingTree {
            path: "test".into(),
        },
        files,
    })
    .into_valid()
    .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

fn live(text: &str) -> HashMap<String, LiveDoc> {
    HashMap::from([(
        PATH.to_string(),
        LiveDoc::parse("sha-of-live".into(), Format::Yaml, text),
    )])
}

fn at(state: &DesiredState) -> InstanceAt<'_> {
    InstanceAt::new(state, "SMP1").unwrap()
}

#[test]
fn values_compare_as_the_plugin_reads_them() {
    let desired = state("true");
    let diff = diff_instance(
        at(&desired),
        Some(at(&desired)),
        &live("# kept\nverbose: yes\ntable-prefix: co_\n"),
        &Secrets::empty(),
    );
    assert!(diff.is_in_sync(), "{:?}", diff.drift);
    assert!(diff.files.is_empty());
}

#[test]
fn a_live_change_is_corrective_and_a_commit_is_intentional() {
    let old = state("true");
    let new = state("false");
    let live = live("verbose: true\ntable-prefix: co_\n");

    // Synced to `old`, live still as `old` wanted, desired moved: the commit did it.
    let diff = diff_instance(at(&new), Some(at(&old)), &live, &Secrets::empty());
    assert_eq!(diff.drift.len(), 1);
    assert_eq!(diff.drift[0].cause, JobIntent::Intentional);
    assert_eq!(diff.drift[0].key_path.as_deref(), Some("verbose"));
    let (op, intent) = &diff.files[0].ops[0];
    assert_eq!(*intent, JobIntent::Intentional);
    assert_eq!(
        *op,
        PatchOp::Set {
            path: KeyPath::parse("verbose").unwrap(),
            value: Value::Bool(false)
        }
    );
    assert_eq!(diff.files[0].base_sha256.as_deref(), Some("sha-of-live"));

    // Synced to `new` already, live differs from it: someone edited the file.
    let diff = diff_instance(at(&new), Some(at(&new)), &live, &Secrets::empty());
    assert_eq!(diff.drift[0].cause, JobIntent::Corrective);
    assert_eq!(diff.files[0].ops[0].1, JobIntent::Corrective);

    // Never synced: the first sync is the commit's doing.
    let diff = diff_instance(at(&new), None, &live, &Secrets::empty());
    assert_eq!(diff.drift[0].cause, JobIntent::Intentional);
}

#[test]
fn a_missing_file_is_one_record_and_one_edit_per_setting() {
    let desired = state("true");
    let diff = diff_instance(at(&desired), None, &HashMap::new(), &Secrets::empty());
    assert_eq!(diff.drift.len(), 1);
    assert_eq!(diff.drift[0].drift_type, DriftType::File);
    assert_eq!(diff.files.len(), 1, "one write for the file");
    assert_eq!(diff.files[0].ops.len(), 2);
    assert_eq!(
        diff.files[0].base_sha256, None,
        "the file must not exist yet"
    );
}

#[test]
fn an_unreadable_live_file_is_reported_and_never_edited() {
    let desired = state("true");
    let diff = diff_instance(
        at(&desired),
        Some(at(&desired)),
        &live("verbose: [unclosed\n"),
        &Secrets::empty(),
    );
    assert_eq!(diff.drift.len(), 1);
    assert_eq!(diff.drift[0].drift_type, DriftType::File);
    assert!(
        diff.files.is_empty(),
        "no edit of a file that cannot be read"
    );
}
