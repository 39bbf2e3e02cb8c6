//! The host: reconcile runtime, store, job bus, HTTP API.

pub mod api;
pub mod artifacts;
pub mod digest;
pub mod host;
pub mod metrics;
pub mod runtime;
pub mod service;
pub mod store;

/// The job bus (its own crate, shared with the agents).
pub use homeamp_bus as bus;
