//! Plugin JARs seen per instance.

use anyhow::Result;
use homeamp_schemas::report::{PluginDescriptor, PluginJar};

use crate::support::{Db, sha, small_fleet, t};

fn jar(file: &str, name: &str, version: &str, n: u8) -> PluginJar {
    PluginJar {
        file: file.into(),
        name: name.into(),
        version: Some(version.into()),
        main: None,
        descriptor: Some(PluginDescriptor::PluginYml),
        sha256: sha(n),
        size: 100,
    }
}

async fn plugins_seen_track_first_and_last_sight_and_presence(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let lp = jar("plugins/LuckPerms.jar", "LuckPerms", "5.4.0", 1);
    let co = jar("plugins/CoreProtect.jar", "CoreProtect", "22.2", 2);
    store
        .record_plugins_seen("SMP201", &[lp.clone(), co.clone()], t(1))
        .await?;
    store
        .record_plugins_seen("SMP201", &[lp.clone(), co.clone()], t(2))
        .await?;

    let current = store.current_plugins("SMP201").await?;
    assert_eq!(
        current.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["CoreProtect", "LuckPerms"]
    );
    assert!(
        current
            .iter()
            .all(|p| p.first_seen == t(1) && p.last_seen == t(2) && p.present)
    );

    // LuckPerms upgraded in place (same file, new content), CoreProtect removed.
    let lp2 = jar("plugins/LuckPerms.jar", "LuckPerms", "5.4.1", 3);
    store
        .record_plugins_seen("SMP201", std::slice::from_ref(&lp2), t(3))
        .await?;
    let current = store.current_plugins("SMP201").await?;
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].version.as_deref(), Some("5.4.1"));
    assert_eq!(current[0].sha256, sha(3));
    assert_eq!(current[0].first_seen, t(3));

    let history = store.plugin_history("SMP201").await?;
    assert_eq!(history.len(), 3);
    let old_lp = history.iter().find(|p| p.sha256 == sha(1)).expect("kept");
    assert!(!old_lp.present);
    assert_eq!(old_lp.last_seen, t(2));
    assert!(store.current_plugins("HUB01").await?.is_empty());
    assert_eq!(
        store.instance("SMP201").await?.expect("known").last_seen,
        Some(t(3))
    );
    Ok(())
}

async fn present_jars_of_a_plugin_are_found_on_every_instance(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let old = jar("plugins/LuckPerms.jar", "LuckPerms", "5.4.0", 1);
    let new = jar("plugins/LuckPerms-5.4.1.jar", "LuckPerms", "5.4.1", 2);
    store
        .record_plugins_seen("SMP201", std::slice::from_ref(&old), t(1))
        .await?;
    store
        .record_plugins_seen("HUB01", std::slice::from_ref(&new), t(1))
        .await?;
    // Names compare case-insensitively; instances come in name order.
    let found = store.present_jars_of("luckperms").await?;
    let found: Vec<_> = found
        .iter()
        .map(|(i, j)| (i.as_str(), j.version.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(found, [("HUB01", "5.4.1"), ("SMP201", "5.4.0")]);
    // A JAR no longer reported is not offered.
    store.record_plugins_seen("SMP201", &[], t(2)).await?;
    assert_eq!(store.present_jars_of("LuckPerms").await?.len(), 1);
    assert!(store.present_jars_of("Vault").await?.is_empty());
    Ok(())
}

store_tests!(
    plugins_seen_track_first_and_last_sight_and_presence,
    present_jars_of_a_plugin_are_found_on_every_instance
);
