//! `homeamp host` and `homeamp agent` as separate processes, over a real Redis and a real
//! MariaDB: the demo fleet's two servers, one reconciled by the host's own agent, the
//! other by an agent process that reaches the host only through Redis and HTTP.

use std::path::PathBuf;
use std::time::Duration;

use crate::distributed::{AGENT_SERVER, Distributed, HOST_SERVER, converged_on, token_plain};
use crate::host_process::{all_synced, request, request_with};
use crate::support::{homeamp, stdout};

const CONVERGE: Duration = Duration::from_secs(90);
const CMI_KEY_BEFORE: &str = "    Alert.Timer: 1440\n";
const CMI_KEY_AFTER: &str = "    Alert.Timer: 1441\n";

/// The live CMI config of every instance of `server` that runs CMI.
fn cmi_files(fleet: &Distributed, server: &str) -> Vec<PathBuf> {
    let root = fleet.instances.join(server);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path().join("Minecraft/plugins/CMI/config.yml");
            path.exists().then_some(path)
        })
        .collect();
    files.sort();
    files
}

/// The `Alert: Timer:` value of a live CMI config.
fn alert_timer(path: &PathBuf) -> i64 {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = homeamp_configfiles::Document::parse(homeamp_configfiles::Format::Yaml, &text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    let at = homeamp_schemas::KeyPath::root().key("Alert").key("Timer");
    match doc.get(&at) {
        Some(homeamp_schemas::Value::Int(n)) => n,
        other => panic!("{}: Alert.Timer is {other:?}", path.display()),
    }
}

/// Changes CMI's universal `Alert.Timer` to 1441 and commits; returns the new head.
fn commit_cmi_change(fleet: &Distributed) -> String {
    let file = fleet.repo.join("plugins/paper/CMI.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(CMI_KEY_BEFORE), "the demo's CMI file changed");
    std::fs::write(&file, text.replace(CMI_KEY_BEFORE, CMI_KEY_AFTER)).unwrap();
    fleet.git(&["commit", "-qam", "CMI: alert timer 1441"]);
    fleet.git(&["rev-parse", "HEAD"])
}

fn servers_in(status: &serde_json::Value) -> Vec<String> {
    let mut servers: Vec<String> = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["server"].as_str().unwrap().to_string())
        .collect();
    servers.sort();
    servers.dedup();
    servers
}

fn assert_applied_everywhere(fleet: &Distributed) {
    for server in [HOST_SERVER, AGENT_SERVER] {
        let files = cmi_files(fleet, server);
        assert!(!files.is_empty(), "{server} runs CMI somewhere");
        for file in files {
            assert_eq!(alert_timer(&file), 1441, "{}", file.display());
        }
    }
}

#[test]
fn a_commit_converges_both_servers_and_a_hand_edit_on_either_is_reverted() {
    let fleet = Distributed::start();
    let (_, status) = fleet.get("/api/status");
    assert_eq!(servers_in(&status), [HOST_SERVER, AGENT_SERVER]);
    let cli = homeamp()
        .args(["status", "--host", &format!("http://{}", fleet.address)])
        .args(["--token", &fleet.token])
        .output()
        .unwrap();
    let table = stdout(&cli);
    assert!(
        table.contains(HOST_SERVER) && table.contains(AGENT_SERVER),
        "{table}"
    );

    let head = commit_cmi_change(&fleet);
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    assert_applied_everywhere(&fleet);

    for server in [AGENT_SERVER, HOST_SERVER] {
        let file = cmi_files(&fleet, server).remove(0);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("Timer: 1441", "Timer: 99")).unwrap();
        let deadline = std::time::Instant::now() + CONVERGE;
        while alert_timer(&file) != 1441 {
            assert!(
                std::time::Instant::now() < deadline,
                "the hand edit of {} on {server} was not reverted",
                file.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            text,
            "reverted byte for byte"
        );
    }
}

/// Whether every CMI instance of `server` has its job of `head` published, and every job of
/// `server` at `head` is published and none finished.
fn published_not_done(fleet: &Distributed, server: &str, head: &str) -> bool {
    let (_, jobs) = fleet.get(&format!("/api/jobs?limit=500&server={server}"));
    let ours: Vec<&serde_json::Value> = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["server"] == server && j["revision"] == head)
        .collect();
    let cmi_instances: Vec<String> = cmi_files(fleet, server)
        .iter()
        .map(|f| {
            // <root>/<server>/<instance>/Minecraft/plugins/CMI/config.yml
            let instance = f.ancestors().nth(4).unwrap();
            instance.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    let every_cmi_job = cmi_instances.iter().all(|name| {
        ours.iter().any(|j| {
            j["instance"] == name.as_str()
                && j["targets"].as_array().is_some_and(|t| {
                    t.iter()
                        .any(|t| t.as_str().is_some_and(|t| t.contains("CMI")))
                })
        })
    });
    every_cmi_job && ours.iter().all(|j| j["status"] == "delivered")
}

/// Waits until [`published_not_done`] holds for the agent's server.
fn wait_published(fleet: &Distributed, head: &str) {
    let deadline = std::time::Instant::now() + CONVERGE;
    while !published_not_done(fleet, AGENT_SERVER, head) {
        assert!(
            std::time::Instant::now() < deadline,
            "the jobs were not published: {}",
            fleet
                .get(&format!("/api/jobs?limit=500&server={AGENT_SERVER}"))
                .1
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn redis_killed_and_restarted_mid_run_loses_no_job() {
    let mut fleet = Distributed::start_with_heartbeat("60s");
    // The agent is away while the jobs go out, so that they sit in Redis when it dies.
    fleet.agent.kill();
    let head = commit_cmi_change(&fleet);
    wait_published(&fleet, &head);
    // Redis without persistence: its restart forgets the stream, the group and the jobs.
    fleet.redis.kill().unwrap();
    std::thread::sleep(Duration::from_secs(1));
    fleet.redis.restart().unwrap();
    fleet.agent.restart();
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    assert_applied_everywhere(&fleet);
    let (_, jobs) = fleet.get("/api/jobs?limit=500");
    for job in jobs["jobs"].as_array().unwrap() {
        let status = job["status"].as_str().unwrap();
        assert!(
            ["succeeded", "superseded"].contains(&status),
            "a job was left {status}: {job}"
        );
    }
}

#[test]
fn an_agent_killed_mid_job_applies_it_once_after_its_restart() {
    let mut fleet = Distributed::start();
    let head = commit_cmi_change(&fleet);
    // The host needs a moment to load the commit and publish; kill the agent while the
    // jobs are in flight.
    std::thread::sleep(Duration::from_millis(700));
    fleet.agent.kill();
    std::thread::sleep(Duration::from_secs(1));
    fleet.agent.restart();
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    // Every file parses and holds the new value: none torn, none half-written.
    assert_applied_everywhere(&fleet);
    let (_, jobs) = fleet.get("/api/jobs?limit=500");
    for job in jobs["jobs"].as_array().unwrap() {
        assert_ne!(job["status"], "failed", "{job}");
    }
}

#[test]
fn a_wrong_token_a_foreign_agent_token_and_a_viewer_approving_are_refused() {
    let fleet = Distributed::start();
    let heartbeat = format!(
        r#"{{"server":"{AGENT_SERVER}","agent_version":"0","sent_at":"2026-12-03T00:00:00Z","instances":[]}}"#
    );
    let (code, _) = request(
        &fleet.address,
        "POST",
        "/api/agent/v1/heartbeat",
        Some(&heartbeat),
        Some("hamp_0000000000000000000000000000000000000000000000000000000000000000"),
    );
    assert_eq!(code, 401, "an unknown token");
    let agent_token = std::fs::read_to_string(fleet.config("agent.token")).unwrap();
    let foreign = heartbeat.replace(AGENT_SERVER, HOST_SERVER);
    let (code, body) = request(
        &fleet.address,
        "POST",
        "/api/agent/v1/heartbeat",
        Some(&foreign),
        Some(agent_token.trim()),
    );
    assert_eq!(code, 403, "ovh's token speaking for hetzner: {body}");
    let viewer = token_plain(&fleet.config("host-config.yaml"), &["--role", "viewer"]);
    let (code, body) = request_with(
        &fleet.address,
        "POST",
        "/api/approve",
        Some(r#"{"revision":"HEAD"}"#),
        &[("Authorization", &format!("Bearer {viewer}"))],
    );
    assert_eq!(code, 403, "a viewer approving: {body}");
    // Reads need a token on a host: nothing is open.
    let (code, _) = request(&fleet.address, "GET", "/api/status", None, None);
    assert_eq!(code, 401);
    assert!(all_synced(&fleet.get("/api/status").1));
}

fn spooled(fleet: &Distributed) -> usize {
    std::fs::read_dir(fleet.dir.path().join("state/agent/spool"))
        .map(|entries| entries.filter_map(Result::ok).count())
        .unwrap_or(0)
}

#[test]
fn results_made_while_the_host_is_down_are_spooled_and_delivered_once_it_returns() {
    let mut fleet = Distributed::start_with_heartbeat("60s");
    fleet.agent.kill();
    let head = commit_cmi_change(&fleet);
    wait_published(&fleet, &head);
    // The host goes away with the jobs in Redis; the agent applies them without it.
    fleet.host.kill();
    fleet.agent.restart();
    let deadline = std::time::Instant::now() + CONVERGE;
    while cmi_files(&fleet, AGENT_SERVER)
        .iter()
        .any(|f| alert_timer(f) != 1441)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the agent did not apply its jobs while the host was down:\n{}",
            fleet.agent.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(spooled(&fleet) > 0, "the results wait in the spool");
    fleet.host.restart();
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    assert_eq!(spooled(&fleet), 0, "every spooled result was delivered");
    let (_, jobs) = fleet.get(&format!("/api/jobs?limit=500&server={AGENT_SERVER}"));
    for job in jobs["jobs"].as_array().unwrap() {
        if job["revision"] != head {
            continue;
        }
        assert_eq!(job["status"], "succeeded", "{job}");
        let (_, detail) = fleet.get(&format!("/api/jobs/{}", job["id"].as_str().unwrap()));
        let finished = detail["events"]
            .as_array()
            .expect("a job's events")
            .iter()
            .filter(|e| e["status"] == "succeeded")
            .count();
        assert_eq!(finished, 1, "a result stored once: {detail}");
    }
}

#[test]
fn the_distributed_demo_converges_both_servers_one_of_them_through_amp() {
    let dir = tempfile::tempdir().unwrap();
    let output = homeamp()
        .args(["up", "--demo"])
        .arg(dir.path())
        .args(["--distributed", "--exit-when-synced"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        output.status.success(),
        "{text}\n{}\nagent log:\n{}",
        crate::support::stderr(&output),
        std::fs::read_to_string(dir.path().join("logs/agent.log")).unwrap_or_default()
    );
    assert!(
        text.contains("AMP simulator on http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("instances Synced on both servers"), "{text}");
    for config in ["host-config.yaml", "client-config.yaml"] {
        let path = dir.path().join("config").join(config);
        homeamp_nodeconfig::load(&path).unwrap_or_else(|e| panic!("{e}"));
    }
    let client = std::fs::read_to_string(dir.path().join("config/client-config.yaml")).unwrap();
    assert!(
        client.contains("amp:"),
        "the ovh agent goes through AMP: {client}"
    );
    // Every child is gone and its PID file with it.
    let left: Vec<_> = std::fs::read_dir(dir.path().join("run"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pid"))
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "PID files left: {left:?}");
    // The demo's hand edit on an ovh instance was reverted through AMP.
    let (host_log, agent_log) = (
        std::fs::read_to_string(dir.path().join("logs/host.log")).unwrap(),
        std::fs::read_to_string(dir.path().join("logs/agent.log")).unwrap(),
    );
    assert!(!host_log.contains("panicked") && !agent_log.contains("panicked"));
}

fn server_agent<'a>(status: &'a serde_json::Value, server: &str) -> &'a str {
    status["servers"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == server))
        .and_then(|s| s["agent"].as_str())
        .unwrap_or("absent")
}

fn instances_of<'a>(
    status: &'a serde_json::Value,
    server: &'a str,
) -> impl Iterator<Item = &'a serde_json::Value> {
    status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |i| i["server"] == server)
}

#[test]
fn a_server_whose_agent_is_silent_for_three_heartbeats_turns_unknown_and_recovers() {
    let fleet = Distributed::start();
    // A frozen agent: its process exists, its connections stay open, it says nothing.
    fleet.agent.signal("STOP");
    let status = fleet.wait_status(CONVERGE, |s| {
        server_agent(s, AGENT_SERVER) == "silent"
            && instances_of(s, AGENT_SERVER).all(|i| i["sync"] == "Unknown")
    });
    assert!(
        instances_of(&status, HOST_SERVER).all(|i| i["sync"] == "Synced"),
        "the other server is not affected: {status}"
    );
    assert_eq!(server_agent(&status, HOST_SERVER), "online");
    let cli = homeamp()
        .args(["status", "--host", &format!("http://{}", fleet.address)])
        .args(["--token", &fleet.token, "--server", AGENT_SERVER])
        .output()
        .unwrap();
    let table = stdout(&cli);
    assert!(
        table.contains(&format!("server {AGENT_SERVER}: agent silent")),
        "{table}"
    );
    assert!(
        !table.contains(HOST_SERVER),
        "the split view shows one server: {table}"
    );
    fleet.agent.signal("CONT");
    fleet.wait_status(CONVERGE, |s| {
        all_synced(s) && server_agent(s, AGENT_SERVER) == "online"
    });
}

#[test]
fn mariadb_stopped_for_30_s_the_host_stays_up_says_why_it_is_not_ready_and_recovers() {
    let mut fleet = Distributed::start();
    fleet.mariadb.kill().unwrap();
    // A change made during the outage waits in git, not in a lost request.
    let head = commit_cmi_change(&fleet);
    let outage = std::time::Instant::now();
    let mut said_why = false;
    while outage.elapsed() < Duration::from_secs(30) {
        assert!(
            fleet.host.alive(),
            "the host died:\n{}",
            fleet.host.output()
        );
        let (code, body) = request(&fleet.address, "GET", "/readyz", None, None);
        if code == 503 && body.to_string().contains("database") {
            said_why = true;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(said_why, "/readyz never said the database is down");
    fleet.mariadb.restart().unwrap();
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    assert_applied_everywhere(&fleet);
    let (code, _) = request(&fleet.address, "GET", "/readyz", None, None);
    assert_eq!(code, 200);
    assert!(
        fleet.host.stop().success(),
        "SIGTERM stops the host cleanly"
    );
}

#[test]
fn over_tls_with_a_private_ca_the_agent_converges_and_plain_http_is_refused() {
    let fleet = Distributed::start_with(crate::distributed::Options {
        tls: true,
        ..Default::default()
    });
    let head = commit_cmi_change(&fleet);
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    assert_applied_everywhere(&fleet);
    // Plain HTTP on the TLS port gets no API answer.
    let plain = std::process::Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!("http://{}/healthz", fleet.address))
        .output()
        .unwrap();
    assert_ne!(stdout(&plain).trim(), "200");
    // An agent that does not trust the host's CA cannot talk to it: --check says so.
    let config = fleet.config("client-config.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let untrusting = fleet.config("untrusting.yaml");
    std::fs::write(&untrusting, text.replace("  ca_file: ca.pem\n", "")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&untrusting, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let check = homeamp()
        .args(["agent", "--check", "--config"])
        .arg(&untrusting)
        .output()
        .unwrap();
    let lines = stdout(&check);
    assert!(!check.status.success(), "{lines}");
    assert!(lines.contains("FAIL host API https://"), "{lines}");
    let check = homeamp()
        .args(["agent", "--check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn a_host_following_a_repository_url_mirrors_it_and_converges_on_its_commits() {
    let fleet = Distributed::start_with(crate::distributed::Options {
        remote: true,
        ..Default::default()
    });
    assert!(
        fleet
            .dir
            .path()
            .join("state/host/desired-state.git")
            .is_dir(),
        "the host keeps a mirror in its state folder"
    );
    let head = commit_cmi_change(&fleet);
    fleet.wait_status(CONVERGE, |s| converged_on(s, &head));
    assert_applied_everywhere(&fleet);
}

#[test]
fn a_partitioned_agent_turns_its_server_unknown_then_recovers_and_converges() {
    // Needs root (or CAP_NET_ADMIN) and iproute2, as CI has: a machine without them fails
    // here with the reason rather than passing without testing anything.
    let netns = crate::distributed::Netns::create()
        .unwrap_or_else(|why| panic!("the partition test needs `ip netns`: {why}"));
    let fleet = Distributed::start_with(crate::distributed::Options {
        netns: Some(netns),
        ..Default::default()
    });
    let netns = fleet.netns.as_ref().unwrap();
    netns.link(false);
    let partitioned = std::time::Instant::now();
    fleet.wait_status(CONVERGE, |s| {
        server_agent(s, AGENT_SERVER) == "silent"
            && instances_of(s, AGENT_SERVER).all(|i| i["sync"] == "Unknown")
    });
    // A change made during the partition reaches the cut-off server once it is back.
    let head = commit_cmi_change(&fleet);
    let rest = Duration::from_secs(30).saturating_sub(partitioned.elapsed());
    std::thread::sleep(rest);
    let (_, status) = fleet.get("/api/status");
    assert_eq!(server_agent(&status, AGENT_SERVER), "silent", "{status}");
    netns.link(true);
    fleet.wait_status(CONVERGE, |s| {
        converged_on(s, &head) && server_agent(s, AGENT_SERVER) == "online"
    });
    assert_applied_everywhere(&fleet);
}
