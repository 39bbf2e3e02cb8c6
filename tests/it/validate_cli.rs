//! Tests of `homeamp validate` through the real binary.

use crate::support::{GitRepo, run_in, stderr, stdout};

pub const FLEET: &str = "\
servers:
  ovh: { role: client }
  hetzner: { role: host }
tags:
  survival: {}
instances:
  SMP201: { server: ovh, platform: paper, tags: [survival], aliases: [SMP-201] }
  DEV01: { server: hetzner, platform: paper }
  VEL01: { server: ovh, platform: velocity }
";

pub const MATRIX: &str = "\
plugin_name,plugin_type,auto_update,update_source,server_SMP201,server_DEV01,server_VEL01
CMI,bukkit/paper,True,manual,True,True,False
";

pub const CMI: &str = "\
universal:
  config.yml:
    a: 1
    db.password: \"${secret:cmi-db}\"
variable:
  config.yml:
    b: { SMP201: smp, \"tag:survival\": tagged, \"server:hetzner\": hz }
";

/// A valid small fleet, committed.
pub fn small_fleet() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("homeamp.yaml", FLEET);
    repo.write("deployment_matrix.csv", MATRIX);
    repo.write("plugins/paper/CMI.yaml", CMI);
    repo.commit("fleet");
    repo
}

#[test]
fn valid_repository_exits_zero() {
    let repo = small_fleet();
    let out = run_in(repo.path(), &["validate"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("valid: 3 instances, 1 plugins"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn warnings_are_printed_and_exit_zero() {
    let repo = small_fleet();
    repo.write(
        "plugins/paper/CMI.yaml",
        &CMI.replace("\"${secret:cmi-db}\"", "hunter2"),
    );
    let out = run_in(repo.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "plugins/paper/CMI.yaml:4:5: warning: db.password looks like a credential in clear text: use ${secret:NAME} and keep the value in the host's secret store\n"
    );
}

#[test]
fn errors_exit_one_with_a_line_per_problem() {
    let repo = small_fleet();
    let cmi = CMI
        .replace("SMP201: smp", "SMP999: smp")
        .replace("    a: 1\n", "    a: 1\n    a: 2\n");
    repo.write("plugins/paper/CMI.yaml", &cmi);
    let out = run_in(repo.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    // Duplicate keys stop the file's reading: that one error is reported first.
    assert_eq!(
        stdout(&out),
        "plugins/paper/CMI.yaml:4:5: error: duplicate key \"a\" (first at line 3:5): a key may appear once per map\n"
    );
    assert!(stderr(&out).contains("invalid: 1 error(s)"));
    repo.write(
        "plugins/paper/CMI.yaml",
        &CMI.replace("SMP201: smp", "SMP999: smp"),
    );
    let out = run_in(repo.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "plugins/paper/CMI.yaml:7:10: error: unknown instance \"SMP999\" in scope"
        ),
        "{text}"
    );
    assert!(
        text.contains("known instances: SMP201, DEV01, VEL01"),
        "{text}"
    );
}

#[test]
fn rev_reads_the_commit_and_no_rev_the_working_tree() {
    let repo = small_fleet();
    repo.write(
        "homeamp.yaml",
        &FLEET.replace("server: hetzner", "server: aws"),
    );
    // Uncommitted: the working tree is invalid, HEAD is still valid.
    let tree = run_in(repo.path(), &["validate"]);
    assert_eq!(tree.status.code(), Some(1));
    assert!(
        stdout(&tree).contains("homeamp.yaml:8:20: error: unknown server \"aws\""),
        "{}",
        stdout(&tree)
    );
    let head = run_in(repo.path(), &["validate", "--rev", "HEAD"]);
    assert_eq!(head.status.code(), Some(0), "{}", stdout(&head));
    repo.commit("break it");
    let before = run_in(repo.path(), &["validate", "--rev", "HEAD~1"]);
    assert_eq!(before.status.code(), Some(0));
    let now = run_in(repo.path(), &["validate", "--rev", "main"]);
    assert_eq!(now.status.code(), Some(1));
}

#[test]
fn repo_flag_points_elsewhere() {
    let repo = small_fleet();
    let elsewhere = tempfile::tempdir().unwrap();
    let path = repo.path().to_str().unwrap();
    let out = run_in(
        elsewhere.path(),
        &["validate", "--repo", path, "--rev", "HEAD"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn unknown_revision_is_a_clear_error() {
    let repo = small_fleet();
    let out = run_in(repo.path(), &["validate", "--rev", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("revision \"no-such-branch\" not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn matrix_problems_are_located_by_column() {
    let repo = small_fleet();
    repo.write(
        "deployment_matrix.csv",
        &format!(
            "{}CMI,bukkit/paper,False,manual,False,False,False\n",
            MATRIX.replace("server_DEV01", "server_NEOC01")
        ),
    );
    let out = run_in(repo.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].starts_with(
            "deployment_matrix.csv:1:65: error: column server_NEOC01 names an unknown instance"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("deployment_matrix.csv:3:1: error: duplicate matrix row"),
        "{}",
        lines[1]
    );
}

#[test]
fn plugin_file_for_no_platform_is_reported() {
    let repo = small_fleet();
    repo.write("plugins/forge/Thing.yaml", "{}\n");
    let out = run_in(repo.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .starts_with("plugins/forge/Thing.yaml:1:1: error: plugin file for no platform"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn missing_repository_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["validate", "--repo", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("reading no-such-folder"),
        "{}",
        stderr(&out)
    );
}
