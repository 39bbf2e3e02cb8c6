//! Resource and wire types of homeamp, and the JSON Schemas generated from them.
//!
//! This crate does no IO. It is the one place that defines types which cross a
//! boundary: the files of the desired-state repository, key paths and values,
//! the plan, jobs, reports and API answers.
//!
//! - [`keypath`]: the address of a setting inside a config file.
//! - [`value`]: a typed setting value as the plugin reads it.
//! - [`desired`]: the raw (unvalidated) files of the desired-state repository.
//! - [`limits`]: the bounds every reader of an input applies (YAML alias expansion, depth).

pub mod api;
pub mod desired;
pub mod file_format;
pub mod job;
pub mod keypath;
pub mod limits;
pub mod plan;
pub mod report;
pub mod schema_files;
pub mod secrets;
pub mod status;
pub mod value;

pub use keypath::{KeyPath, KeyPathError, Segment};
pub use value::{Value, ValueKind};
