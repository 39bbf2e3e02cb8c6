//! Integration tests of the agent on real temp directories, real JARs and real
//! signatures. One binary, one module per area.

mod amp_driver;
mod amp_server;
mod artifact_http;
mod config_patch;
mod jobs;
mod layout;
mod other_driver;
mod refusals;
mod scan;
mod support;
mod watch;
