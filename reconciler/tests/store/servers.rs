//! Physical servers and heartbeats.

use anyhow::Result;
use homeamp_reconciler::store::{NewServer, StoreError};
use homeamp_schemas::desired::ServerRole;

use crate::support::{Db, t};

fn ovh() -> NewServer {
    NewServer {
        name: "ovh".into(),
        role: ServerRole::Client,
        gaming_role: Some("secondary".into()),
        ip_address: None,
        amp_url: Some("http://127.0.0.1:8081".into()),
    }
}

async fn upsert_server_creates_once_then_updates_in_place(db: Db) -> Result<()> {
    let store = db.store;
    let id = store.upsert_server(&ovh()).await?;
    let mut changed = ovh();
    changed.role = ServerRole::Host;
    changed.amp_url = None;
    assert_eq!(store.upsert_server(&changed).await?, id);

    let server = store.server("ovh").await?.expect("stored");
    assert_eq!(server.id, id);
    assert_eq!(server.role, ServerRole::Host);
    assert_eq!(server.amp_url, None);
    assert_eq!(server.gaming_role.as_deref(), Some("secondary"));
    assert_eq!(server.last_seen, None);
    assert!(store.server("nope").await?.is_none());
    Ok(())
}

async fn servers_are_listed_by_name(db: Db) -> Result<()> {
    let store = db.store;
    for name in ["ovh", "hetzner", "backup"] {
        store
            .upsert_server(&NewServer {
                name: name.into(),
                ..ovh()
            })
            .await?;
    }
    let names: Vec<String> = store
        .list_servers()
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["backup", "hetzner", "ovh"]);
    Ok(())
}

async fn heartbeat_marks_the_server_online_and_refuses_unknown_servers(db: Db) -> Result<()> {
    let store = db.store;
    store.upsert_server(&ovh()).await?;
    store.record_heartbeat("ovh", "0.1.0", t(10)).await?;
    let server = store.server("ovh").await?.expect("stored");
    assert_eq!(server.last_seen, Some(t(10)));
    assert_eq!(server.status.as_deref(), Some("online"));
    assert_eq!(server.agent_version.as_deref(), Some("0.1.0"));

    // Declaring the server again keeps what its agent said.
    store.upsert_server(&ovh()).await?;
    assert_eq!(
        store.server("ovh").await?.expect("stored").last_seen,
        Some(t(10))
    );

    store.set_server_status("ovh", "offline").await?;
    assert_eq!(
        store
            .server("ovh")
            .await?
            .expect("stored")
            .status
            .as_deref(),
        Some("offline")
    );

    let err = store
        .record_heartbeat("ghost", "0.1.0", t(11))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { kind: "server", .. }),
        "{err}"
    );
    Ok(())
}

store_tests!(
    upsert_server_creates_once_then_updates_in_place,
    servers_are_listed_by_name,
    heartbeat_marks_the_server_online_and_refuses_unknown_servers,
);
