//! The desired-state git repository: model, validation, render, plan, import.
//!
//! Map of the crate:
//! - [`snapshot`]: the files of one revision, from git (git2) or a folder.
//! - [`yaml_tree`]: YAML read once into nodes that know their line:col; duplicate keys.
//! - `load`: raw files → validated [`DesiredState`] + [`Diagnostic`]s.
//! - [`model`]: the validated model (fleet, plugins with sourced settings, matrix).
//! - [`render`]: the effective settings of one instance.
//! - [`plan`]: what changes between two revisions, instance by instance.
//! - [`secret`]: `${secret:NAME}` references and credential-looking keys.
//! - [`import`]: the prototype's fleet data into a repository.
//!
//! Entry points: [`DesiredState::load`], [`validate_dir`], [`DesiredState::render`],
//! [`plan::plan`] and [`plan::plan_revisions`].

pub mod diagnostic;
pub mod display;
pub mod error;
#[cfg(test)]
mod fixture;
pub mod import;
mod load;
pub mod model;
pub mod plan;
pub mod render;
pub mod secret;
pub mod snapshot;
pub mod yaml_tree;

pub use diagnostic::{Diagnostic, Mark, Severity};
pub use error::LoadError;
pub use load::{error_chain, format_from_extension, load_snapshot, platform_of, validate_dir};
pub use model::{DesiredState, InvalidRevision, LoadOutcome, Origin};
pub use render::{RenderError, RenderedInstance};
