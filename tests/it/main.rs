//! End-to-end tests: the real `homeamp` binary in temp dirs, on real git repositories.
//! One test binary with a module per area (ripgrep's layout).

mod distributed;
mod host_process;
mod small_fleet;
mod support;

mod amp_sim_cli;
mod artifacts_cli;
mod config_cli;
mod deployment;
mod distributed_e2e;
mod hostile_input;
mod import_cli;
mod injected_jobs;
mod jobs_cli;
mod plan_cli;
mod plugins_e2e;
mod render_cli;
mod up_e2e;
mod validate_cli;
