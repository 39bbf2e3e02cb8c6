//! How one agent is set up: which server it is, where its instances live, whose
//! signatures it trusts, and its timings.

use std::path::PathBuf;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use homeamp_schemas::secrets::Secrets;

use crate::scan::ScanRules;

/// The agent's settings. [`AgentConfig::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// This physical server's name (the key in `homeamp.yaml`'s `servers`).
    pub server: String,
    /// The folder whose sub-folders are instances (see [`crate::instance`]).
    pub instances_root: PathBuf,
    /// The agent's own data (`seen-jobs/`); not inside an instance.
    pub state_dir: PathBuf,
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
        Self {
            server: server.into(),
            instances_root: instances_root.into(),
            state_dir: state_dir.into(),
            host_key,
            lifecycle: LifecycleCommands::default(),
            scan: ScanRules::default(),
            rescan_every: Duration::from_secs(300),
            heartbeat_every: Duration::from_secs(15),
            debounce: Duration::from_millis(200),
            max_report_delay: Duration::from_millis(500),
            history_keep: 10,
            command_timeout: Duration::from_secs(120),
            secrets: Secrets::empty(),
        }
    }
}

/// Command templates run for `lifecycle` jobs by the directory driver, e.g.
/// `systemctl restart mc@{instance}` or `tmux send-keys -t {instance} '{command}' Enter`.
/// A template is split into a program and its arguments as a POSIX shell splits words
/// (quotes group, backslashes escape; no shell runs it), then in each argument `{instance}`,
/// `{server}`, `{game_root}` and, for reload, `{command}` (the console command the job
/// names) are replaced. An action without a template is recorded as done with the message
/// "no lifecycle command configured".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LifecycleCommands {
    pub restart: Option<String>,
    pub reload: Option<String>,
    pub stop: Option<String>,
    pub start: Option<String>,
}
