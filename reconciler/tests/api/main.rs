//! The host's HTTP API driven through the real router (`oneshot`) over a real host: a
//! temp git repository, a SQLite store, the in-process bus. One binary, one module per
//! resource; `http_link` serves the router on a loopback port for the agent's client.

mod agent;
mod artifacts;
mod auth;
mod health;
mod hooks;
mod http_link;
mod jobs;
mod plan;
mod reconcile;
mod secrets;
mod status;
mod support;
