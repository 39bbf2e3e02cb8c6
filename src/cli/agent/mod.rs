//! `homeamp agent --config FILE`: scan this server's instances, report them to the host,
//! apply the jobs the host signed for this server; nothing else.

pub mod check;
mod host_key;
mod identity;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use homeamp_agent::{AgentConfig, AgentService, HttpLink};
use homeamp_nodeconfig::{NodeConfig, Role};
use homeamp_reconciler::bus::JobBus;
use homeamp_reconciler::bus::redis::RedisBus;
use tokio_util::sync::CancellationToken;

use super::node;
use super::shutdown::signal;

pub use identity::consumer_name;

/// Run the agent of one physical server, from its config file.
///
/// The config file follows deployment/client-config.yaml; --check reads it and tries each
/// connection (Redis, the host's API with the agent's token, AMP), one line per check.
///
/// Examples:
///   homeamp agent --config /etc/homeamp/client-config.yaml
///   homeamp agent --config /etc/homeamp/client-config.yaml --check
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    role: node::RoleArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    node::run_role(
        args.role,
        Role::Client,
        |config| async move { check::run(&config).await },
        serve,
    )
}

/// The agent's link to the host's API, from `host_api:`.
pub fn link(config: &NodeConfig) -> anyhow::Result<HttpLink> {
    let api = config
        .host_api
        .as_ref()
        .context("the agent's config has no host_api")?;
    match &api.ca_file {
        None => Ok(HttpLink::new(api.url.clone(), api.api_key.expose())?),
        Some(ca) => {
            let pem = std::fs::read(ca)
                .with_context(|| format!("reading host_api.ca_file {}", ca.display()))?;
            Ok(
                HttpLink::with_ca(api.url.clone(), api.api_key.expose(), &pem)
                    .with_context(|| format!("host_api.ca_file {}", ca.display()))?,
            )
        }
    }
}

async fn serve(config: NodeConfig) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&config.state_dir)
        .with_context(|| format!("creating {}", config.state_dir.display()))?;
    let link = Arc::new(link(&config)?);
    let host_key = host_key::trusted(&config, &link).await?;
    let redis = node::redis_bus(&config.redis);
    let bus: Arc<dyn JobBus> = Arc::new(RedisBus::new(redis.clone())?);
    // With AMP, the instances are the panel's; instances_root is then unused.
    let root = config
        .instances_root
        .clone()
        .unwrap_or_else(|| config.state_dir.join("instances"));
    let mut agent_config = AgentConfig::new(
        config.physical_server.clone(),
        root,
        config.state_dir.clone(),
        host_key,
    );
    agent_config.secrets = node::secrets(&config)?;
    agent_config.heartbeat_every = config.heartbeat;
    agent_config.consumer = consumer_name(&config.state_dir, &config)?;
    println!(
        "agent {} ({}): host {}, bus {}",
        config.physical_server,
        agent_config.consumer,
        config.host_api.as_ref().map_or("", |a| a.url.as_str()),
        redis.display_url()
    );
    let agent = Arc::new(node::agent(&config, agent_config).await?);
    let shutdown = CancellationToken::new();
    let mut service = tokio::spawn(AgentService::run(agent, link, bus, shutdown.clone()));
    tokio::select! {
        _ = signal() => {
            println!("stopping …");
            shutdown.cancel();
            service.await??;
        }
        ended = &mut service => ended??,
    }
    Ok(ExitCode::SUCCESS)
}
