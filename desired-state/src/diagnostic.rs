//! Validation findings: one `file:line:col: severity: message` line each.
//!
//! Validation never stops at the first problem: every check pushes into a
//! [`Diagnostics`] list, and a revision is invalid when that list holds an
//! error. Warnings (lints) are printed but do not make a revision invalid.

use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The revision cannot be applied.
    Error,
    /// Probably a mistake; the revision is still valid.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, located in a file of the repository (path relative to its root).
/// `line` and `col` are 1-based; `col` counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.col, self.severity, self.message
        )
    }
}

/// A position in a file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mark {
    pub line: usize,
    pub col: usize,
}

impl Mark {
    /// The start of a file, for findings about a file as a whole.
    pub const START: Mark = Mark { line: 1, col: 1 };

    pub fn new(line: usize, col: usize) -> Self {
        Self { line, col }
    }
}

/// The findings of one load, in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, file: &str, at: Mark, message: impl Into<String>) {
        self.push(file, at, Severity::Error, message.into());
    }

    pub fn warning(&mut self, file: &str, at: Mark, message: impl Into<String>) {
        self.push(file, at, Severity::Warning, message.into());
    }

    fn push(&mut self, file: &str, at: Mark, severity: Severity, message: String) {
        self.items.push(Diagnostic {
            file: file.to_string(),
            line: at.line,
            col: at.col,
            severity,
            message,
        });
    }

    /// Appends the findings of `other` (from another thread's share of the work).
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, position, then severity, so output is stable.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.col, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.col, b.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_file_line_col_severity_message() {
        let mut d = Diagnostics::default();
        d.error(
            "plugins/paper/CMI.yaml",
            Mark::new(12, 5),
            "unknown instance",
        );
        let items = d.into_sorted();
        assert_eq!(
            items[0].to_string(),
            "plugins/paper/CMI.yaml:12:5: error: unknown instance"
        );
    }

    #[test]
    fn warnings_alone_are_not_errors() {
        let mut d = Diagnostics::default();
        d.warning("homeamp.yaml", Mark::START, "tag not declared");
        assert!(!d.has_errors());
        d.error("homeamp.yaml", Mark::START, "bad");
        assert!(d.has_errors());
    }
}
