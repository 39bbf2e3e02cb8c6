//! Errors of the crate: a file that does not parse, and an edit that cannot be made.
//!
//! Both carry enough context for a message an operator can act on: a parse error has the
//! 1-based line and column of the problem, an edit error names the key path.

use homeamp_schemas::{KeyPath, ValueKind};

use crate::Format;

/// The text is not valid in its format. `line` and `column` are 1-based; the column counts
/// characters (not bytes) from the start of the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// An error at byte offset `offset` of `text`.
    pub fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = crate::position::line_column(text, offset);
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// Why an edit was refused. The document is unchanged when an edit fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("cannot edit the document root itself; name a key")]
    Root,
    #[error("{path}: {parent} is a {found}, not a map or list, so it has no {segment}")]
    NotAContainer {
        path: KeyPath,
        parent: KeyPath,
        found: ValueKind,
        segment: String,
    },
    #[error("{path}: a list index can only address a list, but {parent} is a map")]
    IndexIntoMap { path: KeyPath, parent: KeyPath },
    #[error("{path}: a key can only address a map, but {parent} is a list")]
    KeyIntoList { path: KeyPath, parent: KeyPath },
    #[error("{path}: index out of range, the list has {len} items (use index {len} to append)")]
    IndexOutOfRange { path: KeyPath, len: usize },
    #[error(
        "{path}: the value comes from a YAML alias or merge key (*anchor / <<); edit the anchored value instead"
    )]
    ThroughAlias { path: KeyPath },
    #[error("{path}: {format} cannot hold a {kind} value")]
    Unsupported {
        path: KeyPath,
        format: Format,
        kind: ValueKind,
    },
    #[error("{path}: {reason}")]
    Unrepresentable { path: KeyPath, reason: String },
    #[error(
        "{path}: the edit was not kept because {reason}; the file is unchanged (edit this value by hand)"
    )]
    NotKept { path: KeyPath, reason: String },
}
