//! How one agent is set up: which server it is, where its instances live, whose
//! signatures it trusts, and its timings.

use std::path::PathBuf;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use homeamp_schemas::secrets::Secrets;

use crate::scan::ScanRules;

pub use crate::driver::directory::LifecycleCommands;

/// The agent's settings. [`AgentConfig::new`] fills in the defaults.
///
/// `instances_root`, `lifecycle`, `command_timeout` and `history_keep` set up the
/// directory driver that [`Agent::new`](crate::Agent::new) uses; an agent given another
/// driver ([`Agent::with_driver`](crate::Agent::with_driver)) ignores them.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// This physical server's name (the key in `homeamp.yaml`'s `servers`).
    pub server: String,
    /// The folder whose sub-folders are instances (see
    /// [`crate::driver::directory::folders`]).
    pub instances_root: PathBuf,
    /// The agent's own data (`seen-jobs/`); not inside an instance.
    pub state_dir: PathBuf,
    /// This agent process's name in the bus's consumer group: unique per process, stable
    /// across its restarts (so it reclaims what it held). Default `agent-<server>`.
    pub consumer: String,
    /// The host's public key: only jobs it signed are applied.
    pub host_key: VerifyingKey,
    pub lifecycle: LifecycleCommands,
    pub scan: ScanRules,
    /// Full rescan (and instance rediscovery) period. Default 5 min.
    pub rescan_every: Duration,
    /// Default 15 s.
    pub heartbeat_every: Duration,
    /// Quiet time after the last file event before an instance is rescanned. Default 200 ms.
    pub debounce: Duration,
    /// A burst of events never delays the rescan longer than this after its first event.
    /// Default 500 ms (so a change is reported well within a second).
    pub max_report_delay: Duration,
    /// With a driver that cannot watch files, how often every instance is rescanned
    /// (only changed manifests are sent). Default 10 s.
    pub poll_every: Duration,
    /// Previous versions kept per file in `<instance>/.homeamp/history/`. Default 10.
    pub history_keep: usize,
    /// A lifecycle command running longer is killed and the job fails. Default 120 s.
    pub command_timeout: Duration,
    /// Values for the `${secret:NAME}` references in jobs: jobs carry references only,
    /// and the agent writes the value it holds. Default: none.
    pub secrets: Secrets,
}

impl AgentConfig {
    pub fn new(
        server: impl Into<String>,
        instances_root: impl Into<PathBuf>,
        state_dir: impl Into<PathBuf>,
        host_key: VerifyingKey,
    ) -> Self {
        let server = server.into();
        Self {
            consumer: format!("agent-{server}"),
            server,
            instances_root: instances_root.into(),
            state_dir: state_dir.into(),
            host_key,
            lifecycle: LifecycleCommands::default(),
            scan: ScanRules::default(),
            rescan_every: Duration::from_secs(300),
            heartbeat_every: Duration::from_secs(15),
            debounce: Duration::from_millis(200),
            max_report_delay: Duration::from_millis(500),
            poll_every: Duration::from_secs(10),
            history_keep: 10,
            command_timeout: Duration::from_secs(120),
            secrets: Secrets::empty(),
        }
    }
}
