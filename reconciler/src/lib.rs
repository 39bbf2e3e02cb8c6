//! The host: reconcile runtime, store, job bus, HTTP API.

pub mod store;
