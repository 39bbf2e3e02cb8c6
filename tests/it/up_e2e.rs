//! `homeamp up` end to end: the real binary, a real git repository, real instance folders.

use std::path::Path;
use std::time::Duration;

use crate::host_process::{Up, all_synced};
use crate::small_fleet::{SmallFleet, fleet_yaml_guarded, instance, plugin_yaml};

fn assert_comments_kept(text: &str) {
    for comment in [
        "# CoreProtect config, tuned by hand over the years.",
        "# Keep these comments!",
        "# noisy",
        "# database tables",
    ] {
        assert!(text.contains(comment), "lost {comment:?}:\n{text}");
    }
}

const CONVERGE: Duration = Duration::from_secs(60);

#[test]
fn up_converges_the_fleet_and_keeps_comments() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, all_synced);
    assert_eq!(status["summary"]["Synced"], 3);
    for (name, prefix) in [("SMP1", "co_smp1_"), ("SMP2", "co_smp2_")] {
        let text = fleet.read(name);
        assert!(text.contains("verbose: true"), "{text}");
        assert!(text.contains(&format!("table-prefix: {prefix}")), "{text}");
        assert_comments_kept(&text);
    }
    assert!(
        !fleet.config("DEV1").exists(),
        "DEV1 does not run CoreProtect"
    );
}

#[test]
fn a_commit_changing_a_universal_setting_reaches_every_instance_running_the_plugin() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    fleet
        .repo
        .write("plugins/paper/CoreProtect.yaml", &plugin_yaml(false));
    let head = fleet.repo.commit("quieter CoreProtect");
    up.wait_status(CONVERGE, |s| {
        all_synced(s)
            && s["revision"] == head.as_str()
            && s["instances"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["revision"] == head.as_str())
    });
    for name in ["SMP1", "SMP2"] {
        let text = fleet.read(name);
        assert!(text.contains("verbose: false"), "{text}");
        assert_comments_kept(&text);
    }
}

#[test]
fn a_hand_edit_is_reverted_when_self_heal_is_on() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    let healed = fleet.read("SMP1");
    std::fs::write(
        fleet.config("SMP1"),
        healed.replace("verbose: true", "verbose: false"),
    )
    .unwrap();
    // The revert may well happen between two polls of the status: wait for its record instead.
    let deadline = std::time::Instant::now() + CONVERGE;
    loop {
        let (_, drift) = up.get("/api/drift?instance=SMP1&open=false");
        let reverted = drift["drift"].as_array().is_some_and(|records| {
            records.iter().any(|d| {
                d["key_path"] == "verbose" && d["cause"] == "corrective" && d["resolved"] == true
            })
        });
        if reverted && fleet.read("SMP1") == healed {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never reverted: {drift}\n{}",
            fleet.read("SMP1")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    up.wait_status(CONVERGE, all_synced);
    assert_eq!(
        fleet.read("SMP1"),
        healed,
        "the hand edit was undone byte for byte"
    );
    let (_, jobs) = up.get("/api/jobs?instance=SMP1");
    let corrective = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["intent"] == "corrective")
        .count();
    assert_eq!(corrective, 1, "one corrective job: {jobs}");
}

#[test]
fn a_hand_edit_is_only_reported_under_observe() {
    let fleet = SmallFleet::new("observe", true);
    let before = fleet.read("SMP1");
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, |s| {
        instance(s, "SMP1")["sync"] == "OutOfSync"
            && instance(s, "SMP1")["drift"].as_u64() >= Some(2)
    });
    assert_eq!(instance(&status, "DEV1")["sync"], "Synced");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(fleet.read("SMP1"), before, "observe never writes");
    let (_, jobs) = up.get("/api/jobs");
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 0, "{jobs}");
}

#[test]
fn approve_policy_holds_jobs_until_approved() {
    let fleet = SmallFleet::new("approve", true);
    let before = fleet.read("SMP1");
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, |s| {
        instance(s, "SMP1")["jobs_in_flight"].as_u64() >= Some(1)
            && instance(s, "SMP2")["jobs_in_flight"].as_u64() >= Some(1)
    });
    assert_eq!(instance(&status, "SMP1")["sync"], "OutOfSync");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        fleet.read("SMP1"),
        before,
        "nothing is applied before approval"
    );
    let (_, jobs) = up.get("/api/jobs?status=awaiting_approval");
    let held = jobs["jobs"].as_array().unwrap().clone();
    assert!(!held.is_empty(), "{jobs}");
    let (code, _) = up.post(
        &format!("/api/jobs/{}/approve", held[0]["id"].as_str().unwrap()),
        None,
    );
    assert_eq!(code, 200);
    for job in &held[1..] {
        up.post(
            &format!("/api/jobs/{}/approve", job["id"].as_str().unwrap()),
            None,
        );
    }
    up.wait_status(CONVERGE, all_synced);
    assert!(fleet.read("SMP1").contains("verbose: true"));
}

#[test]
fn an_invalid_commit_leaves_the_fleet_on_the_last_valid_revision() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, all_synced);
    let good = status["revision"].as_str().unwrap().to_string();
    fleet.repo.write(
        "plugins/paper/CoreProtect.yaml",
        "universal:\n  config.yml:\n    verbose: false\nvariable:\n  config.yml:\n    table-prefix: { NOPE9: x }\n",
    );
    let bad = fleet.repo.commit("typo in an instance name");
    let status = up.wait_status(CONVERGE, |s| s["refused_revision"]["sha"] == bad.as_str());
    assert_eq!(status["revision"], good.as_str());
    let reason = status["refused_revision"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("plugins/paper/CoreProtect.yaml:"),
        "{reason}"
    );
    assert!(reason.contains("NOPE9"), "{reason}");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        fleet.read("SMP1").contains("verbose: true"),
        "the refused change was not applied"
    );
}

#[test]
fn a_killed_host_resumes_without_duplicating_or_losing_jobs() {
    let fleet = SmallFleet::new("approve", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, |s| {
        instance(s, "SMP1")["jobs_in_flight"].as_u64() >= Some(1)
            && instance(s, "SMP2")["jobs_in_flight"].as_u64() >= Some(1)
    });
    let (_, before) = up.get("/api/jobs");
    let before = before["jobs"].as_array().unwrap().len();
    up.kill();

    let up = fleet.up();
    std::thread::sleep(Duration::from_secs(2));
    let (_, jobs) = up.get("/api/jobs");
    let jobs = jobs["jobs"].as_array().unwrap().clone();
    assert_eq!(
        jobs.len(),
        before,
        "the restarted host made no second copy: {jobs:?}"
    );
    for job in &jobs {
        up.post(
            &format!("/api/jobs/{}/approve", job["id"].as_str().unwrap()),
            None,
        );
    }
    up.wait_status(CONVERGE, all_synced);
    let (_, jobs) = up.get("/api/jobs");
    let jobs = jobs["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), before, "{jobs:?}");
    assert!(jobs.iter().all(|j| j["status"] == "succeeded"), "{jobs:?}");
}

#[test]
fn up_demo_converges_every_instance_to_synced() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let up = Up::start(&["--demo", demo.to_str().unwrap(), "--poll", "500ms"]);
    let status = up.wait_status(Duration::from_secs(400), all_synced);
    assert_eq!(status["summary"]["Synced"], 19);
    let output = up.output();
    assert!(output.contains("hand edit on"), "{output}");
    assert!(demo_files_hold_desired(&demo));
    demo_jars_were_corrected(&demo, &output);
    // The Geyser standalone keeps its extensions and their data in `extensions/`.
    let geyser = std::fs::read_dir(demo.join("instances"))
        .unwrap()
        .map(|e| e.unwrap().path().join("GEY01/Minecraft"))
        .find(|p| p.is_dir())
        .unwrap();
    assert!(
        geyser
            .join("extensions/Geyser-Recipe-Fix-1.0.0.jar")
            .is_file(),
        "{}",
        geyser.display()
    );
    assert!(
        geyser
            .join("extensions/Geyser-Recipe-Fix/config.yml")
            .is_file()
    );
    assert!(!geyser.join("plugins").exists());
}

/// Each JAR drift the demo printed was undone: a deleted JAR is back, an added one is gone.
fn demo_jars_were_corrected(demo: &Path, output: &str) {
    let drifts: Vec<&str> = output
        .lines()
        .filter_map(|l| l.trim().strip_prefix("plugin drift on "))
        .collect();
    assert_eq!(drifts.len(), 3, "{output}");
    for drift in drifts {
        let (instance, what) = drift.split_once(": ").unwrap();
        let file = what
            .split_whitespace()
            .find(|w| w.starts_with("plugins/"))
            .unwrap()
            .trim_end_matches(',');
        let server = std::fs::read_dir(demo.join("instances"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|s| s.join(instance).is_dir())
            .unwrap();
        let path = server.join(instance).join("Minecraft").join(file);
        let should_exist = what.starts_with("deleted");
        assert_eq!(path.is_file(), should_exist, "{drift}: {}", path.display());
    }
}

/// The hand-edited files of the demo hold the desired values again and kept their comments.
fn demo_files_hold_desired(demo: &Path) -> bool {
    let cmi = demo.join("instances/hetzner-xeon/BIGG01/Minecraft/plugins/CMI/config.yml");
    let text = std::fs::read_to_string(&cmi).unwrap();
    assert!(text.starts_with("# CMI configuration"), "{text:.200}");
    text.contains("Timer: 1440")
}

#[test]
fn an_empty_report_never_leads_to_writing_anything() {
    let fleet = SmallFleet::new("auto", true);
    std::fs::remove_file(fleet.config("SMP2")).unwrap();
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, |s| {
        instance(s, "SMP1")["sync"] == "Synced" && instance(s, "SMP2")["sync"] == "Unknown"
    });
    let message = instance(&status, "SMP2")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("no files"), "{message}");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !fleet.config("SMP2").exists(),
        "nothing was created from an empty report"
    );
    let (_, jobs) = up.get("/api/jobs?instance=SMP2");
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 0, "{jobs}");
}

#[test]
fn without_self_heal_a_hand_edit_stays_but_a_commit_still_applies() {
    let fleet = SmallFleet::new("auto", false);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    // A hand edit of one key…
    let synced = fleet.read("SMP1");
    let edited = synced.replace("rollback-items: true", "rollback-items: false");
    std::fs::write(fleet.config("SMP1"), &edited).unwrap();
    up.wait_status(CONVERGE, |s| {
        instance(s, "SMP1")["sync"] == "OutOfSync" && instance(s, "SMP1")["drift"] == 1
    });
    // …then a commit changing another key: the commit is applied, the hand edit is kept.
    fleet
        .repo
        .write("plugins/paper/CoreProtect.yaml", &plugin_yaml(false));
    fleet.repo.commit("quieter CoreProtect");
    up.wait_status(CONVERGE, |s| {
        instance(s, "SMP2")["sync"] == "Synced"
            && s["instances"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["jobs_in_flight"] == 0)
    });
    let deadline = std::time::Instant::now() + CONVERGE;
    while !fleet.read("SMP1").contains("verbose: false") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            fleet.read("SMP1")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = fleet.read("SMP1");
    assert!(
        text.contains("rollback-items: false"),
        "the hand edit stays:\n{text}"
    );
    // Once the agent's report of the write is in, one record stays open: the hand edit.
    let status = up.wait_status(CONVERGE, |s| instance(s, "SMP1")["drift"] == 1);
    assert_eq!(instance(&status, "SMP1")["sync"], "OutOfSync");
    let (_, drift) = up.get("/api/drift?instance=SMP1");
    let open: Vec<_> = drift["drift"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["resolved"] == false)
        .collect();
    assert_eq!(open.len(), 1, "{drift}");
    assert_eq!(open[0]["key_path"], "rollback-items");
    assert_eq!(open[0]["cause"], "corrective");
}

#[test]
fn secrets_reach_the_file_but_never_the_jobs_the_api_or_the_database() {
    const VALUE: &str = "s3cr3t-Value-42";
    let fleet = SmallFleet::new("auto", true);
    fleet.repo.write(
        "plugins/paper/CoreProtect.yaml",
        "universal:\n  config.yml:\n    verbose: true\n    mysql-password: \"${secret:coreprotect-db}\"\n",
    );
    fleet.repo.commit("database password from the secret store");
    let secrets = fleet.dir.path().join("fleet.secrets.env");
    std::fs::write(&secrets, format!("coreprotect-db={VALUE}\n")).unwrap();
    let up = fleet.up_with(&["--secrets", secrets.to_str().unwrap()]);
    let state = fleet.dir.path().join("state");
    up.wait_status(CONVERGE, all_synced);
    assert!(fleet.read("SMP1").contains(VALUE), "{}", fleet.read("SMP1"));
    for path in ["/api/jobs", "/api/drift?open=false", "/api/status"] {
        let (_, answer) = up.get(path);
        assert!(
            !answer.to_string().contains(VALUE),
            "{path} shows the secret"
        );
    }
    let (_, jobs) = up.get("/api/jobs?instance=SMP1");
    let id = jobs["jobs"][0]["id"].as_str().unwrap().to_string();
    let (_, job) = up.get(&format!("/api/jobs/{id}"));
    assert!(!job.to_string().contains(VALUE));
    assert!(!up.output().contains(VALUE), "the output shows the secret");
    drop(up);
    // The store holds references only: live files are kept with the value replaced.
    for file in ["homeamp.db", "homeamp.db-wal"] {
        let bytes = std::fs::read(state.join(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(VALUE),
            "{file} holds the secret in clear"
        );
    }
}

#[test]
fn a_commit_changing_more_instances_than_the_guard_allows_waits_for_approval() {
    let fleet = SmallFleet::new("auto", true);
    fleet
        .repo
        .write("homeamp.yaml", &fleet_yaml_guarded("auto", true, 50));
    fleet.repo.commit("guard at 50%");
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    // Two of three instances change: 67 % > 50 %.
    fleet
        .repo
        .write("plugins/paper/CoreProtect.yaml", &plugin_yaml(false));
    let head = fleet.repo.commit("quieter CoreProtect everywhere");
    let status = up.wait_status(CONVERGE, |s| {
        s["revision"] == head.as_str()
            && instance(s, "SMP1")["jobs_in_flight"].as_u64() >= Some(1)
            && instance(s, "SMP2")["jobs_in_flight"].as_u64() >= Some(1)
    });
    assert_eq!(instance(&status, "SMP1")["sync"], "OutOfSync");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        fleet.read("SMP1").contains("verbose: true"),
        "held until approved"
    );
    let (code, answer) = up.post(&format!("/api/approve?revision={head}"), None);
    assert_eq!(code, 200, "{answer}");
    up.wait_status(CONVERGE, |s| {
        all_synced(s) && s["revision"] == head.as_str()
    });
    assert!(fleet.read("SMP1").contains("verbose: false"));
    assert!(fleet.read("SMP2").contains("verbose: false"));
}

#[test]
fn a_webhook_with_the_configured_secret_triggers_without_a_token() {
    let fleet = SmallFleet::new("auto", true);
    let secret = fleet.dir.path().join("webhook.secret");
    std::fs::write(&secret, "hook-s3cret\n").unwrap();
    let up = fleet.up_with(&["--webhook-secret-file", secret.to_str().unwrap()]);
    up.wait_status(CONVERGE, all_synced);
    fleet
        .repo
        .write("plugins/paper/CoreProtect.yaml", &plugin_yaml(false));
    let head = fleet.repo.commit("quieter CoreProtect");
    let hook = |token: &str| {
        crate::host_process::request_with(
            &up.address,
            "POST",
            "/api/hooks/git",
            Some("{}"),
            &[("X-Gitlab-Token", token), ("X-Gitlab-Event", "Push Hook")],
        )
    };
    let (refused, body) = hook("wrong");
    assert_eq!(refused, 401, "{body}");
    assert!(!body.to_string().contains("hook-s3cret"), "{body}");
    let (accepted, body) = hook("hook-s3cret");
    assert!(accepted < 300, "{accepted} {body}");
    up.wait_status(CONVERGE, |s| s["revision"] == head.as_str());
}

#[test]
fn an_empty_webhook_secret_file_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("empty.secret");
    std::fs::write(&secret, "\n").unwrap();
    let output = crate::support::homeamp()
        .args(["up", "--repo", "/nonexistent", "--webhook-secret-file"])
        .arg(&secret)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("empty.secret"), "{stderr}");
    assert!(stderr.contains("is empty"), "{stderr}");
}

#[test]
fn a_live_file_that_does_not_parse_is_reported_and_never_rewritten() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    let broken = "verbose: [true\n# half-saved by an editor\n";
    std::fs::write(fleet.config("SMP1"), broken).unwrap();
    let status = up.wait_status(CONVERGE, |s| instance(s, "SMP1")["sync"] == "OutOfSync");
    let message = instance(&status, "SMP1")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("no job can fix"), "{message}");
    assert!(message.contains("/api/drift?instance=SMP1"), "{message}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        fleet.read("SMP1"),
        broken,
        "an unparsable file is never rewritten"
    );
    let (_, jobs) = up.get("/api/jobs?instance=SMP1");
    assert!(
        jobs["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["status"] == "succeeded"),
        "no job for the broken file: {jobs}"
    );
}
