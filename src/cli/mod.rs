//! One module per subcommand; each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.

pub mod config;
pub mod import;
pub mod plan;
pub mod render;
pub mod status;
pub mod up;
pub mod validate;
