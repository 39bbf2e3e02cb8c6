//! One module per subcommand; each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.
//! Besides them, `host_client` (a running host's API) and `table` (aligned columns) serve the
//! commands that talk to a host, and `signal` (Ctrl-C or SIGTERM) the long-running ones.

pub mod amp_sim;
pub mod approve;
pub mod artifacts;
pub mod config;
pub mod host_client;
pub mod import;
pub mod jobs;
pub mod plan;
pub mod render;
pub mod signal;
pub mod status;
pub mod table;
pub mod up;
pub mod validate;
