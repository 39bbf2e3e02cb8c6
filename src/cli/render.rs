//! `homeamp render`: the effective settings of one instance, per plugin and file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use homeamp_desired::{DesiredState, RenderedInstance};
use serde_json::{Map, Value as Json, json};

use super::validate::print_stdout;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  homeamp render SMP201 --explain\n  homeamp render SMP-201 --rev main --format json   # an alias resolves to its instance\n\nSecrets print as ${secret:NAME}; they are never resolved here."
)]
pub struct Args {
    /// The instance (canonical name or alias).
    pub instance: String,
    /// The desired-state repository (default: the current folder).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// A revision (branch, tag, sha, HEAD~1…); default: the files as they are on disk.
    #[arg(long)]
    pub rev: Option<String>,
    /// Show where each value comes from (file:line:col and scope).
    #[arg(long)]
    pub explain: bool,
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let outcome = DesiredState::load(&args.repo, args.rev.as_deref())
        .with_context(|| format!("loading {}", args.repo.display()))?;
    let state = match outcome.into_valid() {
        Ok(state) => state,
        Err(invalid) => {
            for d in &invalid.diagnostics {
                eprintln!("{d}");
            }
            anyhow::bail!("{invalid}: fix it (homeamp validate) before rendering");
        }
    };
    let rendered = state.render(&args.instance)?;
    let doc = to_json(&rendered, args.explain)?;
    match args.format {
        Format::Yaml => print_stdout(&serde_yaml::to_string(&doc)?)?,
        Format::Json => print_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json(r: &RenderedInstance, explain: bool) -> anyhow::Result<Json> {
    let mut plugins = Map::new();
    for (name, plugin) in &r.plugins {
        let mut files = Map::new();
        for (path, file) in &plugin.files {
            let mut settings = Map::new();
            for (key, setting) in &file.settings {
                let value = serde_json::to_value(&setting.value)?;
                let entry = if explain {
                    json!({ "value": value, "source": setting.source.to_string() })
                } else {
                    value
                };
                settings.insert(key.to_string(), entry);
            }
            files.insert(
                path.clone(),
                json!({ "format": file.format.as_str(), "owned": file.owned, "settings": settings }),
            );
        }
        plugins.insert(
            name.clone(),
            json!({
                "version": plugin.deployment.to_string(),
                "folder": plugin.folder,
                "files": files,
            }),
        );
    }
    Ok(json!({
        "instance": r.instance,
        "platform": r.platform.as_str(),
        "server": r.server,
        "revision": r.revision.as_deref().unwrap_or("working tree"),
        "plugins": plugins,
    }))
}
