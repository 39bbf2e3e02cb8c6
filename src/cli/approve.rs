//! `homeamp approve`: releases jobs held for approval (a `sync: approve` policy, or a
//! revision the mass-change guard held), through a running host's API.

use std::process::ExitCode;

use anyhow::Context;
use homeamp_schemas::api::{ApprovedJobs, JobInfo, JobList};

use super::host_client::{HostArgs, HostClient};
use super::jobs::{short_id, targets};

/// Approve held jobs, one by one or every held job of a revision.
#[derive(clap::Args)]
#[command(
    after_help = "Needs an operator or admin token (`homeamp up` prints its admin token at start).\nA JOB_ID is a full id or the short one `homeamp jobs` shows. With several ids each one is\ntried; the exit status is 1 when any of them was not approved.\n\nExamples:\n  homeamp jobs --status awaiting_approval\n  homeamp approve 9c1e4a7d2b3f 0f6a2c9e8d71 --token \"$HOMEAMP_TOKEN\"\n  homeamp approve --revision 3f9c2ab --token \"$HOMEAMP_TOKEN\""
)]
pub struct Args {
    /// The jobs to approve (full or short ids).
    #[arg(
        value_name = "JOB_ID",
        required_unless_present = "revision",
        conflicts_with = "revision"
    )]
    jobs: Vec<String>,
    /// Approve every held job of this revision (a full sha, or a short sha of the active one).
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
    #[command(flatten)]
    host: HostArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = HostClient::new(&args.host)?;
    if let Some(revision) = &args.revision {
        return approve_revision(&client, revision);
    }
    let mut known: Option<Vec<JobInfo>> = None;
    let mut failed = 0;
    for id in &args.jobs {
        match approve_job(&client, id, &mut known) {
            Ok(job) => println!("approved job {} ({})", job.id, describe(&job)),
            Err(err) => {
                eprintln!("error: {err:#}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} not approved", args.jobs.len());
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn approve_revision(client: &HostClient, revision: &str) -> anyhow::Result<ExitCode> {
    let answer: ApprovedJobs = client
        .post("/api/approve", &[("revision", revision)])
        .with_context(|| format!("cannot approve revision {revision}"))?;
    if answer.approved == 0 {
        eprintln!(
            "error: no job of revision {} is awaiting approval (see `homeamp jobs --status awaiting_approval`; a revision's jobs appear a moment after it is activated)",
            answer.revision
        );
        return Ok(ExitCode::from(1));
    }
    println!(
        "approved revision {}: {} held job{} released",
        answer.revision,
        answer.approved,
        if answer.approved == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Approves one job; a short id is first looked up in the job list (fetched once, into `known`).
fn approve_job(
    client: &HostClient,
    id: &str,
    known: &mut Option<Vec<JobInfo>>,
) -> anyhow::Result<JobInfo> {
    let full = if is_full_id(id) {
        id.to_string()
    } else {
        if known.is_none() {
            let list: JobList = client
                .get("/api/jobs", &[])
                .context("cannot list the jobs to find short ids")?;
            *known = Some(list.jobs);
        }
        resolve(id, known.as_deref().unwrap_or_default())?
    };
    client
        .post(&format!("/api/jobs/{full}/approve"), &[])
        .with_context(|| format!("cannot approve job {id}"))
}

/// A UUID in its hyphenated form (what the API takes as it is).
fn is_full_id(id: &str) -> bool {
    id.len() == 36 && id.matches('-').count() == 4
}

/// The full id of the one job whose short id is `short`.
fn resolve(short: &str, jobs: &[JobInfo]) -> anyhow::Result<String> {
    let short = short.to_ascii_lowercase();
    let matches: Vec<&JobInfo> = jobs
        .iter()
        .filter(|job| !short.is_empty() && short_id(&job.id).starts_with(&short))
        .collect();
    match matches.as_slice() {
        [job] => Ok(job.id.clone()),
        [] => anyhow::bail!(
            "cannot approve job {short}: the host has no job with that id (see `homeamp jobs --status awaiting_approval`)"
        ),
        several => anyhow::bail!(
            "cannot approve job {short}: it matches {} jobs ({}); give the whole short id or the full id",
            several.len(),
            several
                .iter()
                .map(|j| j.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `SMP1 config_patch plugins/CoreProtect/config.yml: verbose`.
fn describe(job: &JobInfo) -> String {
    let mut text = format!(
        "{} {}",
        job.instance.as_deref().unwrap_or(&job.server),
        job.kind
    );
    if !job.targets.is_empty() {
        text.push(' ');
        text.push_str(&targets(&job.targets));
    }
    text
}
