//! Which AMP instances are which homeamp instances: a pure function of the panel's
//! instance list and the driver's config (see [`AmpDriverConfig`] for the rule).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use homeamp_ampclient::InstanceSummary;

use super::config::AmpDriverConfig;

/// The module of the controller itself (ADS), which `GetInstances` may list beside its
/// instances; it is never an instance to manage.
const CONTROLLER_MODULE: &str = "ADS";

/// An AMP instance the driver manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmpTarget {
    /// AMP's InstanceID: every proxied call names it.
    pub id: String,
    pub instance_name: String,
    pub friendly_name: String,
}

/// An AMP instance that maps to no homeamp instance: reported, never touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmanagedInstance {
    pub instance_id: String,
    pub instance_name: String,
    pub friendly_name: String,
    /// Why it is not managed, for the operator.
    pub reason: String,
}

/// The outcome of one discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// homeamp instance name → AMP instance.
    pub managed: BTreeMap<String, AmpTarget>,
    /// Sorted by InstanceName.
    pub unmanaged: Vec<UnmanagedInstance>,
}

/// Maps the panel's instances (`GetInstances`) to homeamp names. Two AMP instances that
/// claim the same homeamp name are both left unmanaged: guessing which one the desired
/// state means could write one server's files into the other.
pub fn map_instances(found: &[InstanceSummary], config: &AmpDriverConfig) -> Mapping {
    let mut claims: BTreeMap<String, Vec<&InstanceSummary>> = BTreeMap::new();
    let mut unmanaged = Vec::new();
    for summary in found.iter().filter(|s| s.module != CONTROLLER_MODULE) {
        match homeamp_name(summary, &config.aliases, config.known_instances.as_ref()) {
            Some(name) => claims.entry(name).or_default().push(summary),
            None => unmanaged.push(unmanaged_as(
                summary,
                "neither its InstanceName nor its FriendlyName (nor an alias of either) \
                 is an instance of this server in homeamp.yaml",
            )),
        }
    }
    let mut managed = BTreeMap::new();
    for (name, summaries) in claims {
        if let [only] = summaries.as_slice() {
            managed.insert(
                name,
                AmpTarget {
                    id: only.instance_id.clone(),
                    instance_name: only.instance_name.clone(),
                    friendly_name: only.friendly_name.clone(),
                },
            );
            continue;
        }
        let others: Vec<&str> = summaries.iter().map(|s| s.instance_name.as_str()).collect();
        let reason = format!(
            "the AMP instances {} all map to the homeamp instance {name:?}; \
             rename one or add an alias",
            others.join(", ")
        );
        unmanaged.extend(summaries.iter().map(|s| unmanaged_as(s, &reason)));
    }
    unmanaged.sort_by(|a, b| a.instance_name.cmp(&b.instance_name));
    Mapping { managed, unmanaged }
}

/// The homeamp name of one AMP instance, or `None` when it has none.
fn homeamp_name(
    summary: &InstanceSummary,
    aliases: &HashMap<String, String>,
    known: Option<&BTreeSet<String>>,
) -> Option<String> {
    let names = [&summary.instance_name, &summary.friendly_name];
    let aliased = names.iter().filter_map(|n| aliases.get(n.as_str()));
    match known {
        Some(known) => aliased
            .chain(names)
            .find(|n| known.contains(n.as_str()))
            .cloned(),
        None => aliased
            .chain([&summary.instance_name])
            .find(|n| !n.is_empty())
            .cloned(),
    }
}

fn unmanaged_as(summary: &InstanceSummary, reason: &str) -> UnmanagedInstance {
    UnmanagedInstance {
        instance_id: summary.instance_id.clone(),
        instance_name: summary.instance_name.clone(),
        friendly_name: summary.friendly_name.clone(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str, friendly: &str) -> InstanceSummary {
        serde_json::from_value(serde_json::json!({
            "InstanceID": format!("id-{name}"),
            "InstanceName": name,
            "FriendlyName": friendly,
            "Module": "Minecraft",
            "Running": true,
            "AppState": 20,
        }))
        .unwrap()
    }

    fn config(aliases: &[(&str, &str)], known: Option<&[&str]>) -> AmpDriverConfig {
        let mut config = AmpDriverConfig::new("http://127.0.0.1:1/", "u", "p");
        config.aliases = aliases
            .iter()
            .map(|(a, h)| (a.to_string(), h.to_string()))
            .collect();
        config.known_instances = known.map(|k| k.iter().map(|s| s.to_string()).collect());
        config
    }

    fn managed(mapping: &Mapping) -> Vec<(&str, &str)> {
        mapping
            .managed
            .iter()
            .map(|(k, v)| (k.as_str(), v.instance_name.as_str()))
            .collect()
    }

    #[test]
    fn known_names_match_by_instance_name_friendly_name_or_alias() {
        let found = [
            summary("SMP201", "Survival"),
            summary("Minecraft01", "Creative"),
            summary("Lobby01", "Lobby"),
            summary("Stray", "Old test server"),
        ];
        let mapping = map_instances(
            &found,
            &config(&[("Lobby", "hub")], Some(&["SMP201", "Creative", "hub"])),
        );
        assert_eq!(
            managed(&mapping),
            [
                ("Creative", "Minecraft01"),
                ("SMP201", "SMP201"),
                ("hub", "Lobby01")
            ]
        );
        assert_eq!(mapping.unmanaged.len(), 1);
        assert_eq!(mapping.unmanaged[0].instance_name, "Stray");
    }

    #[test]
    fn without_known_names_the_instance_name_is_the_name_unless_aliased() {
        let found = [summary("SMP201", "Survival"), summary("Lobby01", "Lobby")];
        let mapping = map_instances(&found, &config(&[("Lobby", "hub")], None));
        assert_eq!(
            managed(&mapping),
            [("SMP201", "SMP201"), ("hub", "Lobby01")]
        );
        assert!(mapping.unmanaged.is_empty());
    }

    #[test]
    fn the_controller_is_never_an_instance() {
        let mut ads = summary("ADS01", "ADS");
        ads.module = "ADS".into();
        let mapping = map_instances(&[ads], &config(&[], None));
        assert!(mapping.managed.is_empty());
        assert!(mapping.unmanaged.is_empty());
    }

    #[test]
    fn two_instances_claiming_one_name_are_both_left_alone() {
        let found = [summary("A", "SMP"), summary("B", "SMP")];
        let mapping = map_instances(&found, &config(&[], Some(&["SMP"])));
        assert!(mapping.managed.is_empty());
        assert_eq!(mapping.unmanaged.len(), 2);
        assert!(mapping.unmanaged[0].reason.contains("A, B"));
    }
}
