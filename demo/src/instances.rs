//! Instance folders in AMP's layout, with plugin configs rendered from the desired state.

use std::path::{Path, PathBuf};

use homeamp_configfiles::to_yaml;
use homeamp_desired::DesiredState;
use homeamp_reconciler::host::Secrets;
use homeamp_schemas::Value;
use homeamp_schemas::desired::FileFormat;

use crate::nest::nest;
use crate::{DemoError, io};

/// The game root of an instance: `<root>/<server>/<NAME>/Minecraft` (AMP's layout).
pub fn game_root(root: &Path, server: &str, instance: &str) -> PathBuf {
    root.join(server).join(instance).join("Minecraft")
}

/// Writes every instance's plugin configs; returns how many files were written.
pub fn render_all(
    state: &DesiredState,
    secrets: &Secrets,
    root: &Path,
) -> Result<usize, DemoError> {
    let mut written = 0;
    for instance in state.instances() {
        let game = game_root(root, &instance.server, &instance.name);
        let plugins = game.join(instance.platform.plugin_dir());
        std::fs::create_dir_all(&plugins).map_err(io(&plugins))?;
        let rendered = state
            .render(&instance.name)
            .map_err(|e| DemoError::Desired(e.to_string()))?;
        for plugin in rendered.plugins.values() {
            for (file, spec) in &plugin.files {
                let resolved = spec
                    .settings
                    .iter()
                    .map(|(path, setting)| {
                        let value = secrets
                            .resolve(&setting.value)
                            .unwrap_or_else(|_| setting.value.clone());
                        (path, value)
                    })
                    .collect::<Vec<_>>();
                let Some(text) = render_file(spec.format, &plugin.name, nest(resolved)) else {
                    continue;
                };
                let path = plugins.join(&plugin.folder).join(file);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::fs::write(&path, text).map_err(io(&path))?;
                written += 1;
            }
        }
    }
    Ok(written)
}

/// The text of one config file, with a comment at the top as real configs have.
/// `None` for formats the demo does not write.
fn render_file(format: FileFormat, plugin: &str, document: Value) -> Option<String> {
    match format {
        FileFormat::Yaml => Some(format!(
            "# {plugin} configuration (homeamp demo fleet)\n# Comments like this one survive every edit homeamp makes.\n{}",
            to_yaml(&document)
        )),
        FileFormat::Json => serde_json::to_string_pretty(&document)
            .ok()
            .map(|t| t + "\n"),
        _ => None,
    }
}
