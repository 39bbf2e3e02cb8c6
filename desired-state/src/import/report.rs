//! The import report: everything the import decided, assumed, moved or could not map,
//! as JSON (this type, serialized) and as text for the terminal ([`ImportReport::to_text`]).
//!
//! Secrets appear by name only. Counts add up: for universal settings and for variable
//! values, `in == written + dropped`, and every dropped one is listed in `dropped`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use homeamp_schemas::Value;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// The `--from` folder as given.
    pub source: String,
    /// Source files read, relative to `source`.
    pub files_read: Vec<String>,
    pub counts: Counts,
    pub servers: Vec<ServerLine>,
    pub aliases_applied: Vec<AliasLine>,
    pub aliases_unused: Vec<AliasLine>,
    pub unknown_names: Vec<UnknownName>,
    pub matrix: MatrixReport,
    pub deployments: Vec<DeploymentLine>,
    pub undeployed_plugins: Vec<UndeployedLine>,
    pub files: Vec<FileLine>,
    pub secrets: Vec<SecretLine>,
    pub secrets_kept_in_clear: Vec<ClearLine>,
    pub suspicious: Vec<SuspiciousLine>,
    pub moved: Vec<MovedLine>,
    pub dropped: Vec<DroppedLine>,
    pub notes: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    /// Settings in the universal files; a whole file counts one per key.
    pub universal_settings_in: usize,
    pub universal_settings_written: usize,
    pub universal_settings_dropped: usize,
    /// (key, instance) values in the variable files.
    pub variable_values_in: usize,
    pub variable_values_written: usize,
    pub variable_values_dropped: usize,
    pub servers: usize,
    pub instances: usize,
    pub plugins: usize,
    pub files: usize,
    pub files_with_assumed_extension: usize,
    pub deployments: usize,
    pub secrets: usize,
    pub matrix_rows_in: usize,
    pub matrix_rows_out: usize,
}

#[derive(Debug, Serialize)]
pub struct ServerLine {
    pub name: String,
    pub role: String,
    pub instances: usize,
    pub rule: String,
}

#[derive(Debug, Serialize)]
pub struct AliasLine {
    pub from: String,
    pub to: String,
    pub origin: String,
    /// Source files where the old name was met.
    pub used_in: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct UnknownName {
    pub name: String,
    /// Listed under `unknown:` in the aliases file.
    pub declared_unknown: bool,
    pub seen_in: Vec<String>,
    /// Variable values and deployed matrix cells of this name that were not imported.
    pub values_not_imported: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct MatrixReport {
    pub columns_renamed: Vec<String>,
    pub columns_dropped: Vec<String>,
    pub columns_added: Vec<String>,
    pub rows_renamed: Vec<String>,
    pub rows_merged: Vec<String>,
    pub rows_added: Vec<String>,
    pub cells_ignored: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct DeploymentLine {
    pub platform: String,
    pub plugin: String,
    pub instance: String,
    /// Where the deployment came from: `matrix`, `variable_configs`, `platform`, `inventory_name`.
    pub sources: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct UndeployedLine {
    pub platform: String,
    pub plugin: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct FileLine {
    pub platform: String,
    pub plugin: String,
    pub file: String,
    pub format: String,
    /// Why the extension was assumed; absent when the source gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SecretLine {
    pub name: String,
    /// The source only held a `REDACTED-<hash>` marker: fill in the real value.
    pub redacted: bool,
    pub used_at: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ClearLine {
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct SuspiciousLine {
    pub at: String,
    pub reason: String,
    /// Scope (instance or `universal`) → value, secrets as references.
    pub values: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize)]
pub struct MovedLine {
    pub from: String,
    pub to: String,
    pub values: usize,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct DroppedLine {
    /// `universal` or `variable`.
    pub kind: String,
    pub source: String,
    pub plugin: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// How many settings (or values) this line stands for.
    pub count: usize,
    pub reason: String,
}

impl ImportReport {
    /// The report for the terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let c = &self.counts;
        let _ = writeln!(out, "homeamp import of {}", self.source);
        let _ = writeln!(out, "  read: {}", self.files_read.join(", "));
        let _ = writeln!(
            out,
            "  universal settings: {} in = {} written + {} not imported",
            c.universal_settings_in, c.universal_settings_written, c.universal_settings_dropped
        );
        let _ = writeln!(
            out,
            "  variable values:    {} in = {} written + {} not imported",
            c.variable_values_in, c.variable_values_written, c.variable_values_dropped
        );
        let _ = writeln!(
            out,
            "  {} servers, {} instances, {} plugins, {} files ({} with an assumed extension), {} deployments, {} secrets, matrix rows {} in / {} out",
            c.servers,
            c.instances,
            c.plugins,
            c.files,
            c.files_with_assumed_extension,
            c.deployments,
            c.secrets,
            c.matrix_rows_in,
            c.matrix_rows_out
        );

        section(
            &mut out,
            "Servers",
            self.servers.iter().map(|s| {
                format!(
                    "{} ({}, {} instances): {}",
                    s.name, s.role, s.instances, s.rule
                )
            }),
        );
        section(
            &mut out,
            "Aliases applied",
            self.aliases_applied.iter().map(|a| {
                format!(
                    "{} -> {} ({}), met in {}",
                    a.from,
                    a.to,
                    a.origin,
                    a.used_in.join(", ")
                )
            }),
        );
        section(
            &mut out,
            "Aliases not needed by any source file",
            self.aliases_unused
                .iter()
                .map(|a| format!("{} -> {} ({})", a.from, a.to, a.origin)),
        );
        section(
            &mut out,
            "Unknown instance names (not imported)",
            self.unknown_names.iter().map(|u| {
                format!(
                    "{}{}: in {}; {} values/cells not imported",
                    u.name,
                    if u.declared_unknown {
                        " (listed as unknown in the aliases file)"
                    } else {
                        ""
                    },
                    u.seen_in.join(", "),
                    u.values_not_imported
                )
            }),
        );
        let m = &self.matrix;
        section(
            &mut out,
            "Matrix columns renamed",
            m.columns_renamed.iter().cloned(),
        );
        section(
            &mut out,
            "Matrix columns dropped",
            m.columns_dropped.iter().cloned(),
        );
        section(
            &mut out,
            "Matrix columns added",
            m.columns_added.iter().cloned(),
        );
        section(
            &mut out,
            "Matrix rows renamed to their plugin file",
            m.rows_renamed.iter().cloned(),
        );
        section(
            &mut out,
            "Matrix rows merged (duplicates)",
            m.rows_merged.iter().cloned(),
        );
        section(&mut out, "Matrix rows added", m.rows_added.iter().cloned());
        section(
            &mut out,
            "Matrix cells ignored",
            m.cells_ignored.iter().cloned(),
        );
        section(
            &mut out,
            "Deployments (plugin: instances by source)",
            deployments_text(&self.deployments),
        );
        section(
            &mut out,
            "Plugins deployed nowhere (settings kept)",
            self.undeployed_plugins
                .iter()
                .map(|u| format!("{} ({}): {}", u.plugin, u.platform, u.reason)),
        );
        section(
            &mut out,
            "Files with an assumed extension",
            assumed_text(&self.files),
        );
        section(
            &mut out,
            "Secrets (values in the secrets file, never in git)",
            self.secrets.iter().map(|s| {
                format!(
                    "{}{}: {} place(s): {}",
                    s.name,
                    if s.redacted {
                        " [redacted in the source: fill in the real value]"
                    } else {
                        ""
                    },
                    s.used_at.len(),
                    s.used_at.join(", ")
                )
            }),
        );
        section(
            &mut out,
            "Credential-like keys kept in clear",
            self.secrets_kept_in_clear
                .iter()
                .map(|c| format!("{}: {}", c.at, c.reason)),
        );
        section(
            &mut out,
            "Suspicious values (kept as they are)",
            self.suspicious.iter().map(|s| {
                let values: Vec<String> = s
                    .values
                    .iter()
                    .map(|(scope, v)| {
                        format!("{scope}={}", serde_json::to_string(v).unwrap_or_default())
                    })
                    .collect();
                format!("{}: {}: {}", s.at, s.reason, values.join(" "))
            }),
        );
        section(
            &mut out,
            "Moved",
            self.moved
                .iter()
                .map(|m| format!("{} -> {} ({} values): {}", m.from, m.to, m.values, m.reason)),
        );
        section(
            &mut out,
            "Not imported",
            self.dropped.iter().map(|d| {
                format!(
                    "{} {} {}{} ({} {}): {}",
                    d.source,
                    d.plugin,
                    d.key,
                    d.instance
                        .as_ref()
                        .map(|i| format!(" @{i}"))
                        .unwrap_or_default(),
                    d.count,
                    if d.kind == "variable" {
                        "value(s)"
                    } else {
                        "setting(s)"
                    },
                    d.reason
                )
            }),
        );
        section(&mut out, "Notes", self.notes.iter().cloned());
        out
    }
}

fn section(out: &mut String, title: &str, lines: impl IntoIterator<Item = String>) {
    let lines: Vec<String> = lines.into_iter().collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title} ({}):", lines.len());
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
}

fn deployments_text(lines: &[DeploymentLine]) -> Vec<String> {
    // plugin → sources → instances
    let mut grouped: BTreeMap<(String, String), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for d in lines {
        grouped
            .entry((d.platform.clone(), d.plugin.clone()))
            .or_default()
            .entry(d.sources.join("+"))
            .or_default()
            .push(d.instance.clone());
    }
    grouped
        .into_iter()
        .map(|((platform, plugin), by_source)| {
            let parts: Vec<String> = by_source
                .into_iter()
                .map(|(sources, instances)| format!("{sources}: {}", instances.join(" ")))
                .collect();
            format!("{plugin} ({platform}): {}", parts.join("; "))
        })
        .collect()
}

fn assumed_text(files: &[FileLine]) -> Vec<String> {
    let mut grouped: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for f in files {
        if let Some(reason) = &f.assumed {
            grouped
                .entry((f.plugin.clone(), f.platform.clone(), reason.clone()))
                .or_default()
                .push(f.file.clone());
        }
    }
    grouped
        .into_iter()
        .map(|((plugin, platform, reason), files)| {
            format!(
                "{plugin} ({platform}), {} file(s), {reason}: {}",
                files.len(),
                files.join(", ")
            )
        })
        .collect()
}
