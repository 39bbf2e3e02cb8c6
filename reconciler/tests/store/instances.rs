//! Instances: upsert, moves between servers, filters, status.

use anyhow::Result;
use homeamp_reconciler::store::{InstanceStatusUpdate, NewInstance, StoreError};
use homeamp_schemas::desired::Platform;
use homeamp_schemas::status::SyncState;

use crate::support::{Db, small_fleet};

async fn an_instance_needs_a_known_server(db: Db) -> Result<()> {
    let err = db
        .store
        .upsert_instance(&NewInstance {
            name: "SMP201".into(),
            server: "nowhere".into(),
            platform: Platform::Paper,
            amp_instance_id: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { kind: "server", .. }),
        "{err}"
    );
    assert!(db.store.instance("SMP201").await?.is_none());
    Ok(())
}

async fn instances_are_listed_per_server_and_can_move(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let names = |list: Vec<homeamp_reconciler::store::InstanceRecord>| {
        list.into_iter().map(|i| i.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.list_instances(None).await?),
        ["HUB01", "SMP201", "VEL01"]
    );
    assert_eq!(
        names(store.list_instances(Some("ovh")).await?),
        ["SMP201", "VEL01"]
    );

    let id = store.instance("SMP201").await?.expect("stored").id;
    let moved = store
        .upsert_instance(&NewInstance {
            name: "SMP201".into(),
            server: "hetzner".into(),
            platform: Platform::Paper,
            amp_instance_id: Some("b7d2c1a0".into()),
        })
        .await?;
    assert_eq!(moved, id, "an upsert keeps the row");
    let record = store.instance("SMP201").await?.expect("stored");
    assert_eq!(record.server, "hetzner");
    assert_eq!(record.platform, Platform::Paper);
    assert_eq!(record.amp_instance_id.as_deref(), Some("b7d2c1a0"));
    assert_eq!(names(store.list_instances(Some("ovh")).await?), ["VEL01"]);
    assert_eq!(
        store.instance("VEL01").await?.expect("stored").platform,
        Platform::Velocity
    );
    Ok(())
}

async fn instance_status_is_kept(db: Db) -> Result<()> {
    let store = db.store;
    small_fleet(&store).await?;
    let update = InstanceStatusUpdate {
        status: SyncState::OutOfSync,
        message: Some("2 settings differ".into()),
        synced_revision: Some("abc123".into()),
    };
    store.set_instance_status("SMP201", &update).await?;
    let record = store.instance("SMP201").await?.expect("stored");
    assert_eq!(record.status, Some(SyncState::OutOfSync));
    assert_eq!(record.status_message.as_deref(), Some("2 settings differ"));
    assert_eq!(record.synced_revision.as_deref(), Some("abc123"));
    let err = store
        .set_instance_status("NOPE", &update)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::NotFound {
            kind: "instance",
            ..
        }
    ));
    Ok(())
}

store_tests!(
    an_instance_needs_a_known_server,
    instances_are_listed_per_server_and_can_move,
    instance_status_is_kept,
);
