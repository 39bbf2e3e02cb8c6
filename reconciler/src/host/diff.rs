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
            if effective_file(spec, instance).next().is_none() {
                continue;
            }
            let file = FileDiff {
                plugin,
                spec,
                instance,
                path: live_path(instance.platform, &plugin.folder, &spec.path),
                previous,
                secrets,
                was: OnceCell::new(),
            };
            file.diff(live, &mut out);
        }
    }
    out
}

/// One desired file of one instance against its live copy.
struct FileDiff<'a> {
    plugin: &'a Plugin,
    spec: &'a ConfigFile,
    instance: &'a Instance,
    /// Relative to the game root.
    path: String,
    previous: Option<InstanceAt<'a>>,
    secrets: &'a Secrets,
    /// The same file at the previous revision, looked up only when something differs (the
    /// steady state never needs it).
    was: OnceCell<Option<(&'a ConfigFile, &'a Instance)>>,
}

impl<'a> FileDiff<'a> {
    fn diff(&self, live: &HashMap<String, LiveDoc>, out: &mut InstanceDiff) {
        let (base, doc) = match live.get(&self.path) {
            None => (None, None),
            Some(LiveDoc {
                parsed: Err(error), ..
            }) => {
                // Never edit a file we cannot read: report it and leave it alone.
                out.drift.push(self.observe(
                    DriftType::File,
                    Severity::Critical,
                    None,
                    None,
                    Some(format!("not valid {}: {error}", self.spec.format.as_str())),
                    JobIntent::Corrective,
                ));
                return;
            }
            Some(LiveDoc {
                sha256,
                parsed: Ok(parsed),
            }) => (Some(sha256.clone()), Some(parsed)),
        };
        if doc.is_none() {
            out.drift.push(self.observe(
                DriftType::File,
                Severity::Warning,
                None,
                Some(format!(
                    "{} settings",
                    effective_file(self.spec, self.instance).count()
                )),
                Some("missing".into()),
                self.file_cause(),
            ));
        }
        let mut ops = Vec::new();
        self.settings(doc, &mut ops, &mut out.drift);
        if self.spec.owned
            && let Some(parsed) = doc
        {
            self.extra_keys(parsed, &mut ops, &mut out.drift);
        }
        if !ops.is_empty() {
            out.files.push(FilePlan {
                plugin: self.plugin.name.clone(),
                path: self.path.clone(),
                format: self.spec.format,
                base_sha256: base,
                ops,
                reload: self.plugin.reload.clone(),
            });
        }
    }

    /// Every desired setting against the live value at its key.
    fn settings(
        &self,
        doc: Option<&Parsed>,
        ops: &mut Vec<(PatchOp, JobIntent)>,
        drift: &mut Vec<DriftObservation>,
    ) {
        // Settings come in key path order: the cursor reuses the shared prefix.
        let mut cursor = doc.map(|parsed| TreeCursor::new(&parsed.tree));
        for (key, setting) in effective_file(self.spec, self.instance) {
            let secret = holds_secret(&setting.value);
            // Resolved only when it holds a reference: most values are compared as they are.
            let resolved = if secret {
                self.secrets.resolve(&setting.value).map(Some)
            } else {
                Ok(None)
            };
            let desired = match resolved {
                Ok(v) => v,
                Err(name) => {
                    drift.push(self.observe(
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
            // Built only for a setting that needs an edit: the steady state compares
            // tens of thousands of settings and clones none of them.
            let set = || PatchOp::Set {
                path: key.clone(),
                value: setting.value.clone(),
            };
            let Some(parsed) = doc else {
                ops.push((set(), self.file_cause()));
                continue;
            };
            let current = cursor.as_mut().and_then(|c| c.get(key));
            // Stored live files have known secret values replaced by their references (see
            // `Host::ingest_blob`), so a reference matches itself; a value too short to be
            // redacted matches its resolved form.
            if stored_equal(&parsed.document, current, &setting.value)
                || desired
                    .as_ref()
                    .is_some_and(|d| stored_equal(&parsed.document, current, d))
            {
                continue;
            }
            let cause = self.cause_of(key, current);
            drift.push(self.observe(
                DriftType::Setting,
                Severity::Warning,
                Some(key),
                Some(display(Some(&setting.value), secret)),
                Some(display(current, secret)),
                cause,
            ));
            ops.push((set(), cause));
        }
    }

    /// Keys of an owned file that the desired state does not name: removed.
    fn extra_keys(
        &self,
        parsed: &Parsed,
        ops: &mut Vec<(PatchOp, JobIntent)>,
        drift: &mut Vec<DriftObservation>,
    ) {
        for (key, _) in parsed.document.flatten() {
            let wanted = effective_file(self.spec, self.instance)
                .any(|(d, _)| key.starts_with(d) || d.starts_with(&key));
            if wanted {
                continue;
            }
            // Present now: intentional if the last synced revision still wanted it.
            let cause = match self.was() {
                Some((f, i)) if effective_setting(f, i, &key).is_some() => JobIntent::Intentional,
                _ if self.previous.is_none() => JobIntent::Intentional,
                _ => JobIntent::Corrective,
            };
            drift.push(self.observe(
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

    fn was(&self) -> Option<(&'a ConfigFile, &'a Instance)> {
        *self.was.get_or_init(|| {
            self.previous.and_then(|p| {
                p.file(&self.plugin.name, &self.spec.path)
                    .map(|f| (f, p.instance))
            })
        })
    }

    /// What the last synced revision wanted at `key`, resolved.
    fn wanted_before(&self, key: &KeyPath) -> Option<Value> {
        self.was()
            .and_then(|(f, i)| effective_setting(f, i, key))
            .and_then(|s| self.secrets.resolve(&s.value).ok())
    }

    /// Intentional when the live value is still what the last synced revision wanted.
    fn cause_of(&self, key: &KeyPath, current: Option<&Value>) -> JobIntent {
        match self.previous {
            None => JobIntent::Intentional,
            Some(_) if self.wanted_before(key).as_ref() == current => JobIntent::Intentional,
            Some(_) => JobIntent::Corrective,
        }
    }

    /// For a missing file: intentional when the last synced revision did not have it.
    fn file_cause(&self) -> JobIntent {
        if self.previous.is_none() || self.was().is_none() {
            JobIntent::Intentional
        } else {
            JobIntent::Corrective
        }
    }

    fn observe(
        &self,
        drift_type: DriftType,
        severity: Severity,
        key: Option<&KeyPath>,
        desired: Option<String>,
        live: Option<String>,
        cause: JobIntent,
    ) -> DriftObservation {
        DriftObservation {
            plugin: Some(self.plugin.name.clone()),
            config_file: Some(self.path.clone()),
            key_path: key.map(|k| k.to_string()),
            drift_type,
            severity,
            cause,
            desired_value: desired,
            live_value: live,
        }
    }
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
