//! The per-server agent: it finds the instances on its server, scans their config files
//! and plugin JARs into manifests for the host, watches them so a change is reported
//! within a second, and applies the host's signed jobs. Everything it does to an
//! instance goes through a [`Driver`].
//!
//! Map:
//! - [`service`]: [`AgentService`], the agent's whole life: the run loop and the job
//!   consumer side by side until shutdown.
//! - [`agent`]: [`Agent`], the parts put together, and its run loop (scans, watching,
//!   heartbeats).
//! - [`config`]: [`AgentConfig`], the settings and their defaults.
//! - [`driver`]: the [`Driver`] trait an instance backend implements, and the types it
//!   speaks ([`RelPath`]: paths kept inside the game root); [`driver::directory`]: the
//!   directory driver (instance folders on disk, AMP and plain layouts, atomic writes with
//!   history, lifecycle command templates, notify watching); [`driver::amp`]: the AMP
//!   driver (a CubeCoders AMP panel's instances through its HTTP API, `homeamp-ampclient`).
//! - [`scan`]: which files, hashing with a cache, plugin descriptors inside JARs.
//! - [`watch`]: the per-instance debounce of change notifications.
//! - [`apply`]: verifying and applying jobs: the record of handled jobs, one file per
//!   job kind, all file access through the driver.
//! - [`atomic_file`]: replacing a local file atomically (the directory driver, the
//!   agent's own records).
//! - [`link`]: [`HostLink`], everything the agent sends the host;
//!   [`memory_host`]: the in-process implementation; [`http_link`]: over the host's HTTP API.
//! - [`own_folder`]: the agent's own folders, never reached through a symbolic link.
//! - [`artifact`]: where plugin JARs come from.
//! - [`consumer`]: reading the server's jobs from the job bus (`homeamp_bus`); [`spool`]:
//!   the results the host has not taken yet, on disk, delivered in order.
//!
//! **Invariant:** the agent never touches the database, and never writes outside an
//! instance's game root (except its own `.homeamp/` history beside it and its state dir).

pub mod agent;
pub mod apply;
pub mod artifact;
pub mod atomic_file;
pub mod config;
pub mod consumer;
pub mod digest;
pub mod driver;
pub mod error;
pub mod http_link;
pub mod link;
pub mod memory_host;
pub mod own_folder;
pub mod scan;
pub mod service;
pub mod spool;
pub mod watch;

pub use agent::{Agent, ReportSummary};
pub use apply::ApplyError;
pub use artifact::{ArtifactSource, FetchError, LocalArtifacts};
pub use config::{AgentConfig, LifecycleCommands};
pub use driver::amp::{AmpDriver, AmpDriverConfig};
pub use driver::directory::{DirectoryDriver, InstanceFolder, Layout};
pub use driver::{Driver, DriverError, Instance, RelPath};
pub use error::AgentError;
pub use http_link::HttpLink;
pub use link::{HostLink, LinkError};
pub use memory_host::{InMemoryHost, Received};
pub use service::AgentService;
