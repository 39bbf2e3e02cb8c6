//! Plugin JARs for the demo fleet.
//!
//! The demo's JARs are minimal plugins (a descriptor, no code) built by
//! [`homeamp_jar::plugin_jar`], all at [`DEMO_VERSION`]: the host's artifact store gets one
//! per plugin the matrix deploys, and each instance's `plugins/` the ones it runs. Then a
//! few JARs drift on purpose ([`make_drift`]): one is deleted, one instance gets an older
//! duplicate, and one gets a plugin the matrix does not deploy there (the demo sets
//! `prune: true`, so it is removed).

use std::collections::BTreeSet;
use std::path::Path;

use homeamp_desired::DesiredState;
use homeamp_desired::model::Instance;
use homeamp_jar::{jar_file_name, plugin_jar};
use homeamp_schemas::desired::Platform;
use homeamp_schemas::report::PluginDescriptor;

use crate::instances::game_root;
use crate::{DemoError, io};

/// The version of every demo JAR.
pub const DEMO_VERSION: &str = "1.0.0";

/// The version of the outdated duplicate [`make_drift`] adds.
pub const OLD_VERSION: &str = "0.9.0";

/// One JAR drift the demo made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JarDrift {
    pub instance: String,
    /// What was done, e.g. `deleted plugins/CMI-1.0.0.jar`.
    pub what: String,
}

/// The descriptor a plugin of `platform` carries.
fn descriptor(platform: Platform) -> PluginDescriptor {
    match platform {
        Platform::Paper => PluginDescriptor::PluginYml,
        Platform::Velocity => PluginDescriptor::VelocityPluginJson,
        Platform::Geyser => PluginDescriptor::ExtensionYml,
    }
}

/// The name in the plugin's descriptor: the plugin file's `name`, else the matrix's.
fn jar_name<'a>(state: &'a DesiredState, platform: Platform, plugin: &'a str) -> &'a str {
    state
        .plugin(platform, plugin)
        .map_or(plugin, |p| p.display_name.as_str())
}

fn write_jar(
    dir: &Path,
    platform: Platform,
    name: &str,
    version: &str,
) -> Result<String, DemoError> {
    let main = format!(
        "demo.{}.Main",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    let bytes = plugin_jar(descriptor(platform), name, version, &main)
        .map_err(|e| DemoError::Desired(e.to_string()))?;
    let file = jar_file_name(name, version);
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(&file);
    std::fs::write(&path, bytes).map_err(io(&path))?;
    Ok(file)
}

/// Fills the artifact store at `dir`: one JAR per plugin deployed anywhere, plus the
/// older version of each. Returns how many JARs it wrote.
pub fn fill_store(state: &DesiredState, dir: &Path) -> Result<usize, DemoError> {
    let mut written = 0;
    for ((platform, plugin), row) in &state.matrix().rows {
        if row.deployments.is_empty() {
            continue;
        }
        let name = jar_name(state, *platform, plugin);
        let version = row
            .deployments
            .values()
            .find_map(|d| d.version())
            .unwrap_or(DEMO_VERSION);
        write_jar(dir, *platform, name, version)?;
        write_jar(dir, *platform, name, OLD_VERSION)?;
        written += 2;
    }
    Ok(written)
}

/// Puts each instance's deployed plugins in its plugin folder (`plugins/`, or
/// `extensions/` on a Geyser standalone); returns how many JARs.
pub fn install_all(state: &DesiredState, root: &Path) -> Result<usize, DemoError> {
    let mut written = 0;
    for instance in state.instances() {
        let plugins =
            game_root(root, &instance.server, &instance.name).join(instance.platform.plugin_dir());
        for (plugin, deployment, _) in state.deployed(instance) {
            let name = jar_name(state, instance.platform, plugin);
            write_jar(
                &plugins,
                instance.platform,
                name,
                deployment.version().unwrap_or(DEMO_VERSION),
            )?;
            written += 1;
        }
    }
    Ok(written)
}

/// Makes the JAR drifts described in the module documentation, on three paper instances.
pub fn make_drift(state: &DesiredState, root: &Path) -> Result<Vec<JarDrift>, DemoError> {
    let paper: Vec<&Instance> = state
        .instances()
        .filter(|i| i.platform == Platform::Paper && state.deployed(i).count() >= 2)
        .collect();
    let mut drifts = Vec::new();
    let plugins_of = |i: &Instance| game_root(root, &i.server, &i.name).join("plugins");
    let deployed_names = |i: &Instance| -> Vec<String> {
        state
            .deployed(i)
            .map(|(p, _, _)| jar_name(state, i.platform, p).to_string())
            .collect()
    };
    // A deleted JAR.
    if let Some(i) = paper.first() {
        let name = &deployed_names(i)[0];
        let file = jar_file_name(name, DEMO_VERSION);
        let path = plugins_of(i).join(&file);
        std::fs::remove_file(&path).map_err(io(&path))?;
        drifts.push(JarDrift {
            instance: i.name.clone(),
            what: format!("deleted plugins/{file}"),
        });
    }
    // An older duplicate beside the current JAR.
    if let Some(i) = paper.get(1) {
        let name = &deployed_names(i)[1];
        let file = write_jar(&plugins_of(i), Platform::Paper, name, OLD_VERSION)?;
        drifts.push(JarDrift {
            instance: i.name.clone(),
            what: format!("added an older duplicate plugins/{file}"),
        });
    }
    // A plugin the matrix tracks but does not deploy here.
    if let Some(i) = paper.get(2) {
        let here: BTreeSet<String> = deployed_names(i).into_iter().collect();
        let extra = state
            .matrix()
            .rows
            .keys()
            .filter(|(p, _)| *p == Platform::Paper)
            .map(|(p, name)| jar_name(state, *p, name))
            .find(|name| !here.contains(*name));
        if let Some(name) = extra {
            let file = write_jar(&plugins_of(i), Platform::Paper, name, DEMO_VERSION)?;
            drifts.push(JarDrift {
                instance: i.name.clone(),
                what: format!("added plugins/{file}, which the matrix does not deploy here"),
            });
        }
    }
    Ok(drifts)
}
