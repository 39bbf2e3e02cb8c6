//! `homeamp jobs` and `homeamp approve` end to end: the real binary against a running
//! `homeamp up` whose jobs wait for approval.

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::host_process::{Up, all_synced};
use crate::small_fleet::{SmallFleet, fleet_yaml_guarded, instance, plugin_yaml};
use crate::support::{stderr, stdout};

const CONVERGE: Duration = Duration::from_secs(60);

fn cli(up: &Up, args: &[&str], token: bool) -> Output {
    up.cli(args, token)
}

/// The jobs the API holds for approval.
fn held(up: &Up) -> Vec<Value> {
    let (code, answer) = up.get("/api/jobs?status=awaiting_approval");
    assert_eq!(code, 200, "{answer}");
    answer["jobs"].as_array().unwrap().clone()
}

fn short(id: &str) -> &str {
    id.rsplit('-').next().unwrap()
}

#[test]
fn held_jobs_are_listed_and_approved_from_the_command_line() {
    let fleet = SmallFleet::new("approve", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, |s| {
        instance(s, "SMP1")["jobs_in_flight"].as_u64() >= Some(1)
            && instance(s, "SMP2")["jobs_in_flight"].as_u64() >= Some(1)
    });
    let held = held(&up);
    let ids: Vec<String> = held
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_string())
        .collect();

    // The table: a kubectl-like header, one row per held job, short ids.
    let out = cli(&up, &["jobs", "--status", "awaiting_approval"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "ID", "INSTANCE", "KIND", "STATUS", "INTENT", "PLUGIN", "TARGETS", "AGE"
        ]
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), held.len(), "{table}");
    for job in &held {
        let row = rows
            .iter()
            .find(|r| r.starts_with(short(job["id"].as_str().unwrap())))
            .unwrap_or_else(|| panic!("{job} not in\n{table}"));
        assert!(row.contains("awaiting_approval"), "{row}");
        assert!(row.contains(job["instance"].as_str().unwrap()), "{row}");
        assert!(row.contains("config.yml"), "targets shown: {row}");
    }
    for name in ["SMP1", "SMP2"] {
        assert!(
            rows.iter()
                .any(|r| r.split_whitespace().nth(1) == Some(name)),
            "{name} has a held job:\n{table}"
        );
    }

    // JSON is the API's answer: the same jobs, full ids.
    let out = cli(
        &up,
        &["jobs", "--status", "awaiting_approval", "--format", "json"],
        false,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("jobs --format json parses");
    let mut listed: Vec<&str> = json["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    listed.sort();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(listed, expected);

    // An unknown status is refused by the host, with the statuses it knows.
    let out = cli(&up, &["jobs", "--status", "sleeping"], false);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("sleeping"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("awaiting_approval"),
        "{}",
        stderr(&out)
    );

    // Without a token nothing is approved, and the error says what to pass.
    let out = cli(&up, &["approve", short(&ids[0])], false);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("401"), "{err}");
    assert!(
        err.contains("--token") && err.contains("HOMEAMP_TOKEN"),
        "{err}"
    );
    assert!(err.contains("homeamp up"), "{err}");
    assert_eq!(
        self::held(&up).len(),
        held.len(),
        "nothing approved without a token"
    );

    // An unknown id fails by name; the others given with it are approved all the same.
    let unknown = "00000000-0000-7000-8000-00000000dead";
    let mut args = vec!["approve", unknown, "feedfacecafe", short(&ids[0])];
    args.extend(ids[1..].iter().map(String::as_str));
    let out = cli(&up, &args, true);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(unknown), "{err}");
    assert!(err.contains("404"), "{err}");
    assert!(err.contains("feedfacecafe"), "{err}");
    assert!(err.contains("2 of 4"), "{err}");
    let approved = stdout(&out);
    for id in &ids {
        assert!(
            approved.contains(&format!("approved job {id}")),
            "{id}:\n{approved}"
        );
    }

    up.wait_status(CONVERGE, all_synced);
    assert!(fleet.read("SMP1").contains("verbose: true"));
    assert!(fleet.read("SMP2").contains("verbose: true"));
    let out = cli(&up, &["jobs", "--status", "awaiting_approval"], false);
    assert_eq!(stdout(&out).trim(), "no jobs");

    // `homeamp status` talks to the host through the same client.
    let out = cli(&up, &["status", "--server", "local"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.starts_with("NAME"), "{table}");
    for name in ["SMP1", "SMP2", "DEV1"] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(name) && l.contains("Synced")),
            "{name}:\n{table}"
        );
    }
    let out = cli(&up, &["status", "--server", "nowhere"], false);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
}

#[test]
fn approve_revision_releases_what_the_guard_held() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    // One commit sets a guard at 50 % and changes two of three instances (67 %): the
    // guard of the new revision holds it.
    for (file, text) in [
        ("homeamp.yaml", fleet_yaml_guarded("auto", true, 50)),
        ("plugins/paper/CoreProtect.yaml", plugin_yaml(false)),
    ] {
        fleet.repo.write(file, &text);
    }
    let head = fleet.repo.commit("quieter CoreProtect, behind a guard");
    up.wait_status(CONVERGE, |s| {
        s["revision"] == head.as_str()
            && instance(s, "SMP1")["jobs_in_flight"].as_u64() >= Some(1)
            && instance(s, "SMP2")["jobs_in_flight"].as_u64() >= Some(1)
    });

    let other = "0123456789abcdef0123456789abcdef01234567";
    let out = cli(&up, &["approve", "--revision", other], true);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(other), "{}", stderr(&out));
    assert!(
        fleet.read("SMP1").contains("verbose: true"),
        "still held after approving another revision"
    );

    // A short sha of the active revision stands for it.
    let out = cli(&up, &["approve", "--revision", &head[..8]], true);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains(&format!("approved revision {head}")),
        "{said}"
    );
    assert!(said.contains("held jobs released"), "{said}");

    up.wait_status(CONVERGE, |s| {
        all_synced(s) && s["revision"] == head.as_str()
    });
    assert!(fleet.read("SMP1").contains("verbose: false"));
    assert!(fleet.read("SMP2").contains("verbose: false"));
}
