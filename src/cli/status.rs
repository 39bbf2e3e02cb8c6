//! `homeamp status`: the fleet like `kubectl get`, from a running host's API.

use std::process::ExitCode;

use anyhow::Context;
use homeamp_schemas::status::{FleetStatus, SYNC_STATES};

/// The fleet's status, like `kubectl get`.
///
/// Example:
///   homeamp status --server ovh-ryzen
///   homeamp status --host http://127.0.0.1:8470 --format json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only this server's instances (`all` for every server).
    #[arg(long)]
    server: Option<String>,
    /// The host's API.
    #[arg(long, env = "HOMEAMP_HOST", default_value = "http://127.0.0.1:8470")]
    host: String,
    /// A bearer token (not needed for a loopback `homeamp up`).
    #[arg(long, env = "HOMEAMP_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// `table` or `json`.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let status = runtime.block_on(fetch(&args))?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{}", table(&status));
    }
    Ok(ExitCode::SUCCESS)
}

async fn fetch(args: &Args) -> anyhow::Result<FleetStatus> {
    let mut url = format!("{}/api/status", args.host.trim_end_matches('/'));
    if let Some(server) = &args.server {
        url.push_str(&format!("?server={server}"));
    }
    let client = reqwest::Client::new();
    let mut request = client.get(&url);
    if let Some(token) = &args.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.with_context(|| {
        format!(
            "cannot reach the host at {}: is `homeamp up` running?",
            args.host
        )
    })?;
    let code = response.status();
    let body = response.text().await?;
    if !code.is_success() {
        anyhow::bail!("the host answered {code}: {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("unexpected answer from {url}"))
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
            i.sync.clone(),
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
    let widths: Vec<usize> = (0..8)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "\nrevision {}",
        status.revision.as_deref().unwrap_or("(none)")
    ));
    for state in SYNC_STATES {
        out.push_str(&format!(
            "  {state} {}",
            status.summary.get(state).copied().unwrap_or(0)
        ));
    }
    out.push('\n');
    if let Some(refused) = &status.refused_revision {
        out.push_str(&format!(
            "refused revision {}:\n{}\n",
            refused.sha, refused.reason
        ));
    }
    out
}
