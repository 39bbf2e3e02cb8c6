//! Tests of `homeamp render` through the real binary.

use crate::support::{run_in, stderr, stdout};
use crate::validate_cli::{CMI, small_fleet};

#[test]
fn renders_effective_settings_as_yaml() {
    let repo = small_fleet();
    let out = run_in(repo.path(), &["render", "SMP201"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_yaml::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["instance"], "SMP201");
    let settings = &doc["plugins"]["CMI"]["files"]["config.yml"]["settings"];
    assert_eq!(settings["a"], 1);
    assert_eq!(settings["b"], "smp", "instance beats tag and server");
    assert_eq!(
        settings["db.password"], "${secret:cmi-db}",
        "secrets stay references"
    );
    assert_eq!(doc["plugins"]["CMI"]["version"], "latest");
}

#[test]
fn precedence_levels_through_the_cli() {
    let repo = small_fleet();
    let value = |instance: &str| {
        let out = run_in(repo.path(), &["render", instance, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        doc["plugins"]["CMI"]["files"]["config.yml"]["settings"]["b"].clone()
    };
    assert_eq!(value("SMP201"), "smp");
    assert_eq!(value("DEV01"), "hz", "server scope");
    repo.write("plugins/paper/CMI.yaml", &CMI.replace("SMP201: smp, ", ""));
    assert_eq!(value("SMP201"), "tagged", "tag beats server");
}

#[test]
fn explain_names_file_line_col_and_scope() {
    let repo = small_fleet();
    let out = run_in(
        repo.path(),
        &["render", "SMP-201", "--explain", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["instance"], "SMP201", "the alias resolves");
    let b = &doc["plugins"]["CMI"]["files"]["config.yml"]["settings"]["b"];
    assert_eq!(b["value"], "smp");
    assert_eq!(b["source"], "plugins/paper/CMI.yaml:7:10 (instance:SMP201)");
    let a = &doc["plugins"]["CMI"]["files"]["config.yml"]["settings"]["a"];
    assert_eq!(a["source"], "plugins/paper/CMI.yaml:3:5 (universal)");
}

#[test]
fn rev_renders_an_older_commit() {
    let repo = small_fleet();
    repo.write("plugins/paper/CMI.yaml", &CMI.replace("a: 1", "a: 2"));
    repo.commit("a = 2");
    let old = run_in(
        repo.path(),
        &["render", "DEV01", "--rev", "HEAD~1", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&old)).unwrap();
    assert_eq!(
        doc["plugins"]["CMI"]["files"]["config.yml"]["settings"]["a"],
        1
    );
    assert_eq!(doc["revision"].as_str().unwrap().len(), 40);
}

#[test]
fn unknown_instance_fails_with_the_known_ones() {
    let repo = small_fleet();
    let out = run_in(repo.path(), &["render", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown instance \"NOPE\"; known instances: SMP201, DEV01, VEL01"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_revision_is_not_rendered() {
    let repo = small_fleet();
    repo.write("homeamp.yaml", "servers: [\n");
    let out = run_in(repo.path(), &["render", "SMP201"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("homeamp.yaml:"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

/// `homeamp render X | head` closed the pipe early and the binary panicked.
#[test]
fn render_into_a_closed_pipe_does_not_panic() {
    use std::io::Read;
    use std::process::Stdio;

    let repo = small_fleet();
    let mut cmi = String::from("universal:\n  config.yml:\n");
    for i in 0..10_000 {
        cmi.push_str(&format!("    key{i}: value-{i}\n"));
    }
    repo.write("plugins/paper/CMI.yaml", &cmi);
    let mut child = crate::support::homeamp()
        .current_dir(repo.path())
        .args(["render", "SMP201"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: the rest of the output meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
