//! `homeamp validate`: every problem of a revision as `file:line:col: severity: message`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use homeamp_desired::DesiredState;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  homeamp validate                 # the working tree, uncommitted edits included\n  homeamp validate --rev HEAD~1    # a commit\n\nExit status: 0 valid (warnings are printed), 1 invalid or unreadable."
)]
pub struct Args {
    /// The desired-state repository (default: the current folder).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// A revision (branch, tag, sha, HEAD~1…); default: the files as they are on disk.
    #[arg(long)]
    pub rev: Option<String>,
}

/// Writes `text` to stdout; a closed pipe (`homeamp render X | head`) is not an error.
pub(crate) fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => Ok(result?),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let outcome = DesiredState::load(&args.repo, args.rev.as_deref())
        .with_context(|| format!("loading {}", args.repo.display()))?;
    let mut lines = String::new();
    for diagnostic in outcome.diagnostics() {
        lines.push_str(&format!("{diagnostic}\n"));
    }
    print_stdout(&lines)?;
    let errors = outcome
        .diagnostics()
        .iter()
        .filter(|d| d.severity == homeamp_desired::Severity::Error)
        .count();
    let warnings = outcome.diagnostics().len() - errors;
    if errors > 0 {
        eprintln!("invalid: {errors} error(s), {warnings} warning(s)");
        return Ok(ExitCode::from(1));
    }
    let state = outcome.partial();
    eprintln!(
        "valid: {} instances, {} plugins, {warnings} warning(s)",
        state.instances().count(),
        state.plugins().count()
    );
    Ok(ExitCode::SUCCESS)
}
