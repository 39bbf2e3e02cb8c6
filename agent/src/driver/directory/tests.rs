//! The directory driver's operations, called through the [`Driver`] trait as the scan and
//! the job kinds call them.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use homeamp_schemas::job::LifecycleAction;

use super::*;
use crate::driver::PathEscape;

struct Fixture {
    _root: tempfile::TempDir,
    root: PathBuf,
    driver: DirectoryDriver,
}

fn fixture(lifecycle: LifecycleCommands) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(dir.path()).unwrap();
    write(&root.join("SMP201/Minecraft/server.properties"), "motd=x\n");
    write(&root.join("DEV01/velocity.toml"), "bind = 1\n");
    let driver = DirectoryDriver::new(DirectoryConfig {
        root: root.clone(),
        server: "ovh".into(),
        lifecycle,
        command_timeout: Duration::from_secs(10),
        history_keep: 2,
    });
    Fixture {
        _root: dir,
        root,
        driver,
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn rel(path: &str) -> RelPath {
    RelPath::new(path).unwrap()
}

/// The driver as the agent holds it, and the instance `name` it discovered.
fn discovered<'a>(f: &'a Fixture, name: &str) -> (&'a dyn Driver, Instance) {
    let driver: &dyn Driver = &f.driver;
    let instance = driver
        .discover()
        .unwrap()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap();
    (driver, instance)
}

#[test]
fn discover_names_instances_of_both_layouts_and_where_they_are() {
    let f = fixture(LifecycleCommands::default());
    let driver: &dyn Driver = &f.driver;
    let found = driver.discover().unwrap();
    assert_eq!(
        found,
        [
            Instance {
                name: "DEV01".into(),
                location: f.root.join("DEV01").display().to_string(),
            },
            Instance {
                name: "SMP201".into(),
                location: f.root.join("SMP201/Minecraft").display().to_string(),
            },
        ]
    );
    assert_eq!(f.driver.folder("SMP201").unwrap().layout, Layout::Amp);
    assert_eq!(driver.name(), "directory");
    assert_eq!(driver.location(), f.root.display().to_string());
    // A folder that goes away is forgotten by the next discovery.
    fs::remove_dir_all(f.root.join("DEV01")).unwrap();
    assert_eq!(driver.discover().unwrap().len(), 1);
    assert!(f.driver.folder("DEV01").is_none());
}

#[test]
fn list_gives_files_with_size_and_folders_and_leaves_links_out() {
    let f = fixture(LifecycleCommands::default());
    let game = f.root.join("SMP201/Minecraft");
    write(&game.join("plugins/X/config.yml"), "a: 1\n");
    std::os::unix::fs::symlink(game.join("server.properties"), game.join("link.properties"))
        .unwrap();
    let (driver, smp) = discovered(&f, "SMP201");
    let mut root: Vec<(String, EntryKind)> = driver
        .list(&smp, None)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect();
    root.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(root.len(), 2, "{root:?}");
    assert_eq!(root[0], ("plugins".to_string(), EntryKind::Folder));
    assert!(
        matches!(root[1], (ref n, EntryKind::File(FileMeta { size: 7, .. })) if n == "server.properties"),
        "{root:?}"
    );
    let x = driver.list(&smp, Some(&rel("plugins/X"))).unwrap().unwrap();
    assert_eq!(x.len(), 1);
    assert_eq!(x[0].name, "config.yml");
    assert_eq!(driver.list(&smp, Some(&rel("plugins/Gone"))).unwrap(), None);
}

#[test]
fn stat_read_and_sha256_answer_none_for_what_is_not_a_file() {
    let f = fixture(LifecycleCommands::default());
    let (driver, smp) = discovered(&f, "SMP201");
    let props = rel("server.properties");
    assert_eq!(driver.stat(&smp, &props).unwrap().unwrap().size, 7);
    assert_eq!(driver.read(&smp, &props).unwrap().unwrap(), b"motd=x\n");
    assert_eq!(
        driver.sha256(&smp, &props).unwrap().unwrap(),
        crate::digest::sha256_hex(b"motd=x\n")
    );
    let missing = rel("plugins/none.yml");
    assert_eq!(driver.stat(&smp, &missing).unwrap(), None);
    assert_eq!(driver.read(&smp, &missing).unwrap(), None);
    assert_eq!(driver.sha256(&smp, &missing).unwrap(), None);
    fs::create_dir_all(f.root.join("SMP201/Minecraft/plugins/Folder")).unwrap();
    assert_eq!(driver.stat(&smp, &rel("plugins/Folder")).unwrap(), None);
}

#[test]
fn write_replaces_atomically_keeping_mode_and_history_beside_the_game_root() {
    let f = fixture(LifecycleCommands::default());
    let (driver, smp) = discovered(&f, "SMP201");
    let game = f.root.join("SMP201/Minecraft");
    let path = rel("plugins/X/config.yml");
    // A new file in a new folder.
    driver.write(&smp, &path, b"v: 1\n").unwrap();
    assert_eq!(
        fs::read(game.join("plugins/X/config.yml")).unwrap(),
        b"v: 1\n"
    );
    fs::set_permissions(
        game.join("plugins/X/config.yml"),
        fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    for v in 2..=4 {
        driver
            .write(&smp, &path, format!("v: {v}\n").as_bytes())
            .unwrap();
    }
    let target = game.join("plugins/X/config.yml");
    assert_eq!(fs::read_to_string(&target).unwrap(), "v: 4\n");
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(game.join("plugins/X")).unwrap().count(), 1);
    // Three versions were replaced; history_keep is 2.
    let folder = f.driver.folder("SMP201").unwrap();
    let history = History {
        instance: &folder.dir,
        keep: 2,
    };
    let kept = history.versions(path.as_str()).unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(fs::read_to_string(&kept[1]).unwrap(), "v: 3\n");
    assert!(kept[1].starts_with(f.root.join("SMP201/.homeamp/history")));
    assert!(!game.join(".homeamp").exists());
}

#[test]
fn remove_keeps_the_file_in_the_history_and_an_absent_file_is_fine() {
    let f = fixture(LifecycleCommands::default());
    let (driver, smp) = discovered(&f, "SMP201");
    let game = f.root.join("SMP201/Minecraft");
    write(&game.join("plugins/Old.jar"), "jar");
    let jar = rel("plugins/Old.jar");
    driver.remove(&smp, &jar).unwrap();
    assert!(!game.join("plugins/Old.jar").exists());
    let folder = f.driver.folder("SMP201").unwrap();
    let history = History {
        instance: &folder.dir,
        keep: 2,
    };
    let kept = history.versions(jar.as_str()).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(fs::read_to_string(&kept[0]).unwrap(), "jar");
    driver.remove(&smp, &jar).unwrap();
}

#[test]
fn every_file_operation_refuses_a_symlink_out_of_the_game_root() {
    let f = fixture(LifecycleCommands::default());
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("secret.yml"), "s: 1\n");
    let game = f.root.join("SMP201/Minecraft");
    fs::create_dir_all(game.join("plugins")).unwrap();
    std::os::unix::fs::symlink(outside.path(), game.join("plugins/out")).unwrap();
    let (driver, smp) = discovered(&f, "SMP201");
    let out = rel("plugins/out/secret.yml");
    let escape = |r: Result<(), DriverError>| {
        assert!(
            matches!(r, Err(DriverError::Escape(PathEscape::Symlink { .. }))),
            "{r:?}"
        )
    };
    escape(driver.stat(&smp, &out).map(drop));
    escape(driver.read(&smp, &out).map(drop));
    escape(driver.sha256(&smp, &out).map(drop));
    escape(driver.write(&smp, &out, b"x"));
    escape(driver.remove(&smp, &out));
    escape(driver.list(&smp, Some(&rel("plugins/out"))).map(drop));
    assert_eq!(
        fs::read_to_string(outside.path().join("secret.yml")).unwrap(),
        "s: 1\n"
    );
}

#[test]
fn lifecycle_and_console_run_templates_and_status_is_unknown() {
    let f = fixture(LifecycleCommands {
        restart: Some("true restart {instance}".into()),
        console: Some("echo {server}:{instance}: {command}".into()),
        ..Default::default()
    });
    let (driver, smp) = discovered(&f, "SMP201");
    let restart = driver.lifecycle(&smp, &LifecycleAction::Restart).unwrap();
    assert!(restart.changed);
    assert_eq!(restart.message, "restart: ran true restart SMP201");
    let stop = driver.lifecycle(&smp, &LifecycleAction::Stop).unwrap();
    assert!(!stop.changed);
    assert_eq!(stop.message, "no lifecycle command configured");
    assert_eq!(
        driver.console(&smp, "list; rm -rf /").unwrap(),
        "ovh:SMP201: list; rm -rf /\n"
    );
    assert_eq!(driver.status(&smp).unwrap(), InstanceStatus::UNKNOWN);
}

#[test]
fn without_a_console_template_console_commands_are_unsupported() {
    let f = fixture(LifecycleCommands::default());
    let (driver, smp) = discovered(&f, "SMP201");
    assert!(matches!(
        driver.console(&smp, "list"),
        Err(DriverError::Unsupported { .. })
    ));
}

#[test]
fn an_instance_the_driver_did_not_discover_is_refused() {
    let f = fixture(LifecycleCommands::default());
    let driver: &dyn Driver = &f.driver;
    let stranger = Instance {
        name: "SMP201".into(),
        location: String::new(),
    };
    // Nothing discovered yet.
    assert!(matches!(
        driver.read(&stranger, &rel("server.properties")),
        Err(DriverError::UnknownInstance { .. })
    ));
}

#[tokio::test]
async fn the_watcher_reports_a_relevant_change_by_instance_name() {
    let f = fixture(LifecycleCommands::default());
    let (driver, smp) = discovered(&f, "SMP201");
    let (tx, mut changed) = tokio::sync::mpsc::unbounded_channel();
    let rules = crate::scan::ScanRules::default();
    let feed = ChangeFeed::new(move |rel| rules.is_relevant_change(rel), tx);
    let mut watcher = driver
        .watch(feed)
        .unwrap()
        .expect("the directory driver watches");
    watcher.refresh(std::slice::from_ref(&smp));
    write(
        &f.root.join("SMP201/Minecraft/server.properties"),
        "motd=changed\n",
    );
    let name = tokio::time::timeout(Duration::from_secs(10), changed.recv())
        .await
        .expect("no change notification within 10 s");
    assert_eq!(name.as_deref(), Some("SMP201"));
}
