//! Fidelity checked by a client nobody here wrote: ampapi (PyPI), generated from AMP's own
//! spec, logs in, lists instances, reads a file and sends a console command. Its
//! dataclass-based parsing refuses answers with a field of the spec's types missing, so this
//! also checks the answers' shapes.
//!
//! The virtualenv lives under Cargo's target tmp dir and is reused while its pinned
//! requirements are unchanged. This test never skips: without python3 or pip it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fleet::{Fleet, PASSWORD, SERVER_PROPERTIES, USER};

/// ampapi does not declare its imports (requests, aiohttp, dataclass-wizard) as
/// dependencies, so they are named here; pinned so a new release cannot break the test.
const REQUIREMENTS: &[&str] = &[
    "ampapi==2620.5.0",
    "requests==2.34.2",
    "aiohttp==3.14.5",
    "dataclass-wizard==1.0.0",
];

fn venv() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ampapi-venv");
    let marker = dir.join("homeamp-requirements.txt");
    let wanted = REQUIREMENTS.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .output()
        .expect("python3 must be installed to run the ampapi fidelity test");
    assert!(
        out.status.success(),
        "python3 -m venv failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(REQUIREMENTS)
        .output()
        .expect("the venv has pip");
    assert!(
        out.status.success(),
        "pip install {} failed (the ampapi fidelity test needs PyPI): {}",
        REQUIREMENTS.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&marker, wanted).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ampapi_logs_in_lists_reads_and_sends_a_console_command() {
    let python = venv().join("bin/python");
    let fleet = Fleet::start().await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/ampapi_client.py");
    let url = fleet.sim.url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([url.as_str(), USER, PASSWORD, "survival"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "ampapi failed against the simulator:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(seen["controller_login_success"], true);
    assert_eq!(
        seen["instance_names"],
        serde_json::json!(["lobby", "survival"])
    );
    assert_eq!(seen["module"], "Minecraft");
    assert_eq!(seen["running"], true);
    assert_eq!(seen["app_state"], 20);
    assert_eq!(seen["state"], 20);
    assert_eq!(seen["active_users_max"], 20);
    assert_eq!(
        seen["listing"],
        serde_json::json!(["plugins", "server.properties"])
    );
    assert_eq!(seen["read_status"], true);
    assert_eq!(seen["read_text"], SERVER_PROPERTIES);
    assert!(
        seen["console"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "There are 0 of a max of 20 players online: "),
        "{seen}"
    );
    assert_eq!(fleet.sim.console_commands("survival"), ["list"]);
}
