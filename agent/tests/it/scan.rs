//! Scanning an instance tree: which files, their hashes, plugin JARs and their
//! descriptors, and reuse of hashes for unchanged files.

use std::fs;
use std::time::{Duration, SystemTime};

use homeamp_schemas::desired::Platform;
use homeamp_schemas::report::PluginDescriptor;

use crate::support::*;

#[test]
fn scan_lists_config_files_by_the_rule() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let files = [
        "bukkit.yml",
        "spigot.yml",
        "config/paper-global.yml",
        "config/paper-world-defaults.yml",
        "plugins/Essentials/config.yml",
        "plugins/LuckPerms/config.yml",
        "plugins/LuckPerms/lp.conf",
        "plugins/bStats/config.yml",
        "plugins/Foo/messages/en.properties",
        "plugins/Foo/settings.json",
        "plugins/Foo/notes.txt",
        "plugins/Foo/a.toml",
        "plugins/Foo/b.yaml",
    ];
    for f in files {
        write(&game.join(f), "key: value\n");
    }
    let skipped = [
        "plugins/Essentials/userdata/0000-1111.yml",
        "plugins/Foo/data/cache.json",
        "plugins/Foo/logs/latest.txt",
        "plugins/Foo/storage.db",
        "plugins/Foo/.hidden.yml",
        "plugins/.paper-remapped/index.json",
        "plugins/dynmap/web/standalone/config.json",
        "world/level.dat",
        "logs/latest.log",
        "ops.json",
        "config/other.yml",
        "plugins/Foo/icon.png",
    ];
    for f in skipped {
        write(&game.join(f), "x: 1\n");
    }
    // Larger than the size cap: data, not configuration.
    write(
        &game.join("plugins/Foo/huge.json"),
        &"x".repeat(4 * 1024 * 1024 + 1),
    );
    // Symlinks are not followed.
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("secret.yml"), "password: x\n");
    std::os::unix::fs::symlink(
        outside.path().join("secret.yml"),
        game.join("plugins/Foo/linked.yml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), game.join("plugins/Linked")).unwrap();

    let agent = fleet.agent();
    let manifest = agent.scan("SMP201").unwrap();
    let mut expected: Vec<&str> = files.to_vec();
    expected.push("server.properties");
    expected.sort();
    let got: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(got, expected);
    assert_eq!(manifest.server, SERVER);
    assert_eq!(manifest.instance, "SMP201");
    assert_eq!(manifest.platform, Some(Platform::Paper));

    let essentials = manifest.file("plugins/Essentials/config.yml").unwrap();
    assert_eq!(essentials.sha256, sha256(b"key: value\n"));
    assert_eq!(essentials.size, 11);
    let mtime = fs::metadata(game.join("plugins/Essentials/config.yml"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(essentials.mtime, jiff::Timestamp::try_from(mtime).unwrap());
}

#[test]
fn plugin_jars_report_name_and_version_from_their_descriptor() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    make_jar(
        &game.join("plugins/CoreProtect-22.4.jar"),
        &[
            (
                "plugin.yml",
                "name: CoreProtect\nmain: net.coreprotect.CoreProtect\nversion: 22.4\n",
            ),
            ("net/coreprotect/CoreProtect.class", "\u{0}binary"),
            ("config.yml", "inside: the jar, never listed\n"),
        ],
    );
    make_jar(
        &game.join("plugins/paper-only.jar"),
        &[
            (
                "paper-plugin.yml",
                "name: PaperThing\nversion: '1.10'\nmain: a.B\n",
            ),
            ("plugin.yml", "name: LegacyName\nversion: 0.1\n"),
        ],
    );
    make_jar(
        &game.join("plugins/some-library.jar"),
        &[("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")],
    );
    write(&game.join("plugins/not-a-zip.jar"), "this is not a zip");
    // JARs below plugins/ are not plugins (libraries, update folder).
    make_jar(
        &game.join("plugins/update/CoreProtect-23.jar"),
        &[("plugin.yml", "name: CoreProtect\n")],
    );

    let agent = fleet.agent();
    let manifest = agent.scan("SMP201").unwrap();
    let jars: Vec<(&str, &str, Option<&str>, Option<PluginDescriptor>)> = manifest
        .plugins
        .iter()
        .map(|p| {
            (
                p.file.as_str(),
                p.name.as_str(),
                p.version.as_deref(),
                p.descriptor,
            )
        })
        .collect();
    assert_eq!(
        jars,
        [
            (
                "plugins/CoreProtect-22.4.jar",
                "CoreProtect",
                Some("22.4"),
                Some(PluginDescriptor::PluginYml)
            ),
            ("plugins/not-a-zip.jar", "not-a-zip", None, None),
            (
                "plugins/paper-only.jar",
                "PaperThing",
                Some("1.10"),
                Some(PluginDescriptor::PaperPluginYml)
            ),
            ("plugins/some-library.jar", "some-library", None, None),
        ]
    );
    let cp = &manifest.plugins[0];
    assert_eq!(cp.main.as_deref(), Some("net.coreprotect.CoreProtect"));
    assert_eq!(
        cp.sha256,
        file_sha(&game.join("plugins/CoreProtect-22.4.jar"))
    );
    assert_eq!(cp.platform(), Some(Platform::Paper));
    // JAR internals never appear as files.
    assert!(manifest.files.iter().all(|f| !f.path.contains(".jar")));
}

#[test]
fn velocity_jars_read_velocity_plugin_json_first_on_a_proxy() {
    let fleet = Fleet::new();
    let game = fleet.root.path().join("VEL01");
    write(&game.join("velocity.toml"), "bind = \"0.0.0.0:25577\"\n");
    make_jar(
        &game.join("plugins/LuckPerms-Velocity.jar"),
        &[
            (
                "velocity-plugin.json",
                r#"{"id":"luckperms","name":"LuckPerms","version":"5.4.141","main":"me.lucko.luckperms.velocity.LPVelocityBootstrap"}"#,
            ),
            ("plugin.yml", "name: LuckPermsBukkitSide\nversion: 0\n"),
        ],
    );
    let agent = fleet.agent();
    let manifest = agent.scan("VEL01").unwrap();
    assert_eq!(manifest.platform, Some(Platform::Velocity));
    let lp = &manifest.plugins[0];
    assert_eq!(
        (lp.name.as_str(), lp.version.as_deref()),
        ("LuckPerms", Some("5.4.141"))
    );
    assert_eq!(lp.descriptor, Some(PluginDescriptor::VelocityPluginJson));
    assert_eq!(
        manifest
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["velocity.toml"]
    );
}

/// Sets a file's mtime into the past, so its hash counts as stable (not "racily clean").
fn age(path: &std::path::Path, secs: u64) {
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn a_rescan_reads_only_files_whose_size_or_mtime_changed() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    for i in 0..20 {
        write(
            &game.join(format!("plugins/P{i}/config.yml")),
            &format!("n: {i}\n"),
        );
    }
    make_jar(
        &game.join("plugins/P0.jar"),
        &[("plugin.yml", "name: P0\nversion: 1\n")],
    );
    for entry in walk(&game) {
        age(&entry, 60);
    }
    let agent = fleet.agent();
    let first = agent.scan("SMP201").unwrap();
    assert_eq!(agent.files_hashed_last_scan("SMP201"), Some(22));
    let second = agent.scan("SMP201").unwrap();
    assert_eq!(agent.files_hashed_last_scan("SMP201"), Some(0));
    assert_eq!(first.files, second.files);
    assert_eq!(first.plugins, second.plugins);

    write(&game.join("plugins/P3/config.yml"), "n: 333\n");
    let third = agent.scan("SMP201").unwrap();
    assert_eq!(agent.files_hashed_last_scan("SMP201"), Some(1));
    assert_eq!(
        third.file("plugins/P3/config.yml").unwrap().sha256,
        sha256(b"n: 333\n")
    );
}

#[test]
fn regression_same_size_rewrite_within_one_mtime_tick_is_not_missed() {
    // A file hashed right after being written may be rewritten with the same size
    // and the same (coarse) mtime; reusing its hash would hide the change forever.
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let path = game.join("plugins/A/config.yml");
    write(&path, "value: 1\n");
    let pinned = fs::metadata(&path).unwrap().modified().unwrap();
    let agent = fleet.agent();
    agent.scan("SMP201").unwrap();
    write(&path, "value: 2\n");
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(pinned)
        .unwrap();
    let manifest = agent.scan("SMP201").unwrap();
    assert_eq!(
        manifest.file("plugins/A/config.yml").unwrap().sha256,
        sha256(b"value: 2\n")
    );
}

#[test]
fn removed_files_leave_the_manifest() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    write(&game.join("plugins/A/config.yml"), "a: 1\n");
    let agent = fleet.agent();
    assert!(
        agent
            .scan("SMP201")
            .unwrap()
            .file("plugins/A/config.yml")
            .is_some()
    );
    fs::remove_dir_all(game.join("plugins/A")).unwrap();
    assert!(
        agent
            .scan("SMP201")
            .unwrap()
            .file("plugins/A/config.yml")
            .is_none()
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
