//! The host: everything between the desired-state repository, the store, the job bus
//! and the agents' reports.
//!
//! - [`revision`]: which revision of the repository is active (poll, webhook, refusal
//!   of invalid revisions, the mass-change guard).
//! - [`artifact_urls`]: the URLs `plugin_install` jobs give for the artifact store's JARs.
//! - [`diff`]: desired against live for one instance, a pure function.
//! - [`plugin_diff`]: the deployment matrix against the reported plugin JARs, pure too.
//! - [`reconcile`]: the per-instance [`crate::runtime::Reconcile`] implementation.
//! - [`fleet_artifacts`]: a plugin version the store lacks is fetched from an instance that runs it.
//! - `round`: one reconcile round's jobs before the in-flight checks, pure.
//! - [`ingest`]: what agents send: manifests, blobs, heartbeats, job results.
//! - [`outbox`]: signs queued jobs and publishes them on the bus.
//! - [`secrets`]: values for `${secret:NAME}`, memory only.
//! - [`tree_cursor`]: key path lookups in a live file that reuse the previous path's prefix.
//! - [`status`]: the fleet's status as the API and `homeamp status` show it.

pub mod artifact_urls;
pub mod diff;
pub mod fleet_artifacts;
pub mod ingest;
mod mirror;
pub mod outbox;
pub mod plugin_diff;
pub mod reconcile;
pub mod revision;
pub mod secrets;
mod silence;
pub mod status;
pub mod tree_cursor;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use ed25519_dalek::SigningKey;
use homeamp_desired::DesiredState;
use tokio::sync::Notify;

use crate::artifacts::ArtifactStore;
use crate::bus::JobBus;
use crate::metrics::Metrics;
use crate::runtime::{Handle, Inbox, channel};
use crate::store::{Store, StoreError};

pub use diff::{FilePlan, InstanceAt, InstanceDiff, LiveDoc, diff_instance};
pub use reconcile::InstanceReconciler;
pub use revision::RevisionChange;
pub use secrets::Secrets;

/// What can go wrong in the host, one variant per cause, the cause kept as the source.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The repository could not be opened or the followed reference resolved.
    #[error("the desired-state repository {repo}: {}", source.message())]
    Git {
        repo: String,
        #[source]
        source: git2::Error,
    },
    /// A revision could not be read (not a validation failure: those are refusals).
    #[error("the desired-state repository {repo}: {source}")]
    Load {
        repo: String,
        #[source]
        source: homeamp_desired::LoadError,
    },
    #[error("job bus: {0}")]
    Bus(#[from] crate::bus::BusError),
    /// A value could not be turned into JSON (a job envelope for the bus).
    #[error("encoding {what}: {source}")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A blocking task of the host (git, loading a revision, the artifact store) panicked
    /// or was cancelled.
    #[error("a background task of the host failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The API's listener could not be set up.
    #[error("the API listener: {0}")]
    Listen(#[source] std::io::Error),
    /// An agent reported the result of a job the store does not know.
    #[error("result for unknown job {job}")]
    UnknownJob { job: String },
}

/// How the host runs.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The desired-state git repository (a local clone, or the bare mirror of `remote`).
    pub repo: PathBuf,
    /// A URL `repo` mirrors: fetched into it before each look at the reference.
    pub remote: Option<String>,
    /// The branch or ref followed; `HEAD` by default.
    pub reference: String,
    /// A job not applied within this long expires.
    pub job_ttl: Duration,
    /// A server whose agent has not been heard of for this long is `Unknown`.
    pub agent_timeout: Duration,
    /// A job published this long ago that no agent has started is published again (the
    /// bus lost it); `None` never does. Default 60 s.
    pub redeliver_after: Option<Duration>,
    /// The plugin JARs `plugin_install` jobs point at; without a store, a missing plugin
    /// makes its instance Degraded.
    pub artifacts: Option<Arc<ArtifactStore>>,
    /// The host's base URL as agents reach it; `None`: jobs give `file://` paths.
    pub artifact_url: Option<String>,
}

impl HostConfig {
    pub fn new(repo: impl Into<PathBuf>) -> Self {
        Self {
            repo: repo.into(),
            remote: None,
            reference: "HEAD".into(),
            job_ttl: Duration::from_secs(3600),
            agent_timeout: Duration::from_secs(60),
            redeliver_after: Some(Duration::from_secs(60)),
            artifacts: None,
            artifact_url: None,
        }
    }
}

/// The revision the fleet is reconciled to.
pub struct ActiveRevision {
    pub sha: String,
    pub state: DesiredState,
    /// Set when the revision changed more instances than the guard allows: its
    /// intentional jobs wait for approval.
    pub guarded: bool,
}

impl ActiveRevision {
    pub fn new(sha: String, state: DesiredState, guarded: bool) -> Self {
        Self {
            sha,
            state,
            guarded,
        }
    }
}

/// The last revision that was refused, and why.
#[derive(Debug, Clone)]
pub struct RefusedRevision {
    pub sha: String,
    pub reason: String,
}

/// The host's shared core: the store, the bus, the signing key, the revisions, the metrics
/// and the triggers. Every resource kind's reconciler (instances now, backup sessions
/// later) holds it; it holds none of them, only a [`Handle`] to send them triggers.
pub struct Host {
    pub(crate) store: Store,
    pub(crate) bus: Arc<dyn JobBus>,
    pub(crate) key: SigningKey,
    pub(crate) secrets: Secrets,
    pub(crate) config: HostConfig,
    // std locks, not tokio's: never held across an await.
    pub(crate) active: RwLock<Option<Arc<ActiveRevision>>>,
    pub(crate) refused: RwLock<Option<RefusedRevision>>,
    /// Instance names to reconcile go here; the instance controller reads them.
    pub(crate) triggers: Handle<String>,
    pub(crate) outbox_wake: Notify,
    /// Earlier revisions instances were synced to, to tell intentional from corrective drift.
    pub(crate) earlier: Mutex<HashMap<String, Arc<DesiredState>>>,
    /// JARs asked of agents for the artifact store: sha256 → when.
    pub(crate) wanted_jars: Mutex<HashMap<String, std::time::Instant>>,
    /// Process metrics: reconciles, publishing, what agents sent.
    pub(crate) metrics: Metrics,
}

impl Host {
    /// The core, and the inbox its instance triggers go to: give that to the instance
    /// controller ([`crate::runtime::Controller::with_inbox`] with an
    /// [`InstanceReconciler`]). Dropping the inbox leaves triggers unheard (tests that
    /// drive the host by hand).
    pub fn new(
        store: Store,
        bus: Arc<dyn JobBus>,
        key: SigningKey,
        secrets: Secrets,
        config: HostConfig,
    ) -> (Arc<Self>, Inbox<String>) {
        let (triggers, inbox) = channel();
        let host = Arc::new(Self {
            store,
            bus,
            key,
            secrets,
            config,
            active: RwLock::new(None),
            refused: RwLock::new(None),
            triggers,
            outbox_wake: Notify::new(),
            earlier: Mutex::new(HashMap::new()),
            wanted_jars: Mutex::new(HashMap::new()),
            metrics: Metrics::new(),
        });
        (host, inbox)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// The process metrics `GET /metrics` renders.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.key.verifying_key()
    }

    pub fn active(&self) -> Option<Arc<ActiveRevision>> {
        self.active.read().expect("lock poisoned").clone()
    }

    pub fn refused(&self) -> Option<RefusedRevision> {
        self.refused.read().expect("lock poisoned").clone()
    }

    /// Asks for `instance` to be reconciled.
    pub fn trigger(&self, instance: &str, reason: &'static str) {
        self.triggers.trigger(instance.to_string(), reason);
    }

    /// Asks for every instance of the active revision to be reconciled.
    pub fn trigger_all(&self, reason: &'static str) {
        if let Some(active) = self.active() {
            for instance in active.state.instances() {
                self.trigger(&instance.name, reason);
            }
        }
    }
}
