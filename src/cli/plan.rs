//! `homeamp plan`: what a change request does, instance by instance, key by key.

use std::path::PathBuf;
use std::process::ExitCode;

use homeamp_desired::plan::{self, PlanError};

use super::validate::print_stdout;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  homeamp plan --base main --head HEAD\n  homeamp plan --base HEAD~1 --head HEAD --format markdown   # for a pull-request comment\n\nExit status: 0 no changes, 2 changes, 1 error (an invalid revision prints its problems)."
)]
pub struct Args {
    /// The revision before the change (branch, tag, sha, HEAD~1…).
    #[arg(long)]
    pub base: String,
    /// The revision after the change.
    #[arg(long)]
    pub head: String,
    /// The desired-state repository (default: the current folder).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let plan = match plan::plan_revisions(&args.repo, &args.base, &args.head) {
        Ok(plan) => plan,
        Err(PlanError::Invalid { side, invalid }) => {
            let lines: String = invalid
                .diagnostics
                .iter()
                .map(|d| format!("{d}\n"))
                .collect();
            print_stdout(&lines)?;
            eprintln!("error: the {side} revision is invalid: {invalid}");
            return Ok(ExitCode::from(1));
        }
        Err(err) => return Err(err.into()),
    };
    match args.format {
        Format::Text => print_stdout(&plan::to_text(&plan))?,
        Format::Markdown => print_stdout(&plan::to_markdown(&plan, plan::MARKDOWN_LIMIT))?,
        Format::Json => print_stdout(&(serde_json::to_string_pretty(&plan)? + "\n"))?,
    }
    Ok(ExitCode::from(if plan.is_empty() { 0 } else { 2 }))
}
