//! `homeamp status`: the fleet like `kubectl get`, from a running host's API.

use std::process::ExitCode;

use homeamp_schemas::status::{FleetStatus, SyncState};

use super::host_client::{HostArgs, HostClient};
use super::table::{FormatArg, columns};

/// The fleet's status, like `kubectl get`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  homeamp status --server ovh-ryzen\n  homeamp status --host http://127.0.0.1:8470 --format json"
)]
pub struct Args {
    /// Only this server's instances (`all` for every server).
    #[arg(long)]
    server: Option<String>,
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = HostClient::new(&args.host)?;
    let query: Vec<(&str, &str)> = args.server.iter().map(|s| ("server", s.as_str())).collect();
    let status: FleetStatus = client.get("/api/status", &query)?;
    args.format.print(&status, table)
}

/// The table: one row per instance, then the revision and the counts.
pub fn table(status: &FleetStatus) -> String {
    let mut rows = vec![[
        "NAME".to_string(),
        "SERVER".into(),
        "PLATFORM".into(),
        "SYNC".into(),
        "REVISION".into(),
        "DRIFT".into(),
        "JOBS".into(),
        "LAST REPORT".into(),
    ]];
    for i in &status.instances {
        rows.push([
            i.name.clone(),
            i.server.clone(),
            i.platform.to_string(),
            i.sync.to_string(),
            i.revision
                .as_deref()
                .map(|r| r[..r.len().min(10)].to_string())
                .unwrap_or_else(|| "-".into()),
            i.drift.to_string(),
            i.jobs_in_flight.to_string(),
            i.last_report
                .map(|t| t.to_string())
                .unwrap_or_else(|| "never".into()),
        ]);
    }
    let mut out = columns(&rows);
    out.push_str(&format!(
        "\nrevision {}",
        status.revision.as_deref().unwrap_or("(none)")
    ));
    for state in SyncState::ALL {
        out.push_str(&format!(
            "  {state} {}",
            status.summary.get(state.as_str()).copied().unwrap_or(0)
        ));
    }
    out.push('\n');
    for server in &status.servers {
        out.push_str(&format!(
            "server {}: agent {}{}\n",
            server.name,
            server.agent,
            server
                .last_seen
                .map(|t| format!(" (last heard {t})"))
                .unwrap_or_default()
        ));
    }
    if let Some(refused) = &status.refused_revision {
        out.push_str(&format!(
            "refused revision {}:\n{}\n",
            refused.sha, refused.reason
        ));
    }
    out
}
