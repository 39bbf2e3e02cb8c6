//! Tests of `homeamp plan` through the real binary.

use crate::support::{run_in, stderr, stdout};
use crate::validate_cli::{CMI, MATRIX, small_fleet};

#[test]
fn no_changes_exit_zero() {
    let repo = small_fleet();
    repo.commit("empty");
    let out = run_in(repo.path(), &["plan", "--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No changes."));
    assert!(stdout(&out).contains("Summary: 0 of 3 instances changed"));
}

#[test]
fn changes_exit_two_with_old_and_new_values() {
    let repo = small_fleet();
    repo.write(
        "plugins/paper/CMI.yaml",
        &CMI.replace("a: 1", "a: 2")
            .replace("${secret:cmi-db}", "${secret:cmi-db-2}"),
    );
    repo.write(
        "deployment_matrix.csv",
        &MATRIX.replace("True,True,False", "True,5.1.0,False"),
    );
    repo.commit("change");
    let out = run_in(repo.path(), &["plan", "--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("DEV01 (changed)\n  ~ plugin CMI: latest → 5.1.0\n  CMI config.yml\n    ~ a: 1 → 2\n    ~ db.password: changed (secret)\n"), "{text}");
    assert!(
        !text.contains("cmi-db"),
        "secret names stay out of plans: {text}"
    );
    assert!(text.contains("Summary: 2 of 3 instances changed (0 added, 0 removed); settings: 0 added, 4 changed, 0 removed; plugins: 0 added, 0 removed, 1 re-versioned"), "{text}");
}

#[test]
fn json_is_the_documented_shape() {
    let repo = small_fleet();
    repo.write("plugins/paper/CMI.yaml", &CMI.replace("a: 1", "a: 2"));
    repo.commit("change");
    let out = run_in(
        repo.path(),
        &[
            "plan", "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let plan: homeamp_schemas::plan::Plan = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(plan.format_version, 1);
    assert_eq!(plan.head.requested, "HEAD");
    assert_eq!(plan.head.sha.as_deref().map(str::len), Some(40));
    assert_eq!(plan.summary.settings_changed, 2);
    assert_eq!(plan.instances[0].instance, "DEV01");
    assert_eq!(plan.instances[0].settings[0].key.to_string(), "a");
}

#[test]
fn markdown_for_a_pull_request_comment() {
    let repo = small_fleet();
    repo.write("plugins/paper/CMI.yaml", &CMI.replace("a: 1", "a: 2"));
    repo.commit("change");
    let out = run_in(
        repo.path(),
        &[
            "plan", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let md = stdout(&out);
    assert!(md.starts_with("### homeamp plan: `HEAD~1 ("), "{md}");
    assert!(
        md.contains("#### SMP201 (changed)\n```diff\nCMI config.yml\n  ~ a: 1 → 2\n```"),
        "{md}"
    );
}

#[test]
fn huge_change_markdown_is_truncated_below_the_comment_limit() {
    let repo = small_fleet();
    let mut cmi = String::from("universal:\n  config.yml:\n");
    for i in 0..4_000 {
        cmi.push_str(&format!(
            "    group{i}.\"perm.node.{i}\": \"{}\"\n",
            "v".repeat(30)
        ));
    }
    repo.write("plugins/paper/CMI.yaml", &cmi);
    repo.commit("huge");
    let out = run_in(
        repo.path(),
        &[
            "plan", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.chars().count() < 65_000, "{} chars", md.chars().count());
    assert!(md.contains("**Truncated**"));
    assert!(
        md.contains("settings: 8000 added, 0 changed, 6 removed"),
        "full counts: {}",
        &md[..400]
    );
}

#[test]
fn invalid_revision_exits_one_with_its_problems() {
    let repo = small_fleet();
    repo.write(
        "plugins/paper/CMI.yaml",
        &CMI.replace("SMP201: smp", "SMP999: smp"),
    );
    repo.commit("broken");
    let out = run_in(repo.path(), &["plan", "--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("plugins/paper/CMI.yaml:7:10: error: unknown instance"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("the head revision is invalid"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_revision_exits_one() {
    let repo = small_fleet();
    let out = run_in(repo.path(), &["plan", "--base", "nope", "--head", "HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("revision \"nope\" not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn instance_added_and_removed() {
    let repo = small_fleet();
    let fleet = crate::validate_cli::FLEET.replace(
        "  DEV01: { server: hetzner, platform: paper }\n",
        "  DEV02: { server: hetzner, platform: paper }\n",
    );
    repo.write("homeamp.yaml", &fleet);
    repo.write(
        "deployment_matrix.csv",
        &MATRIX.replace("server_DEV01", "server_DEV02"),
    );
    repo.commit("rename");
    let out = run_in(repo.path(), &["plan", "--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("DEV01 (removed: no longer managed, nothing is deleted)"),
        "{text}"
    );
    assert!(
        text.contains("DEV02 (added)\n  + plugin CMI (latest)\n"),
        "{text}"
    );
}
