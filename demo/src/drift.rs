//! Deliberate hand edits in the demo's instance folders, for the first reconcile to correct.

use std::path::Path;

use homeamp_configfiles::{Document, Format};
use homeamp_desired::DesiredState;
use homeamp_schemas::Value;
use homeamp_schemas::desired::{FileFormat, Platform};

use crate::instances::game_root;
use crate::{DemoError, io};

/// One hand edit the demo made.
#[derive(Debug, Clone, PartialEq)]
pub struct HandEdit {
    pub instance: String,
    /// Relative to the game root.
    pub file: String,
    pub key: String,
    pub from: Value,
    pub to: Value,
}

/// How many instances get a hand edit.
const EDITED_INSTANCES: usize = 3;

/// Changes one boolean or integer setting in a YAML file of each of a few paper instances.
pub fn make(state: &DesiredState, root: &Path) -> Result<Vec<HandEdit>, DemoError> {
    let mut edits = Vec::new();
    for instance in state.instances().filter(|i| i.platform == Platform::Paper) {
        if edits.len() == EDITED_INSTANCES {
            break;
        }
        let rendered = state
            .render(&instance.name)
            .map_err(|e| DemoError::Desired(e.to_string()))?;
        let candidate = rendered.plugins.values().find_map(|plugin| {
            plugin
                .files
                .iter()
                .filter(|(_, spec)| spec.format == FileFormat::Yaml)
                .find_map(|(file, spec)| {
                    spec.settings.iter().find_map(|(key, setting)| {
                        let to = match &setting.value {
                            Value::Bool(b) => Value::Bool(!b),
                            Value::Int(n) => Value::Int(n + 1),
                            _ => return None,
                        };
                        Some((
                            format!("plugins/{}/{file}", plugin.folder),
                            key.clone(),
                            setting.value.clone(),
                            to,
                        ))
                    })
                })
        });
        let Some((file, key, from, to)) = candidate else {
            continue;
        };
        let path = game_root(root, &instance.server, &instance.name).join(&file);
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let mut doc = Document::parse(Format::Yaml, &text)
            .map_err(|e| DemoError::Desired(format!("{}: {e}", path.display())))?;
        doc.set(&key, &to)
            .map_err(|e| DemoError::Desired(format!("{}: {e}", path.display())))?;
        std::fs::write(&path, doc.to_string()).map_err(io(&path))?;
        edits.push(HandEdit {
            instance: instance.name.clone(),
            file,
            key: key.to_string(),
            from,
            to,
        });
    }
    Ok(edits)
}
