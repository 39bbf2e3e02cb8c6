//! Instance detection: AMP layout, plain layout, and folders that are not instances.

use std::fs;

use homeamp_agent::Layout;
use homeamp_schemas::desired::Platform;

use crate::support::*;

#[test]
fn amp_and_plain_layouts_are_both_detected() {
    let fleet = Fleet::new();
    let amp_game = fleet.amp_instance("SMP201");
    fleet.plain_instance("DEV01");
    write(
        &fleet.root.path().join("VEL01/velocity.toml"),
        "bind = \"0.0.0.0:25565\"\n",
    );
    write(
        &fleet.root.path().join("GEY01/config.yml"),
        "bedrock:\n  port: 19132\n",
    );
    // Not instances: a hidden folder, an empty folder, a stray file, AMP's own data folder.
    write(&fleet.root.path().join(".trash/server.properties"), "x=1\n");
    fs::create_dir_all(fleet.root.path().join("empty")).unwrap();
    write(&fleet.root.path().join("notes.txt"), "hi\n");
    write(&fleet.root.path().join("Backups/readme.md"), "x\n");

    let agent = fleet.agent();
    let found: Vec<(String, Layout)> = agent
        .instances()
        .into_iter()
        .map(|i| {
            let layout = folder(&agent, &i.name).layout;
            (i.name, layout)
        })
        .collect();
    assert_eq!(
        found,
        [
            ("DEV01".to_string(), Layout::Plain),
            ("GEY01".to_string(), Layout::Plain),
            ("SMP201".to_string(), Layout::Amp),
            ("VEL01".to_string(), Layout::Plain),
        ]
    );
    let smp = folder(&agent, "SMP201");
    assert_eq!(smp.game_root, fs::canonicalize(&amp_game).unwrap());
    assert_eq!(
        smp.dir,
        fs::canonicalize(fleet.root.path().join("SMP201")).unwrap()
    );
    let platform = |name: &str| agent.scan(name).unwrap().platform;
    assert_eq!(platform("SMP201"), Some(Platform::Paper));
    assert_eq!(platform("VEL01"), Some(Platform::Velocity));
    assert_eq!(platform("GEY01"), Some(Platform::Geyser));
}

#[test]
fn amp_layout_scans_paths_relative_to_the_minecraft_folder() {
    let fleet = Fleet::new();
    let game = fleet.amp_instance("SMP201");
    write(&game.join("plugins/Essentials/config.yml"), "ops: []\n");
    // AMP's own files beside Minecraft/ are not the game's.
    write(&fleet.root.path().join("SMP201/GenericModule.kvp"), "x=y\n");
    write(
        &fleet.root.path().join("SMP201/config.yml"),
        "not: scanned\n",
    );
    let agent = fleet.agent();
    let manifest = agent.scan("SMP201").unwrap();
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["plugins/Essentials/config.yml", "server.properties"]
    );
}

#[test]
fn a_new_instance_folder_is_found_on_rediscovery() {
    let fleet = Fleet::new();
    fleet.plain_instance("A");
    let agent = fleet.agent();
    assert_eq!(agent.instances().len(), 1);
    fleet.amp_instance("B");
    let found = agent.rediscover().unwrap();
    assert_eq!(
        found.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["A", "B"]
    );
    assert!(agent.scan("B").is_ok());
}

#[test]
fn a_missing_instances_root_is_a_clear_error() {
    let fleet = Fleet::new();
    let mut config = fleet.config();
    config.instances_root = fleet.root.path().join("does-not-exist");
    let err = homeamp_agent::Agent::new(config).err().unwrap().to_string();
    assert!(
        err.contains("does-not-exist") && err.contains("instances_root"),
        "{err}"
    );
}
