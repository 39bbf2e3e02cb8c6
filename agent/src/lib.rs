//! The per-server agent (docs/design.md §4, §6): it finds the instances on its server, scans
//! their config files and plugin JARs into manifests for the host, watches them so a
//! change is reported within a second, and applies the host's signed jobs.
//!
//! Map:
//! - [`agent`]: [`Agent`], the whole of it put together, and its run loop.
//! - [`config`]: [`AgentConfig`], lifecycle command templates.
//! - [`instance`]: the directory driver's instance detection (AMP and plain layouts).
//! - [`scan`]: which files, hashing with a cache, plugin descriptors inside JARs.
//! - [`watch`]: file watching and the per-instance debounce.
//! - [`apply`]: verifying and applying jobs: paths kept inside the root, atomic
//!   writes with history, the record of handled jobs, one file per job kind.
//! - [`link`]: [`HostLink`], everything the agent sends the host;
//!   [`memory_host`]: the in-process implementation; [`http_link`]: over the host's HTTP API.
//! - [`artifact`]: where plugin JARs come from.
//! - [`consumer`]: reading the server's jobs from the job bus (`homeamp_bus`).
//! - [`service`]: [`AgentService`], the report loop and the consumer run together.
//!
//! **Invariant:** the agent never touches the database, and never writes outside an
//! instance's game root (except its own `.homeamp/` history beside it and its state dir).

pub mod agent;
pub mod apply;
pub mod artifact;
pub mod config;
pub mod consumer;
pub mod digest;
pub mod error;
pub mod http_link;
pub mod instance;
pub mod link;
pub mod memory_host;
pub mod scan;
pub mod service;
pub mod watch;

pub use agent::{Agent, ReportSummary};
pub use apply::ApplyError;
pub use artifact::{ArtifactSource, FetchError, LocalArtifacts};
pub use config::{AgentConfig, LifecycleCommands};
pub use error::AgentError;
pub use http_link::HttpLink;
pub use instance::{Instance, Layout};
pub use link::{HostLink, LinkError};
pub use memory_host::{InMemoryHost, Received};
pub use service::AgentService;
