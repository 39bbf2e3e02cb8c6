//! Answers of the host's HTTP API (docs/design.md §8), besides [`crate::status::FleetStatus`]
//! (`GET /api/status`) and [`crate::plan::Plan`] (`GET /api/plan`).
//!
//! Every error answer is an [`ErrorBody`]: `{"error": {"code": "not_found", "message": "…"}}`,
//! where `code` is a stable word for programs and `message` a sentence for people.
//!
//! Secret values never appear here: drift records carry the display forms the host
//! stored (`(secret)` for secrets), and jobs are described by what they touch (files,
//! key paths, actions), never by the values they write.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::desired::{Platform, SyncMode};
use crate::job::{JobCause, JobIntent, JobKind};
use crate::status::SyncState;

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// `unauthorized`, `forbidden`, `not_found`, `bad_request`, `conflict`,
    /// `blob_mismatch`, `invalid_revision`, `not_a_plugin`, `payload_too_large`,
    /// `unavailable`, `internal`.
    pub code: String,
    pub message: String,
}

/// `GET /api/instances`: the instances the host knows, with their desired attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InstanceList {
    /// The active revision; `null` before the first valid one.
    pub revision: Option<String>,
    pub instances: Vec<InstanceInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InstanceInfo {
    pub name: String,
    pub server: String,
    pub platform: Platform,
    /// The instance's name in AMP.
    pub amp_instance: Option<String>,
    /// False for an instance the store remembers but the active revision no longer declares.
    pub managed: bool,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    /// The sync policy in force (`null` when not managed).
    pub sync_policy: Option<SyncMode>,
    /// One of the five sync states.
    pub sync: SyncState,
    pub message: Option<String>,
    /// The revision it was last synced to.
    pub revision: Option<String>,
    pub last_report: Option<Timestamp>,
}

/// `GET /api/drift`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DriftList {
    pub drift: Vec<DriftInfo>,
}

/// One drift record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DriftInfo {
    pub id: i64,
    pub server: String,
    pub instance: String,
    pub plugin: Option<String>,
    pub config_file: Option<String>,
    /// Canonical key path (`groups."essentials.home"`).
    pub key_path: Option<String>,
    /// `setting`, `plugin` or `file`.
    pub drift_type: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// Intentional (a commit changed the desired state) or corrective (the live file changed).
    pub cause: JobIntent,
    /// Display form; `(secret)` for a secret.
    pub desired_value: Option<String>,
    pub live_value: Option<String>,
    pub detected_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved: bool,
    pub resolved_at: Option<Timestamp>,
}

/// `GET /api/jobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobList {
    pub jobs: Vec<JobInfo>,
}

/// One job, without its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobInfo {
    /// The job's UUIDv7.
    pub id: String,
    pub server: String,
    pub instance: Option<String>,
    pub kind: JobKind,
    /// `awaiting_approval`, `queued`, `delivered`, `running`, `succeeded`, `failed`,
    /// `expired` or `superseded`.
    pub status: String,
    pub plugin: Option<String>,
    pub plugin_version: Option<String>,
    /// What the job touches: files, key paths, actions (never values).
    pub targets: Vec<String>,
    pub revision: Option<String>,
    pub cause: JobCause,
    pub intent: JobIntent,
    pub attempt: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub message: Option<String>,
    pub approved_by: Option<String>,
}

/// `GET /api/jobs/{id}`: a job and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobDetail {
    pub job: JobInfo,
    pub events: Vec<JobEventInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JobEventInfo {
    pub at: Timestamp,
    pub status: String,
    pub message: Option<String>,
}

/// `POST /api/approve?revision=`: how many held jobs were released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApprovedJobs {
    pub revision: String,
    pub approved: usize,
}

/// The optional body of `POST /api/reconcile`; no instance means all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReconcileRequest {
    #[serde(default)]
    pub instance: Option<String>,
}

/// The answer of `POST /api/reconcile` (202 Accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReconcileAccepted {
    /// The instances queued for a reconcile.
    pub queued: Vec<String>,
}

/// The answer of `POST /api/hooks/git`: what looking at the repository did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HookOutcome {
    /// The reference still points at the active (or the last refused) commit.
    Unchanged { revision: Option<String> },
    /// A new valid commit is active; `guarded`: its jobs wait for approval.
    Activated { revision: String, guarded: bool },
    /// The new commit is invalid; the fleet stays on the last valid revision.
    Refused { revision: String, reason: String },
}

/// The answer of `POST /api/agent/v1/manifest`: blobs the host lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MissingBlobs {
    pub missing: Vec<String>,
}

/// `GET /api/agent/v1/host-key`: the key agents verify job signatures with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HostKey {
    /// `ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, standard base64.
    pub public_key: String,
}

/// `GET /api/agent/v1/whoami`: the token a request carried, as the host knows it (for
/// `homeamp agent --check`). Never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Caller {
    /// The token's name (`homeamp token list`).
    pub name: String,
    /// `agent`, `viewer`, `operator` or `admin`.
    pub role: String,
    /// The server an agent token speaks for.
    pub server: Option<String>,
}

/// `GET /api/artifacts` and the answer of `PUT /api/artifacts` (201): plugin JARs of the
/// host's artifact store. A JAR that more than one platform loads is listed once per
/// platform. Empty when the host has no artifact store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactList {
    pub artifacts: Vec<ArtifactInfo>,
}

/// One plugin JAR of the artifact store, as one platform's loader reads it. Agents fetch
/// its bytes at `GET /api/agent/v1/artifacts/{sha256}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactInfo {
    pub platform: Platform,
    /// The plugin's name from its descriptor.
    pub name: String,
    /// The descriptor's version; `null` when it declares none.
    pub version: Option<String>,
    /// The JAR's sha256, lowercase hex.
    pub sha256: String,
    /// The JAR's size in bytes.
    pub size: u64,
    /// The JAR's file name in the store (`LuckPerms-Bukkit-5.4.102.jar`).
    pub file_name: String,
}
