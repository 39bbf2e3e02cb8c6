//! Noticing agents that stopped speaking. Nothing arrives from a silent agent, so nothing
//! would trigger its instances: this watch looks at every server's last heartbeat and,
//! when one passes [`HostConfig::agent_timeout`](super::HostConfig::agent_timeout),
//! triggers that server's instances, which the reconcile then finds `Unknown` (agent
//! silent). When the agent speaks again, `ingest_heartbeat` triggers them back.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

use super::{Host, HostError};

impl Host {
    /// The servers whose agent has been heard of, but not within the agent timeout.
    pub async fn silent_servers(&self) -> Result<BTreeSet<String>, HostError> {
        let now = Timestamp::now();
        Ok(self
            .store
            .list_servers()
            .await?
            .into_iter()
            .filter(|s| {
                s.last_seen.is_some_and(|at| {
                    now.duration_since(at).unsigned_abs() > self.config.agent_timeout
                })
            })
            .map(|s| s.name)
            .collect())
    }

    /// Every agent timeout / 3, triggers the instances of servers that just fell silent.
    pub async fn watch_silence(self: Arc<Self>, shutdown: CancellationToken) {
        let every = (self.config.agent_timeout / 3).max(Duration::from_millis(100));
        let mut silent = BTreeSet::new();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            let now = match self.silent_servers().await {
                Ok(now) => now,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the servers' heartbeats failed");
                    continue;
                }
            };
            for server in now.difference(&silent) {
                tracing::warn!(server = %server, "the agent is silent: its instances are Unknown");
                self.trigger_server(server).await;
            }
            silent = now;
        }
    }

    async fn trigger_server(&self, server: &str) {
        match self.store.list_instances(Some(server)).await {
            Ok(instances) => {
                for instance in instances {
                    self.trigger(&instance.name, "agent silent");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, server, "listing a silent server's instances failed")
            }
        }
    }
}
