//! A validated plugin file: its config files and their settings, each with the
//! place in the repository it was written.

use std::collections::BTreeMap;
use std::fmt;

use homeamp_schemas::desired::{FileFormat, Platform};
use homeamp_schemas::{KeyPath, Value};
use indexmap::IndexMap;

/// Where a setting applies; precedence instance > tag > server > universal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Universal,
    Server(String),
    Tag(String),
    /// Always the canonical instance name (aliases are resolved on load).
    Instance(String),
}

impl Scope {
    /// Higher wins.
    pub fn precedence(&self) -> u8 {
        match self {
            Scope::Universal => 0,
            Scope::Server(_) => 1,
            Scope::Tag(_) => 2,
            Scope::Instance(_) => 3,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Universal => f.write_str("universal"),
            Scope::Server(s) => write!(f, "server:{s}"),
            Scope::Tag(t) => write!(f, "tag:{t}"),
            Scope::Instance(i) => write!(f, "instance:{i}"),
        }
    }
}

/// Where a value was written: file, line:col of its key (or scope), and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub scope: Scope,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{} ({})",
            self.file, self.line, self.col, self.scope
        )
    }
}

/// One value with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: Value,
    pub source: Source,
}

/// How the plugin picks up a changed config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    Restart,
    Command(String),
    None,
}

/// One config file of a plugin, with its universal and scoped settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    /// Relative to the plugin's folder (`config.yml`, `lang/en.yml`).
    pub path: String,
    pub format: FileFormat,
    pub owned: bool,
    pub universal: BTreeMap<KeyPath, Setting>,
    /// Scoped values per key, most specific scope last.
    pub variable: BTreeMap<KeyPath, Vec<Setting>>,
}

/// A plugin on one platform: `plugins/<platform>/<name>.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plugin {
    /// The file stem, which the matrix's `plugin_name` names.
    pub name: String,
    pub platform: Platform,
    /// The name in the plugin's own `plugin.yml` (defaults to `name`).
    pub display_name: String,
    /// The folder under the instance's `plugins/` (defaults to `display_name`).
    pub folder: String,
    pub reload: Reload,
    pub files: IndexMap<String, ConfigFile>,
    /// `plugins/<platform>/<name>.yaml`.
    pub source_file: String,
    /// A hash of the file's bytes: equal digests (with equal fleet aliases) mean
    /// equal settings, which lets `plan` skip unchanged plugins.
    pub digest: u64,
}
