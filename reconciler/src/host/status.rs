//! The fleet's status: the store's per-instance verdicts, counted.

use std::collections::BTreeMap;

use homeamp_schemas::status::{
    FleetStatus, InstanceStatus, RefusedRevisionStatus, ServerStatus, SyncState,
};
use jiff::Timestamp;

use super::{Host, HostError};
use crate::store::{DriftFilter, JobFilter};

impl Host {
    /// The status of every instance of the active revision (of `server` only, if given).
    pub async fn fleet_status(&self, server: Option<&str>) -> Result<FleetStatus, HostError> {
        let active = self.active();
        let records = self.store.list_instances(server).await?;
        let drift = self
            .store
            .list_drift(&DriftFilter {
                server: server.map(str::to_string),
                open_only: true,
                ..Default::default()
            })
            .await?;
        let jobs = self
            .store
            .list_jobs(&JobFilter {
                server: server.map(str::to_string),
                in_flight_only: true,
                ..Default::default()
            })
            .await?;
        let mut summary: BTreeMap<String, usize> =
            SyncState::ALL.iter().map(|s| (s.to_string(), 0)).collect();
        let mut instances = Vec::new();
        for record in records {
            // Instances the active revision no longer declares are history, not fleet.
            if let Some(active) = &active
                && active.state.instance(&record.name).is_none()
            {
                continue;
            }
            let sync = record.status.unwrap_or(SyncState::Unknown);
            *summary.entry(sync.to_string()).or_default() += 1;
            instances.push(InstanceStatus {
                drift: drift.iter().filter(|d| d.instance == record.name).count(),
                jobs_in_flight: jobs
                    .iter()
                    .filter(|j| j.instance.as_deref() == Some(record.name.as_str()))
                    .count(),
                name: record.name,
                server: record.server,
                platform: record.platform,
                sync,
                message: record.status_message,
                revision: record.synced_revision,
                last_report: record.last_seen,
            });
        }
        let servers = self.server_statuses(server).await?;
        Ok(FleetStatus {
            servers,
            revision: active.map(|a| a.sha.clone()),
            refused_revision: self.refused().map(|r| RefusedRevisionStatus {
                sha: r.sha,
                reason: r.reason,
            }),
            summary,
            instances,
        })
    }

    /// Whether each server's agent speaks, from its last heartbeat.
    async fn server_statuses(&self, only: Option<&str>) -> Result<Vec<ServerStatus>, HostError> {
        let now = Timestamp::now();
        let servers = self.store.list_servers().await?;
        Ok(servers
            .into_iter()
            .filter(|s| only.is_none_or(|o| o == s.name))
            .map(|s| ServerStatus {
                agent: match s.last_seen {
                    None => "never",
                    Some(at)
                        if now.duration_since(at).unsigned_abs() > self.config.agent_timeout =>
                    {
                        "silent"
                    }
                    Some(_) => "online",
                }
                .to_string(),
                name: s.name,
                last_seen: s.last_seen,
                agent_version: s.agent_version,
            })
            .collect())
    }
}
