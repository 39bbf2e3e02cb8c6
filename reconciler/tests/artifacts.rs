//! The artifact store on a real directory: indexing, lookups by version, refresh, adds.

use homeamp_jar::plugin_jar;
use homeamp_reconciler::artifacts::{ArtifactError, ArtifactStore};
use homeamp_schemas::desired::Platform;
use homeamp_schemas::report::PluginDescriptor;

fn jar(name: &str, version: &str) -> Vec<u8> {
    plugin_jar(PluginDescriptor::PluginYml, name, version, "a.Main").unwrap()
}

#[test]
fn jars_are_found_by_platform_name_and_version_and_the_newest_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lp-old.jar"), jar("LuckPerms", "5.4.99")).unwrap();
    std::fs::write(dir.path().join("lp-new.jar"), jar("LuckPerms", "5.4.102")).unwrap();
    std::fs::write(
        dir.path().join("lp-pre.jar"),
        jar("LuckPerms", "5.5-SNAPSHOT"),
    )
    .unwrap();
    let velocity = plugin_jar(
        PluginDescriptor::VelocityPluginJson,
        "LuckPerms",
        "5.4.1",
        "a.V",
    )
    .unwrap();
    std::fs::write(dir.path().join("lp-velocity.jar"), &velocity).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a jar").unwrap();
    std::fs::write(
        dir.path().join("library.jar"),
        homeamp_jar::build_jar(&[("a.class", b"x")]).unwrap(),
    )
    .unwrap();

    let store = ArtifactStore::open(dir.path()).unwrap();
    assert_eq!(store.list().len(), 4, "{:?}", store.list());
    let newest = store.find(Platform::Paper, "luckperms", None).unwrap();
    assert_eq!(newest.version.as_deref(), Some("5.5-SNAPSHOT"));
    let pinned = store
        .find(Platform::Paper, "LuckPerms", Some("v5.4.99"))
        .unwrap();
    assert_eq!(pinned.file_name, "lp-old.jar");
    assert_eq!(pinned.sha256, hex_sha(&jar("LuckPerms", "5.4.99")));
    let proxy = store.find(Platform::Velocity, "LuckPerms", None).unwrap();
    assert_eq!(proxy.file_name, "lp-velocity.jar");
    assert!(
        store
            .find(Platform::Paper, "LuckPerms", Some("5.4.1"))
            .is_none()
    );
    assert!(store.find(Platform::Geyser, "LuckPerms", None).is_none());
    assert_eq!(
        store.by_sha256(&hex_sha(&velocity)).unwrap().file_name,
        "lp-velocity.jar"
    );
}

#[test]
fn a_refresh_sees_added_changed_and_removed_jars() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    assert!(store.list().is_empty());
    std::fs::write(dir.path().join("cmi.jar"), jar("CMI", "9.7.0")).unwrap();
    store.refresh().unwrap();
    assert_eq!(newest(&store, "CMI").as_deref(), Some("9.7.0"));
    std::fs::write(dir.path().join("cmi.jar"), jar("CMI", "9.7.10")).unwrap();
    store.refresh().unwrap();
    assert_eq!(newest(&store, "CMI").as_deref(), Some("9.7.10"));
    std::fs::remove_file(dir.path().join("cmi.jar")).unwrap();
    store.refresh().unwrap();
    assert!(store.find(Platform::Paper, "CMI", None).is_none());
}

#[test]
fn add_writes_a_named_jar_once_and_refuses_what_is_not_a_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    let added = store.add(&jar("Multiverse-Core", "4.3.1")).unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].file_name, "Multiverse-Core-4.3.1.jar");
    assert!(dir.path().join("Multiverse-Core-4.3.1.jar").is_file());
    // The same bytes again: nothing new.
    store.add(&jar("Multiverse-Core", "4.3.1")).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let err = store.add(b"not a jar").unwrap_err();
    assert!(matches!(err, ArtifactError::NotAPlugin { .. }), "{err}");
    assert!(err.to_string().contains("plugin.yml"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The newest version of `name` the store holds for paper.
fn newest(store: &ArtifactStore, name: &str) -> Option<String> {
    store.find(Platform::Paper, name, None)?.version
}

fn hex_sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn a_jar_dropped_into_the_directory_is_found_by_the_next_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    assert!(store.find(Platform::Paper, "Vault", None).is_none());
    // No refresh() call: the directory's change is noticed by the lookup itself.
    std::fs::write(dir.path().join("Vault.jar"), jar("Vault", "1.7.3")).unwrap();
    assert_eq!(newest(&store, "Vault").as_deref(), Some("1.7.3"));
}

#[test]
fn oversized_plugin_yml_in_an_upload_is_refused_for_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    // Just over the limit: a descriptor of 1 GiB is refused for the same reason, and
    // deflated, either is a small upload.
    let mut descriptor = b"name: Huge\nversion: '1.0'\nmain: a.Main\n".to_vec();
    descriptor.resize(homeamp_jar::read::MAX_DESCRIPTOR as usize + 1, b'#');
    let bytes = homeamp_jar::build_jar(&[("plugin.yml", &descriptor)]).unwrap();
    let err = store.add(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            ArtifactError::DescriptorTooLarge {
                entry: "plugin.yml",
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("plugin.yml is 1048577 bytes"), "{message}");
    assert!(!message.contains("no plugin.yml"), "{message}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing kept"
    );
}
