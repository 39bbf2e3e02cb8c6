//! Which plugin runs on which instance, from the best evidence, and the matrix written
//! from it.
//!
//! Evidence, each recorded per deployment:
//! - `matrix`: a `True` (or version) cell of the user's matrix;
//! - `variable_configs`: the instance is listed under the plugin in a variable file
//!   (the prototype only lists instances it found the plugin on);
//! - `platform`: a velocity or geyser plugin runs on every instance of that platform
//!   (there is nowhere else it can run);
//! - `inventory_name`: a paper plugin with no other evidence whose name is an
//!   instance's name or its id without the number (`Minetorio` ↔ instance "Minetorio",
//!   `CSMC` ↔ `CSMC01`): single-purpose servers named after their plugin.
//!
//! A paper plugin with none of these is deployed nowhere: its settings are kept, and the
//! report lists it. Deploying it everywhere would install minigame plugins on every
//! production server; deploying it nowhere changes nothing (the import sets no prune).

use std::collections::{BTreeMap, BTreeSet};

use homeamp_schemas::desired::Platform;

use super::aliases::{Names, Resolved};
use super::inventory::InventoryInstance;
use super::matrix::{Cell, OutRow, SourceMatrix, SourceRow, type_of_platform};
use super::report::{DeploymentLine, ImportReport, UndeployedLine};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    Matrix,
    VariableConfigs,
    Platform,
    InventoryName,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Matrix => "matrix",
            Evidence::VariableConfigs => "variable_configs",
            Evidence::Platform => "platform",
            Evidence::InventoryName => "inventory_name",
        }
    }
}

/// (platform, plugin) → instance → evidence.
pub type Deployments = BTreeMap<(Platform, String), BTreeMap<String, BTreeSet<Evidence>>>;

/// The matrix to write.
#[derive(Debug, Default)]
pub struct MatrixOut {
    pub columns: Vec<String>,
    pub rows: Vec<OutRow>,
}

/// A plugin name reduced for matching matrix rows to plugin files: lower case, a
/// trailing `(…)` remark and every non-alphanumeric character removed, and a trailing
/// platform word (`-Bukkit`, `-Velocity`, `Paper`…) dropped. `PLAN` ↔ `Plan`,
/// `LuckPerms-Bukkit` ↔ `LuckPerms`, `worldguard-bukkit` ↔ `WorldGuard`,
/// `creative suite` ↔ `CreativeSuite`, `Axiom` ↔ `AxiomPaper`.
pub fn plugin_key(name: &str) -> String {
    let mut name = name.trim();
    if name.ends_with(')')
        && let Some(open) = name.rfind('(')
    {
        name = name[..open].trim();
    }
    let squashed: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    for suffix in ["bukkit", "spigot", "paper", "velocity"] {
        if let Some(stem) = squashed.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_string();
        }
    }
    squashed
}

/// [`plugin_key`] without dropping a platform word.
fn squash(name: &str) -> String {
    let mut name = name.trim();
    if name.ends_with(')')
        && let Some(open) = name.rfind('(')
    {
        name = name[..open].trim();
    }
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

struct MergedRow {
    name: String,
    platform: Platform,
    auto_update: String,
    update_source: String,
    lines: Vec<usize>,
    cells: Vec<Cell>,
}

/// Resolves deployments and builds the matrix. `plugins`: every plugin with a file.
#[allow(clippy::too_many_arguments)]
pub fn resolve(
    matrix: Option<&SourceMatrix>,
    matrix_file: &str,
    plugins: &BTreeSet<(Platform, String)>,
    evidence: &BTreeSet<(Platform, String, String)>,
    inventory: &[InventoryInstance],
    names: &Names,
    alias_uses: &mut BTreeMap<String, BTreeSet<String>>,
    unknown: &mut BTreeMap<String, (BTreeSet<String>, usize)>,
    report: &mut ImportReport,
) -> (Deployments, MatrixOut) {
    let platform_of: BTreeMap<&str, Platform> = inventory
        .iter()
        .map(|i| (i.id.as_str(), i.platform))
        .collect();
    let mut deployments = Deployments::new();
    let add = |deployments: &mut Deployments,
               platform: Platform,
               plugin: &str,
               instance: &str,
               e: Evidence| {
        deployments
            .entry((platform, plugin.to_string()))
            .or_default()
            .entry(instance.to_string())
            .or_default()
            .insert(e);
    };

    // Columns.
    let mut columns: Vec<String> = Vec::new();
    let mut column_of: Vec<Option<usize>> = Vec::new();
    if let Some(m) = matrix {
        for (i, name) in m.columns.iter().enumerate() {
            let deployed_cells = m
                .rows
                .iter()
                .filter(|r| Cell::parse(&r.cells[i]).deployed())
                .count();
            let target = match names.resolve(name) {
                Resolved::Inventory(n) => n,
                Resolved::Alias { from, to } => {
                    alias_uses
                        .entry(from)
                        .or_default()
                        .insert(matrix_file.into());
                    report
                        .matrix
                        .columns_renamed
                        .push(format!("server_{name} -> server_{to} (alias)"));
                    to
                }
                Resolved::Unknown(n) => {
                    let entry = unknown.entry(n.clone()).or_default();
                    entry.0.insert(matrix_file.into());
                    entry.1 += deployed_cells;
                    report.matrix.columns_dropped.push(format!(
                        "server_{n}: no instance in instances.sql and no alias ({deployed_cells} deployed cells not imported)"
                    ));
                    column_of.push(None);
                    continue;
                }
            };
            match columns.iter().position(|c| *c == target) {
                Some(existing) => {
                    report.matrix.columns_renamed.push(format!(
                        "server_{name} merged into server_{target} (both name {target})"
                    ));
                    column_of.push(Some(existing));
                }
                None => {
                    columns.push(target);
                    column_of.push(Some(columns.len() - 1));
                }
            }
        }
    }
    for instance in inventory {
        if !columns.contains(&instance.id) {
            if matrix.is_some() {
                report.matrix.columns_added.push(format!(
                    "server_{}: an instance of instances.sql without a column",
                    instance.id
                ));
            }
            columns.push(instance.id.clone());
        }
    }

    // Rows: renamed to their plugin file, duplicates merged.
    let mut by_key: BTreeMap<(Platform, String), Vec<&str>> = BTreeMap::new();
    for (platform, plugin) in plugins {
        by_key
            .entry((*platform, plugin_key(plugin)))
            .or_default()
            .push(plugin);
    }
    let mut merged: Vec<MergedRow> = Vec::new();
    for row in matrix.map(|m| m.rows.as_slice()).unwrap_or_default() {
        let key = plugin_key(&row.plugin_name);
        let same_platform = by_key.get(&(row.platform, key.clone())).map(Vec::as_slice);
        let other_platforms: Vec<(Platform, &str)> = by_key
            .iter()
            // A name that says its platform (`LuckPerms-Velocity`) is never moved to another.
            .filter(|((p, k), _)| {
                *p != row.platform && *k == key && squash(&row.plugin_name) == key
            })
            .flat_map(|((p, _), names)| names.iter().map(move |n| (*p, *n)))
            .collect();
        let (name, platform) = match (same_platform, other_platforms.as_slice()) {
            (Some([plugin]), _) if *plugin != row.plugin_name => {
                report.matrix.rows_renamed.push(format!(
                    "line {}: {} -> {plugin} ({}) to match its plugin file",
                    row.line, row.plugin_name, row.platform
                ));
                (plugin.to_string(), row.platform)
            }
            // The plugin's settings exist on exactly one other platform only: the
            // settings are better evidence of its platform than the row's plugin_type.
            (None, [(platform, plugin)]) => {
                report.matrix.rows_renamed.push(format!(
                    "line {}: {} ({}) -> {plugin} ({}): its settings are in {platform}/universal_configs.json, so plugin_type {:?} was corrected",
                    row.line,
                    row.plugin_name,
                    row.platform,
                    type_of_platform(*platform),
                    row.plugin_type
                ));
                (plugin.to_string(), *platform)
            }
            _ => (row.plugin_name.clone(), row.platform),
        };
        let cells = row_cells(row, &column_of, columns.len());
        match merged
            .iter_mut()
            .find(|m| m.platform == platform && m.name.eq_ignore_ascii_case(&name))
        {
            Some(first) => merge_row(first, row, cells, report),
            None => merged.push(MergedRow {
                name,
                platform,
                auto_update: row.auto_update.clone(),
                update_source: row.update_source.clone(),
                lines: vec![row.line],
                cells,
            }),
        }
    }

    // Evidence.
    for row in &merged {
        for (i, cell) in row.cells.iter().enumerate() {
            if !cell.deployed() {
                continue;
            }
            let instance = &columns[i];
            match platform_of.get(instance.as_str()) {
                Some(p) if *p == row.platform => add(
                    &mut deployments,
                    row.platform,
                    &row.name,
                    instance,
                    Evidence::Matrix,
                ),
                Some(p) => report.matrix.cells_ignored.push(format!(
                    "line {}: {} ({}) on {instance}: the instance runs {p}",
                    row.lines[0], row.name, row.platform
                )),
                None => {}
            }
        }
    }
    for (platform, plugin, instance) in evidence {
        add(
            &mut deployments,
            *platform,
            plugin,
            instance,
            Evidence::VariableConfigs,
        );
    }
    let mut known: BTreeSet<(Platform, String)> = plugins.clone();
    known.extend(merged.iter().map(|r| (r.platform, r.name.clone())));
    for (platform, plugin) in &known {
        if *platform == Platform::Paper {
            continue;
        }
        for instance in inventory.iter().filter(|i| i.platform == *platform) {
            add(
                &mut deployments,
                *platform,
                plugin,
                &instance.id,
                Evidence::Platform,
            );
        }
    }
    for (platform, plugin) in plugins {
        if *platform != Platform::Paper || deployments.contains_key(&(*platform, plugin.clone())) {
            continue;
        }
        let key = plugin_key(plugin);
        for instance in inventory.iter().filter(|i| i.platform == Platform::Paper) {
            let by_name = instance
                .name
                .as_deref()
                .is_some_and(|n| plugin_key(n) == key);
            let by_id =
                plugin_key(instance.id.trim_end_matches(|c: char| c.is_ascii_digit())) == key;
            if by_name || by_id {
                add(
                    &mut deployments,
                    *platform,
                    plugin,
                    &instance.id,
                    Evidence::InventoryName,
                );
            }
        }
    }

    // The matrix to write.
    let cell_text = |deployments: &Deployments,
                     platform: Platform,
                     name: &str,
                     i: usize,
                     cell: Option<&Cell>| {
        if let Some(Cell::Pinned(v)) = cell {
            return v.clone();
        }
        let on = deployments
            .get(&(platform, name.to_string()))
            .is_some_and(|d| d.contains_key(&columns[i]));
        if on {
            "True".to_string()
        } else {
            "False".to_string()
        }
    };
    let mut out = MatrixOut {
        columns: columns.clone(),
        rows: Vec::new(),
    };
    for row in &merged {
        out.rows.push(OutRow {
            plugin_name: row.name.clone(),
            platform: row.platform,
            auto_update: row.auto_update.clone(),
            update_source: row.update_source.clone(),
            cells: (0..columns.len())
                .map(|i| cell_text(&deployments, row.platform, &row.name, i, row.cells.get(i)))
                .collect(),
        });
    }
    for (platform, plugin) in plugins {
        if merged
            .iter()
            .any(|r| r.platform == *platform && r.name == *plugin)
        {
            continue;
        }
        if matrix.is_some() {
            report.matrix.rows_added.push(format!(
                "{plugin} ({}): has a plugin file but no row",
                type_of_platform(*platform)
            ));
        }
        out.rows.push(OutRow {
            plugin_name: plugin.clone(),
            platform: *platform,
            auto_update: "False".into(),
            update_source: "manual".into(),
            cells: (0..columns.len())
                .map(|i| cell_text(&deployments, *platform, plugin, i, None))
                .collect(),
        });
    }

    for ((platform, plugin), instances) in &deployments {
        for (instance, sources) in instances {
            report.deployments.push(DeploymentLine {
                platform: platform.to_string(),
                plugin: plugin.clone(),
                instance: instance.clone(),
                sources: sources.iter().map(|e| e.as_str().to_string()).collect(),
            });
        }
    }
    for (platform, plugin) in plugins {
        if !deployments.contains_key(&(*platform, plugin.clone())) {
            report.undeployed_plugins.push(UndeployedLine {
                platform: platform.to_string(),
                plugin: plugin.clone(),
                reason: "no matrix cell, no instance in a variable file, no instance named after it; mark its matrix row to deploy it".into(),
            });
        }
    }
    report.counts.deployments = report.deployments.len();
    (deployments, out)
}

fn row_cells(row: &SourceRow, column_of: &[Option<usize>], width: usize) -> Vec<Cell> {
    let mut cells = vec![Cell::Absent; width];
    for (i, text) in row.cells.iter().enumerate() {
        if let Some(Some(out)) = column_of.get(i) {
            let cell = Cell::parse(text);
            if (cell.deployed() && !cells[*out].deployed()) || matches!(cell, Cell::Pinned(_)) {
                cells[*out] = cell;
            }
        }
    }
    cells
}

fn merge_row(first: &mut MergedRow, row: &SourceRow, cells: Vec<Cell>, report: &mut ImportReport) {
    let mut notes = Vec::new();
    for (kept, new) in first.cells.iter_mut().zip(cells) {
        match (&*kept, &new) {
            (Cell::Pinned(a), Cell::Pinned(b)) if a != b => {
                notes.push(format!("pin {b} dropped for {a}"))
            }
            (Cell::Absent, _) | (Cell::Present, Cell::Pinned(_)) => *kept = new,
            _ => {}
        }
    }
    let takes_update = !first.auto_update.eq_ignore_ascii_case("true")
        && row.auto_update.eq_ignore_ascii_case("true");
    if takes_update {
        notes.push(format!(
            "auto_update={} update_source={} taken from line {} over {}/{}",
            row.auto_update, row.update_source, row.line, first.auto_update, first.update_source
        ));
        first.auto_update = row.auto_update.clone();
        first.update_source = row.update_source.clone();
    } else if row.auto_update != first.auto_update || row.update_source != first.update_source {
        notes.push(format!(
            "line {}'s auto_update={} update_source={} dropped for {}/{}",
            row.line, row.auto_update, row.update_source, first.auto_update, first.update_source
        ));
    }
    first.lines.push(row.line);
    report.matrix.rows_merged.push(format!(
        "{} ({}): line {} merged into line {}{}",
        first.name,
        type_of_platform(first.platform),
        row.line,
        first.lines[0],
        if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        }
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_keys_match_the_matrix_spellings() {
        assert_eq!(plugin_key("PLAN"), plugin_key("Plan"));
        assert_eq!(plugin_key("LuckPerms-Bukkit"), plugin_key("LuckPerms"));
        assert_eq!(plugin_key("worldguard-bukkit"), plugin_key("WorldGuard"));
        assert_eq!(plugin_key("creative suite"), plugin_key("CreativeSuite"));
        assert_eq!(plugin_key("Axiom"), plugin_key("AxiomPaper"));
        assert_eq!(
            plugin_key("Hurricane (spigot plugin for geyser)"),
            plugin_key("Hurricane")
        );
        assert_ne!(plugin_key("Compat-WorldEdit"), plugin_key("WorldEdit"));
        assert_ne!(plugin_key("VaultUnlocked"), plugin_key("Vault"));
        assert_ne!(
            squash("LuckPerms-Velocity"),
            plugin_key("LuckPerms-Velocity")
        );
    }
}
