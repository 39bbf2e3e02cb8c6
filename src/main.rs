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
    /// Read and edit one config file in place, losslessly.
    #[command(subcommand)]
    Config(cli::config::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => cli::validate::run(args),
        Command::Render(args) => cli::render::run(args),
        Command::Plan(args) => cli::plan::run(args),
        Command::Import(args) => cli::import::run(args),
        Command::Config(command) => cli::config::run(command),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
