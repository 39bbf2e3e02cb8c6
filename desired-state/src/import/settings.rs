//! Source settings into per-plugin drafts: every universal setting and every variable
//! value is placed in a file at a key path, or dropped with a reason in the report.
//!
//! Variable values are attached to inventory names (through aliases). A value for an
//! instance of another platform than the file it came from (floodgate's values in the
//! paper file listing the velocity proxy) moves to the same plugin on that instance's
//! platform, and the report says so.

use std::collections::{BTreeMap, BTreeSet};

use homeamp_schemas::desired::Platform;
use homeamp_schemas::{KeyPath, Value};

use super::aliases::{Names, Resolved};
use super::files::{Placement, PluginShape, dotted, is_document, place};
use super::report::{DroppedLine, ImportReport, MovedLine};

/// One source platform's settings, as read.
#[derive(Debug, Default)]
pub struct PlatformData {
    pub platform: Option<Platform>,
    /// Source file names (relative to `--from`), for reports.
    pub universal_file: String,
    pub variable_file: String,
    pub universal: Vec<(String, Vec<UniversalItem>)>,
    pub variable: Vec<(String, Vec<VariableItem>)>,
}

#[derive(Debug, Clone)]
pub struct UniversalItem {
    /// The file when the source names it (velocity), else it is derived from the key.
    pub file: Option<String>,
    pub key: String,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub struct VariableItem {
    pub file: Option<String>,
    pub key: String,
    /// Source instance name → value, in file order.
    pub values: Vec<(String, Value)>,
}

/// The settings of one plugin on one platform, keyed by file stem and canonical key path.
#[derive(Debug, Default)]
pub struct PluginDraft {
    pub universal: BTreeMap<String, BTreeMap<String, Value>>,
    pub variable: BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>>,
    /// Source files that contributed.
    pub sources: BTreeSet<String>,
    /// (stem, path) → (source file, source key) of a universal setting, to name it in reports.
    origin: BTreeMap<(String, String), (String, String)>,
}

/// Everything the settings pass found.
#[derive(Debug, Default)]
pub struct Drafts {
    pub plugins: BTreeMap<(Platform, String), PluginDraft>,
    /// (platform, plugin, instance) listed in a variable file.
    pub evidence: BTreeSet<(Platform, String, String)>,
    /// Old name → source files where the alias was needed.
    pub alias_uses: BTreeMap<String, BTreeSet<String>>,
    /// Unknown name → (files, values not imported).
    pub unknown: BTreeMap<String, (BTreeSet<String>, usize)>,
}

/// `inventory`: instance → platform.
pub fn build(
    sources: &[PlatformData],
    names: &Names,
    inventory: &BTreeMap<String, Platform>,
    report: &mut ImportReport,
) -> Drafts {
    let mut drafts = Drafts::default();
    let mut moved: BTreeMap<(String, String), usize> = BTreeMap::new();
    for data in sources {
        let Some(platform) = data.platform else {
            continue;
        };
        let mut plugins: BTreeSet<&str> = data.universal.iter().map(|(p, _)| p.as_str()).collect();
        plugins.extend(data.variable.iter().map(|(p, _)| p.as_str()));
        for plugin in plugins {
            let universal = data
                .universal
                .iter()
                .filter(|(p, _)| p == plugin)
                .flat_map(|(_, items)| items);
            let variable = data
                .variable
                .iter()
                .filter(|(p, _)| p == plugin)
                .flat_map(|(_, items)| items);
            let shape = PluginShape::of(
                universal
                    .clone()
                    .filter(|i| i.file.is_none())
                    .map(|i| (i.key.as_str(), is_document(&i.value)))
                    .chain(
                        variable
                            .clone()
                            .filter(|i| i.file.is_none())
                            .map(|i| (i.key.as_str(), false)),
                    ),
            );
            for item in universal {
                universal_item(&mut drafts, report, data, platform, plugin, shape, item);
            }
            for item in variable {
                variable_item(
                    &mut drafts,
                    report,
                    &mut moved,
                    data,
                    platform,
                    plugin,
                    shape,
                    item,
                    names,
                    inventory,
                );
            }
        }
    }
    for ((from, to), values) in moved {
        report.moved.push(MovedLine {
            from,
            to,
            values,
            reason: "values listed for an instance of another platform belong to the same plugin on that platform".into(),
        });
    }
    drop_universal_overridden_everywhere(&mut drafts, report);
    drafts
}

fn placement_of(file: &Option<String>, key: &str, is_doc: bool, shape: PluginShape) -> Placement {
    match file {
        Some(stem) => match dotted(key) {
            Ok(path) => Placement::Setting {
                stem: stem.clone(),
                path,
            },
            Err(reason) => Placement::Unrepresentable(reason),
        },
        None => place(key, is_doc, shape),
    }
}

fn dropped(
    kind: &str,
    source: &str,
    plugin: &str,
    key: String,
    instance: Option<String>,
    count: usize,
    reason: String,
) -> DroppedLine {
    DroppedLine {
        kind: kind.into(),
        source: source.into(),
        plugin: plugin.into(),
        key,
        instance,
        count,
        reason,
    }
}

fn universal_item(
    drafts: &mut Drafts,
    report: &mut ImportReport,
    data: &PlatformData,
    platform: Platform,
    plugin: &str,
    shape: PluginShape,
    item: &UniversalItem,
) {
    let is_doc = item.file.is_none() && is_document(&item.value);
    let units = match (&item.value, is_doc) {
        (Value::Map(m), true) => m.len(),
        _ => 1,
    };
    report.counts.universal_settings_in += units;
    let shown_key = match &item.file {
        Some(file) => format!("{file}: {}", item.key),
        None => item.key.clone(),
    };
    let source = &data.universal_file;
    match placement_of(&item.file, &item.key, is_doc, shape) {
        Placement::Setting { stem, path } => {
            insert_universal(
                drafts,
                report,
                source,
                platform,
                plugin,
                &stem,
                &path,
                item.value.clone(),
                &shown_key,
            );
        }
        Placement::Document { stem } => {
            let Value::Map(entries) = &item.value else {
                return;
            };
            for (inner, value) in entries {
                let shown = format!("{shown_key} → {inner}");
                match dotted(inner) {
                    Ok(path) => insert_universal(
                        drafts,
                        report,
                        source,
                        platform,
                        plugin,
                        &stem,
                        &path,
                        value.clone(),
                        &shown,
                    ),
                    Err(reason) => report.dropped.push(dropped(
                        "universal",
                        source,
                        plugin,
                        shown,
                        None,
                        1,
                        reason,
                    )),
                }
            }
        }
        Placement::Ambiguous(reason) | Placement::Unrepresentable(reason) => {
            report.dropped.push(dropped(
                "universal",
                source,
                plugin,
                shown_key,
                None,
                units,
                reason,
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_universal(
    drafts: &mut Drafts,
    report: &mut ImportReport,
    source: &str,
    platform: Platform,
    plugin: &str,
    stem: &str,
    path: &KeyPath,
    value: Value,
    shown_key: &str,
) {
    let draft = drafts
        .plugins
        .entry((platform, plugin.to_string()))
        .or_default();
    let key = (stem.to_string(), path.to_string());
    if let Some((_, first)) = draft.origin.get(&key) {
        report.dropped.push(dropped(
            "universal",
            source,
            plugin,
            shown_key.into(),
            None,
            1,
            format!(
                "maps to the same setting ({stem} {path}) as the key {first:?}, which was kept"
            ),
        ));
        return;
    }
    draft.origin.insert(key, (source.into(), shown_key.into()));
    draft.sources.insert(source.into());
    draft
        .universal
        .entry(stem.into())
        .or_default()
        .insert(path.to_string(), value);
}

#[allow(clippy::too_many_arguments)]
fn variable_item(
    drafts: &mut Drafts,
    report: &mut ImportReport,
    moved: &mut BTreeMap<(String, String), usize>,
    data: &PlatformData,
    platform: Platform,
    plugin: &str,
    shape: PluginShape,
    item: &VariableItem,
    names: &Names,
    inventory: &BTreeMap<String, Platform>,
) {
    let source = &data.variable_file;
    report.counts.variable_values_in += item.values.len();
    let shown_key = match &item.file {
        Some(file) => format!("{file}: {}", item.key),
        None => item.key.clone(),
    };
    let (stem, path) = match placement_of(&item.file, &item.key, false, shape) {
        Placement::Setting { stem, path } => (stem, path),
        // `place` only makes documents of universal map values; kept total all the same.
        Placement::Document { stem } => {
            let reason = format!("names the whole file {stem:?}, which cannot vary per instance");
            report.dropped.push(dropped(
                "variable",
                source,
                plugin,
                shown_key,
                None,
                item.values.len(),
                reason,
            ));
            return;
        }
        Placement::Ambiguous(reason) | Placement::Unrepresentable(reason) => {
            report.dropped.push(dropped(
                "variable",
                source,
                plugin,
                shown_key,
                None,
                item.values.len(),
                reason,
            ));
            return;
        }
    };
    // Source name per instance, to explain a collision between a name and its alias.
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &item.values {
        let resolved = names.resolve(name);
        let Some(instance) = resolved.instance().map(str::to_string) else {
            let entry = drafts.unknown.entry(name.clone()).or_default();
            entry.0.insert(source.clone());
            entry.1 += 1;
            report.dropped.push(dropped(
                "variable",
                source,
                plugin,
                shown_key.clone(),
                Some(name.clone()),
                1,
                format!("{name} is not an instance in instances.sql and has no alias"),
            ));
            continue;
        };
        if let Resolved::Alias { from, .. } = &resolved {
            drafts
                .alias_uses
                .entry(from.clone())
                .or_default()
                .insert(source.clone());
        }
        let target = inventory.get(&instance).copied().unwrap_or(platform);
        if let Some(first) = taken.get(&instance) {
            report.dropped.push(dropped(
                "variable",
                source,
                plugin,
                shown_key.clone(),
                Some(name.clone()),
                1,
                format!(
                    "{name} and {first} both name {instance}; the value under {first} was kept"
                ),
            ));
            continue;
        }
        taken.insert(instance.clone(), name.clone());
        if target != platform {
            *moved
                .entry((
                    format!("{source} {plugin} @{instance}"),
                    format!("plugins/{target}/{plugin}"),
                ))
                .or_default() += 1;
        }
        drafts
            .evidence
            .insert((target, plugin.to_string(), instance.clone()));
        let draft = drafts
            .plugins
            .entry((target, plugin.to_string()))
            .or_default();
        draft.sources.insert(source.clone());
        draft
            .variable
            .entry(stem.clone())
            .or_default()
            .entry(path.to_string())
            .or_default()
            .insert(instance, value.clone());
    }
}

/// A key set both universally and per instance is refused by validation; the
/// per-instance values are the more specific evidence, so the universal one goes.
fn drop_universal_overridden_everywhere(drafts: &mut Drafts, report: &mut ImportReport) {
    for ((_, plugin), draft) in &mut drafts.plugins {
        for (stem, paths) in &draft.variable {
            let Some(universal) = draft.universal.get_mut(stem) else {
                continue;
            };
            for path in paths.keys() {
                if universal.remove(path).is_some() {
                    let (source, key) = draft
                        .origin
                        .get(&(stem.clone(), path.clone()))
                        .cloned()
                        .unwrap_or_default();
                    report.dropped.push(dropped(
                        "universal",
                        &source,
                        plugin,
                        key,
                        None,
                        1,
                        format!("{stem} {path} is also set per instance in the variable file; the per-instance values were kept"),
                    ));
                }
            }
        }
        draft.universal.retain(|_, paths| !paths.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(
        universal: Vec<(&str, Vec<UniversalItem>)>,
        variable: Vec<(&str, Vec<VariableItem>)>,
    ) -> PlatformData {
        PlatformData {
            platform: Some(Platform::Paper),
            universal_file: "paper/universal_configs.json".into(),
            variable_file: "paper/variable_configs.json".into(),
            universal: universal
                .into_iter()
                .map(|(p, i)| (p.to_string(), i))
                .collect(),
            variable: variable
                .into_iter()
                .map(|(p, i)| (p.to_string(), i))
                .collect(),
        }
    }

    fn u(key: &str, value: Value) -> UniversalItem {
        UniversalItem {
            file: None,
            key: key.into(),
            value,
        }
    }

    fn inventory() -> BTreeMap<String, Platform> {
        [
            ("A".to_string(), Platform::Paper),
            ("V".to_string(), Platform::Velocity),
        ]
        .into()
    }

    #[test]
    fn counts_add_up_and_every_drop_is_reported() {
        let doc: Value = serde_json::from_str::<serde_json::Value>(r#"{"x.y": 1, "a..b": 2}"#)
            .map(|v| Value::from_json(&v))
            .unwrap();
        let d = data(
            vec![(
                "P",
                vec![
                    u("k.one", Value::Int(1)),
                    u("sub/file", doc),
                    u("bad.", Value::Int(3)),
                ],
            )],
            vec![(
                "P",
                vec![VariableItem {
                    file: None,
                    key: "k.two".into(),
                    values: vec![
                        ("A".into(), Value::Int(1)),
                        ("NOPE".into(), Value::Int(2)),
                        ("V".into(), Value::Int(3)),
                    ],
                }],
            )],
        );
        let names = Names::new(inventory().into_keys());
        let mut report = ImportReport::default();
        let drafts = build(&[d], &names, &inventory(), &mut report);
        let paper = &drafts.plugins[&(Platform::Paper, "P".to_string())];
        assert_eq!(paper.universal["config"]["k.one"], Value::Int(1));
        assert_eq!(paper.universal["sub/file"]["x.y"], Value::Int(1));
        assert_eq!(paper.variable["config"]["k.two"]["A"], Value::Int(1));
        let velocity = &drafts.plugins[&(Platform::Velocity, "P".to_string())];
        assert_eq!(velocity.variable["config"]["k.two"]["V"], Value::Int(3));
        assert_eq!(report.counts.universal_settings_in, 4);
        assert_eq!(report.counts.variable_values_in, 3);
        let dropped: usize = report.dropped.iter().map(|d| d.count).sum();
        assert_eq!(dropped, 3, "{:#?}", report.dropped);
        assert_eq!(report.moved.len(), 1);
        assert!(
            drafts
                .evidence
                .contains(&(Platform::Velocity, "P".into(), "V".into()))
        );
    }

    #[test]
    fn a_name_and_its_alias_for_one_instance_keep_one_value() {
        let mut names = Names::new(inventory().into_keys());
        names.add_flag("OLD=A").unwrap();
        let d = data(
            vec![],
            vec![(
                "P",
                vec![VariableItem {
                    file: None,
                    key: "k".into(),
                    values: vec![("A".into(), Value::Int(1)), ("OLD".into(), Value::Int(2))],
                }],
            )],
        );
        let mut report = ImportReport::default();
        let drafts = build(&[d], &names, &inventory(), &mut report);
        assert_eq!(
            drafts.plugins[&(Platform::Paper, "P".to_string())].variable["config"]["k"]["A"],
            Value::Int(1)
        );
        assert_eq!(report.dropped.len(), 1);
        assert!(report.dropped[0].reason.contains("OLD and A both name A"));
    }

    #[test]
    fn a_key_both_universal_and_variable_keeps_the_variable_values() {
        let d = data(
            vec![("P", vec![u("k", Value::Int(1))])],
            vec![(
                "P",
                vec![VariableItem {
                    file: None,
                    key: "k".into(),
                    values: vec![("A".into(), Value::Int(2))],
                }],
            )],
        );
        let mut report = ImportReport::default();
        let drafts = build(
            &[d],
            &Names::new(inventory().into_keys()),
            &inventory(),
            &mut report,
        );
        let draft = &drafts.plugins[&(Platform::Paper, "P".to_string())];
        assert!(draft.universal.is_empty());
        assert_eq!(report.dropped[0].kind, "universal");
    }
}
