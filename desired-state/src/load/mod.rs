//! Loading a revision: snapshot → raw files → validated [`DesiredState`] plus
//! every finding. Each file kind has its own module; cross-file checks last.

mod ambiguity;
mod fleet;
mod matrix;
mod plugin_reader;
mod plugins;
#[cfg(test)]
mod tests;
mod yaml;

use std::path::Path;

pub use matrix::platform_of;
pub use plugins::format_from_extension;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::LoadError;
use crate::model::{DesiredState, LoadOutcome};
use crate::snapshot::{self, FLEET_FILE, MATRIX_FILE, Snapshot};

/// Validates and models the files of `snapshot`.
pub fn load_snapshot(snapshot: Snapshot) -> LoadOutcome {
    let mut diags = Diagnostics::default();
    let fleet = fleet::load(snapshot.files.get(FLEET_FILE), &mut diags);
    // Without a fleet, references to it are not checked: one error, not hundreds.
    let fleet_known = fleet.is_some();
    let fleet = fleet.unwrap_or_default();
    let plugins = plugins::load(&snapshot.files, &fleet, fleet_known, &mut diags);
    let matrix = matrix::load(
        snapshot.files.get(MATRIX_FILE),
        &fleet,
        fleet_known,
        &plugins,
        &mut diags,
    );
    ambiguity::check(&fleet, &plugins, &matrix, &mut diags);
    LoadOutcome {
        state: DesiredState {
            origin: snapshot.origin,
            fleet,
            plugins,
            matrix,
        },
        diagnostics: diags.into_sorted(),
    }
}

impl DesiredState {
    /// Loads the repository at `repo_path`: the commit `rev` (anything `git rev-parse`
    /// takes), or the files of the folder as they are when `rev` is `None`.
    pub fn load(repo_path: &Path, rev: Option<&str>) -> Result<LoadOutcome, LoadError> {
        let snapshot = match rev {
            Some(rev) => snapshot::from_git(repo_path, rev)?,
            None => snapshot::from_dir(repo_path)?,
        };
        Ok(load_snapshot(snapshot))
    }
}

/// Every finding for the files in the folder `path` (committed or not). A folder
/// that cannot be read is one error finding.
pub fn validate_dir(path: &Path) -> Vec<Diagnostic> {
    match DesiredState::load(path, None) {
        Ok(outcome) => outcome.diagnostics,
        Err(err) => vec![Diagnostic {
            file: path.display().to_string(),
            line: 1,
            col: 1,
            severity: crate::Severity::Error,
            message: error_chain(&err),
        }],
    }
}

/// `err` and its causes, `: `-separated.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
