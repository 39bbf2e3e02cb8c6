//! `deployment_matrix.csv` → [`Matrix`]: one row per plugin, one `server_<INSTANCE>`
//! column per instance, cells `True`/`False`/empty or a version to pin.
//!
//! `plugin_type` maps a row to a platform. The real export uses `bukkit/paper`
//! and `velocity`; any `/`-separated combination of `bukkit`, `spigot`, `paper`
//! and `purpur` means the `paper` platform, `velocity` means velocity, `geyser`
//! means geyser. Anything else is an error, never a guess.

use std::collections::{BTreeMap, HashMap};

use homeamp_schemas::desired::Platform;

use super::fleet::known;
use super::plugins::Plugins;
use crate::diagnostic::{Diagnostics, Mark};
use crate::model::{Deployment, Fleet, Matrix, MatrixRow};
use crate::snapshot::MATRIX_FILE;

const FIXED: [&str; 4] = ["plugin_name", "plugin_type", "auto_update", "update_source"];

/// The platform a `plugin_type` cell names.
pub fn platform_of(plugin_type: &str) -> Option<Platform> {
    let lower = plugin_type.trim().to_ascii_lowercase();
    match lower.as_str() {
        "velocity" => Some(Platform::Velocity),
        "geyser" => Some(Platform::Geyser),
        _ if !lower.is_empty()
            && lower
                .split('/')
                .all(|p| matches!(p, "bukkit" | "spigot" | "paper" | "purpur")) =>
        {
            Some(Platform::Paper)
        }
        _ => None,
    }
}

/// A cell: `None` when not deployed, `Some` deployment otherwise, `Err` when unreadable.
fn cell(text: &str) -> Result<Option<Deployment>, ()> {
    let text = text.trim();
    match text {
        "" | "False" | "false" | "FALSE" => Ok(None),
        "True" | "true" | "TRUE" => Ok(Some(Deployment::Latest)),
        v if v.chars().any(|c| c.is_whitespace() || c == ',') => Err(()),
        v => Ok(Some(Deployment::Pinned(v.to_string()))),
    }
}

fn flag(text: &str) -> Option<bool> {
    match text.trim() {
        "" | "False" | "false" | "FALSE" => Some(false),
        "True" | "true" | "TRUE" => Some(true),
        _ => None,
    }
}

/// The 1-based character column where each field of the CSV record starting at `text` begins.
fn field_columns(text: &str) -> Vec<usize> {
    let mut cols = vec![1];
    let mut col = 1;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        col += 1;
        match c {
            '"' if at_field_start => in_quotes = true,
            '"' if in_quotes => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    col += 1;
                } else {
                    in_quotes = false;
                }
            }
            ',' if !in_quotes => {
                cols.push(col);
                at_field_start = true;
                continue;
            }
            '\n' | '\r' if !in_quotes => break,
            _ => {}
        }
        at_field_start = false;
    }
    cols
}

/// Loads the matrix. When `fleet_known` is false (homeamp.yaml is unreadable)
/// columns are not checked against it.
pub fn load(
    bytes: Option<&Vec<u8>>,
    fleet: &Fleet,
    fleet_known: bool,
    plugins: &Plugins,
    diags: &mut Diagnostics,
) -> Matrix {
    let mut matrix = Matrix::default();
    let Some(bytes) = bytes else {
        diags.warning(
            MATRIX_FILE,
            Mark::START,
            "missing: without deployment_matrix.csv no plugin is deployed anywhere",
        );
        return matrix;
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            diags.error(
                MATRIX_FILE,
                Mark::new(line, 1),
                "not valid UTF-8: save the file as UTF-8",
            );
            return matrix;
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            diags.error(
                MATRIX_FILE,
                Mark::START,
                format!(
                    "empty: the first line names the columns {}, server_<INSTANCE>…",
                    FIXED.join(", ")
                ),
            );
            return matrix;
        }
        Some(Err(err)) => {
            csv_error(&err, diags);
            return matrix;
        }
        Some(Ok(h)) => h,
    };
    let header_cols = field_columns(text);
    let col_at = |cols: &[usize], i: usize| cols.get(i).copied().unwrap_or(1);

    // Column index → meaning.
    let mut fixed: HashMap<&str, usize> = HashMap::new();
    let mut instance_cols: Vec<(usize, String)> = Vec::new();
    let mut instance_first: HashMap<String, String> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let at = Mark::new(1, col_at(&header_cols, i));
        if let Some(instance) = name.strip_prefix("server_") {
            match fleet.canonical(instance) {
                Some(canonical) => {
                    if let Some(first) = instance_first.get(canonical) {
                        diags.error(MATRIX_FILE, at, format!("column {name} names instance {canonical}, as column {first} does; keep one column per instance"));
                        continue;
                    }
                    instance_first.insert(canonical.to_string(), name.to_string());
                    instance_cols.push((i, canonical.to_string()));
                }
                None if !fleet_known => {}
                None => diags.error(
                    MATRIX_FILE,
                    at,
                    format!(
                        "column {name} names an unknown instance {instance:?}; known instances: {} (add an alias in homeamp.yaml if it is another name for one)",
                        known(fleet.instances.keys().map(String::as_str))
                    ),
                ),
            }
        } else if let Some(known_name) = FIXED.iter().find(|f| **f == name) {
            if fixed.insert(known_name, i).is_some() {
                diags.error(MATRIX_FILE, at, format!("column {name} appears twice"));
            }
        } else {
            diags.error(
                MATRIX_FILE,
                at,
                format!(
                    "unknown column {name:?}: expected {}, server_<INSTANCE>…",
                    FIXED.join(", ")
                ),
            );
        }
    }
    for required in ["plugin_name", "plugin_type"] {
        if !fixed.contains_key(required) {
            diags.error(
                MATRIX_FILE,
                Mark::START,
                format!("missing column {required}"),
            );
        }
    }
    let (Some(&name_col), Some(&type_col)) = (fixed.get("plugin_name"), fixed.get("plugin_type"))
    else {
        return matrix;
    };

    // The name a row's plugin_name refers to: a file stem, or a plugin's `name:`.
    let mut by_display: HashMap<(Platform, &str), &str> = HashMap::new();
    for ((platform, stem), plugin) in plugins {
        by_display.insert((*platform, plugin.display_name.as_str()), stem.as_str());
    }

    let width = header.len();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(err) => {
                csv_error(&err, diags);
                continue;
            }
        };
        let Some(position) = record.position() else {
            continue;
        };
        let line = position.line() as usize;
        let cols = field_columns(text.get(position.byte() as usize..).unwrap_or(""));
        let at = |i: usize| Mark::new(line, col_at(&cols, i));
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        if record.len() != width {
            diags.error(
                MATRIX_FILE,
                Mark::new(line, 1),
                format!(
                    "CSV syntax: this row has {} fields, the header {width}",
                    record.len()
                ),
            );
            continue;
        }
        let plugin_name = record[name_col].trim();
        if plugin_name.is_empty() {
            diags.error(MATRIX_FILE, at(name_col), "empty plugin_name");
            continue;
        }
        let Some(platform) = platform_of(&record[type_col]) else {
            diags.error(
                MATRIX_FILE,
                at(type_col),
                format!(
                    "unknown plugin_type {:?}: use bukkit/paper, velocity or geyser",
                    &record[type_col]
                ),
            );
            continue;
        };
        let auto_update = match fixed.get("auto_update") {
            None => false,
            Some(&i) => flag(&record[i]).unwrap_or_else(|| {
                diags.error(
                    MATRIX_FILE,
                    at(i),
                    format!("auto_update is True or False, not {:?}", &record[i]),
                );
                false
            }),
        };
        let update_source = fixed
            .get("update_source")
            .map(|&i| record[i].trim().to_string())
            .unwrap_or_default();
        let mut deployments = BTreeMap::new();
        for (i, instance) in &instance_cols {
            match cell(&record[*i]) {
                Err(()) => diags.error(
                    MATRIX_FILE,
                    at(*i),
                    format!(
                        "bad cell {:?}: True, False, empty, or a version without spaces",
                        &record[*i]
                    ),
                ),
                Ok(None) => {}
                Ok(Some(d)) => {
                    let inst = &fleet.instances[instance];
                    if inst.platform != platform {
                        diags.error(MATRIX_FILE, at(*i), format!("{plugin_name} is a {platform} plugin but {instance} is a {} instance", inst.platform));
                        continue;
                    }
                    deployments.insert(instance.clone(), d);
                }
            }
        }
        let name = if plugins.contains_key(&(platform, plugin_name.to_string())) {
            plugin_name.to_string()
        } else if let Some(stem) = by_display.get(&(platform, plugin_name)) {
            stem.to_string()
        } else {
            if !deployments.is_empty() {
                diags.error(
                    MATRIX_FILE,
                    at(name_col),
                    format!("unknown plugin {plugin_name:?} in the matrix: no plugins/{platform}/{plugin_name}.yaml (create it, even empty, or unmark the row)"),
                );
            }
            plugin_name.to_string()
        };
        let key = (platform, name.clone());
        if let Some(first) = matrix.rows.get(&key) {
            diags.error(
                MATRIX_FILE,
                at(name_col),
                format!("duplicate matrix row for {platform} plugin {name} (first at line {}): keep one row per plugin", first.line),
            );
            continue;
        }
        matrix.rows.insert(
            key,
            MatrixRow {
                plugin: name,
                platform,
                auto_update,
                update_source,
                deployments,
                line,
            },
        );
    }

    for ((platform, name), plugin) in plugins {
        let deployed = matrix
            .rows
            .get(&(*platform, name.clone()))
            .is_some_and(|row| !row.deployments.is_empty());
        if !deployed && fleet_known {
            diags.warning(
                &plugin.source_file,
                Mark::START,
                format!(
                    "plugin {name} is deployed on no instance: mark it in deployment_matrix.csv"
                ),
            );
        }
    }
    matrix
}

fn csv_error(err: &csv::Error, diags: &mut Diagnostics) {
    let line = err.position().map(|p| p.line() as usize).unwrap_or(1);
    diags.error(
        MATRIX_FILE,
        Mark::new(line, 1),
        format!("CSV syntax: {err}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_types_map_to_platforms() {
        assert_eq!(platform_of("bukkit/paper"), Some(Platform::Paper));
        assert_eq!(platform_of("paper"), Some(Platform::Paper));
        assert_eq!(platform_of("Velocity"), Some(Platform::Velocity));
        assert_eq!(platform_of("geyser"), Some(Platform::Geyser));
        assert_eq!(platform_of("forge"), None);
        assert_eq!(platform_of(""), None);
    }

    #[test]
    fn cells_are_flags_or_versions() {
        assert_eq!(cell("True"), Ok(Some(Deployment::Latest)));
        assert_eq!(cell("False"), Ok(None));
        assert_eq!(cell(""), Ok(None));
        assert_eq!(cell("5.4.1"), Ok(Some(Deployment::Pinned("5.4.1".into()))));
        assert_eq!(cell("5 4"), Err(()));
    }

    #[test]
    fn field_columns_follow_quotes() {
        assert_eq!(field_columns("a,bb,c\nnext"), [1, 3, 6]);
        assert_eq!(field_columns("\"x, y\",z"), [1, 8]);
        assert_eq!(field_columns("\"a\"\"b\",c"), [1, 8]);
    }
}
