//! `config_patch` jobs: lossless edits, base and result checks, idempotency.

use std::fs;
use std::path::PathBuf;

use homeamp_configfiles::{Document, Format};
use homeamp_schemas::desired::FileFormat;
use homeamp_schemas::job::{ConfigPatch, JobSpec, PatchOp, RefusalReason};
use homeamp_schemas::report::JobStatus;
use homeamp_schemas::{KeyPath, Value};

use crate::support::*;

const CONFIG: &str = "\
# CoreProtect Config

# If enabled, extra data is displayed during rollbacks and restores.
verbose: false   # keep quiet

# MySQL settings
use-mysql: false
table-prefix: 'co_'
worlds:
  - world
  - world_nether
";

fn set(path: &str, value: Value) -> PatchOp {
    PatchOp::Set {
        path: KeyPath::parse(path).unwrap(),
        value,
    }
}

fn patch(base: Option<&str>, ops: Vec<PatchOp>, expected: Option<String>) -> JobSpec {
    JobSpec::ConfigPatch(ConfigPatch {
        file: "plugins/CoreProtect/config.yml".into(),
        format: FileFormat::Yaml,
        base_sha256: base.map(|b| sha256(b.as_bytes())),
        ops,
        expected_sha256: expected,
    })
}

/// What the host computes: the same edit through the same library.
fn expected_text(base: &str, ops: &[PatchOp]) -> String {
    let mut doc = Document::parse(Format::Yaml, base).unwrap();
    for op in ops {
        match op {
            PatchOp::Set { path, value } => doc.set(path, value).unwrap(),
            PatchOp::Remove { path } => {
                doc.remove(path).unwrap();
            }
        }
    }
    doc.to_string()
}

fn setup() -> (Fleet, PathBuf) {
    let fleet = Fleet::new();
    let game = fleet.amp_instance("SMP201");
    let path = game.join("plugins/CoreProtect/config.yml");
    write(&path, CONFIG);
    (fleet, path)
}

#[test]
fn comments_survive_a_config_patch() {
    let (fleet, path) = setup();
    let agent = fleet.agent();
    let ops = vec![
        set("verbose", Value::Bool(true)),
        PatchOp::Remove {
            path: KeyPath::parse("use-mysql").unwrap(),
        },
    ];
    let expected = expected_text(CONFIG, &ops);
    let result = agent.apply(&signed(
        "SMP201",
        patch(Some(CONFIG), ops, Some(sha256(expected.as_bytes()))),
    ));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert!(result.changed);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text, expected);
    assert!(text.contains("# CoreProtect Config\n"), "{text}");
    assert!(
        text.contains("# If enabled, extra data is displayed during rollbacks and restores.\n")
    );
    assert!(text.contains("verbose: true   # keep quiet\n"), "{text}");
    assert!(text.contains("table-prefix: 'co_'\n"));
    assert!(!text.contains("use-mysql"));
    assert_eq!(
        result.result_sha256.get("plugins/CoreProtect/config.yml"),
        Some(&Some(sha256(text.as_bytes())))
    );
    // The previous version is kept.
    let history = folder(&agent, "SMP201")
        .history_dir()
        .join("plugins/CoreProtect/config.yml");
    assert_eq!(names_in(&history).len(), 1);
}

#[test]
fn a_hand_edited_base_is_refused_and_the_file_untouched() {
    let (fleet, path) = setup();
    let hand_edited = CONFIG.replace("co_", "smp_");
    fs::write(&path, &hand_edited).unwrap();
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    let result = fleet.agent().apply(&signed(
        "SMP201",
        patch(Some(CONFIG), vec![set("verbose", Value::Bool(true))], None),
    ));
    assert_eq!(result.status, JobStatus::Refused);
    assert_eq!(result.reason, Some(RefusalReason::BaseChanged));
    assert!(
        result.message.starts_with("base changed"),
        "{}",
        result.message
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), hand_edited);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
}

#[test]
fn a_result_other_than_the_host_expected_is_not_written() {
    let (fleet, path) = setup();
    let result = fleet.agent().apply(&signed(
        "SMP201",
        patch(
            Some(CONFIG),
            vec![set("verbose", Value::Bool(true))],
            Some(sha256(b"not it")),
        ),
    ));
    assert_eq!(
        result.reason,
        Some(RefusalReason::ResultMismatch),
        "{}",
        result.message
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), CONFIG);
}

#[test]
fn applying_twice_writes_once() {
    let (fleet, path) = setup();
    let agent = fleet.agent();
    let job = signed(
        "SMP201",
        patch(Some(CONFIG), vec![set("verbose", Value::Bool(true))], None),
    );
    let first = agent.apply(&job);
    assert!(first.changed, "{}", first.message);
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(agent.apply(&job), first);
    // A new job with the same edit, planned against the old base: its result already holds.
    let again = agent.apply(&signed(
        "SMP201",
        patch(Some(CONFIG), vec![set("verbose", Value::Bool(true))], None),
    ));
    assert_eq!(again.status, JobStatus::Succeeded, "{}", again.message);
    assert!(!again.changed);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
}

#[test]
fn a_yaml_boolean_spelled_yes_already_holds_true() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let text = "enabled: yes # SnakeYAML reads this as true\n";
    write(&game.join("plugins/X/config.yml"), text);
    let result = fleet.agent().apply(&signed(
        "SMP201",
        JobSpec::ConfigPatch(ConfigPatch {
            file: "plugins/X/config.yml".into(),
            format: FileFormat::Yaml,
            base_sha256: Some(sha256(text.as_bytes())),
            ops: vec![set("enabled", Value::Bool(true))],
            expected_sha256: None,
        }),
    ));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert!(!result.changed, "{}", result.message);
    assert_eq!(
        fs::read_to_string(game.join("plugins/X/config.yml")).unwrap(),
        text
    );
}

#[test]
fn a_patch_with_no_base_creates_the_file() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let result = fleet.agent().apply(&signed(
        "SMP201",
        JobSpec::ConfigPatch(ConfigPatch {
            file: "plugins/New/config.yml".into(),
            format: FileFormat::Yaml,
            base_sha256: None,
            ops: vec![set("a.b", Value::Int(3))],
            expected_sha256: None,
        }),
    ));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    let text = fs::read_to_string(game.join("plugins/New/config.yml")).unwrap();
    let doc = Document::parse(Format::Yaml, &text).unwrap();
    assert_eq!(
        doc.get(&KeyPath::parse("a.b").unwrap()),
        Some(Value::Int(3))
    );
}

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(rel)
}

#[test]
fn corpus_luckperms_config_patch_changes_only_the_edited_lines() {
    let original = fs::read_to_string(corpus("luckperms-bukkit/config.yml")).unwrap();
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let path = game.join("plugins/LuckPerms/config.yml");
    write(&path, &original);
    let ops = vec![
        set("storage-method", Value::String("mariadb".into())),
        set("sync-minutes", Value::Int(5)),
    ];
    let result = fleet.agent().apply(&signed(
        "SMP201",
        JobSpec::ConfigPatch(ConfigPatch {
            file: "plugins/LuckPerms/config.yml".into(),
            format: FileFormat::Yaml,
            base_sha256: Some(sha256(original.as_bytes())),
            ops,
            expected_sha256: None,
        }),
    ));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    let edited = fs::read_to_string(&path).unwrap();
    let before: Vec<&str> = original.lines().collect();
    let after: Vec<&str> = edited.lines().collect();
    assert_eq!(before.len(), after.len());
    let changed: Vec<(&str, &str)> = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
        .collect();
    assert_eq!(
        changed,
        [
            ("storage-method: h2", "storage-method: mariadb"),
            ("sync-minutes: -1", "sync-minutes: 5"),
        ]
    );
}
