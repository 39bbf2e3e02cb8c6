//! Keeping every write inside the instance's game root.
//!
//! A job names files by relative, `/`-separated paths. [`resolve`] refuses an empty
//! path, an absolute one, a backslash or NUL, any `.` or `..` segment, and the
//! agent's own `.homeamp` folder; then it walks the path on disk and refuses it when
//! any existing component is a symbolic link that leads outside the root (a link that
//! stays inside is followed, so the write lands on the link's target, and the link
//! itself is kept).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::instance::AGENT_DIR;

/// Why a job's path was refused.
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

/// The absolute path that `rel` names inside `root` (which must be canonical).
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, PathEscape> {
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
    let segments: Vec<&str> = rel.split('/').collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == "..")
    {
        return Err(invalid("has an empty, '.' or '..' segment"));
    }
    if segments[0] == AGENT_DIR {
        return Err(invalid("is inside the agent's own .homeamp folder"));
    }
    let io_err = |source| PathEscape::Io {
        path: rel.to_string(),
        source,
    };
    let mut current = root.to_path_buf();
    let mut exists = true;
    for (i, segment) in segments.iter().enumerate() {
        let next = current.join(segment);
        let last = i + 1 == segments.len();
        if !exists {
            current = next;
            continue;
        }
        match fs::symlink_metadata(&next) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                exists = false;
                current = next;
            }
            Err(e) => return Err(io_err(e)),
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::canonicalize(&next).map_err(|_| PathEscape::Symlink {
                    path: rel.to_string(),
                    link: next.clone(),
                })?;
                if !target.starts_with(root) {
                    return Err(PathEscape::Symlink {
                        path: rel.to_string(),
                        link: next,
                    });
                }
                current = target;
            }
            Ok(meta) if !last && !meta.is_dir() => {
                return Err(PathEscape::NotAFolder {
                    path: rel.to_string(),
                    component: next,
                });
            }
            Ok(_) => current = next,
        }
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn plain_relative_paths_resolve_below_the_root() {
        let (_d, root) = root();
        assert_eq!(
            resolve(&root, "plugins/X/config.yml").unwrap(),
            root.join("plugins/X/config.yml")
        );
    }

    #[test]
    fn absolute_dotdot_and_odd_paths_are_refused() {
        let (_d, root) = root();
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "plugins/../../x",
            "a//b",
            "./a",
            "a\\b",
            ".homeamp/history/x",
        ] {
            assert!(
                matches!(resolve(&root, bad), Err(PathEscape::Invalid { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused_inside_followed() {
        let (_d, root) = root();
        let outside = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.join("plugins/real")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("plugins/out")).unwrap();
        std::os::unix::fs::symlink(root.join("plugins/real"), root.join("plugins/in")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("plugins/file-out")).unwrap();
        assert!(matches!(
            resolve(&root, "plugins/out/x.yml"),
            Err(PathEscape::Symlink { .. })
        ));
        assert!(matches!(
            resolve(&root, "plugins/file-out"),
            Err(PathEscape::Symlink { .. })
        ));
        assert_eq!(
            resolve(&root, "plugins/in/x.yml").unwrap(),
            root.join("plugins/real/x.yml")
        );
    }
}
