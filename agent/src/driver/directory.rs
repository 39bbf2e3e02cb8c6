//! [`DirectoryDriver`]: instances as folders on this machine's disk.
//!
//! Instances are the sub-folders of one root, in AMP's layout (`<Name>/Minecraft/`) or
//! plain (`<Name>/`), see [`folders`]. Files are read and written directly, every path
//! confined to the game root ([`confine`](mod@confine)), replaced atomically
//! ([`crate::atomic_file`]) with the previous version kept ([`history`]). Lifecycle
//! and console actions run the operator's command templates ([`command`]); the driver
//! cannot tell whether the server runs. Changes are watched with notify ([`watcher`]).

pub mod command;
pub mod confine;
pub mod folders;
pub mod history;
pub mod watcher;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use homeamp_schemas::job::LifecycleAction;

use super::{
    ActionOutcome, ChangeFeed, ChangeWatch, DirEntry, Driver, DriverError, EntryKind, FileMeta,
    Instance, InstanceStatus, RelPath,
};
use crate::atomic_file::write_atomic;
use crate::config::AgentConfig;
use crate::digest::sha256_file;

pub use command::LifecycleCommands;
pub use folders::{InstanceFolder, Layout, detect};

use command::Placeholders;
use confine::confine;
use history::History;
use watcher::FolderWatcher;

/// The driver's name in messages.
const NAME: &str = "directory";

/// How a [`DirectoryDriver`] is set up.
#[derive(Debug, Clone)]
pub struct DirectoryConfig {
    /// The folder whose sub-folders are instances.
    pub root: PathBuf,
    /// This physical server's name (`{server}` in command templates).
    pub server: String,
    pub lifecycle: LifecycleCommands,
    /// A command running longer is killed and the action fails.
    pub command_timeout: Duration,
    /// Previous versions kept per file in `<instance>/.homeamp/history/`.
    pub history_keep: usize,
}

impl DirectoryConfig {
    /// The directory driver an [`AgentConfig`] describes (its `instances_root`,
    /// `lifecycle`, `command_timeout` and `history_keep`).
    pub fn from_agent(config: &AgentConfig) -> Self {
        Self {
            root: config.instances_root.clone(),
            server: config.server.clone(),
            lifecycle: config.lifecycle.clone(),
            command_timeout: config.command_timeout,
            history_keep: config.history_keep,
        }
    }
}

/// The instances under one folder.
pub struct DirectoryDriver {
    config: DirectoryConfig,
    /// The folders found by the last [`Driver::discover`], by instance name. Shared with
    /// the watcher. std RwLock: never held across an await.
    folders: Arc<RwLock<BTreeMap<String, InstanceFolder>>>,
}

impl DirectoryDriver {
    pub fn new(config: DirectoryConfig) -> Self {
        Self {
            config,
            folders: Arc::default(),
        }
    }

    /// The folder of the instance `name`, as the last discovery found it.
    pub fn folder(&self, name: &str) -> Option<InstanceFolder> {
        let folders = self.folders.read().unwrap_or_else(|p| p.into_inner());
        folders.get(name).cloned()
    }

    fn folder_of(&self, instance: &Instance) -> Result<InstanceFolder, DriverError> {
        self.folder(&instance.name)
            .ok_or_else(|| DriverError::UnknownInstance {
                driver: NAME,
                instance: instance.name.clone(),
            })
    }

    /// The instance's folder and the confined path `rel` names in its game root.
    fn locate(
        &self,
        instance: &Instance,
        rel: &RelPath,
    ) -> Result<(InstanceFolder, PathBuf), DriverError> {
        let folder = self.folder_of(instance)?;
        let path = confine(&folder.game_root, rel)?;
        Ok((folder, path))
    }

    fn history<'a>(&self, folder: &'a InstanceFolder) -> History<'a> {
        History {
            instance: &folder.dir,
            keep: self.config.history_keep,
        }
    }

    fn run_template(
        &self,
        folder: &InstanceFolder,
        action: &'static str,
        template: &str,
        command: &str,
    ) -> Result<Option<(Vec<String>, String)>, DriverError> {
        let game_root = folder.game_root.display().to_string();
        let argv = command::expand(
            action,
            template,
            &Placeholders {
                instance: &folder.name,
                server: &self.config.server,
                game_root: &game_root,
                command,
            },
        )?;
        if argv.is_empty() {
            return Ok(None);
        }
        let output = command::run(action, &argv, self.config.command_timeout)?;
        Ok(Some((argv, output)))
    }
}

/// `Ok(None)` for a file that is not there.
fn absent_is_none<T>(result: io::Result<T>, path: &Path) -> Result<Option<T>, DriverError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DriverError::io(path.display(), e)),
    }
}

fn file_meta(meta: &fs::Metadata) -> FileMeta {
    FileMeta {
        size: meta.len(),
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    }
}

impl Driver for DirectoryDriver {
    fn name(&self) -> &'static str {
        NAME
    }

    fn location(&self) -> String {
        self.config.root.display().to_string()
    }

    fn discover(&self) -> Result<Vec<Instance>, DriverError> {
        let found = folders::discover(&self.config.root)?;
        let instances = found
            .iter()
            .map(|f| Instance {
                name: f.name.clone(),
                location: f.game_root.display().to_string(),
            })
            .collect();
        let mut folders = self.folders.write().unwrap_or_else(|p| p.into_inner());
        *folders = found.into_iter().map(|f| (f.name.clone(), f)).collect();
        Ok(instances)
    }

    fn list(
        &self,
        instance: &Instance,
        folder: Option<&RelPath>,
    ) -> Result<Option<Vec<DirEntry>>, DriverError> {
        let path = match folder {
            Some(rel) => self.locate(instance, rel)?.1,
            None => self.folder_of(instance)?.game_root,
        };
        let Some(entries) = absent_is_none(fs::read_dir(&path), &path)? else {
            return Ok(None);
        };
        let mut listed = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| DriverError::io(path.display(), e))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            // file_type() and metadata() do not follow symlinks: links are left out.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                listed.push(DirEntry {
                    name,
                    kind: EntryKind::Folder,
                });
            } else if kind.is_file() {
                // A file removed while we list is simply not there any more.
                let Some(meta) = absent_is_none(entry.metadata(), &entry.path())? else {
                    continue;
                };
                listed.push(DirEntry {
                    name,
                    kind: EntryKind::File(file_meta(&meta)),
                });
            }
        }
        Ok(Some(listed))
    }

    fn stat(&self, instance: &Instance, path: &RelPath) -> Result<Option<FileMeta>, DriverError> {
        let (_, target) = self.locate(instance, path)?;
        let meta = absent_is_none(fs::metadata(&target), &target)?;
        Ok(meta.filter(|m| m.is_file()).map(|m| file_meta(&m)))
    }

    fn read(&self, instance: &Instance, path: &RelPath) -> Result<Option<Vec<u8>>, DriverError> {
        let (_, target) = self.locate(instance, path)?;
        absent_is_none(fs::read(&target), &target)
    }

    /// Streamed: JARs can be tens of MiB.
    fn sha256(&self, instance: &Instance, path: &RelPath) -> Result<Option<String>, DriverError> {
        let (_, target) = self.locate(instance, path)?;
        absent_is_none(sha256_file(&target), &target)
    }

    fn write(&self, instance: &Instance, path: &RelPath, bytes: &[u8]) -> Result<(), DriverError> {
        let (folder, target) = self.locate(instance, path)?;
        let io_err = |e| DriverError::io(target.display(), e);
        if target.is_file() {
            self.history(&folder)
                .keep_previous(path.as_str(), &target, false)
                .map_err(io_err)?;
        }
        write_atomic(&target, bytes).map_err(io_err)
    }

    fn remove(&self, instance: &Instance, path: &RelPath) -> Result<(), DriverError> {
        let (folder, target) = self.locate(instance, path)?;
        if absent_is_none(fs::symlink_metadata(&target), &target)?.is_none() {
            return Ok(());
        }
        self.history(&folder)
            .keep_previous(path.as_str(), &target, true)
            .map_err(|e| DriverError::io(target.display(), e))
    }

    fn lifecycle(
        &self,
        instance: &Instance,
        action: &LifecycleAction,
    ) -> Result<ActionOutcome, DriverError> {
        let folder = self.folder_of(instance)?;
        let commands = &self.config.lifecycle;
        let (template, console_command) = match action {
            LifecycleAction::Restart => (&commands.restart, None),
            LifecycleAction::Reload { command } => (&commands.reload, Some(command.as_str())),
            LifecycleAction::Stop => (&commands.stop, None),
            LifecycleAction::Start => (&commands.start, None),
        };
        let nothing = || ActionOutcome {
            changed: false,
            message: "no lifecycle command configured".to_string(),
        };
        let Some(template) = template else {
            return Ok(nothing());
        };
        let ran = self.run_template(
            &folder,
            action.as_str(),
            template,
            console_command.unwrap_or(""),
        )?;
        Ok(match ran {
            Some((argv, _output)) => ActionOutcome {
                changed: true,
                message: format!("{}: ran {}", action.as_str(), shell_words::join(&argv)),
            },
            None => nothing(),
        })
    }

    fn console(&self, instance: &Instance, command: &str) -> Result<String, DriverError> {
        let folder = self.folder_of(instance)?;
        let unsupported = || DriverError::Unsupported {
            driver: NAME,
            what: "a console command without a console command template".into(),
        };
        let template = self
            .config
            .lifecycle
            .console
            .as_ref()
            .ok_or_else(unsupported)?;
        let (_, output) = self
            .run_template(&folder, "console", template, command)?
            .ok_or_else(unsupported)?;
        Ok(output)
    }

    /// The directory driver runs no server, so it cannot say.
    fn status(&self, instance: &Instance) -> Result<InstanceStatus, DriverError> {
        self.folder_of(instance)?;
        Ok(InstanceStatus::UNKNOWN)
    }

    fn watch(&self, feed: ChangeFeed) -> Result<Option<Box<dyn ChangeWatch>>, DriverError> {
        let watcher = FolderWatcher::new(feed, self.folders.clone())?;
        Ok(Some(Box::new(watcher)))
    }
}
