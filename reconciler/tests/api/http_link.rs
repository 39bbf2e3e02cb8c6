//! The agent's `HttpLink` against the router served on a real loopback listener: the
//! real agent scans a real instance folder and reports it through HTTP.

use std::sync::Arc;
use std::time::Duration;

use homeamp_agent::{Agent, AgentConfig, HostLink, HttpLink, LinkError};
use homeamp_schemas::report::Heartbeat;
use jiff::Timestamp;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::support::{CONFIG_PATH, Fixture, live_config, sha256};

/// Serves the fixture's router on 127.0.0.1 at a free port until the token is cancelled.
async fn serve(f: &Fixture) -> (String, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let app = f.app.clone();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
            .unwrap();
    });
    (base, shutdown)
}

#[tokio::test]
async fn the_agent_reports_through_http_and_the_host_stores_it() {
    let f = Fixture::new().await;
    let (base, shutdown) = serve(&f).await;

    let root = tempfile::tempdir().unwrap();
    let game = root.path().join("SMP201");
    std::fs::create_dir_all(game.join("plugins/CMI")).unwrap();
    std::fs::write(game.join("server.properties"), "motd=hi\n").unwrap();
    std::fs::write(game.join(CONFIG_PATH), live_config(4)).unwrap();
    let state = tempfile::tempdir().unwrap();
    let agent = Arc::new(
        Agent::new(AgentConfig::new(
            "ovh",
            root.path(),
            state.path(),
            f.host.verifying_key(),
        ))
        .unwrap(),
    );
    let link = HttpLink::new(format!("{base}/"), f.tokens.agent_ovh.clone()).unwrap();

    // The key the agent would pin is the host's.
    let key = link.host_key().await.unwrap();
    assert_eq!(key.algorithm, "ed25519");

    agent.heartbeat(&link).await.unwrap();
    let manifest = agent.scan_and_report(&link, "SMP201", true).await.unwrap();
    assert!(manifest.file(CONFIG_PATH).is_some());

    let live = f.host.store().latest_manifest("SMP201").await.unwrap();
    let config = live.iter().find(|l| l.path == CONFIG_PATH).unwrap();
    assert_eq!(config.sha256, sha256(&live_config(4)));
    // Every file the host lacked was uploaded.
    for file in &live {
        assert!(
            f.host.store().blob(&file.sha256).await.unwrap().is_some(),
            "{} not uploaded",
            file.path
        );
    }
    let server = f.host.store().server("ovh").await.unwrap().unwrap();
    assert!(server.last_seen.is_some());

    // And the host reconciles what came over HTTP.
    f.reconciler.reconcile_instance("SMP201").await.unwrap();
    let (_, drift) = f
        .get("/api/drift?instance=SMP201", Some(&f.tokens.viewer))
        .await;
    assert_eq!(drift["drift"][0]["live_value"], "4", "{drift}");
    shutdown.cancel();
}

#[tokio::test]
async fn refusals_come_back_as_link_errors() {
    let f = Fixture::new().await;
    let (base, shutdown) = serve(&f).await;

    let stranger = HttpLink::new(&base, "hamp_not-a-token-at-all").unwrap();
    let heartbeat = Heartbeat {
        server: "ovh".into(),
        agent_version: "t".into(),
        sent_at: Timestamp::now(),
        instances: vec![],
    };
    match stranger.heartbeat(&heartbeat).await {
        Err(LinkError::Refused { status, message }) => {
            assert_eq!(status, 401);
            assert!(message.starts_with("unauthorized:"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let link = HttpLink::new(&base, f.tokens.agent_hetzner.clone()).unwrap();
    match link.heartbeat(&heartbeat).await {
        Err(LinkError::Refused { status: 403, .. }) => {}
        other => panic!("{other:?}"),
    }

    let claimed = sha256(b"claimed");
    match link.upload_blob(&claimed, b"other".to_vec()).await {
        Err(LinkError::BlobMismatch { claimed: c, actual }) => {
            assert_eq!(c, claimed);
            assert_eq!(actual, sha256(b"other"));
        }
        other => panic!("{other:?}"),
    }
    shutdown.cancel();
}

#[tokio::test]
async fn a_host_that_is_not_listening_is_unreachable() {
    // A port that was free a moment ago and has no listener now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let link = HttpLink::with_timeout(
        format!("http://127.0.0.1:{port}"),
        "hamp_whatever-token",
        Duration::from_secs(2),
    )
    .unwrap();
    let heartbeat = Heartbeat {
        server: "ovh".into(),
        agent_version: "t".into(),
        sent_at: Timestamp::now(),
        instances: vec![],
    };
    assert!(matches!(
        link.heartbeat(&heartbeat).await,
        Err(LinkError::Unreachable(_))
    ));
}

#[tokio::test]
async fn a_request_retried_after_a_refused_connection_reaches_a_host_that_came_up() {
    let f = Fixture::new().await;
    // Reserve a port, release it, and start serving on it only after the first attempt.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let app = f.app.clone();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let listener = TcpListener::bind(addr).await.unwrap();
        axum::serve(listener, app).await.unwrap();
    });
    let link = HttpLink::new(format!("http://{addr}"), f.tokens.agent_ovh.clone()).unwrap();
    let heartbeat = Heartbeat {
        server: "ovh".into(),
        agent_version: "t".into(),
        sent_at: Timestamp::now(),
        instances: vec![],
    };
    link.heartbeat(&heartbeat).await.unwrap();
    let seen = f.host.store().server("ovh").await.unwrap().unwrap();
    assert!(seen.last_seen.is_some());
    server.abort();
}
