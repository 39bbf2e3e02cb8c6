//! The host: reconcile runtime, store, job bus, HTTP API.

pub mod api;
pub mod artifacts;
pub mod bus;
pub mod host;
pub mod metrics;
pub mod runtime;
pub mod store;
