//! Plugin JARs end to end: the deployment matrix's plugins and version pins reach the
//! instances from the host's artifact store; `prune` decides whether JARs the matrix no
//! longer deploys are removed. The real binary, a real git repository, real JARs.

use std::time::{Duration, Instant};

use crate::host_process::{Up, all_synced};
use crate::small_fleet::{CP_VERSION, SmallFleet, fleet_yaml, instance, jar};

const CONVERGE: Duration = Duration::from_secs(60);

fn matrix(smp1: &str, smp2: &str) -> String {
    format!(
        "plugin_name,plugin_type,auto_update,update_source,server_SMP1,server_SMP2,server_DEV1\n\
CoreProtect,bukkit/paper,False,manual,{smp1},{smp2},False\n"
    )
}

fn at_head(status: &serde_json::Value, head: &str) -> bool {
    all_synced(status)
        && status["instances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["revision"] == head)
}

fn jobs_of_kind(up: &Up, kind: &str) -> Vec<serde_json::Value> {
    let (_, jobs) = up.get("/api/jobs");
    jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == kind)
        .cloned()
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + CONVERGE;
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_version_pin_reaches_every_instance_that_runs_the_plugin() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    let old = format!("CoreProtect-{CP_VERSION}.jar");
    assert_eq!(fleet.jars("SMP1"), vec![old.clone()]);

    fleet.add_artifact("CoreProtect", "22.4");
    fleet
        .repo
        .write("deployment_matrix.csv", &matrix("22.4", "22.4"));
    let head = fleet.repo.commit("CoreProtect 22.4 everywhere");
    up.wait_status(CONVERGE, |s| at_head(s, &head));
    for name in ["SMP1", "SMP2"] {
        assert_eq!(fleet.jars(name), vec!["CoreProtect-22.4.jar".to_string()]);
        let bytes = std::fs::read(fleet.plugins(name).join("CoreProtect-22.4.jar")).unwrap();
        assert_eq!(bytes, jar("CoreProtect", "22.4"), "the artifact's bytes");
    }
    assert!(
        fleet.jars("DEV1").is_empty(),
        "DEV1 does not run CoreProtect"
    );
    let installs = jobs_of_kind(&up, "plugin_install");
    assert_eq!(installs.len(), 2, "{installs:?}");
    assert!(
        installs.iter().all(|j| j["intent"] == "intentional"),
        "{installs:?}"
    );
    // The old JAR is kept for rollback, not lost.
    let (_, drift) = up.get("/api/drift?plugin=CoreProtect&open=false");
    assert!(
        drift["drift"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["drift_type"] == "plugin"
                && d["desired_value"] == "22.4"
                && d["resolved"] == true),
        "{drift}"
    );
}

#[test]
fn a_deleted_plugin_jar_is_reinstalled_with_self_heal() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    let jar_path = fleet
        .plugins("SMP1")
        .join(format!("CoreProtect-{CP_VERSION}.jar"));
    std::fs::remove_file(&jar_path).unwrap();
    wait_until("the JAR is back", || jar_path.is_file());
    assert_eq!(
        std::fs::read(&jar_path).unwrap(),
        jar("CoreProtect", CP_VERSION)
    );
    up.wait_status(CONVERGE, all_synced);
    let installs = jobs_of_kind(&up, "plugin_install");
    assert_eq!(installs.len(), 1, "{installs:?}");
    assert_eq!(installs[0]["intent"], "corrective");
    assert_eq!(installs[0]["instance"], "SMP1");
}

#[test]
fn prune_decides_whether_a_jar_the_matrix_no_longer_deploys_is_removed() {
    let fleet = SmallFleet::new("auto", true);
    // A JAR the matrix knows nothing of: never touched, never a reason to be OutOfSync.
    std::fs::write(fleet.plugins("SMP1").join("Other.jar"), jar("Other", "1.0")).unwrap();
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);

    fleet
        .repo
        .write("deployment_matrix.csv", &matrix("True", "False"));
    fleet.repo.commit("CoreProtect off SMP2");
    let status = up.wait_status(CONVERGE, |s| instance(s, "SMP2")["sync"] == "OutOfSync");
    let message = instance(&status, "SMP2")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("prune is off"), "{message}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        fleet.jars("SMP2"),
        vec![format!("CoreProtect-{CP_VERSION}.jar")]
    );
    assert!(jobs_of_kind(&up, "plugin_remove").is_empty());

    fleet.repo.write(
        "homeamp.yaml",
        &fleet_yaml("auto", true).replace("restart: never", "restart: never, prune: true"),
    );
    let head = fleet.repo.commit("prune");
    up.wait_status(CONVERGE, |s| at_head(s, &head));
    assert!(fleet.jars("SMP2").is_empty(), "{:?}", fleet.jars("SMP2"));
    assert_eq!(
        fleet.jars("SMP1"),
        vec![
            format!("CoreProtect-{CP_VERSION}.jar"),
            "Other.jar".to_string()
        ]
    );
    let removes = jobs_of_kind(&up, "plugin_remove");
    assert_eq!(removes.len(), 1, "{removes:?}");
    assert_eq!(removes[0]["instance"], "SMP2");
    assert_eq!(removes[0]["intent"], "intentional");
}

#[test]
fn a_plugin_without_an_artifact_is_degraded_until_its_jar_arrives() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    fleet
        .repo
        .write("deployment_matrix.csv", &matrix("23.0", "True"));
    let head = fleet.repo.commit("CoreProtect 23.0 on SMP1");
    let status = up.wait_status(CONVERGE, |s| instance(s, "SMP1")["sync"] == "Degraded");
    let message = instance(&status, "SMP1")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("no artifact for CoreProtect 23.0"),
        "{message}"
    );
    assert!(message.contains("artifact store"), "{message}");
    assert_eq!(instance(&status, "SMP2")["sync"], "Synced");

    fleet.add_artifact("CoreProtect", "23.0");
    up.wait_status(CONVERGE, |s| at_head(s, &head));
    assert_eq!(fleet.jars("SMP1"), vec!["CoreProtect-23.0.jar".to_string()]);
}

#[test]
fn a_plugin_the_store_lacks_is_fetched_from_an_instance_that_runs_it() {
    let fleet = SmallFleet::new("auto", true);
    // The store is empty and SMP2 lost its JAR; SMP1 still runs CoreProtect.
    std::fs::remove_dir_all(fleet.artifacts()).unwrap();
    let file = format!("CoreProtect-{CP_VERSION}.jar");
    std::fs::remove_file(fleet.plugins("SMP2").join(&file)).unwrap();
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);
    assert_eq!(fleet.jars("SMP2"), vec![file.clone()]);
    let bytes = std::fs::read(fleet.plugins("SMP2").join(&file)).unwrap();
    assert_eq!(
        bytes,
        jar("CoreProtect", CP_VERSION),
        "SMP1's JAR, byte for byte"
    );
    // It is in the artifact store now, under its plugin's name and version.
    assert_eq!(
        std::fs::read(fleet.artifacts().join(&file)).unwrap(),
        jar("CoreProtect", CP_VERSION)
    );
    let rescans = jobs_of_kind(&up, "rescan");
    assert!(
        rescans.iter().any(|j| j["instance"] == "SMP1"),
        "SMP1 was asked for the JAR: {rescans:?}"
    );
}
