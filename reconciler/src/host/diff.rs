//! Desired against live for one instance: the pure heart of a reconcile.
//!
//! Given the rendered desired settings of an instance and its live config files
//! (parsed), it lists the edits that would bring each file to the desired state
//! (merged per file: one write per file) and the drift records that describe the
//! differences. It does no IO, which keeps it easy to test and to benchmark.
//!
//! Values compare as the plugin reads them (`Document::get` resolves YAML 1.1
//! scalars as SnakeYAML does), so `enabled: yes` on disk matches desired `true`.
//! Live files are stored with known secret values replaced by their references, so a
//! desired reference compares with the stored text as is; the edits keep the references.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::Arc;

use homeamp_configfiles::Document;
use homeamp_desired::DesiredState;
use homeamp_desired::model::{ConfigFile, Instance, Plugin, Reload, Setting};
use homeamp_desired::render::{effective_file, pick};
use homeamp_desired::secret::holds_secret;
use homeamp_schemas::desired::{FileFormat, Platform};
use homeamp_schemas::job::{JobIntent, PatchOp};
use homeamp_schemas::{KeyPath, Value};

use super::tree_cursor::TreeCursor;

use super::secrets::Secrets;
use crate::store::{DriftObservation, DriftType, Severity};

/// One live file as the host knows it: its sha256 and its parsed content.
#[derive(Clone)]
pub struct LiveDoc {
    pub sha256: String,
    /// The parse error's text when the file is not valid in its format.
    pub parsed: Result<Parsed, String>,
}

/// A parsed live file: the lossless document, and the value it reads as, resolved once
/// (so that comparing thousands of keys is a walk through maps, not a parse per key).
#[derive(Clone)]
pub struct Parsed {
    pub document: Arc<Document>,
    pub tree: Arc<Value>,
}

impl LiveDoc {
    /// Parses `text`; a file that is not valid in `format` is kept as its error.
    pub fn parse(sha256: String, format: homeamp_configfiles::Format, text: &str) -> Self {
        let parsed = Document::parse(format, text)
            .map(|document| Parsed {
                tree: Arc::new(document.value()),
                document: Arc::new(document),
            })
            .map_err(|e| e.to_string());
        LiveDoc { sha256, parsed }
    }
}

/// The edits of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePlan {
    pub plugin: String,
    /// Relative to the instance's game root: `plugins/<folder>/<file>`.
    pub path: String,
    pub format: FileFormat,
    /// `None`: the file does not exist yet.
    pub base_sha256: Option<String>,
    /// Each edit with why it is needed: intentional (the desired value moved) or
    /// corrective (the live value moved).
    pub ops: Vec<(PatchOp, JobIntent)>,
    pub reload: Reload,
}

/// Everything that differs on one instance.
#[derive(Debug, Clone, Default)]
pub struct InstanceDiff {
    pub files: Vec<FilePlan>,
    pub drift: Vec<DriftObservation>,
}

impl InstanceDiff {
    pub fn is_in_sync(&self) -> bool {
        self.drift.is_empty()
    }
}

/// The path of a plugin's file relative to the game root:
/// `<plugin dir of the platform>/<folder>/<file>`.
pub fn live_path(platform: Platform, folder: &str, file: &str) -> String {
    format!("{}/{folder}/{file}", platform.plugin_dir())
}

/// One instance at one revision, read in place: its settings are never copied.
#[derive(Clone, Copy)]
pub struct InstanceAt<'a> {
    pub state: &'a DesiredState,
    pub instance: &'a Instance,
}

impl<'a> InstanceAt<'a> {
    /// `None` when the revision has no instance of that name.
    pub fn new(state: &'a DesiredState, name: &str) -> Option<Self> {
        Some(Self {
            state,
            instance: state.instance(name)?,
        })
    }

    /// The plugins deployed on the instance that have a plugin file.
    pub fn plugins(self) -> impl Iterator<Item = &'a Plugin> + 'a {
        self.state
            .deployed(self.instance)
            .filter_map(|(_, _, plugin)| plugin)
    }

    /// One config file of a deployed plugin.
    fn file(self, plugin: &str, file: &str) -> Option<&'a ConfigFile> {
        self.plugins()
            .find(|p| p.name == plugin)
            .and_then(|p| p.files.get(file))
    }
}

/// The effective setting at `key` of `file` for `instance`.
fn effective_setting<'a>(
    file: &'a ConfigFile,
    instance: &Instance,
    key: &KeyPath,
) -> Option<&'a Setting> {
    file.variable
        .get(key)
        .and_then(|scoped| pick(scoped, instance))
        .or_else(|| file.universal.get(key))
}

/// Compares the desired settings of `desired` with `live` (path → document).
///
/// `previous` is the instance at the revision it was last synced to. A value that
/// differs is *intentional* when the live value is still what `previous` wanted (the
/// commit moved), or when there is no previous revision (the first sync); otherwise it is
/// *corrective* (someone changed the live file).
pub fn diff_instance(
    desired: InstanceAt<'_>,
    previous: Option<InstanceAt<'_>>,
    live: &HashMap<String, LiveDoc>,
    secrets: &Secrets,
) -> InstanceDiff {
    let mut out = InstanceDiff::default();
    let instance = desired.instance;
    for plugin in desired.plugins() {
        for spec in plugin.files.values() {
            let file = &spec.path;
            if effective_file(spec, instance).next().is_none() {
                continue;
            }
            let path = live_path(instance.platform, &plugin.folder, file);
            // The same file at the previous revision, looked up only when something differs
            // (the steady state never needs it).
            let was_cell = OnceCell::new();
            let was = || {
                *was_cell.get_or_init(|| {
                    previous.and_then(|p| p.file(&plugin.name, file).map(|f| (f, p.instance)))
                })
            };
            // What the last synced revision wanted at `key`, resolved.
            let wanted_before = |key: &KeyPath| -> Option<Value> {
                was()
                    .and_then(|(f, i)| effective_setting(f, i, key))
                    .and_then(|s| secrets.resolve(&s.value).ok())
            };
            let cause_of = |key: &KeyPath, current: Option<&Value>| -> JobIntent {
                match previous {
                    None => JobIntent::Intentional,
                    Some(_) if wanted_before(key).as_ref() == current => JobIntent::Intentional,
                    Some(_) => JobIntent::Corrective,
                }
            };
            let file_cause = || {
                if previous.is_none() || was().is_none() {
                    JobIntent::Intentional
                } else {
                    JobIntent::Corrective
                }
            };
            let observe = |drift_type, severity, key: Option<&KeyPath>, desired, live, cause| {
                DriftObservation {
                    plugin: Some(plugin.name.clone()),
                    config_file: Some(path.clone()),
                    key_path: key.map(|k| k.to_string()),
                    drift_type,
                    severity,
                    cause,
                    desired_value: desired,
                    live_value: live,
                }
            };
            let mut ops = Vec::new();
            let (base, doc) = match live.get(&path) {
                None => (None, None),
                Some(LiveDoc {
                    parsed: Err(error), ..
                }) => {
                    // Never edit a file we cannot read: report it and leave it alone.
                    out.drift.push(observe(
                        DriftType::File,
                        Severity::Critical,
                        None,
                        None,
                        Some(format!("not valid {}: {error}", spec.format.as_str())),
                        JobIntent::Corrective,
                    ));
                    continue;
                }
                Some(LiveDoc {
                    sha256,
                    parsed: Ok(parsed),
                }) => (Some(sha256.clone()), Some(parsed)),
            };
            if doc.is_none() {
                out.drift.push(observe(
                    DriftType::File,
                    Severity::Warning,
                    None,
                    Some(format!(
                        "{} settings",
                        effective_file(spec, instance).count()
                    )),
                    Some("missing".into()),
                    file_cause(),
                ));
            }
            // Settings come in key path order: the cursor reuses the shared prefix.
            let mut cursor = doc.map(|parsed| TreeCursor::new(&parsed.tree));
            for (key, setting) in effective_file(spec, instance) {
                let secret = holds_secret(&setting.value);
                // Resolved only when it holds a reference: most values are compared as they are.
                let resolved = if secret {
                    secrets.resolve(&setting.value).map(Some)
                } else {
                    Ok(None)
                };
                let desired = match resolved {
                    Ok(v) => v,
                    Err(name) => {
                        out.drift.push(observe(
                            DriftType::Setting,
                            Severity::Warning,
                            Some(key),
                            Some(format!("secret {name} is not in the host's secret store")),
                            None,
                            JobIntent::Intentional,
                        ));
                        continue;
                    }
                };
                match doc {
                    None => ops.push((
                        PatchOp::Set {
                            path: key.clone(),
                            value: setting.value.clone(),
                        },
                        file_cause(),
                    )),
                    Some(parsed) => {
                        let current = cursor.as_mut().and_then(|c| c.get(key));
                        // Stored live files have known secret values replaced by their
                        // references (see `Host::ingest_blob`), so a reference matches itself;
                        // a value too short to be redacted matches its resolved form.
                        if stored_equal(&parsed.document, current, &setting.value)
                            || desired
                                .as_ref()
                                .is_some_and(|d| stored_equal(&parsed.document, current, d))
                        {
                            continue;
                        }
                        let cause = cause_of(key, current);
                        out.drift.push(observe(
                            DriftType::Setting,
                            Severity::Warning,
                            Some(key),
                            Some(display(Some(&setting.value), secret)),
                            Some(display(current, secret)),
                            cause,
                        ));
                        ops.push((
                            PatchOp::Set {
                                path: key.clone(),
                                value: setting.value.clone(),
                            },
                            cause,
                        ));
                    }
                }
            }
            if spec.owned
                && let Some(parsed) = doc
            {
                for (key, _) in parsed.document.flatten() {
                    let wanted = effective_file(spec, instance)
                        .any(|(d, _)| key.starts_with(d) || d.starts_with(&key));
                    if !wanted {
                        // Present now: intentional if the last synced revision still wanted it.
                        let cause = match was() {
                            Some((f, i)) if effective_setting(f, i, &key).is_some() => {
                                JobIntent::Intentional
                            }
                            _ if previous.is_none() => JobIntent::Intentional,
                            _ => JobIntent::Corrective,
                        };
                        out.drift.push(observe(
                            DriftType::Setting,
                            Severity::Info,
                            Some(&key),
                            Some("absent".into()),
                            Some("present".into()),
                            cause,
                        ));
                        ops.push((PatchOp::Remove { path: key }, cause));
                    }
                }
            }
            if !ops.is_empty() {
                out.files.push(FilePlan {
                    plugin: plugin.name.clone(),
                    path,
                    format: spec.format,
                    base_sha256: base,
                    ops,
                    reload: plugin.reload.clone(),
                });
            }
        }
    }
    out
}

/// `live` equals `desired` as the file would store it (`.properties` stores text).
fn stored_equal(document: &Document, live: Option<&Value>, desired: &Value) -> bool {
    match live {
        None => false,
        Some(live) if document.format() == homeamp_configfiles::Format::Properties => {
            *live == document.as_stored(desired)
        }
        Some(live) => live == desired,
    }
}

/// A short display form of a value for drift records: never a secret's value.
fn display(value: Option<&Value>, secret: bool) -> String {
    match value {
        None => "absent".into(),
        Some(_) if secret => "(secret)".into(),
        Some(v) => {
            let text = serde_json::to_string(v).unwrap_or_default();
            if text.chars().count() > 200 {
                let cut: String = text.chars().take(200).collect();
                format!("{cut}…")
            } else {
                text
            }
        }
    }
}
