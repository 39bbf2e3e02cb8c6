//! The AMP driver's servers: lifecycle by instance, console commands and their answers,
//! status with the player count; and the agent's whole job path on this driver.

use std::fs;
use std::sync::Arc;
use std::time::Duration;

use homeamp_agent::driver::{DriverError, InstanceStatus, RunningState};
use homeamp_agent::{Agent, Driver, InMemoryHost};
use homeamp_configfiles::{Document, Format};
use homeamp_schemas::desired::FileFormat;
use homeamp_schemas::job::{ConfigPatch, JobSpec, LifecycleAction, PatchOp};
use homeamp_schemas::report::JobStatus;
use homeamp_schemas::{KeyPath, Value};

use crate::amp_driver::{Panel, instance, rel};
use crate::support::{Fleet, names_in, sha256, signed, write};

#[test]
fn console_commands_answer_with_what_the_server_printed() {
    let panel = Panel::new(&["SMP201"]);
    let driver = panel.driver();
    let smp = instance(&driver, "SMP201");
    panel.sim.set_players("SMP201", 2);
    let answer = driver.console(&smp, "list").unwrap();
    assert_eq!(
        answer,
        "There are 2 of a max of 20 players online: Player1, Player2"
    );
    let answer = driver.console(&smp, "save-all flush").unwrap();
    assert_eq!(
        answer,
        "Saving the game (this may take a moment!)\nSaved the game"
    );
    assert_eq!(
        panel.sim.console_commands("SMP201"),
        ["list", "save-all flush"]
    );

    panel.sim.set_app_running("SMP201", false);
    let refused = driver.console(&smp, "list").unwrap_err();
    assert!(
        matches!(refused, DriverError::Refused { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("not running"));
}

#[test]
fn start_stop_restart_and_reload_by_instance() {
    let panel = Panel::new(&["SMP201", "SMP202"]);
    let driver = panel.driver();
    let smp = instance(&driver, "SMP201");
    let state = |name| panel.sim.app_state_code(name).unwrap();

    let stop = driver.lifecycle(&smp, &LifecycleAction::Stop).unwrap();
    assert!(stop.changed, "{}", stop.message);
    assert_eq!(state("SMP201"), 0);
    assert_eq!(state("SMP202"), 20, "only the instance named");
    assert!(
        !driver
            .lifecycle(&smp, &LifecycleAction::Stop)
            .unwrap()
            .changed
    );
    let reload = LifecycleAction::Reload {
        command: "save-all flush".into(),
    };
    assert!(!driver.lifecycle(&smp, &reload).unwrap().changed);

    let start = driver.lifecycle(&smp, &LifecycleAction::Start).unwrap();
    assert!(start.changed, "{}", start.message);
    assert_eq!(state("SMP201"), 20);
    assert!(
        !driver
            .lifecycle(&smp, &LifecycleAction::Start)
            .unwrap()
            .changed
    );

    let restart = driver.lifecycle(&smp, &LifecycleAction::Restart).unwrap();
    assert!(restart.changed);
    assert_eq!(restart.message, "restart: AMP restarted the server");
    assert_eq!(state("SMP201"), 20);

    let reloaded = driver.lifecycle(&smp, &reload).unwrap();
    assert!(reloaded.changed);
    assert_eq!(
        reloaded.message,
        "reload: ran \"save-all flush\": Saved the game"
    );
    assert_eq!(panel.sim.console_commands("SMP201"), ["save-all flush"]);
    assert!(panel.sim.console_commands("SMP202").is_empty());
}

#[test]
fn status_counts_players_and_an_unavailable_instance_is_stopped_and_refuses_files() {
    let panel = Panel::new(&["SMP201"]);
    let driver = panel.driver();
    let smp = instance(&driver, "SMP201");
    panel.sim.set_players("SMP201", 3);
    assert_eq!(
        driver.status(&smp).unwrap(),
        InstanceStatus {
            state: RunningState::Running,
            players: Some(3)
        }
    );
    panel.sim.set_app_running("SMP201", false);
    assert_eq!(
        driver.status(&smp).unwrap(),
        InstanceStatus {
            state: RunningState::Stopped,
            players: Some(0)
        }
    );

    // The instance's own AMP process down: "Instance Unavailable" for everything.
    panel.sim.set_instance_running("SMP201", false);
    assert_eq!(driver.status(&smp).unwrap().state, RunningState::Stopped);
    let err = driver.read(&smp, &rel("server.properties")).unwrap_err();
    assert!(matches!(err, DriverError::Unreachable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "amp: SMP201: read server.properties: instance {} is unavailable: \
             its AMP instance is not running",
            panel.sim.instance_id("SMP201").unwrap()
        )
    );
    assert!(driver.lifecycle(&smp, &LifecycleAction::Start).is_err());
}

const CONFIG: &str = "\
# CoreProtect Config

# If enabled, extra data is displayed during rollbacks and restores.
verbose: false   # keep quiet

# MySQL settings
use-mysql: false
table-prefix: 'co_'
";

#[test]
fn a_signed_config_patch_through_the_agent_changes_only_the_patched_key() {
    let panel = Panel::new(&["SMP201"]);
    let file = panel.game("SMP201").join("plugins/CoreProtect/config.yml");
    write(&file, CONFIG);
    let driver = Arc::new(panel.driver());
    let fleet = Fleet::new();
    let agent = Agent::with_driver(fleet.config(), driver).unwrap();
    assert_eq!(agent.driver().name(), "amp");
    let manifest = agent.scan("SMP201").unwrap();
    let scanned = manifest.file("plugins/CoreProtect/config.yml").unwrap();
    assert_eq!(scanned.sha256, sha256(CONFIG.as_bytes()));

    let ops = vec![PatchOp::Set {
        path: KeyPath::parse("verbose").unwrap(),
        value: Value::Bool(true),
    }];
    let mut expected = Document::parse(Format::Yaml, CONFIG).unwrap();
    expected
        .set(&KeyPath::parse("verbose").unwrap(), &Value::Bool(true))
        .unwrap();
    let expected = expected.to_string();
    let job = signed(
        "SMP201",
        JobSpec::ConfigPatch(ConfigPatch {
            file: "plugins/CoreProtect/config.yml".into(),
            format: FileFormat::Yaml,
            base_sha256: Some(sha256(CONFIG.as_bytes())),
            ops,
            expected_sha256: Some(sha256(expected.as_bytes())),
        }),
    );
    let result = agent.apply(&job);
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert!(result.changed);
    let text = fs::read_to_string(&file).unwrap();
    assert_eq!(text, CONFIG.replace("verbose: false", "verbose: true"));
    assert!(text.contains("verbose: true   # keep quiet\n"), "{text}");
    assert!(text.contains("# MySQL settings\n"));

    // The previous version is in the history, through AMP; the scan skips it.
    let history = panel
        .game("SMP201")
        .join(".homeamp/history/plugins/CoreProtect/config.yml");
    let kept = names_in(&history);
    assert_eq!(kept.len(), 1);
    assert_eq!(fs::read_to_string(history.join(&kept[0])).unwrap(), CONFIG);
    let rescanned = agent.scan("SMP201").unwrap();
    assert!(
        rescanned
            .files
            .iter()
            .all(|f| !f.path.starts_with(".homeamp"))
    );
    assert_eq!(
        rescanned
            .file("plugins/CoreProtect/config.yml")
            .unwrap()
            .sha256,
        sha256(text.as_bytes())
    );
    // The same job again is answered from the record, and writes nothing.
    assert_eq!(agent.apply(&job), result);
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
    assert_eq!(names_in(&history).len(), 1);
}

#[test]
fn a_hand_edit_on_the_panel_is_polled_and_reported() {
    let panel = Panel::new(&["SMP201"]);
    let file = panel.game("SMP201").join("plugins/X/config.yml");
    write(&file, "a: 1\n");
    let fleet = Fleet::new();
    let mut config = fleet.config();
    config.poll_every = Duration::from_millis(100);
    config.rescan_every = Duration::from_secs(3600);
    let agent = Arc::new(Agent::with_driver(config, Arc::new(panel.driver())).unwrap());
    let host = Arc::new(InMemoryHost::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = panel.runtime.spawn(agent.clone().run(host.clone(), async {
        let _ = stopped.await;
    }));
    let reported = |sha: String| {
        let host = host.clone();
        panel.runtime.block_on(async move {
            host.wait_for(Duration::from_secs(10), |r| {
                r.latest_manifest("SMP201")
                    .and_then(|m| m.file("plugins/X/config.yml"))
                    .filter(|f| f.sha256 == sha)
                    .map(|_| ())
            })
            .await
        })
    };
    assert!(
        reported(sha256(b"a: 1\n")).is_some(),
        "first scan not reported"
    );
    // Same size, new content: the modification time AMP lists is what tells.
    fs::write(&file, "a: 2\n").unwrap();
    assert!(
        reported(sha256(b"a: 2\n")).is_some(),
        "the hand edit was not polled within 10 s"
    );
    let _ = stop.send(());
    panel.runtime.block_on(task).unwrap().unwrap();
}
