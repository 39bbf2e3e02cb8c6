//! `homeamp artifacts` end to end: the real binary lists and uploads plugin JARs of a
//! running `homeamp up`'s artifact store, and an uploaded JAR is what a pin installs.

use std::process::Output;
use std::time::Duration;

use crate::host_process::{Up, all_synced};
use crate::small_fleet::{CP_VERSION, SmallFleet, jar};
use crate::support::{stderr, stdout};

const CONVERGE: Duration = Duration::from_secs(60);

fn cli(up: &Up, args: &[&str], token: bool) -> Output {
    let args: Vec<&str> = std::iter::once("artifacts")
        .chain(args.iter().copied())
        .collect();
    up.cli(&args, token)
}

#[test]
fn artifacts_are_listed_and_uploaded_and_a_pin_installs_the_upload() {
    let fleet = SmallFleet::new("auto", true);
    let up = fleet.up();
    up.wait_status(CONVERGE, all_synced);

    let listed = cli(&up, &[], false);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let table = stdout(&listed);
    assert!(table.starts_with("PLATFORM"), "{table}");
    assert!(
        table.contains(&format!("CoreProtect  {CP_VERSION}")),
        "{table}"
    );

    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("cp-new.jar");
    std::fs::write(&upload, jar("CoreProtect", "22.4")).unwrap();
    let not_a_jar = dir.path().join("notes.jar");
    std::fs::write(&not_a_jar, "not a jar").unwrap();

    // Without a token: refused, with the hint.
    let refused = cli(&up, &[upload.to_str().unwrap()], false);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("--token"), "{}", stderr(&refused));

    let pushed = cli(
        &up,
        &[upload.to_str().unwrap(), not_a_jar.to_str().unwrap()],
        true,
    );
    assert!(!pushed.status.success(), "one of two files is not a plugin");
    assert!(
        stdout(&pushed).contains("CoreProtect 22.4 (paper) as CoreProtect-22.4.jar"),
        "{}",
        stdout(&pushed)
    );
    assert!(stderr(&pushed).contains("notes.jar"), "{}", stderr(&pushed));
    assert!(
        stderr(&pushed).contains("1 of 2 not uploaded"),
        "{}",
        stderr(&pushed)
    );

    let json = cli(&up, &["--format", "json"], false);
    let answer: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(answer["artifacts"].as_array().unwrap().len(), 2, "{answer}");

    // The uploaded JAR is what a pin installs.
    fleet.repo.write(
        "deployment_matrix.csv",
        "plugin_name,plugin_type,auto_update,update_source,server_SMP1,server_SMP2,server_DEV1\n\
CoreProtect,bukkit/paper,False,manual,22.4,True,False\n",
    );
    let head = fleet.repo.commit("CoreProtect 22.4 on SMP1");
    up.wait_status(CONVERGE, |s| {
        all_synced(s)
            && s["instances"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["revision"] == head.as_str())
    });
    assert_eq!(fleet.jars("SMP1"), vec!["CoreProtect-22.4.jar".to_string()]);
}
