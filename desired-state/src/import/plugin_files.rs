//! Drafts into `plugins/<platform>/<Plugin>.yaml` files: file names and formats chosen,
//! secrets replaced by references, suspicious values listed, everything sorted.

use std::collections::{BTreeMap, BTreeSet};

use homeamp_schemas::desired::{FileSpec, Platform, PluginFile};
use homeamp_schemas::{KeyPath, Value, ValueKind};
use indexmap::IndexMap;

use super::files::{FileChoice, choose_file, quoted_literal};
use super::report::{ClearLine, FileLine, ImportReport, SecretLine, SuspiciousLine};
use super::secrets::{SecretBook, Verdict, holds_redacted, judge};
use super::settings::PluginDraft;

/// One plugin file to write.
#[derive(Debug)]
pub struct PluginOut {
    /// Path in the repository.
    pub path: String,
    pub file: PluginFile,
    /// Source files that contributed, for the header comment.
    pub sources: BTreeSet<String>,
}

/// The file name of a plugin in `plugins/<platform>/`, and whether `name:` must say the real one.
pub fn file_stem(plugin: &str) -> (String, bool) {
    let safe: String = plugin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = if safe.starts_with('.') {
        format!("_{safe}")
    } else {
        safe
    };
    let differs = safe != plugin;
    (safe, differs)
}

pub fn build(
    drafts: BTreeMap<(Platform, String), PluginDraft>,
    secrets: &mut SecretBook,
    report: &mut ImportReport,
) -> Vec<PluginOut> {
    let mut out = Vec::new();
    for ((platform, plugin), draft) in drafts {
        let (stem, renamed) = file_stem(&plugin);
        let path = format!("plugins/{platform}/{stem}.yaml");
        let choices = choose_files(platform, &plugin, &draft, report);
        let mut file = PluginFile {
            name: renamed.then(|| plugin.clone()),
            ..PluginFile::default()
        };
        for choice in choices.values() {
            file.files.insert(
                choice.name.clone(),
                FileSpec {
                    format: choice.format,
                    owned: false,
                },
            );
        }
        file.files.sort_keys();
        for (stem, paths) in draft.universal {
            let name = choices[&stem].name.clone();
            let mut settings = IndexMap::new();
            for (key, value) in paths {
                let at = format!("{path} {name} {key}");
                let value = protect(&plugin, &key, value, at.clone(), secrets, report);
                if let Value::String(s) = &value
                    && quoted_literal(s)
                {
                    suspicious(
                        report,
                        &at,
                        "the string still holds its own quotes (read from the file without unquoting)",
                        [("universal".to_string(), value.clone())],
                    );
                }
                report.counts.universal_settings_written += 1;
                settings.insert(key, sorted(value));
            }
            file.universal.insert(name, settings);
        }
        for (stem, paths) in draft.variable {
            let name = choices[&stem].name.clone();
            let mut settings = IndexMap::new();
            for (key, scopes) in paths {
                let at = format!("{path} {name} {key}");
                let mut values = IndexMap::new();
                for (scope, value) in scopes {
                    let value = protect(
                        &plugin,
                        &key,
                        value,
                        format!("{at} @{scope}"),
                        secrets,
                        report,
                    );
                    report.counts.variable_values_written += 1;
                    values.insert(scope, sorted(value));
                }
                lint_variable(report, &at, &values);
                settings.insert(key, values);
            }
            file.variable.insert(name, settings);
        }
        file.universal.sort_keys();
        file.variable.sort_keys();
        out.push(PluginOut {
            path,
            file,
            sources: draft.sources,
        });
    }
    report.counts.plugins = out.len();
    report.counts.files = report.files.len();
    report.counts.files_with_assumed_extension =
        report.files.iter().filter(|f| f.assumed.is_some()).count();
    report.counts.secrets = secrets.places().len();
    for (name, places) in secrets.places() {
        report.secrets.push(SecretLine {
            name: name.clone(),
            redacted: secrets.is_redacted(name),
            used_at: places.clone(),
        });
    }
    out
}

fn choose_files(
    platform: Platform,
    plugin: &str,
    draft: &PluginDraft,
    report: &mut ImportReport,
) -> BTreeMap<String, FileChoice> {
    let mut stems: BTreeSet<&String> = draft.universal.keys().collect();
    stems.extend(draft.variable.keys());
    let mut choices = BTreeMap::new();
    for stem in stems {
        let universal = draft
            .universal
            .get(stem)
            .into_iter()
            .flat_map(|m| m.values());
        let variable = draft
            .variable
            .get(stem)
            .into_iter()
            .flat_map(|m| m.values().flat_map(|s| s.values()));
        let choice = choose_file(platform, plugin, stem, universal.chain(variable));
        report.files.push(FileLine {
            platform: platform.to_string(),
            plugin: plugin.to_string(),
            file: choice.name.clone(),
            format: choice.format.as_str().to_string(),
            assumed: choice.assumed.clone(),
        });
        choices.insert(stem.clone(), choice);
    }
    choices
}

/// Replaces a secret by its reference; records credential-like values kept in clear.
fn protect(
    plugin: &str,
    key: &str,
    value: Value,
    at: String,
    secrets: &mut SecretBook,
    report: &mut ImportReport,
) -> Value {
    let path = KeyPath::parse(key).unwrap_or_default();
    match judge(&path, &value) {
        Verdict::Secret => match &value {
            Value::String(s) => Value::String(secrets.reference(plugin, &path, s, at)),
            _ => value,
        },
        Verdict::Clear(reason) => {
            report.secrets_kept_in_clear.push(ClearLine {
                at,
                reason: reason.into(),
            });
            value
        }
        Verdict::NotSecret => {
            if !value.is_scalar() && holds_redacted(&value) {
                report.secrets_kept_in_clear.push(ClearLine {
                    at,
                    reason: "a REDACTED- value inside a list or map: a reference can only replace a whole value".into(),
                });
            }
            value
        }
    }
}

fn suspicious(
    report: &mut ImportReport,
    at: &str,
    reason: &str,
    values: impl IntoIterator<Item = (String, Value)>,
) {
    report.suspicious.push(SuspiciousLine {
        at: at.into(),
        reason: reason.into(),
        values: values.into_iter().collect(),
    });
}

/// Values of one key whose types differ between instances (an integer and a float of a
/// number are one type), and strings that kept their own quotes.
fn lint_variable(report: &mut ImportReport, at: &str, values: &IndexMap<String, Value>) {
    let kind = |v: &Value| match v.kind() {
        ValueKind::Float => ValueKind::Int,
        k => k,
    };
    let kinds: BTreeSet<&str> = values.values().map(|v| kind(v).as_str()).collect();
    if kinds.len() > 1 {
        suspicious(
            report,
            at,
            &format!(
                "the type differs between instances ({})",
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            ),
            values.iter().map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    let quoted: Vec<(String, Value)> = values
        .iter()
        .filter(|(_, v)| matches!(v, Value::String(s) if quoted_literal(s)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !quoted.is_empty() {
        suspicious(
            report,
            at,
            "the string still holds its own quotes (read from the file without unquoting)",
            quoted,
        );
    }
}

/// The value with every map's keys sorted, so output does not depend on source order.
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Map(map) => {
            let mut entries: Vec<(String, Value)> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Map(entries.into_iter().collect())
        }
        Value::List(items) => Value::List(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_plugin_names_get_a_safe_file_name_and_keep_their_name() {
        assert_eq!(
            file_stem("QuickShop-Hikari"),
            ("QuickShop-Hikari".to_string(), false)
        );
        assert_eq!(
            file_stem("1p death, all death"),
            ("1p_death__all_death".to_string(), true)
        );
        assert_eq!(file_stem(".hidden"), ("_.hidden".to_string(), true));
    }

    #[test]
    fn type_differences_are_suspicious_but_int_and_float_are_one_type() {
        let mut report = ImportReport::default();
        let values: IndexMap<String, Value> = [
            ("A".to_string(), Value::Int(250)),
            ("B".to_string(), Value::String("250quests_".into())),
        ]
        .into_iter()
        .collect();
        lint_variable(&mut report, "x", &values);
        assert_eq!(report.suspicious.len(), 1);
        let values: IndexMap<String, Value> = [
            ("A".to_string(), Value::Int(1)),
            ("B".to_string(), Value::Float(1.5)),
        ]
        .into_iter()
        .collect();
        lint_variable(&mut report, "y", &values);
        assert_eq!(report.suspicious.len(), 1);
    }
}
