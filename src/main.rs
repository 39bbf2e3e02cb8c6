//! `homeamp`: keeps a fleet of Minecraft instances in the state a git repository describes.
//!
//! This binary is thin: it parses the command line and calls the library crates.
//! Each subcommand lives in its own file under `cli/`.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "homeamp", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a revision of the desired-state repository; exit 1 with file:line:col lines on errors.
    Validate(cli::validate::Args),
    /// The effective settings of one instance at a revision.
    Render(cli::render::Args),
    /// What a change request does, instance by instance, key by key (exit 2 when it changes something).
    Plan(cli::plan::Args),
    /// Turn the prototype's fleet data into a desired-state repository and one commit.
    Import(cli::import::Args),
    /// Run the host and a local agent per server in one process (SQLite, in-process bus).
    Up(cli::up::Args),
    /// Run the host of a distributed fleet (reconcile loop, API, store, Redis, its server's agent).
    Host(cli::host::Args),
    /// Run the agent of one physical server: scan, report, apply the host's jobs.
    Agent(cli::agent::Args),
    /// Create, list and revoke the host's agent and API tokens.
    Token(cli::token::Args),
    /// The fleet's status, like `kubectl get`.
    Status(cli::status::Args),
    /// The job queue, like `kubectl get`.
    Jobs(cli::jobs::Args),
    /// Approve held jobs, by id or every held job of a revision.
    Approve(cli::approve::Args),
    /// The plugin JARs of the host's artifact store; with FILEs, upload them.
    Artifacts(cli::artifacts::Args),
    /// Read and edit one config file in place, losslessly.
    #[command(subcommand)]
    Config(cli::config::Command),
    /// Serve a simulated CubeCoders AMP panel over instance folders (for demos and tests).
    AmpSim(cli::amp_sim::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr; HOMEAMP_LOG takes tracing's filter syntax (e.g. `info`, `homeamp_reconciler=debug`).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOMEAMP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Validate(args) => cli::validate::run(args),
        Command::Render(args) => cli::render::run(args),
        Command::Plan(args) => cli::plan::run(args),
        Command::Import(args) => cli::import::run(args),
        Command::Config(command) => cli::config::run(command),
        Command::Up(args) => cli::up::run(args),
        Command::Host(args) => cli::host::run(args),
        Command::Agent(args) => cli::agent::run(args),
        Command::Token(args) => cli::token::run(args),
        Command::Status(args) => cli::status::run(args),
        Command::Jobs(args) => cli::jobs::run(args),
        Command::Approve(args) => cli::approve::run(args),
        Command::Artifacts(args) => cli::artifacts::run(args),
        Command::AmpSim(args) => cli::amp_sim::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
