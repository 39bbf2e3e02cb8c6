//! `homeamp jobs`: the job queue like `kubectl get`, from a running host's API.

use std::process::ExitCode;

use homeamp_schemas::api::{JobInfo, JobList};
use homeamp_schemas::job::JobIntent;
use jiff::Timestamp;

use super::host_client::{HostArgs, HostClient};
use super::table::{FormatArg, columns};

/// The job queue, like `kubectl get`: oldest first, newest last.
#[derive(clap::Args)]
#[command(
    after_help = "ID is the last group of the job's id; `homeamp approve` takes it or the full id\n(`--format json` shows full ids).\nSTATUS: awaiting_approval, queued, delivered, running, succeeded, failed, expired, superseded.\n\nExamples:\n  homeamp jobs --status awaiting_approval\n  homeamp jobs --status in_flight --instance SMP1\n  homeamp jobs --server ovh-ryzen --format json"
)]
pub struct Args {
    /// Only jobs in this status (`in_flight` for every pending one, `all` for any).
    #[arg(long)]
    status: Option<String>,
    /// Only this instance's jobs.
    #[arg(long)]
    instance: Option<String>,
    /// Only this server's jobs (`all` for every server).
    #[arg(long)]
    server: Option<String>,
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = HostClient::new(&args.host)?;
    let query: Vec<(&str, &str)> = [
        ("status", &args.status),
        ("instance", &args.instance),
        ("server", &args.server),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.as_deref()?)))
    .collect();
    let mut list: JobList = client.get("/api/jobs", &query)?;
    list.jobs.sort_by_key(|job| job.created_at);
    args.format.print(&list, |list| match list.jobs.as_slice() {
        [] => "no jobs\n".to_string(),
        jobs => table(jobs, Timestamp::now()),
    })
}

/// The short form of a job id shown in the table: its last group, random in a UUIDv7
/// (the leading groups are the creation time, shared by jobs created together).
pub fn short_id(id: &str) -> &str {
    id.rsplit('-').next().unwrap_or(id)
}

/// The longest TARGETS cell, in characters.
const TARGETS_WIDTH: usize = 48;

/// The table: one row per job, as of `now`.
pub fn table(jobs: &[JobInfo], now: Timestamp) -> String {
    let mut rows = vec![
        [
            "ID", "INSTANCE", "KIND", "STATUS", "INTENT", "PLUGIN", "TARGETS", "AGE",
        ]
        .map(String::from),
    ];
    for job in jobs {
        rows.push([
            short_id(&job.id).to_string(),
            job.instance.clone().unwrap_or_else(|| "-".into()),
            job.kind.to_string(),
            job.status.clone(),
            match job.intent {
                JobIntent::Intentional => "intentional",
                JobIntent::Corrective => "corrective",
            }
            .to_string(),
            match (&job.plugin, &job.plugin_version) {
                (Some(name), Some(version)) => format!("{name} {version}"),
                (Some(name), None) => name.clone(),
                _ => "-".into(),
            },
            truncate(&targets(&job.targets), TARGETS_WIDTH),
            age(job.created_at, now),
        ]);
    }
    columns(&rows)
}

/// A job's targets in one line, the key paths of one file after its name once:
/// `plugins/CoreProtect/config.yml: table-prefix, verbose`.
pub fn targets(targets: &[String]) -> String {
    let mut groups: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    for target in targets {
        let (file, item) = match target.split_once(": ") {
            Some((file, path)) => (Some(file), path),
            None => (None, target.as_str()),
        };
        match groups.last_mut() {
            Some((last, items)) if file.is_some() && *last == file => items.push(item),
            _ => groups.push((file, vec![item])),
        }
    }
    groups
        .iter()
        .map(|(file, items)| match file {
            Some(file) => format!("{file}: {}", items.join(", ")),
            None => items.join(", "),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `text` cut to `width` characters, the last one `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return if text.is_empty() {
            "-".into()
        } else {
            text.into()
        };
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// How long ago, as `kubectl` shows it: `42s`, `5m`, `3h`, `2d`.
fn age(then: Timestamp, now: Timestamp) -> String {
    let seconds = now.duration_since(then).as_secs().max(0);
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 120 * 60 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        let now: Timestamp = "2025-06-01T12:00:00Z".parse().unwrap();
        let ago = |s: i64| age(now - jiff::SignedDuration::from_secs(s), now);
        assert_eq!(ago(0), "0s");
        assert_eq!(ago(90), "90s");
        assert_eq!(ago(600), "10m");
        assert_eq!(ago(5 * 3600), "5h");
        assert_eq!(ago(3 * 86_400), "3d");
        assert_eq!(age(now + jiff::SignedDuration::from_secs(5), now), "0s");
    }

    #[test]
    fn long_targets_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("a.yml: x", 48), "a.yml: x");
        assert_eq!(truncate("", 48), "-");
        let cut = truncate(&"x".repeat(60), 10);
        assert_eq!(cut, format!("{}…", "x".repeat(9)));
    }

    #[test]
    fn targets_name_each_file_once() {
        let t = |items: &[&str]| targets(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            t(&[
                "p/config.yml: table-prefix",
                "p/config.yml: verbose",
                "p/other.yml: a"
            ]),
            "p/config.yml: table-prefix, verbose; p/other.yml: a"
        );
        assert_eq!(t(&["restart"]), "restart");
        assert_eq!(
            t(&["plugins/A.jar", "plugins/B.jar"]),
            "plugins/A.jar; plugins/B.jar"
        );
        assert_eq!(t(&[]), "");
    }

    #[test]
    fn the_short_id_is_the_random_last_group() {
        assert_eq!(
            short_id("0197a3f2-1b2c-7d3e-8f40-123456789abc"),
            "123456789abc"
        );
    }
}
