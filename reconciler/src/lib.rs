//! The host: reconcile runtime, store, job bus, HTTP API.
