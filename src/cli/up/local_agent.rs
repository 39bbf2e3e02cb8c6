//! One local agent of `homeamp up`: its scan, watch and heartbeat loop beside its job
//! consumer, both stopped by the same token.

use std::sync::Arc;

use homeamp_agent::Agent;
use homeamp_reconciler::bus::JobBus;
use tokio_util::sync::CancellationToken;

use super::local_link::LocalLink;

pub async fn run(
    agent: Arc<Agent>,
    link: Arc<LocalLink>,
    bus: Arc<dyn JobBus>,
    shutdown: CancellationToken,
) {
    let server = agent.config().server.clone();
    let consumer =
        homeamp_agent::consumer::run(bus, agent.clone(), link.clone(), server, shutdown.clone());
    let reporter = async {
        if let Err(e) = agent.run(link, shutdown.cancelled_owned()).await {
            tracing::error!(error = %e, "agent stopped");
        }
    };
    tokio::join!(consumer, reporter);
}
