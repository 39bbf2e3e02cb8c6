//! Drift records: open, update, resolve; filters.

use anyhow::Result;
use homeamp_reconciler::store::{
    DriftFilter, DriftObservation, DriftOutcome, DriftType, Severity, Store,
};
use homeamp_schemas::job::JobIntent;

use crate::support::{Db, small_fleet, t};

fn setting(plugin: &str, key: &str, live: &str) -> DriftObservation {
    DriftObservation {
        plugin: Some(plugin.into()),
        config_file: Some("config.yml".into()),
        key_path: Some(key.into()),
        drift_type: DriftType::Setting,
        severity: Severity::Warning,
        cause: JobIntent::Corrective,
        desired_value: Some("true".into()),
        live_value: Some(live.into()),
    }
}

async fn open(store: &Store) -> Result<usize> {
    let filter = DriftFilter {
        open_only: true,
        ..DriftFilter::default()
    };
    Ok(store.list_drift(&filter).await?.len())
}

async fn drift_is_opened_updated_and_resolved(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let obs = setting("CoreProtect", "verbose", "false");
    let DriftOutcome::Opened(id) = store.observe_drift("SMP201", &obs, t(1)).await? else {
        panic!("not opened");
    };
    assert_eq!(
        store.observe_drift("SMP201", &obs, t(2)).await?,
        DriftOutcome::Unchanged(id)
    );

    let mut changed = obs.clone();
    changed.live_value = Some("no".into());
    changed.severity = Severity::Critical;
    assert_eq!(
        store.observe_drift("SMP201", &changed, t(3)).await?,
        DriftOutcome::Updated(id)
    );

    let record = store.list_drift(&DriftFilter::default()).await?.remove(0);
    assert_eq!(record.id, id);
    assert_eq!(
        (record.server.as_str(), record.instance.as_str()),
        ("ovh", "SMP201")
    );
    assert_eq!(record.key_path.as_deref(), Some("verbose"));
    assert_eq!(record.live_value.as_deref(), Some("no"));
    assert_eq!(record.severity, Severity::Critical);
    assert_eq!(record.cause, JobIntent::Corrective);
    assert_eq!((record.detected_at, record.updated_at), (t(1), t(3)));
    assert!(!record.resolved);

    assert!(store.resolve_drift(id, t(4)).await?);
    assert!(!store.resolve_drift(id, t(5)).await?, "already resolved");
    let record = store.list_drift(&DriftFilter::default()).await?.remove(0);
    assert!(record.resolved);
    assert_eq!(record.resolved_at, Some(t(4)));

    // The same difference coming back is a new record.
    let DriftOutcome::Opened(again) = store.observe_drift("SMP201", &obs, t(6)).await? else {
        panic!("not reopened");
    };
    assert_ne!(again, id);
    assert_eq!(open(&store).await?, 1);
    Ok(())
}

async fn sync_drift_makes_open_records_match_the_observations(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let a = setting("CoreProtect", "verbose", "false");
    let b = setting("CoreProtect", r#"groups."essentials.home""#, "false");
    let c = DriftObservation {
        plugin: Some("Vault".into()),
        config_file: None,
        key_path: None,
        drift_type: DriftType::Plugin,
        severity: Severity::Critical,
        cause: JobIntent::Intentional,
        desired_value: Some("1.7.3".into()),
        live_value: None,
    };
    let first = store
        .sync_drift("SMP201", &[a.clone(), b.clone()], t(1))
        .await?;
    assert_eq!((first.opened.len(), first.resolved.len()), (2, 0));
    store.observe_drift("HUB01", &a, t(1)).await?;

    let mut b2 = b.clone();
    b2.live_value = Some("maybe".into());
    let second = store.sync_drift("SMP201", &[b2, c], t(2)).await?;
    assert_eq!(second.opened.len(), 1, "c");
    assert_eq!(second.updated, vec![first.opened[1]], "b");
    assert_eq!(second.resolved, vec![first.opened[0]], "a");
    assert_eq!(open(&store).await?, 3, "b and c on SMP201, a on HUB01");

    let none = store.sync_drift("SMP201", &[], t(3)).await?;
    assert_eq!(none.resolved.len(), 2);
    assert_eq!(
        open(&store).await?,
        1,
        "HUB01's record is not SMP201's business"
    );
    Ok(())
}

async fn drift_is_listed_by_server_instance_plugin_and_openness(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    store
        .observe_drift("SMP201", &setting("CoreProtect", "a", "x"), t(1))
        .await?;
    store
        .observe_drift("VEL01", &setting("LuckPerms", "b", "x"), t(1))
        .await?;
    let DriftOutcome::Opened(hub) = store
        .observe_drift("HUB01", &setting("CoreProtect", "c", "x"), t(1))
        .await?
    else {
        panic!("not opened");
    };
    store.resolve_drift(hub, t(2)).await?;

    let count = |filter: DriftFilter| {
        let store = store.clone();
        async move { store.list_drift(&filter).await.map(|l| l.len()) }
    };
    assert_eq!(count(DriftFilter::default()).await?, 3);
    assert_eq!(
        count(DriftFilter {
            server: Some("ovh".into()),
            ..Default::default()
        })
        .await?,
        2
    );
    assert_eq!(
        count(DriftFilter {
            instance: Some("VEL01".into()),
            ..Default::default()
        })
        .await?,
        1
    );
    assert_eq!(
        count(DriftFilter {
            plugin: Some("CoreProtect".into()),
            ..Default::default()
        })
        .await?,
        2
    );
    assert_eq!(
        count(DriftFilter {
            plugin: Some("CoreProtect".into()),
            open_only: true,
            ..Default::default()
        })
        .await?,
        1
    );
    assert_eq!(
        count(DriftFilter {
            limit: Some(2),
            ..Default::default()
        })
        .await?,
        2
    );
    let newest = store
        .list_drift(&DriftFilter {
            limit: Some(1),
            newest_first: true,
            ..Default::default()
        })
        .await?;
    assert_eq!(newest[0].instance, "HUB01");
    let oldest = store
        .list_drift(&DriftFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    assert_eq!(oldest[0].instance, "SMP201");
    Ok(())
}

async fn an_observation_listed_twice_in_one_sync_counts_once_with_its_last_values(
    db: Db,
) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let first = setting("CoreProtect", "verbose", "false");
    let mut last = first.clone();
    last.live_value = Some("off".into());
    let sync = store.sync_drift("SMP201", &[first, last], t(1)).await?;
    assert_eq!(sync.opened.len(), 1);
    let records = store.list_drift(&DriftFilter::default()).await?;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].live_value.as_deref(), Some("off"));
    Ok(())
}

store_tests!(
    drift_is_opened_updated_and_resolved,
    sync_drift_makes_open_records_match_the_observations,
    drift_is_listed_by_server_instance_plugin_and_openness,
    an_observation_listed_twice_in_one_sync_counts_once_with_its_last_values,
);
