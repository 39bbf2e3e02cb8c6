//! Lossless read, flatten and edit of plugin config files: YAML (as SnakeYAML reads it),
//! Java `.properties`, TOML, JSON, and HOCON (as Configurate reads and writes it).
//!
//! Bytes in, bytes out: this crate never touches the filesystem. A [`Document`] keeps the
//! exact text it was given; [`Document::to_string`] returns it byte for byte until an edit,
//! and an edit changes only the bytes of the value it edits (comments, blank lines, key
//! order, indentation, CRLF line endings, a byte-order mark and the presence or absence of
//! a final newline all stay).
//!
//! HOCON is read as Configurate reads it and edited the same way; its substitutions
//! (`${…}`, `${?…}`) and `include` lines are never resolved: a substitution flattens to its
//! raw text as a string, an include adds nothing (see the `hocon` module's documentation).
//!
//! Map of the crate:
//! - [`format`]: the [`Format`] enum and detection from a file name.
//! - [`document`]: [`Document`], the one entry point, dispatching to a module per format.
//! - `yaml/`, `properties.rs`, `toml.rs`, `json.rs`, `hocon/`: one module per format.
//! - [`navigate`]: `get` and `flatten` over values, shared by every format.
//! - [`error`]: [`ParseError`] (line and column) and [`EditError`].
//! - [`position`]: byte offsets to lines and columns, line-ending detection.

pub mod document;
pub mod error;
pub mod format;
mod hocon;
mod json;
pub mod navigate;
pub mod position;
mod properties;
mod toml;
mod yaml;

pub use document::Document;
pub use error::{EditError, ParseError};
pub use format::Format;
pub use homeamp_schemas::{KeyPath, Segment, Value, ValueKind};

/// A value as YAML text (block style for maps and lists, no final line break), read back by
/// SnakeYAML as the same value. Used to print values.
pub fn to_yaml(value: &Value) -> String {
    yaml::render::document(value)
}

/// Reads `text` as one YAML value, as SnakeYAML would (`yes` is `true`, `[a, b]` a list).
/// Used for values typed on a command line.
pub fn parse_yaml_value(text: &str) -> Result<Value, ParseError> {
    Ok(yaml::YamlDocument::parse(text)?.root_value())
}
