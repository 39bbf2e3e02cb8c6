//! The validated desired state of one revision: fleet, plugins, matrix.
//!
//! Built by [`crate::load`] from the raw files; nothing downstream of it sees
//! `homeamp_schemas::desired` types.

mod fleet;
mod matrix;
mod plugin;

use std::collections::BTreeMap;

pub use fleet::{
    Amp, Fleet, Instance, Platform, Policy, RestartPolicy, Server, ServerRole, SyncMode,
};
pub use matrix::{Deployment, Matrix, MatrixRow};
pub use plugin::{ConfigFile, Plugin, Reload, Scope, Setting, Source};

use crate::diagnostic::Diagnostic;

/// What a state was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A commit; `sha` is its full id, `requested` what the caller asked for (`HEAD~1`).
    Commit { sha: String, requested: String },
    /// Files in a folder (a working tree, possibly with uncommitted edits).
    WorkingTree { path: String },
}

/// The desired state at one revision.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredState {
    pub(crate) origin: Origin,
    pub(crate) fleet: Fleet,
    /// By (platform, name).
    pub(crate) plugins: BTreeMap<(Platform, String), Plugin>,
    pub(crate) matrix: Matrix,
}

impl DesiredState {
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The commit sha this state was read from (`None` for a working tree).
    pub fn revision(&self) -> Option<&str> {
        match &self.origin {
            Origin::Commit { sha, .. } => Some(sha),
            Origin::WorkingTree { .. } => None,
        }
    }

    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    /// All instances by canonical name, in file order.
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.fleet.instances.values()
    }

    /// An instance by canonical name or alias.
    pub fn instance(&self, name: &str) -> Option<&Instance> {
        self.fleet.instance(name)
    }

    /// All plugins, ordered by platform then name.
    pub fn plugins(&self) -> impl Iterator<Item = &Plugin> {
        self.plugins.values()
    }

    pub fn plugin(&self, platform: Platform, name: &str) -> Option<&Plugin> {
        self.plugins.get(&(platform, name.to_string()))
    }

    /// The plugins deployed on `instance` (canonical name), with their deployment.
    /// A matrix row without a plugin file yields `None` as the plugin.
    pub fn deployed<'a>(
        &'a self,
        instance: &'a Instance,
    ) -> impl Iterator<Item = (&'a str, &'a Deployment, Option<&'a Plugin>)> + 'a {
        self.matrix
            .deployed_on(instance.platform, &instance.name)
            .map(move |(name, d)| (name, d, self.plugin(instance.platform, name)))
    }
}

/// The result of loading a revision: the model and every finding.
#[derive(Debug, Clone)]
pub struct LoadOutcome {
    pub(crate) state: DesiredState,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// A revision with errors: it must not be applied.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} is invalid: {} error(s)", .origin_label, .errors)]
pub struct InvalidRevision {
    pub origin_label: String,
    pub errors: usize,
    /// Every finding, errors and warnings, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadOutcome {
    /// Every finding, sorted by file and position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn is_valid(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }

    /// The model as far as it could be built, errors or not (for display only:
    /// never apply a state whose outcome is invalid).
    pub fn partial(&self) -> &DesiredState {
        &self.state
    }

    /// The model, when the revision has no errors.
    pub fn into_valid(self) -> Result<DesiredState, InvalidRevision> {
        if self.is_valid() {
            return Ok(self.state);
        }
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::Severity::Error)
            .count();
        let origin_label = match &self.state.origin {
            Origin::Commit { sha, requested } => format!("revision {requested} ({sha})"),
            Origin::WorkingTree { path } => format!("working tree {path}"),
        };
        Err(InvalidRevision {
            origin_label,
            errors,
            diagnostics: self.diagnostics,
        })
    }
}
