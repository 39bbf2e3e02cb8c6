//! `homeamp import`: the prototype's fleet data into a desired-state repository.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use homeamp_desired::import::{ConvertOptions, ImportOptions, import};

/// Turn the prototype's fleet data into a desired-state repository and one commit.
///
/// Reads DIR (instances.sql, deployment_matrix.csv, aliases.yaml and
/// <platform>/{universal,variable}_configs.json), writes homeamp.yaml,
/// deployment_matrix.csv and plugins/<platform>/<Plugin>.yaml into REPO as one commit,
/// the extracted secrets to <REPO>.secrets.env (mode 0600) and the report to
/// <REPO>.import-report.json, both beside the repository, never in it. Prints the
/// report. A malformed source file is reported as file:line:col and nothing is written.
///
/// Example:
///   homeamp import --from examples/archivesmp/source --out /tmp/homeamp-fleet --alias CRAF01=CREA01
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The folder with the prototype's files.
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// The desired-state repository: a new or empty folder, or an existing repository with a clean tree.
    #[arg(long, value_name = "REPO")]
    out: PathBuf,
    /// Aliases file (`aliases: {OLD: NEW}`, `unknown: [NAME]`); default DIR/aliases.yaml when present.
    #[arg(long, value_name = "FILE")]
    aliases: Option<PathBuf>,
    /// Another name of an instance, OLD=NEW (repeatable; overrides the aliases file).
    #[arg(long = "alias", value_name = "OLD=NEW")]
    alias: Vec<String>,
    /// Where the extracted secrets go (outside REPO); default <REPO>.secrets.env.
    #[arg(long, value_name = "FILE")]
    secrets: Option<PathBuf>,
    /// Where the JSON report goes (outside REPO); default <REPO>.import-report.json.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// The server that runs the host; default: the one named hetzner (as in the seeds), else the first by name.
    #[arg(long, value_name = "NAME")]
    host_server: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = ImportOptions {
        convert: ConvertOptions {
            from: args.from,
            aliases_file: args.aliases,
            aliases: args.alias,
            host_server: args.host_server,
        },
        out: args.out,
        secrets_file: args.secrets,
        report_file: args.report,
    };
    let outcome = import(&options).context("import failed; nothing was written")?;
    print!("{}", outcome.report.to_text());
    println!();
    match &outcome.commit {
        Some(commit) => println!("committed {commit} to {}", outcome.repo.display()),
        None => println!(
            "{} already holds this import: no new commit",
            outcome.repo.display()
        ),
    }
    println!(
        "secrets: {} (mode 0600, keep it out of git)",
        outcome.secrets_file.display()
    );
    println!("report:  {}", outcome.report_file.display());
    Ok(ExitCode::SUCCESS)
}
