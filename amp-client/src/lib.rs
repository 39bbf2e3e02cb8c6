//! A typed client of CubeCoders AMP's HTTP API: the half of homeamp's AMP driver that talks
//! to the panel. Tested against `homeamp-ampsim`; `amp-sim/README.md` describes the API
//! subset and every quirk this client reads.
//!
//! Map:
//! - `client.rs`: [`AmpClient`], and the one call path (session, post, one re-login).
//! - `session.rs`: a session per target (controller, each instance), one login in flight.
//! - `transport.rs`: an HTTP round trip and AMP's answer shapes (faults, the legacy
//!   `{"result": …}` wrapper, empty Void bodies, ActionResults).
//! - `instances.rs`: the instance list, status, start/stop/restart, console.
//! - `files.rs`: listing, chunked reads, writes via a temporary name and a rename, deletes,
//!   directories.
//! - `wire.rs`: AMP's answer types, the fields homeamp reads.
//! - `error.rs`: [`AmpError`], a variant per cause.

mod client;
mod error;
mod files;
mod instances;
mod session;
mod transport;
mod wire;

pub use client::{AmpClient, DEFAULT_CHUNK};
pub use error::AmpError;
pub use wire::{ConsoleEntry, DirEntry, InstanceSummary, Metric, Status};
