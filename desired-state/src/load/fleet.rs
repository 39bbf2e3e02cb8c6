//! `homeamp.yaml` → [`Fleet`]: servers, instances, tags, aliases, policy, with
//! every reference between them checked.

use std::collections::HashMap;

use homeamp_schemas::desired::{FleetFile, PolicyRule};
use indexmap::IndexMap;

use crate::diagnostic::{Diagnostics, Mark};
use crate::model::{Amp, Fleet, Instance, Policy, Server};
use crate::secret;
use crate::snapshot::FLEET_FILE;
use crate::yaml_tree::Tree;

/// A comma-separated list of names for "known: ..." hints (at most 30).
pub fn known<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        return "(none)".to_string();
    }
    let mut text = names
        .iter()
        .take(30)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 30 {
        text.push_str(&format!(", … ({} in all)", names.len()));
    }
    text
}

/// True when `name` can name an instance, server or tag: it must survive scopes
/// (`tag:x`) and matrix columns (`server_X`) unambiguously, and, as a folder or an
/// argument of a command template, be neither `.`/`..` nor read as an option (`-rf`):
/// it starts with a letter, a digit or `_`.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// What [`valid_name`] asks for, in messages.
const NAME_RULE: &str =
    "use letters, digits, '-', '_' or '.', starting with a letter, a digit or '_'";

/// The fleet, or `None` when `homeamp.yaml` is missing or unreadable (then other
/// files' references to instances, tags and servers cannot be checked).
pub fn load(bytes: Option<&Vec<u8>>, diags: &mut Diagnostics) -> Option<Fleet> {
    let Some(bytes) = bytes else {
        diags.error(
            FLEET_FILE,
            Mark::START,
            "missing: the repository needs homeamp.yaml (servers and instances) at its root",
        );
        return None;
    };
    let (raw, index) = super::yaml::parse::<FleetFile>(FLEET_FILE, bytes, diags)?;
    Some(build(raw, &index, diags))
}

fn build(raw: FleetFile, index: &Tree, diags: &mut Diagnostics) -> Fleet {
    let pos = &index.root;
    let mut fleet = Fleet {
        max_instances_changed_pct: raw.policy.guard.max_instances_changed_pct,
        ..Fleet::default()
    };
    if fleet.max_instances_changed_pct > 100 {
        diags.error(
            FLEET_FILE,
            pos.value_at(&["policy", "guard", "max_instances_changed_pct"]),
            "max_instances_changed_pct is a percentage: 0 to 100",
        );
    }

    for (name, spec) in &raw.servers {
        let at = pos.key_at(&["servers", name]);
        if !valid_name(name) {
            diags.error(
                FLEET_FILE,
                at,
                format!("bad server name {name:?}: {NAME_RULE}"),
            );
        }
        let amp = spec.amp.as_ref().map(|amp| {
            let refs = secret::references(&amp.password);
            let whole = refs
                .as_ref()
                .ok()
                .filter(|names| names.len() == 1 && amp.password == format!("${{secret:{}}}", names[0]));
            match whole {
                Some(names) => Amp {
                    url: amp.url.clone(),
                    username: amp.username.clone(),
                    password_secret: names[0].to_string(),
                },
                None => {
                    let message = match refs {
                        Err(e) => e.message,
                        Ok(_) => "the AMP password must be a secret reference, e.g. \"${secret:amp-NAME}\", never the password itself".into(),
                    };
                    diags.error(FLEET_FILE, pos.value_at(&["servers", name, "amp", "password"]), message);
                    Amp {
                        url: amp.url.clone(),
                        username: amp.username.clone(),
                        password_secret: String::new(),
                    }
                }
            }
        });
        fleet.servers.insert(
            name.clone(),
            Server {
                name: name.clone(),
                role: spec.role,
                description: spec.description.clone(),
                amp,
                instances_root: spec.instances_root.clone(),
            },
        );
    }

    for (name, spec) in &raw.tags {
        if !valid_name(name) {
            diags.error(
                FLEET_FILE,
                pos.key_at(&["tags", name]),
                format!("bad tag name {name:?}: {NAME_RULE}"),
            );
        }
        fleet.tags.insert(name.clone(), spec.description.clone());
    }

    // Instances first without policy: aliases and tags must be known to resolve it.
    let mut alias_at: HashMap<String, (String, Mark)> = HashMap::new();
    for (name, spec) in &raw.instances {
        let at = pos.key_at(&["instances", name]);
        if !valid_name(name) {
            diags.error(
                FLEET_FILE,
                at,
                format!("bad instance name {name:?}: {NAME_RULE}"),
            );
        }
        if !fleet.servers.contains_key(&spec.server) {
            diags.error(
                FLEET_FILE,
                pos.value_at(&["instances", name, "server"]),
                format!(
                    "unknown server {:?} for instance {name}; known servers: {}",
                    spec.server,
                    known(fleet.servers.keys().map(String::as_str))
                ),
            );
        }
        let tags_node = pos.at_path(&["instances", name, "tags"]);
        for (i, tag) in spec.tags.iter().enumerate() {
            let tag_at = tags_node
                .and_then(|n| n.item(i))
                .map(|n| n.at)
                .unwrap_or_else(|| pos.key_at(&["instances", name]));
            if !valid_name(tag) {
                diags.error(
                    FLEET_FILE,
                    tag_at,
                    format!("bad tag name {tag:?}: {NAME_RULE}"),
                );
            } else if !fleet.tags.contains_key(tag) {
                diags.warning(
                    FLEET_FILE,
                    tag_at,
                    format!("tag {tag:?} is used but not declared under tags: (declare it to document it and catch typos)"),
                );
            }
        }
        let aliases_node = pos.at_path(&["instances", name, "aliases"]);
        for (i, alias) in spec.aliases.iter().enumerate() {
            let a_at = aliases_node
                .and_then(|n| n.item(i))
                .map(|n| n.at)
                .unwrap_or_else(|| pos.key_at(&["instances", name]));
            alias_at.insert(alias.clone(), (name.clone(), a_at));
        }
        fleet.instances.insert(
            name.clone(),
            Instance {
                name: name.clone(),
                server: spec.server.clone(),
                platform: spec.platform,
                amp_instance: spec.amp_instance.clone().unwrap_or_else(|| name.clone()),
                tags: spec.tags.clone(),
                aliases: spec.aliases.clone(),
                description: spec.description.clone(),
                port: spec.port,
                minecraft_version: spec.minecraft_version.clone(),
                policy: Policy::default(),
            },
        );
    }

    // Aliases: per instance, then the top-level map.
    for (alias, (target, at)) in &alias_at {
        add_alias(&mut fleet, alias, target, *at, diags);
    }
    for (alias, target) in &raw.aliases {
        let at = pos.value_at(&["aliases", alias]);
        if !fleet.instances.contains_key(target) {
            diags.error(
                FLEET_FILE,
                at,
                format!(
                    "alias {alias} points to unknown instance {target:?}; known instances: {}",
                    known(fleet.instances.keys().map(String::as_str))
                ),
            );
            continue;
        }
        add_alias(
            &mut fleet,
            alias,
            target,
            pos.key_at(&["aliases", alias]),
            diags,
        );
    }

    resolve_policies(&raw, &mut fleet, index, diags);
    fleet
}

fn add_alias(fleet: &mut Fleet, alias: &str, target: &str, at: Mark, diags: &mut Diagnostics) {
    if fleet.instances.contains_key(alias) {
        diags.error(
            FLEET_FILE,
            at,
            format!(
                "alias {alias:?} is also the name of an instance; an alias must be another name"
            ),
        );
        return;
    }
    match fleet.aliases.get(alias) {
        Some(existing) if existing != target => diags.error(
            FLEET_FILE,
            at,
            format!("alias {alias:?} points to both {existing} and {target}; an alias names one instance"),
        ),
        _ => {
            fleet.aliases.insert(alias.to_string(), target.to_string());
        }
    }
}

fn apply(policy: &mut Policy, rule: &PolicyRule) {
    if let Some(sync) = rule.sync {
        policy.sync = sync;
    }
    if let Some(v) = rule.self_heal {
        policy.self_heal = v;
    }
    if let Some(v) = rule.prune {
        policy.prune = v;
    }
    if let Some(v) = rule.restart {
        policy.restart = v;
    }
}

fn resolve_policies(raw: &FleetFile, fleet: &mut Fleet, index: &Tree, diags: &mut Diagnostics) {
    let pos = &index.root;
    let used_tags: Vec<String> = fleet
        .instances
        .values()
        .flat_map(|i| i.tags.iter().cloned())
        .collect();
    for tag in raw.policy.tags.keys() {
        if !fleet.tags.contains_key(tag) && !used_tags.contains(tag) {
            diags.error(
                FLEET_FILE,
                pos.key_at(&["policy", "tags", tag]),
                format!(
                    "unknown tag {tag:?} in policy.tags; known tags: {}",
                    known(
                        fleet
                            .tags
                            .keys()
                            .map(String::as_str)
                            .chain(used_tags.iter().map(String::as_str))
                    )
                ),
            );
        }
    }
    let mut per_instance: IndexMap<String, &PolicyRule> = IndexMap::new();
    for (name, rule) in &raw.policy.instances {
        match fleet.canonical(name) {
            Some(canonical) => {
                per_instance.insert(canonical.to_string(), rule);
            }
            None => diags.error(
                FLEET_FILE,
                pos.key_at(&["policy", "instances", name]),
                format!(
                    "unknown instance {name:?} in policy.instances; known instances: {}",
                    known(fleet.instances.keys().map(String::as_str))
                ),
            ),
        }
    }
    for instance in fleet.instances.values_mut() {
        let mut policy = Policy::default();
        apply(&mut policy, &raw.policy.default);
        for tag in &instance.tags {
            if let Some(rule) = raw.policy.tags.get(tag) {
                apply(&mut policy, rule);
            }
        }
        if let Some(rule) = per_instance.get(&instance.name) {
            apply(&mut policy, rule);
        }
        instance.policy = policy;
    }
}
