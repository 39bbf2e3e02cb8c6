//! `homeamp host --config FILE`: the reconcile loop, the HTTP API, the store (MariaDB or
//! SQLite), the Redis publisher, and the agent of the host's own server, in one process.

mod check;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use homeamp_agent::{AgentConfig, AgentService};
use homeamp_nodeconfig::{NodeConfig, Role};
use homeamp_reconciler::api::Auth;
use homeamp_reconciler::artifacts::ArtifactStore;
use homeamp_reconciler::bus::JobBus;
use homeamp_reconciler::bus::redis::RedisBus;
use homeamp_reconciler::host::HostConfig;
use homeamp_reconciler::service::{ApiListener, HostParts, HostService};
use homeamp_reconciler::store::Store;
use tokio_util::sync::CancellationToken;

use super::local_link::LocalLink;
use super::shutdown::signal;
use super::{node, signing_key};

/// Run the host of a distributed fleet, from its config file.
///
/// The config file follows deployment/host-config.yaml; --check reads it and tries each
/// connection (Redis, the database, AMP), one line per check, then exits.
///
/// Examples:
///   homeamp host --config /etc/homeamp/host-config.yaml
///   homeamp host --config /etc/homeamp/host-config.yaml --check
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    role: node::RoleArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    node::run_role(
        args.role,
        Role::Host,
        |config| async move { check::run(&config).await },
        serve,
    )
}

async fn serve(config: NodeConfig) -> anyhow::Result<ExitCode> {
    let Some(database) = &config.database else {
        anyhow::bail!("the host's config has no store");
    };
    let Some(desired) = &config.desired_state else {
        anyhow::bail!("the host's config has no desired_state");
    };
    std::fs::create_dir_all(&config.state_dir)
        .with_context(|| format!("creating {}", config.state_dir.display()))?;
    let secrets = node::secrets(&config)?;
    let store = Store::connect(database.url().expose())
        .await
        .with_context(|| format!("opening the store {}", database.describe()))?;
    let key = signing_key::load_or_create(&config.state_dir.join("host.key"))?;
    let redis = node::redis_bus(&config.redis);
    let bus: Arc<dyn JobBus> = Arc::new(RedisBus::new(redis.clone())?);
    let artifacts_dir = config
        .artifacts
        .clone()
        .unwrap_or_else(|| config.state_dir.join("artifacts"));
    let artifacts = ArtifactStore::open(&artifacts_dir)
        .with_context(|| format!("opening the artifact store {}", artifacts_dir.display()))?;
    let remote = desired.repo.contains("://");
    let mut host_config = if remote {
        let mut mirrored = HostConfig::new(config.state_dir.join("desired-state.git"));
        mirrored.remote = Some(desired.repo.clone());
        mirrored
    } else {
        HostConfig::new(&desired.repo)
    };
    host_config.reference = desired.branch.clone();
    host_config.job_ttl = config.jobs.ttl;
    host_config.agent_timeout = config.agent_timeout();
    host_config.redeliver_after = Some(config.jobs.redeliver_after);
    host_config.artifacts = Some(Arc::new(artifacts));
    let mut parts = HostParts::new(
        store.clone(),
        bus.clone(),
        key,
        secrets.clone(),
        host_config,
    );
    parts.poll = desired.poll;
    let service = HostService::start(parts).await?;
    let host = service.host().clone();
    let shutdown = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();

    // The host's own server: an agent in this process, reporting through direct calls.
    let root = config
        .instances_root
        .clone()
        .unwrap_or_else(|| config.state_dir.join("instances"));
    let mut agent_config = AgentConfig::new(
        config.physical_server.clone(),
        root,
        config.state_dir.join("agent"),
        host.verifying_key(),
    );
    agent_config.secrets = secrets;
    agent_config.heartbeat_every = config.heartbeat;
    agent_config.consumer = super::agent::consumer_name(&agent_config.state_dir, &config)?;
    let agent = Arc::new(node::agent(&config, agent_config).await?);
    let link = Arc::new(LocalLink::new(host.clone()));
    {
        let (bus, stop) = (bus.clone(), shutdown.clone());
        tasks.spawn(async move {
            if let Err(e) = AgentService::run(agent, link, bus, stop).await {
                tracing::error!(error = %e, "the host's agent stopped");
            }
        });
    }

    let api = if config.webapi.enabled {
        let address = config.webapi.address();
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("listening on {address}"))?;
        let mut auth = Auth::closed();
        if let Some(secret) = &config.webhook_secret {
            auth = auth.with_webhook_secret(secret.expose());
        }
        let tls = match &config.webapi.tls {
            Some(tls) => Some(homeamp_reconciler::api::tls::load_server_config(
                &tls.cert, &tls.key,
            )?),
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("API on {scheme}://{}", listener.local_addr()?);
        Some(ApiListener {
            listener,
            auth,
            tls,
        })
    } else {
        None
    };
    println!(
        "host {}: store {}, bus {}, desired state {} ({})",
        config.physical_server,
        database.describe(),
        redis.display_url(),
        desired.repo,
        desired.branch
    );
    {
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = service.run(api, shutdown).await {
                tracing::error!(error = %e, "the host stopped");
            }
        });
    }
    signal().await;
    println!("stopping …");
    shutdown.cancel();
    while tasks.join_next().await.is_some() {}
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
