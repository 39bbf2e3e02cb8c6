//! [`AmpDriverConfig`]: which panel, as whom, and how AMP's instances become homeamp's.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::time::Duration;

use homeamp_ampclient::DEFAULT_CHUNK;

/// How an [`AmpDriver`](super::AmpDriver) reaches its panel and names its instances.
///
/// **Names.** An AMP instance becomes the homeamp instance its `InstanceName` or its
/// `FriendlyName` names, first through `aliases` (AMP name → homeamp name), then as
/// written, in that order. With `known_instances` set (the instances `homeamp.yaml`
/// places on this server) only a name in that set counts, and an AMP instance whose
/// names give none is *unmanaged*: listed by [`AmpDriver::unmanaged`](super::AmpDriver::unmanaged),
/// never touched. Without it, every AMP instance is managed, under its alias or else its
/// `InstanceName` (the `FriendlyName` is free text people edit in the panel, so it is
/// not used as a key unless an alias or `known_instances` says so).
#[derive(Clone)]
pub struct AmpDriverConfig {
    /// The panel's base URL (the controller, ADS), e.g. `http://127.0.0.1:8080/`.
    pub url: String,
    pub username: String,
    pub password: String,
    /// AMP name (`InstanceName` or `FriendlyName`) → homeamp instance name.
    pub aliases: HashMap<String, String>,
    /// The homeamp instance names this server may have; `None`: take AMP's names.
    pub known_instances: Option<BTreeSet<String>>,
    /// Previous versions kept per file in the instance's `.homeamp/history/`.
    pub history_keep: usize,
    /// The size of the chunks files are read and written in.
    pub chunk_size: usize,
    /// How long a console command's answer is waited for, at most.
    pub console_wait: Duration,
    /// A console answer is complete once the console has been quiet this long.
    pub console_quiet: Duration,
    /// How long a stop or start may take to show in the server's state.
    pub lifecycle_timeout: Duration,
}

impl AmpDriverConfig {
    /// A config with no aliases, AMP's own names, and the defaults below.
    pub fn new(
        url: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            username: username.into(),
            password: password.into(),
            aliases: HashMap::new(),
            known_instances: None,
            history_keep: 10,
            chunk_size: DEFAULT_CHUNK,
            console_wait: Duration::from_secs(5),
            console_quiet: Duration::from_millis(300),
            lifecycle_timeout: Duration::from_secs(120),
        }
    }
}

/// The password stays out of logs.
impl fmt::Debug for AmpDriverConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmpDriverConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("aliases", &self.aliases)
            .field("known_instances", &self.known_instances)
            .field("history_keep", &self.history_keep)
            .field("chunk_size", &self.chunk_size)
            .field("console_wait", &self.console_wait)
            .field("console_quiet", &self.console_quiet)
            .field("lifecycle_timeout", &self.lifecycle_timeout)
            .finish()
    }
}
