//! Jobs: what the host asks one agent to do to one instance (docs/design.md §6).
//!
//! A job is a [`JobEnvelope`] (who, why, when, which revision) around a
//! [`JobSpec`], a closed set of idempotent kinds. The host signs the envelope
//! ([`SignedJob`], see [`signing`]); agents verify before anything else.
//!
//! The job's kind is the `kind` tag of its spec (`{"spec": {"kind": "config_patch", …}}`),
//! read with [`JobEnvelope::kind`]: one source of truth instead of two fields that could
//! disagree.
//!
//! File paths in jobs are relative to the instance's game root and `/`-separated,
//! exactly as in [`crate::report::Manifest`].

pub mod signing;

use std::fmt;

use base64::Engine as _;
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::desired::FileFormat;
use crate::keypath::KeyPath;
use crate::value::Value;

pub use signing::{JobRefusal, SignedJob, canonical_bytes};

/// One job for one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobEnvelope {
    /// A UUIDv7, as its canonical hyphenated string.
    pub job_id: String,
    /// The physical server whose agent must apply the job.
    pub server: String,
    pub instance: String,
    /// The desired-state revision (commit sha) the job brings the instance to.
    pub revision: String,
    pub cause: JobCause,
    pub intent: JobIntent,
    pub created_at: Timestamp,
    /// Agents refuse the job from this instant on.
    pub expires_at: Timestamp,
    /// 1 for the first delivery; the host increments it when it retries a failed job.
    pub attempt: u32,
    pub spec: JobSpec,
}

impl JobEnvelope {
    pub fn kind(&self) -> JobKind {
        self.spec.kind()
    }

    /// True from `expires_at` on.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

/// What made the host emit the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobCause {
    Commit,
    Drift,
    Manual,
    Schedule,
}

/// Whether the job carries a change of the desired state, or undoes a change of the live state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobIntent {
    /// A commit changed the desired state.
    Intentional,
    /// Someone changed the live file; the job puts it back.
    Corrective,
}

/// The closed set of job kinds, without their payload.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    ConfigPatch,
    FileWrite,
    PluginInstall,
    PluginRemove,
    Lifecycle,
    Backup,
    Rescan,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ConfigPatch => "config_patch",
            JobKind::FileWrite => "file_write",
            JobKind::PluginInstall => "plugin_install",
            JobKind::PluginRemove => "plugin_remove",
            JobKind::Lifecycle => "lifecycle",
            JobKind::Backup => "backup",
            JobKind::Rescan => "rescan",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do. Each kind is idempotent: applying it when its result already holds changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobSpec {
    ConfigPatch(ConfigPatch),
    FileWrite(FileWrite),
    PluginInstall(PluginInstall),
    PluginRemove(PluginRemove),
    Lifecycle(LifecycleAction),
    Backup(BackupSpec),
    Rescan,
}

impl JobSpec {
    pub fn kind(&self) -> JobKind {
        match self {
            JobSpec::ConfigPatch(_) => JobKind::ConfigPatch,
            JobSpec::FileWrite(_) => JobKind::FileWrite,
            JobSpec::PluginInstall(_) => JobKind::PluginInstall,
            JobSpec::PluginRemove(_) => JobKind::PluginRemove,
            JobSpec::Lifecycle(_) => JobKind::Lifecycle,
            JobSpec::Backup(_) => JobKind::Backup,
            JobSpec::Rescan => JobKind::Rescan,
        }
    }
}

/// Set or remove settings in one config file, keeping everything else byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigPatch {
    pub file: String,
    pub format: FileFormat,
    /// The sha256 the file had when the host planned; `None`: the file must not exist.
    /// A file that no longer matches is refused (`base_changed`) and the host re-plans.
    pub base_sha256: Option<String>,
    /// Applied in order.
    pub ops: Vec<PatchOp>,
    /// The sha256 the host expects after the edit, when it computed one.
    #[serde(default)]
    pub expected_sha256: Option<String>,
}

/// One edit of a [`ConfigPatch`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PatchOp {
    Set {
        #[schemars(with = "String")]
        path: KeyPath,
        value: Value,
    },
    Remove {
        #[schemars(with = "String")]
        path: KeyPath,
    },
}

impl PatchOp {
    pub fn path(&self) -> &KeyPath {
        match self {
            PatchOp::Set { path, .. } | PatchOp::Remove { path } => path,
        }
    }
}

/// Replace a whole file (for files the desired state owns entirely).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FileWrite {
    pub file: String,
    pub content: String,
    #[serde(default)]
    pub encoding: ContentEncoding,
    /// As in [`ConfigPatch::base_sha256`].
    pub base_sha256: Option<String>,
    /// The sha256 of the decoded content.
    pub sha256: String,
}

impl FileWrite {
    /// The bytes to write.
    pub fn bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        match self.encoding {
            ContentEncoding::Utf8 => Ok(self.content.as_bytes().to_vec()),
            ContentEncoding::Base64 => {
                base64::engine::general_purpose::STANDARD.decode(&self.content)
            }
        }
    }
}

/// How [`FileWrite::content`] carries the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentEncoding {
    /// The content is the file's text.
    #[default]
    Utf8,
    /// Standard base64 with padding (for files that are not UTF-8).
    Base64,
}

/// Put a plugin JAR in `plugins/`, replacing older JARs of the same plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginInstall {
    pub name: String,
    pub version: String,
    /// Where the agent fetches the artifact (the host's artifact URL, or a `file://` URL).
    pub url: String,
    /// The artifact's sha256; the agent refuses anything else.
    pub sha256: String,
    /// The JAR to write, e.g. `plugins/LuckPerms-5.4.jar`; default `plugins/<name>-<version>.jar`.
    #[serde(default)]
    pub file: Option<String>,
    /// JARs to remove once the new one is in place (paths like `file`).
    #[serde(default)]
    pub replaces: Vec<String>,
}

impl PluginInstall {
    /// The JAR path this install writes.
    pub fn target_file(&self) -> String {
        match &self.file {
            Some(file) => file.clone(),
            None => format!("plugins/{}-{}.jar", self.name, self.version),
        }
    }
}

/// Remove one plugin JAR (the host only emits this with `prune`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginRemove {
    pub name: String,
    /// The JAR, e.g. `plugins/OldPlugin.jar`.
    pub file: String,
    /// The sha256 the host saw; a JAR that changed since is refused (`base_changed`).
    pub sha256: String,
}

/// Start, stop, restart, or reload through a console command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LifecycleAction {
    Restart,
    Reload { command: String },
    Stop,
    Start,
}

impl LifecycleAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            LifecycleAction::Restart => "restart",
            LifecycleAction::Reload { .. } => "reload",
            LifecycleAction::Stop => "stop",
            LifecycleAction::Start => "start",
        }
    }
}

/// A backup of one instance (docs/design.md §9; the orchestration comes with the backup issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BackupSpec {
    pub mode: BackupMode,
    /// The network backup session this job belongs to.
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupMode {
    World,
    Full,
}

/// Why an agent refused a job (or, for a few failures, what class of failure it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// No signature.
    Unsigned,
    /// A signature that does not verify with the host's key, or is not a signature at all.
    Forged,
    /// Delivered at or after `expires_at`.
    Expired,
    /// An older delivery of a job the agent has already handled in a later attempt.
    Replayed,
    /// Meant for another server, or for an instance this agent does not manage.
    WrongTarget,
    /// The file no longer has the job's base sha256: the host must re-plan.
    BaseChanged,
    /// The edit gave another sha256 than the host expected; nothing was written.
    ResultMismatch,
    /// A path that is absolute, climbs out with `..`, or leaves the root through a symlink.
    PathEscape,
    /// The job is malformed (bad id, undecodable content, an artifact with another sha256…).
    InvalidJob,
    /// This driver cannot do this kind of job.
    Unsupported,
}

impl RefusalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::Unsigned => "unsigned",
            RefusalReason::Forged => "forged",
            RefusalReason::Expired => "expired",
            RefusalReason::Replayed => "replayed",
            RefusalReason::WrongTarget => "wrong_target",
            RefusalReason::BaseChanged => "base_changed",
            RefusalReason::ResultMismatch => "result_mismatch",
            RefusalReason::PathEscape => "path_escape",
            RefusalReason::InvalidJob => "invalid_job",
            RefusalReason::Unsupported => "unsupported",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_tagged_by_kind_in_snake_case() {
        let spec = JobSpec::ConfigPatch(ConfigPatch {
            file: "plugins/CoreProtect/config.yml".into(),
            format: FileFormat::Yaml,
            base_sha256: None,
            ops: vec![
                PatchOp::Set {
                    path: KeyPath::parse("groups.\"essentials.home\"").unwrap(),
                    value: Value::Bool(true),
                },
                PatchOp::Remove {
                    path: KeyPath::parse("a[0]").unwrap(),
                },
            ],
            expected_sha256: None,
        });
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(json["kind"], "config_patch");
        assert!(json["base_sha256"].is_null());
        assert_eq!(json["ops"][0]["op"], "set");
        assert_eq!(json["ops"][0]["path"], "groups.\"essentials.home\"");
        assert_eq!(json["ops"][1]["op"], "remove");
        let back: JobSpec = serde_json::from_value(json).unwrap();
        assert_eq!(back, spec);
        assert_eq!(back.kind(), JobKind::ConfigPatch);
    }

    #[test]
    fn lifecycle_and_rescan_are_flat() {
        let reload = JobSpec::Lifecycle(LifecycleAction::Reload {
            command: "co reload".into(),
        });
        let json = serde_json::to_string(&reload).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"lifecycle","action":"reload","command":"co reload"}"#
        );
        assert_eq!(serde_json::from_str::<JobSpec>(&json).unwrap(), reload);
        let rescan: JobSpec = serde_json::from_str(r#"{"kind":"rescan"}"#).unwrap();
        assert_eq!(rescan, JobSpec::Rescan);
        let restart: JobSpec =
            serde_json::from_str(r#"{"kind":"lifecycle","action":"restart"}"#).unwrap();
        assert_eq!(restart, JobSpec::Lifecycle(LifecycleAction::Restart));
    }

    #[test]
    fn file_write_decodes_base64_and_text() {
        let mut w = FileWrite {
            file: "x.bin".into(),
            content: "AAEC".into(),
            encoding: ContentEncoding::Base64,
            base_sha256: None,
            sha256: String::new(),
        };
        assert_eq!(w.bytes().unwrap(), vec![0, 1, 2]);
        w.encoding = ContentEncoding::Utf8;
        assert_eq!(w.bytes().unwrap(), b"AAEC".to_vec());
        let parsed: FileWrite =
            serde_json::from_str(r#"{"file":"a","content":"hi","base_sha256":null,"sha256":"x"}"#)
                .unwrap();
        assert_eq!(parsed.encoding, ContentEncoding::Utf8);
    }

    #[test]
    fn plugin_install_defaults_its_target_file() {
        let mut p = PluginInstall {
            name: "LuckPerms".into(),
            version: "5.4.1".into(),
            url: "file:///a.jar".into(),
            sha256: "00".into(),
            file: None,
            replaces: vec![],
        };
        assert_eq!(p.target_file(), "plugins/LuckPerms-5.4.1.jar");
        p.file = Some("plugins/LP.jar".into());
        assert_eq!(p.target_file(), "plugins/LP.jar");
    }
}
