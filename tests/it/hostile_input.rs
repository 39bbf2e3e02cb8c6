//! Hostile and careless input (issue 15): alias bombs, a symlinked agent folder, reads
//! from beyond loopback. Each test is named after the finding it guards against.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::host_process::{all_synced, request};
use crate::small_fleet::SmallFleet;
use crate::support::{homeamp, stderr, stdout};

const CONVERGE: Duration = Duration::from_secs(60);
const MIB: u64 = 1024 * 1024;

/// CoreProtect's plugin file with `levels` levels of ten aliases each to the level below
/// under `universal:` (seven levels stand for 10^7 nodes in a few hundred bytes).
fn alias_bomb(levels: usize) -> String {
    let mut text = String::from(
        "universal:\n  config.yml:\n    verbose: true\n    a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n",
    );
    for level in 1..levels {
        let below = vec![format!("*a{}", level - 1); 10].join(",");
        text.push_str(&format!("    a{level}: &a{level} [{below}]\n"));
    }
    text
}

/// `homeamp validate` under `/usr/bin/time -v`: its output, wall time and peak RSS.
fn validate_measured(repo: &std::path::Path) -> (std::process::Output, Duration, u64) {
    let time = std::path::Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "/usr/bin/time is missing: install the Debian package `time` (scripts/ensure-test-deps.sh)"
    );
    let exe = homeamp().get_program().to_owned();
    let started = Instant::now();
    let output = Command::new(time)
        .arg("-v")
        .arg(exe)
        .arg("validate")
        .current_dir(repo)
        .output()
        .unwrap();
    let took = started.elapsed();
    let report = stderr(&output);
    let kib: u64 = report
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .expect("time -v reports the peak RSS")
        .trim()
        .parse()
        .unwrap();
    (output, took, kib * 1024)
}

#[test]
fn alias_bomb_is_refused_by_validate_within_a_second_and_100_mb() {
    for levels in [7, 6] {
        let fleet = SmallFleet::new("auto", true);
        fleet
            .repo
            .write("plugins/paper/CoreProtect.yaml", &alias_bomb(levels));
        let (output, took, rss) = validate_measured(fleet.repo.path());
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!output.status.success(), "{levels} levels passed: {text}");
        assert!(
            text.contains("plugins/paper/CoreProtect.yaml:") && text.contains("billion laughs"),
            "{text}"
        );
        eprintln!(
            "validate, {levels}-level alias bomb: {} ms, peak RSS {} MiB",
            took.as_millis(),
            rss / MIB
        );
        assert!(
            took < Duration::from_secs(1),
            "{levels} levels took {took:?}"
        );
        assert!(rss < 100 * MIB, "{levels} levels: peak RSS {rss} bytes");
    }
}

#[test]
fn alias_bomb_is_refused_by_the_host_and_by_the_plan_endpoint() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, all_synced);
    let good = status["revision"].as_str().unwrap().to_string();
    let before = fleet.read("SMP1");
    fleet
        .repo
        .write("plugins/paper/CoreProtect.yaml", &alias_bomb(7));
    let bomb = fleet.repo.commit("seven levels of aliases");
    let status = up.wait_status(CONVERGE, |s| s["refused_revision"]["sha"] == bomb.as_str());
    assert_eq!(
        status["revision"],
        good.as_str(),
        "the fleet stays on {good}"
    );
    let reason = status["refused_revision"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("plugins/paper/CoreProtect.yaml:8:") && reason.contains("billion laughs"),
        "{reason}"
    );
    // The plan of the bomb, asked for by anyone who may read.
    let started = Instant::now();
    let (code, answer) = up.get(&format!("/api/plan?base={good}&head={bomb}"));
    let took = started.elapsed();
    assert_eq!(code, 422, "{answer}");
    assert!(answer.to_string().contains("billion laughs"), "{answer}");
    let rss = up.peak_rss();
    eprintln!(
        "host, 7-level alias bomb: /api/plan answered in {} ms, host peak RSS {} MiB",
        took.as_millis(),
        rss / MIB
    );
    assert!(took < Duration::from_secs(1), "the plan took {took:?}");
    assert!(rss < 100 * MIB, "host peak RSS {rss} bytes");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        fleet.read("SMP1"),
        before,
        "nothing of the bomb was applied"
    );
    let (code, _) = up.get("/api/status");
    assert_eq!(code, 200, "the host is still up");
}

#[test]
fn up_listening_beyond_loopback_refuses_reads_without_a_token() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up_listening(&[], "0.0.0.0:0");
    assert!(
        up.output()
            .contains("not loopback: every request needs a token"),
        "up says reads need a token:\n{}",
        up.output()
    );
    let port = up.address.rsplit(':').next().unwrap();
    let address = format!("127.0.0.1:{port}");
    let (code, answer) = request(&address, "GET", "/api/status", None, None);
    assert_eq!(code, 401, "{answer}");
    let (code, _) = request(&address, "GET", "/api/plan", None, None);
    assert_eq!(code, 401);
    let (code, answer) = request(&address, "GET", "/api/status", None, Some(&up.token));
    assert_eq!(code, 200, "{answer}");
}

#[test]
fn symlinked_agent_folder_is_refused_and_nothing_is_written_outside() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    let instance = fleet.dir.path().join("instances/SMP1");
    let outside = tempfile::tempdir().unwrap();
    let own = instance.join(".homeamp");
    if own.exists() {
        std::fs::remove_dir_all(&own).unwrap();
    }
    std::os::unix::fs::symlink(outside.path(), &own).unwrap();
    let edited = fleet
        .read("SMP1")
        .replace("verbose: true", "verbose: false");
    std::fs::write(fleet.config("SMP1"), &edited).unwrap();
    // The corrective job runs and is refused by the agent.
    let deadline = Instant::now() + CONVERGE;
    let job = loop {
        let (_, jobs) = up.get("/api/jobs?instance=SMP1");
        let done = jobs["jobs"].as_array().unwrap().iter().find(|j| {
            j["intent"] == "corrective"
                && !matches!(
                    j["status"].as_str(),
                    Some("awaiting_approval" | "queued" | "delivered" | "running")
                )
        });
        if let Some(job) = done {
            break job.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no corrective job finished: {jobs}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_ne!(job["status"], "succeeded", "{job}");
    assert!(
        job.to_string().contains("symbolic link"),
        "the job says why: {job}"
    );
    let written: Vec<_> = walk(outside.path());
    assert!(
        written.is_empty(),
        "written outside the instance: {written:?}"
    );
    assert_eq!(
        fleet.read("SMP1"),
        edited,
        "the file was not replaced without its history"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

#[test]
fn refused_revision_clears_when_the_branch_is_reset_to_the_active_revision() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    let status = up.wait_status(CONVERGE, all_synced);
    let good = status["revision"].as_str().unwrap().to_string();
    fleet
        .repo
        .write("plugins/paper/CoreProtect.yaml", &alias_bomb(7));
    let bomb = fleet.repo.commit("seven levels of aliases");
    up.wait_status(CONVERGE, |s| s["refused_revision"]["sha"] == bomb.as_str());
    fleet.repo.git(&["reset", "--hard", &good]);
    let status = up.wait_status(CONVERGE, |s| s["refused_revision"].is_null());
    assert_eq!(status["revision"], good.as_str());
}
