//! `homeamp artifacts`: the plugin JARs of a running host's artifact store, and uploads to it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use homeamp_schemas::api::{ArtifactInfo, ArtifactList};

use super::host_client::{HostArgs, HostClient};
use super::table::{FormatArg, columns};

/// The plugin JARs `plugin_install` jobs take, from the host's artifact store.
#[derive(clap::Args)]
#[command(
    after_help = "Without FILE, lists the store. With FILEs, uploads each JAR (an operator or admin token\nis needed); the host indexes it by the plugin.yml, paper-plugin.yml, velocity-plugin.json or\nextension.yml inside and refuses a file without one.\n\nExamples:\n  homeamp artifacts\n  homeamp artifacts --format json\n  homeamp artifacts LuckPerms-Bukkit-5.4.102.jar --token \"$HOMEAMP_TOKEN\""
)]
pub struct Args {
    /// JARs to upload.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let client = HostClient::new(&args.host)?;
    if args.files.is_empty() {
        let list: ArtifactList = client.get("/api/artifacts", &[])?;
        return args
            .format
            .print(&list, |list| match list.artifacts.as_slice() {
                [] => "the artifact store is empty\n".to_string(),
                artifacts => table(artifacts),
            });
    }
    let mut failed = 0;
    for file in &args.files {
        let uploaded = std::fs::read(file)
            .with_context(|| format!("reading {}", file.display()))
            .and_then(|bytes| {
                client.put_bytes::<ArtifactList>(
                    "/api/artifacts",
                    bytes,
                    "application/java-archive",
                )
            });
        match uploaded {
            Ok(list) => {
                for a in &list.artifacts {
                    println!(
                        "{}: {} {} ({}) as {}",
                        file.display(),
                        a.name,
                        a.version.as_deref().unwrap_or("(no version)"),
                        a.platform,
                        a.file_name
                    );
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e:#}", file.display());
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} not uploaded", args.files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn table(artifacts: &[ArtifactInfo]) -> String {
    let mut rows =
        vec![["PLATFORM", "NAME", "VERSION", "FILE", "SIZE", "SHA256"].map(String::from)];
    for a in artifacts {
        rows.push([
            a.platform.to_string(),
            a.name.clone(),
            a.version.clone().unwrap_or_else(|| "-".into()),
            a.file_name.clone(),
            a.size.to_string(),
            a.sha256.chars().take(12).collect(),
        ]);
    }
    columns(&rows)
}
