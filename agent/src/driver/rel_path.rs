//! [`RelPath`]: a path inside an instance's game root, checked once for every driver.
//!
//! Jobs, scans and uploads name files by relative, `/`-separated paths. Every file
//! operation of a [`Driver`](super::Driver) takes a `RelPath`, and the only way to make
//! one is [`RelPath::new`], which refuses an empty path, an absolute one, a backslash or
//! NUL, any empty, `.` or `..` segment, and the agent's own [`AGENT_DIR`] folder. So no
//! driver can be handed a path that climbs out of the game root by its spelling; what
//! only a backend can see (a symbolic link on disk leading out) each driver refuses with
//! [`PathEscape::Symlink`] as it resolves the path.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// The name of the agent's per-instance folder: previous versions of replaced files are
/// kept in `<instance>/.homeamp/history/`. No job path may point into it.
pub const AGENT_DIR: &str = ".homeamp";

/// Why a path was refused.
#[derive(Debug, thiserror::Error)]
pub enum PathEscape {
    #[error("path {path:?} {why}")]
    Invalid { path: String, why: &'static str },
    #[error("path {path:?} leaves the instance root through the symbolic link {link}")]
    Symlink { path: String, link: PathBuf },
    #[error("path {path:?}: {component} is not a folder")]
    NotAFolder { path: String, component: PathBuf },
    #[error("path {path:?}: {source}")]
    Io { path: String, source: io::Error },
}

/// A relative, `/`-separated path that stays inside the game root by its spelling.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

impl RelPath {
    /// Checks `rel` (see the module documentation).
    pub fn new(rel: &str) -> Result<Self, PathEscape> {
        let invalid = |why| PathEscape::Invalid {
            path: rel.to_string(),
            why,
        };
        if rel.is_empty() {
            return Err(invalid("is empty"));
        }
        if rel.starts_with('/') {
            return Err(invalid(
                "is absolute; job paths are relative to the game root",
            ));
        }
        if rel.contains(['\\', '\0']) {
            return Err(invalid("contains a backslash or NUL; use '/' separators"));
        }
        let mut segments = rel.split('/');
        if segments
            .clone()
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(invalid("has an empty, '.' or '..' segment"));
        }
        if segments.next() == Some(AGENT_DIR) {
            return Err(invalid("is inside the agent's own .homeamp folder"));
        }
        Ok(Self(rel.to_string()))
    }

    /// `self/name`, checked as [`RelPath::new`] checks.
    pub fn join(&self, name: &str) -> Result<Self, PathEscape> {
        Self::new(&format!("{}/{name}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path's segments, in order; never empty.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RelPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_are_kept_as_written() {
        let path = RelPath::new("plugins/X/config.yml").unwrap();
        assert_eq!(path.as_str(), "plugins/X/config.yml");
        assert_eq!(
            path.segments().collect::<Vec<_>>(),
            ["plugins", "X", "config.yml"]
        );
        assert_eq!(
            RelPath::new("plugins").unwrap().join("X.jar").unwrap(),
            RelPath::new("plugins/X.jar").unwrap()
        );
    }

    #[test]
    fn absolute_dotdot_and_odd_paths_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "plugins/../../x",
            "a//b",
            "./a",
            "a/",
            "a\\b",
            "a\0b",
            ".homeamp/history/x",
            ".homeamp",
        ] {
            assert!(
                matches!(RelPath::new(bad), Err(PathEscape::Invalid { .. })),
                "{bad:?}"
            );
        }
        let plugins = RelPath::new("plugins").unwrap();
        for bad in ["..", ".", "", "a/../.."] {
            assert!(plugins.join(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_nested_homeamp_folder_is_an_ordinary_name() {
        // Only the instance's own top-level folder is the agent's.
        assert!(RelPath::new("plugins/.homeamp/x.yml").is_ok());
    }
}
