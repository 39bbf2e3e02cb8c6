//! The AMP driver against a real AMP simulator (`homeamp-ampsim`) on a loopback port,
//! its instance folders in a temp dir: discovery and naming, files and their history,
//! interrupted writes, sessions and AMP's failure answers. Lifecycle, console, status
//! and the agent's job path on this driver are in `amp_server.rs`.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeamp_agent::driver::DriverError;
use homeamp_agent::{AmpDriver, AmpDriverConfig, Driver, Instance, RelPath};
use homeamp_ampsim::{APP_FOLDER, AmpSim, Credentials};

use crate::support::{names_in, write};

pub const USER: &str = "admin";
pub const PASSWORD: &str = "correct horse";

/// A simulated AMP panel on its own runtime. The driver blocks, so tests call it from the
/// test's plain thread, and the runtime serves the simulator and runs the driver's
/// requests. Fields drop in order: the simulator stops before its runtime goes.
pub struct Panel {
    pub sim: AmpSim,
    pub runtime: tokio::runtime::Runtime,
    pub root: tempfile::TempDir,
}

impl Panel {
    /// A panel with the instances `names`, each `<root>/<name>/Minecraft/` with a
    /// server.properties.
    pub fn new(names: &[&str]) -> Self {
        let root = tempfile::tempdir().unwrap();
        for name in names {
            write(
                &root
                    .path()
                    .join(name)
                    .join(APP_FOLDER)
                    .join("server.properties"),
                "motd=A Minecraft Server\nmax-players=20\n",
            );
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = runtime
            .block_on(AmpSim::start(
                root.path().to_path_buf(),
                "127.0.0.1:0".parse().unwrap(),
                Credentials::new(USER, PASSWORD),
            ))
            .unwrap();
        Panel { sim, runtime, root }
    }

    pub fn config(&self) -> AmpDriverConfig {
        AmpDriverConfig::new(self.sim.url(), USER, PASSWORD)
    }

    pub fn connect(&self, config: AmpDriverConfig) -> AmpDriver {
        AmpDriver::connect(config, self.runtime.handle().clone()).unwrap()
    }

    pub fn driver(&self) -> AmpDriver {
        self.connect(self.config())
    }

    /// `<root>/<name>/Minecraft`: the game root on the simulator's disk.
    pub fn game(&self, name: &str) -> PathBuf {
        self.root.path().join(name).join(APP_FOLDER)
    }
}

pub fn instance(driver: &AmpDriver, name: &str) -> Instance {
    driver
        .discover()
        .unwrap()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("the driver found no {name}"))
}

pub fn rel(path: &str) -> RelPath {
    RelPath::new(path).unwrap()
}

fn names(instances: &[Instance]) -> Vec<&str> {
    instances.iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn discovery_maps_instance_names_friendly_names_and_aliases_and_reports_the_rest() {
    let panel = Panel::new(&["SMP201", "Minecraft01", "Lobby01", "Stray"]);
    panel.sim.set_friendly_name("Minecraft01", "Creative");
    panel.sim.set_friendly_name("Lobby01", "Lobby");
    let mut config = panel.config();
    config.aliases = HashMap::from([("Lobby".to_string(), "hub".to_string())]);
    config.known_instances = Some(BTreeSet::from(
        ["SMP201", "Creative", "hub", "absent"].map(String::from),
    ));
    let driver = panel.connect(config);
    let found = driver.discover().unwrap();
    assert_eq!(names(&found), ["Creative", "SMP201", "hub"]);
    assert_eq!(
        driver.target("Creative").unwrap().id,
        panel.sim.instance_id("Minecraft01").unwrap()
    );
    assert!(found[0].location.contains("AMP instance Minecraft01"));
    let unmanaged = driver.unmanaged();
    assert_eq!(unmanaged.len(), 1);
    assert_eq!(unmanaged[0].instance_name, "Stray");
    // An unmanaged instance cannot be named: it is never touched.
    let stray = Instance {
        name: "Stray".into(),
        location: String::new(),
    };
    assert!(matches!(
        driver.read(&stray, &rel("server.properties")),
        Err(DriverError::UnknownInstance { .. })
    ));
}

#[test]
fn without_known_names_amp_instance_names_are_the_names() {
    let panel = Panel::new(&["SMP201", "Lobby01"]);
    panel.sim.set_friendly_name("SMP201", "Survival");
    let mut config = panel.config();
    config.aliases = HashMap::from([("Lobby01".to_string(), "hub".to_string())]);
    let driver = panel.connect(config);
    assert_eq!(names(&driver.discover().unwrap()), ["SMP201", "hub"]);
    assert!(driver.unmanaged().is_empty());
    // AMP has no file events: the agent polls.
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let feed = homeamp_agent::driver::ChangeFeed::new(|_| true, tx);
    assert!(driver.watch(feed).unwrap().is_none());
}

#[test]
fn files_round_trip_with_the_previous_versions_kept_in_the_history() {
    let panel = Panel::new(&["SMP201"]);
    let mut config = panel.config();
    config.history_keep = 2;
    let driver = panel.connect(config);
    let smp = instance(&driver, "SMP201");
    let game = panel.game("SMP201");

    // A new file in folders that do not exist yet.
    let path = rel("plugins/Essentials/config.yml");
    assert_eq!(driver.read(&smp, &path).unwrap(), None);
    assert_eq!(driver.stat(&smp, &path).unwrap(), None);
    assert_eq!(driver.list(&smp, Some(&rel("plugins"))).unwrap(), None);
    driver.write(&smp, &path, b"a: 1\n").unwrap();
    assert_eq!(
        fs::read_to_string(game.join("plugins/Essentials/config.yml")).unwrap(),
        "a: 1\n"
    );
    assert_eq!(driver.read(&smp, &path).unwrap().unwrap(), b"a: 1\n");
    assert_eq!(driver.stat(&smp, &path).unwrap().unwrap().size, 5);
    assert_eq!(
        driver.sha256(&smp, &path).unwrap().unwrap(),
        crate::support::sha256(b"a: 1\n")
    );
    let listed = driver.list(&smp, None).unwrap().unwrap();
    assert!(listed.iter().any(|e| e.name == "server.properties"));

    // Replacing keeps the previous version, through AMP, beside nothing else.
    let history = game.join(".homeamp/history/plugins/Essentials/config.yml");
    for (n, text) in ["a: 2\n", "a: 3\n", "a: 4\n"].iter().enumerate() {
        driver.write(&smp, &path, text.as_bytes()).unwrap();
        assert_eq!(names_in(&history).len(), (n + 1).min(2));
        std::thread::sleep(Duration::from_millis(5));
    }
    let kept: Vec<String> = names_in(&history)
        .iter()
        .map(|n| fs::read_to_string(history.join(n)).unwrap())
        .collect();
    assert_eq!(kept, ["a: 2\n", "a: 3\n"], "the newest two, oldest first");
    // No temporary file is left beside the target.
    assert_eq!(names_in(&game.join("plugins/Essentials")), ["config.yml"]);

    // Removing keeps the file too; removing an absent file is nothing.
    driver.remove(&smp, &path).unwrap();
    assert!(!game.join("plugins/Essentials/config.yml").exists());
    let kept_last = names_in(&history).pop().unwrap();
    assert_eq!(
        fs::read_to_string(history.join(kept_last)).unwrap(),
        "a: 4\n"
    );
    driver.remove(&smp, &path).unwrap();
    assert_eq!(driver.read(&smp, &path).unwrap(), None);
}

#[test]
fn a_file_where_a_folder_must_be_is_refused() {
    let panel = Panel::new(&["SMP201"]);
    let driver = panel.driver();
    let smp = instance(&driver, "SMP201");
    let refused = driver.write(&smp, &rel("server.properties/x.yml"), b"x");
    assert!(
        matches!(refused, Err(DriverError::Escape(_))),
        "{refused:?}"
    );
}

#[test]
fn an_interrupted_write_leaves_the_old_file_whole() {
    let panel = Panel::new(&["SMP201"]);
    let mut config = panel.config();
    config.chunk_size = 256;
    let driver = Arc::new(panel.connect(config));
    let smp = instance(&driver, "SMP201");
    let target = panel.game("SMP201").join("server.properties");
    let old = fs::read(&target).unwrap();
    // 1024 chunks: the upload takes long enough to be cut off in the middle.
    let new: Vec<u8> = (0..256 * 1024).map(|i| b'a' + (i % 26) as u8).collect();

    let writer = {
        let (driver, smp, new) = (driver.clone(), smp.clone(), new.clone());
        std::thread::spawn(move || driver.write(&smp, &rel("server.properties"), &new))
    };
    let uploading = |dir: &std::path::Path| {
        names_in(dir)
            .iter()
            .any(|n| n.starts_with(".server.properties.homeamp-") && n.ends_with(".tmp"))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !uploading(&panel.game("SMP201")) {
        assert!(Instant::now() < deadline, "the upload never started");
        assert!(!writer.is_finished(), "the upload ended before it was cut");
        std::thread::sleep(Duration::from_millis(1));
    }
    // The instance's AMP process goes down mid-upload.
    panel.sim.set_instance_running("SMP201", false);
    let cut = writer.join().unwrap();
    assert!(
        matches!(cut, Err(DriverError::Unreachable { .. })),
        "{cut:?}"
    );
    assert!(cut.unwrap_err().to_string().contains("not running"));
    assert_eq!(fs::read(&target).unwrap(), old, "the target is not torn");

    // Back up, the next write goes through whole.
    panel.sim.set_instance_running("SMP201", true);
    driver.write(&smp, &rel("server.properties"), &new).unwrap();
    assert_eq!(fs::read(&target).unwrap(), new);
}

#[test]
fn an_expired_session_costs_one_login() {
    let panel = Panel::new(&["SMP201"]);
    let driver = panel.driver();
    let smp = instance(&driver, "SMP201");
    let path = rel("server.properties");
    driver.read(&smp, &path).unwrap();
    let (controller, logins) = (
        panel.sim.controller_logins(),
        panel.sim.instance_logins("SMP201"),
    );
    driver.read(&smp, &path).unwrap();
    assert_eq!(panel.sim.instance_logins("SMP201"), logins, "reused");

    panel.sim.expire_sessions();
    driver.read(&smp, &path).unwrap();
    driver.write(&smp, &path, b"motd=x\n").unwrap();
    assert_eq!(panel.sim.instance_logins("SMP201"), logins + 1);
    driver.discover().unwrap();
    assert_eq!(panel.sim.controller_logins(), controller + 1);

    // Many callers meeting the expired session at once share one login.
    panel.sim.expire_sessions();
    let driver = Arc::new(driver);
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (driver, smp, path) = (driver.clone(), smp.clone(), path.clone());
            std::thread::spawn(move || driver.read(&smp, &path).unwrap())
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.join().unwrap().unwrap(), b"motd=x\n");
    }
    assert_eq!(panel.sim.instance_logins("SMP201"), logins + 2);
}

#[test]
fn a_wrong_password_fails_at_connect_naming_the_settings() {
    let panel = Panel::new(&["SMP201"]);
    let mut config = panel.config();
    config.password = "wrong".into();
    let err = AmpDriver::connect(config, panel.runtime.handle().clone()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, DriverError::Discovery { .. }), "{message}");
    assert!(message.contains("amp.password"), "{message}");
}

#[test]
fn amps_fault_answers_are_clear_refusals_and_the_legacy_wrapper_is_read() {
    let panel = Panel::new(&["SMP201"]);
    let outside = tempfile::tempdir().unwrap();
    fs::create_dir_all(panel.game("SMP201").join("plugins")).unwrap();
    std::os::unix::fs::symlink(outside.path(), panel.game("SMP201").join("plugins/out")).unwrap();
    let driver = panel.driver();
    let smp = instance(&driver, "SMP201");
    let fault = driver.list(&smp, Some(&rel("plugins/out"))).unwrap_err();
    assert!(matches!(fault, DriverError::Refused { .. }), "{fault:?}");
    let message = fault.to_string();
    assert!(
        message.starts_with("amp: SMP201: list \"plugins/out\" refused: Directory listing failed"),
        "{message}"
    );
    assert!(driver.write(&smp, &rel("plugins/out/x.yml"), b"x").is_err());
    assert_eq!(names_in(outside.path()), Vec::<String>::new());

    // AMP before 2.3 wraps every result in {"result": …}.
    panel.sim.set_legacy_result_wrapper(true);
    assert_eq!(names(&driver.discover().unwrap()), ["SMP201"]);
    driver
        .write(&smp, &rel("server.properties"), b"motd=old AMP\n")
        .unwrap();
    assert_eq!(
        driver
            .read(&smp, &rel("server.properties"))
            .unwrap()
            .unwrap(),
        b"motd=old AMP\n"
    );
}
