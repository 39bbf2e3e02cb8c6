//! The synthetic desired state: `SERVERS` client servers of `PER_SERVER` instances each (plus
//! `hub`, the host's own server, without instances), `PLUGINS` plugins deployed on every
//! instance, `SETTINGS` settings each (a fifth of them per instance), committed to a git
//! repository. And the live files an agent in sync would report, rendered from it.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use homeamp_configfiles::to_yaml;
use homeamp_demo::nest::nest;
use homeamp_desired::DesiredState;
use homeamp_reconciler::host::diff::live_path;

pub const SERVERS: usize = 200;
pub const PER_SERVER: usize = 5;
pub const PLUGINS: usize = 50;
pub const SETTINGS: usize = 30;

pub fn server(s: usize) -> String {
    format!("s{s:03}")
}

pub fn instance(s: usize, k: usize) -> String {
    format!("I{:04}", s * PER_SERVER + k)
}

/// Writes and commits the repository. Each variable setting has a value for every
/// `variable_every`-th instance (1: all 1,000, as a per-instance port would; 10: as
/// `demo/benches/reconcile_pass.rs`), the others taking the plugin's default.
pub fn write(dir: &Path, variable_every: usize) -> anyhow::Result<()> {
    let instances = SERVERS * PER_SERVER;
    let mut fleet = String::from("servers:\n  hub: { role: host }\n");
    for s in 0..SERVERS {
        writeln!(fleet, "  {}: {{ role: client }}", server(s))?;
    }
    fleet.push_str("instances:\n");
    for s in 0..SERVERS {
        for k in 0..PER_SERVER {
            writeln!(
                fleet,
                "  {}: {{ server: {}, platform: paper }}",
                instance(s, k),
                server(s)
            )?;
        }
    }
    fleet.push_str("policy:\n  default: { sync: auto }\n");
    std::fs::write(dir.join("homeamp.yaml"), fleet)?;
    let mut matrix = String::from("plugin_name,plugin_type,auto_update,update_source");
    for i in 0..instances {
        write!(matrix, ",server_I{i:04}")?;
    }
    matrix.push('\n');
    std::fs::create_dir_all(dir.join("plugins/paper"))?;
    let variable = SETTINGS / 5;
    for p in 0..PLUGINS {
        write!(matrix, "P{p:03},bukkit/paper,False,manual")?;
        matrix.push_str(&",True".repeat(instances));
        matrix.push('\n');
        let mut plugin = String::from("universal:\n  config.yml:\n");
        for s in 0..SETTINGS - variable {
            writeln!(plugin, "    section{}.key{s}: {}", s % 5, s * 7 + p)?;
        }
        plugin.push_str("variable:\n  config.yml:\n");
        for s in 0..variable {
            write!(plugin, "    per-instance.key{s}: {{")?;
            for i in (0..instances).step_by(variable_every.max(1)) {
                write!(plugin, " I{i:04}: v{i}-{s},")?;
            }
            plugin.push_str(" }\n");
        }
        std::fs::write(dir.join(format!("plugins/paper/P{p:03}.yaml")), plugin)?;
    }
    std::fs::write(dir.join("deployment_matrix.csv"), matrix)?;
    git(dir, &["init", "-q"])?;
    git(dir, &["add", "-A"])?;
    git(dir, &["commit", "-q", "-m", "synthetic fleet"])?;
    Ok(())
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@homeamp.invalid",
        ])
        .args(args)
        .status()?;
    anyhow::ensure!(status.success(), "git {args:?} failed");
    Ok(())
}

/// One instance's live config files as an agent in sync has them: (path, text), sorted.
pub fn live_files(state: &DesiredState, name: &str) -> anyhow::Result<Vec<(String, String)>> {
    let instance = state
        .instance(name)
        .ok_or_else(|| anyhow::anyhow!("no instance {name}"))?;
    let rendered = state
        .render(name)
        .map_err(|e| anyhow::anyhow!("render {name}: {e:?}"))?;
    let mut files = Vec::new();
    for plugin in rendered.plugins.values() {
        for (file, spec) in &plugin.files {
            let text = to_yaml(&nest(
                spec.settings.iter().map(|(k, s)| (k, s.value.clone())),
            ));
            files.push((live_path(instance.platform, &plugin.folder, file), text));
        }
    }
    files.sort();
    Ok(files)
}
