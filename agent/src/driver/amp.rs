//! [`AmpDriver`]: instances managed by CubeCoders AMP, reached through its HTTP API.
//!
//! The driver talks to one panel (the controller, ADS) with [`AmpClient`], which keeps a
//! session per target, logs in again once when a session expires, lets one login be in
//! flight, and reads AMP's answer shapes (faults with HTTP 200, `Status: false`, empty
//! Void bodies, the legacy `{"result": …}` wrapper). Each instance's API is called through
//! the controller's proxy path (`API/ADSModule/Servers/<InstanceID>/API/…`).
//!
//! - Instances: `ADSModule/GetInstances`, mapped to homeamp names ([`discovery`], the
//!   rule is on [`AmpDriverConfig`]); the rest are [`AmpDriver::unmanaged`].
//! - Files ([`files`]): `FileManagerPlugin`, whose root for a Minecraft instance is the
//!   game root (`<InstanceName>/Minecraft/` on AMP's disk). Writes go to a temporary name
//!   beside the target and are renamed over it (AMP has no atomic write; the client does
//!   this), so an interrupted write leaves the old file whole. The previous version is
//!   kept in the game root's `.homeamp/history/<path>/` ([`history`]), written through AMP
//!   too: the file manager cannot reach the instance folder above `Minecraft/`, so the
//!   history sits where the plain layout of the directory driver keeps it, a hidden
//!   folder the scan skips and no job path may name.
//! - Lifecycle and status ([`lifecycle`]): `Core/Start`, `Stop`, `Restart`, `GetStatus`
//!   (state and the "Active Users" metric, for `restart: when-empty`); console commands
//!   and reloads ([`console`]): `Core/SendConsoleMessage`, answered through `Core/GetUpdates`.
//! - AMP's failures become [`DriverError`]s in one place ([`failure`]).
//! - No watching: AMP has no file events, so [`Driver::watch`] is `None` and the agent
//!   polls every `AgentConfig::poll_every`.
//!
//! The trait is blocking and the client async: each call runs its whole sequence of
//! requests with `Handle::block_on` on the runtime handed to [`AmpDriver::connect`], from
//! the blocking thread the agent calls it on (never from inside an async task).

mod config;
mod console;
mod discovery;
mod failure;
mod files;
mod history;
mod lifecycle;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::RwLock;

use homeamp_ampclient::{AmpClient, AmpError};
use homeamp_schemas::job::LifecycleAction;
use tokio::runtime::Handle;

use super::{
    ActionOutcome, DirEntry, Driver, DriverError, FileMeta, Instance, InstanceStatus, RelPath,
};

pub use config::AmpDriverConfig;
pub use discovery::{AmpTarget, UnmanagedInstance};

use discovery::{Mapping, map_instances};

use failure::driver_error;

/// The driver's name in messages.
const NAME: &str = "amp";

/// The instances of one AMP panel.
pub struct AmpDriver {
    config: AmpDriverConfig,
    client: AmpClient,
    runtime: Handle,
    /// The last discovery's outcome. std RwLock: held only to copy out, never across
    /// a request.
    mapping: RwLock<Mapping>,
}

/// One managed instance's API, for the length of one driver call.
struct InstanceApi<'a> {
    client: &'a AmpClient,
    config: &'a AmpDriverConfig,
    /// The homeamp name, for messages.
    name: &'a str,
    target: AmpTarget,
}

impl InstanceApi<'_> {
    /// Turns an [`AmpError`] met while doing `what` into a [`DriverError`] naming the
    /// instance.
    fn fail(&self, what: impl std::fmt::Display, error: AmpError) -> DriverError {
        driver_error(format!("{}: {what}", self.name), error)
    }

    fn id(&self) -> &str {
        &self.target.id
    }
}

impl AmpDriver {
    /// Logs in to the panel at `config.url` and discovers its instances once, so a wrong
    /// URL or password fails here, at start. Blocks on `runtime`: call it from a plain
    /// thread or `spawn_blocking`, never from an async task.
    pub fn connect(config: AmpDriverConfig, runtime: Handle) -> Result<Self, DriverError> {
        let client = AmpClient::new(&config.url, &config.username, &config.password)
            .map_err(|e| discovery_error(&config, e))?
            .with_chunk_size(config.chunk_size);
        let driver = Self {
            config,
            client,
            runtime,
            mapping: RwLock::default(),
        };
        driver.discover()?;
        Ok(driver)
    }

    pub fn config(&self) -> &AmpDriverConfig {
        &self.config
    }

    /// The AMP instances the last discovery found but maps to no homeamp instance
    /// (never touched), for the agent to log and report.
    pub fn unmanaged(&self) -> Vec<UnmanagedInstance> {
        self.read_mapping().unmanaged.clone()
    }

    /// The AMP instance behind the homeamp instance `name`, as the last discovery found it.
    pub fn target(&self, name: &str) -> Option<AmpTarget> {
        self.read_mapping().managed.get(name).cloned()
    }

    fn read_mapping(&self) -> std::sync::RwLockReadGuard<'_, Mapping> {
        self.mapping.read().unwrap_or_else(|p| p.into_inner())
    }

    fn api<'a>(&'a self, instance: &'a Instance) -> Result<InstanceApi<'a>, DriverError> {
        let target = self
            .target(&instance.name)
            .ok_or_else(|| DriverError::UnknownInstance {
                driver: NAME,
                instance: instance.name.clone(),
            })?;
        Ok(InstanceApi {
            client: &self.client,
            config: &self.config,
            name: &instance.name,
            target,
        })
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

fn discovery_error(config: &AmpDriverConfig, e: AmpError) -> DriverError {
    DriverError::Discovery {
        place: format!("AMP panel {}", config.url),
        hint: "check amp.url, amp.username and amp.password, and that the AMP controller runs",
        source: Box::new(e),
    }
}

/// Logs the unmanaged instances when they differ from the last discovery's.
fn log_unmanaged(before: &[UnmanagedInstance], now: &[UnmanagedInstance]) {
    if before == now {
        return;
    }
    for u in now {
        tracing::info!(
            driver = NAME,
            instance_name = %u.instance_name,
            friendly_name = %u.friendly_name,
            reason = %u.reason,
            "AMP instance not managed by homeamp; left alone",
        );
    }
}

impl Driver for AmpDriver {
    fn name(&self) -> &'static str {
        NAME
    }

    fn location(&self) -> String {
        self.config.url.clone()
    }

    fn discover(&self) -> Result<Vec<Instance>, DriverError> {
        let found = self
            .block_on(self.client.get_instances())
            .map_err(|e| discovery_error(&self.config, e))?;
        let mapping = map_instances(&found, &self.config);
        let instances = mapping
            .managed
            .iter()
            .map(|(name, t)| Instance {
                name: name.clone(),
                location: format!(
                    "AMP instance {} ({}) at {}",
                    t.instance_name, t.id, self.config.url
                ),
            })
            .collect();
        let mut current = self.mapping.write().unwrap_or_else(|p| p.into_inner());
        log_unmanaged(&current.unmanaged, &mapping.unmanaged);
        *current = mapping;
        Ok(instances)
    }

    fn list(
        &self,
        instance: &Instance,
        folder: Option<&RelPath>,
    ) -> Result<Option<Vec<DirEntry>>, DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.list(folder.map_or("", RelPath::as_str)))
    }

    fn stat(&self, instance: &Instance, path: &RelPath) -> Result<Option<FileMeta>, DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.stat(path.as_str()))
    }

    fn read(&self, instance: &Instance, path: &RelPath) -> Result<Option<Vec<u8>>, DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.read(path.as_str()))
    }

    fn write(&self, instance: &Instance, path: &RelPath, bytes: &[u8]) -> Result<(), DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.write(path.as_str(), bytes))
    }

    fn remove(&self, instance: &Instance, path: &RelPath) -> Result<(), DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.remove(path.as_str()))
    }

    fn lifecycle(
        &self,
        instance: &Instance,
        action: &LifecycleAction,
    ) -> Result<ActionOutcome, DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.lifecycle(action))
    }

    fn console(&self, instance: &Instance, command: &str) -> Result<String, DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.console(command))
    }

    fn status(&self, instance: &Instance) -> Result<InstanceStatus, DriverError> {
        let api = self.api(instance)?;
        self.block_on(api.status())
    }
}

/// The managed instances by homeamp name, for messages and tests.
impl std::fmt::Debug for AmpDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let managed: BTreeMap<String, String> = self
            .read_mapping()
            .managed
            .iter()
            .map(|(k, v)| (k.clone(), v.instance_name.clone()))
            .collect();
        f.debug_struct("AmpDriver")
            .field("config", &self.config)
            .field("managed", &managed)
            .finish()
    }
}
