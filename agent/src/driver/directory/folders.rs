//! Which folders under the instances root are instances, and where their game roots are.
//!
//! Detection rule, for every direct sub-folder `<root>/<Name>` whose name does not
//! start with `.`:
//!
//! 1. **AMP layout**: `<root>/<Name>/Minecraft/` is a folder → the instance is `<Name>`,
//!    its game root is that `Minecraft/` folder (AMP keeps its own files beside it).
//! 2. **Plain layout**: otherwise, when `<root>/<Name>/` holds `server.properties`,
//!    `velocity.toml`, `plugins/`, `extensions/` or a Geyser standalone `config.yml` →
//!    the game root is `<root>/<Name>/` itself.
//! 3. Anything else is not an instance and is skipped.
//!
//! The instance's *folder* (`<root>/<Name>`) also holds the agent's per-instance data
//! in `.homeamp/` (previous versions of files the agent replaced); in the AMP layout
//! that is outside the game root, in the plain layout it is a hidden folder the scan
//! skips and no job path may name.

use std::fs;
use std::path::{Path, PathBuf};

use crate::driver::{AGENT_DIR, DriverError};

/// Which of the two layouts an instance folder follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `<root>/<Name>/Minecraft/` (CubeCoders AMP).
    Amp,
    /// `<root>/<Name>/`.
    Plain,
}

/// One instance folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceFolder {
    pub name: String,
    pub layout: Layout,
    /// `<root>/<Name>`, canonical.
    pub dir: PathBuf,
    /// The folder holding `server.properties` / `velocity.toml` / `plugins/`, canonical.
    pub game_root: PathBuf,
}

impl InstanceFolder {
    /// Where previous versions of replaced files are kept.
    pub fn history_dir(&self) -> PathBuf {
        self.dir.join(AGENT_DIR).join("history")
    }
}

/// The instance folders under `root`, sorted by name. See the module docs for the rule.
pub fn discover(root: &Path) -> Result<Vec<InstanceFolder>, DriverError> {
    let root_err = |source: std::io::Error| DriverError::Discovery {
        place: format!("instances root {}", root.display()),
        hint: "check `instances_root` in the agent config",
        source: Box::new(source),
    };
    let mut found = Vec::new();
    for entry in fs::read_dir(root).map_err(root_err)? {
        let entry = entry.map_err(root_err)?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            tracing::warn!(path = %entry.path().display(), "skipping a folder whose name is not UTF-8");
            continue;
        };
        if name.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        if let Some(instance) = detect(&entry.path(), name)? {
            found.push(instance);
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// The instance in folder `dir`, if the folder is one.
pub fn detect(dir: &Path, name: String) -> Result<Option<InstanceFolder>, DriverError> {
    let canonical = |p: &Path| fs::canonicalize(p).map_err(|e| DriverError::io(p.display(), e));
    let amp = dir.join("Minecraft");
    if amp.is_dir() {
        return Ok(Some(InstanceFolder {
            name,
            layout: Layout::Amp,
            dir: canonical(dir)?,
            game_root: canonical(&amp)?,
        }));
    }
    let marks = ["server.properties", "velocity.toml", "config.yml"];
    if marks.iter().any(|m| dir.join(m).is_file())
        || dir.join("plugins").is_dir()
        || dir.join("extensions").is_dir()
    {
        let dir = canonical(dir)?;
        return Ok(Some(InstanceFolder {
            name,
            layout: Layout::Plain,
            game_root: dir.clone(),
            dir,
        }));
    }
    Ok(None)
}
