//! One module per subcommand; each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.
//! Besides them, `host_client` (a running host's API) and `table` (aligned columns) serve the
//! commands that talk to a host; `node` (config file, Redis, secrets), `check_lines`,
//! `local_link`, `shutdown` (Ctrl-C or SIGTERM) and `signing_key` serve the long-running
//! roles (`up`, `host`, `agent`, `amp-sim`).

pub mod agent;
pub mod amp_sim;
pub mod approve;
pub mod artifacts;
pub mod check_lines;
pub mod config;
pub mod host;
pub mod host_client;
pub mod import;
pub mod jobs;
pub mod local_link;
pub mod node;
pub mod plan;
pub mod private_file;
pub mod render;
pub mod shutdown;
pub mod signing_key;
pub mod status;
pub mod table;
pub mod token;
pub mod up;
pub mod validate;
