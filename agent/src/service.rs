//! [`AgentService`]: one server's agent, whole. It owns scanning, watching and heartbeats
//! ([`Agent::run`]) and the job consumer ([`crate::consumer::run`]), both stopped by one
//! token, so that `homeamp up`, and the agent role on its own, are thin compositions.

use std::sync::Arc;

use homeamp_bus::JobBus;
use tokio_util::sync::CancellationToken;

use crate::{Agent, HostLink};

/// Runs an agent's report loop beside its job consumer.
pub struct AgentService;

impl AgentService {
    /// Runs until `shutdown` is cancelled, then returns once both halves have stopped (a job
    /// being applied finishes first). A report loop that fails (its instances root is gone)
    /// is logged and stops the consumer too: an agent that cannot see its instances must
    /// not apply jobs to them.
    pub async fn run<L: HostLink + 'static>(
        agent: Arc<Agent>,
        link: Arc<L>,
        bus: Arc<dyn JobBus>,
        shutdown: CancellationToken,
    ) {
        let server = agent.config().server.clone();
        let stop = shutdown.child_token();
        let consumer = crate::consumer::run(bus, agent.clone(), link.clone(), server, stop.clone());
        let reporter = async {
            if let Err(e) = agent
                .clone()
                .run(link, stop.clone().cancelled_owned())
                .await
            {
                tracing::error!(error = %e, "the agent's report loop stopped");
            }
            stop.cancel();
        };
        tokio::join!(consumer, reporter);
    }
}
