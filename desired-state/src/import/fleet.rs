//! `homeamp.yaml` from the inventory: servers, instances, tags, aliases, policy.
//!
//! - Servers are the inventory's `server_name`s. Exactly one is the host: the one given
//!   with `--host-server`, else the one whose name contains `hetzner` (the seeds'
//!   distributed architecture: "HOST Server: Hetzner", "CLIENT Server: OVH"), else the
//!   first by name. The inventory's `server_host` addresses are production machines and
//!   the import has no AMP data, so `amp` stays unset: the operator adds it.
//! - Tags come only from evidence: `production` for `is_production = true`.
//! - Aliases are every alias whose target is the instance (file and flags).
//! - Policy: every change waits for approval (`sync: approve`) until the operator has
//!   reviewed what an imported, partly assumed desired state would do to production.

use std::collections::BTreeMap;

use homeamp_schemas::desired::{
    FleetFile, InstanceSpec, PolicyRule, PolicySpec, RestartPolicy, ServerRole, ServerSpec,
    SyncMode, TagSpec,
};
use indexmap::IndexMap;

use super::aliases::Names;
use super::error::ImportError;
use super::inventory::InventoryInstance;
use super::report::{ImportReport, ServerLine};

pub const PRODUCTION_TAG: &str = "production";

pub fn build(
    inventory: &[InventoryInstance],
    names: &Names,
    host_server: Option<&str>,
    report: &mut ImportReport,
) -> Result<FleetFile, ImportError> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for instance in inventory {
        *counts.entry(instance.server.as_str()).or_default() += 1;
    }
    let (host, rule) = match host_server {
        Some(name) if counts.contains_key(name) => (name.to_string(), "--host-server".to_string()),
        Some(name) => return Err(ImportError::UnknownHostServer(name.into())),
        None => match counts
            .keys()
            .find(|s| s.to_ascii_lowercase().contains("hetzner"))
        {
            Some(name) => (
                name.to_string(),
                "named hetzner: the seeds' architecture makes Hetzner the HOST and OVH a CLIENT"
                    .into(),
            ),
            None => (
                counts
                    .keys()
                    .next()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                "no server named hetzner and no --host-server: the first by name".into(),
            ),
        },
    };
    let mut fleet = FleetFile::default();
    for (server, n) in &counts {
        let role = if *server == host {
            ServerRole::Host
        } else {
            ServerRole::Client
        };
        fleet.servers.insert(
            server.to_string(),
            ServerSpec {
                role,
                description: Some(format!(
                    "{n} instances in instances.sql; set amp (url, username, password) by hand"
                )),
                amp: None,
                instances_root: None,
            },
        );
        report.servers.push(ServerLine {
            name: server.to_string(),
            role: if role == ServerRole::Host {
                "host"
            } else {
                "client"
            }
            .into(),
            instances: *n,
            rule: if role == ServerRole::Host {
                rule.clone()
            } else {
                "not the host".into()
            },
        });
    }
    let mut sorted: Vec<&InventoryInstance> = inventory.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut production = false;
    for instance in sorted {
        let aliases: Vec<String> = names
            .aliases()
            .iter()
            .filter(|(_, a)| a.to == instance.id)
            .map(|(old, _)| old.clone())
            .collect();
        let tags = if instance.is_production == Some(true) {
            production = true;
            vec![PRODUCTION_TAG.to_string()]
        } else {
            Vec::new()
        };
        let description = match (&instance.name, &instance.description) {
            (Some(name), Some(d)) => Some(format!("{name}: {d}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        };
        fleet.instances.insert(
            instance.id.clone(),
            InstanceSpec {
                server: instance.server.clone(),
                platform: instance.platform,
                amp_instance: None,
                tags,
                aliases,
                description,
                port: instance.port,
                minecraft_version: instance.minecraft_version.clone(),
            },
        );
    }
    if production {
        fleet.tags.insert(
            PRODUCTION_TAG.into(),
            TagSpec {
                description: Some("is_production = true in instances.sql".into()),
            },
        );
    }
    fleet.policy = PolicySpec {
        default: PolicyRule {
            sync: Some(SyncMode::Approve),
            self_heal: Some(true),
            prune: Some(false),
            restart: Some(RestartPolicy::WhenEmpty),
        },
        tags: IndexMap::new(),
        instances: IndexMap::new(),
        guard: Default::default(),
    };
    report.counts.servers = fleet.servers.len();
    report.counts.instances = fleet.instances.len();
    Ok(fleet)
}
