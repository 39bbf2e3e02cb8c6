//! The agent's own folders (`<instance>/.homeamp/…`, `<state_dir>/spool`, …), opened
//! without ever going through a symbolic link.
//!
//! Whoever can write to an instance folder could otherwise point `.homeamp` (or any folder
//! below it) somewhere else, and the agent would write its history there. Every existing
//! component below `base` must be a real folder; none is created through a link.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// `base` joined with `rel` (`/`-separated), each existing component checked, the missing
/// ones created as folders.
pub fn own_folder(base: &Path, rel: &str) -> io::Result<PathBuf> {
    walk(base, rel, true).map(|found| found.expect("created"))
}

/// Like [`own_folder`], without creating anything: `None` when a component is missing.
pub fn own_folder_if_present(base: &Path, rel: &str) -> io::Result<Option<PathBuf>> {
    walk(base, rel, false)
}

fn walk(base: &Path, rel: &str, create: bool) -> io::Result<Option<PathBuf>> {
    let mut current = base.to_path_buf();
    for segment in rel.split('/').filter(|s| !s.is_empty()) {
        current.push(segment);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "{} is a symbolic link: the agent's own folders are never reached through one (nothing was written; replace it with a folder)",
                        current.display()
                    ),
                ));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!(
                        "{} is not a folder (the agent keeps its own files there)",
                        current.display()
                    ),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&current) {
                Ok(()) => {}
                // Created meanwhile by another writer: checked again on the next step.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if fs::symlink_metadata(&current)?.file_type().is_symlink() {
                        return walk(base, rel, create);
                    }
                }
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(Some(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_created_below_the_base() {
        let base = tempfile::tempdir().unwrap();
        let dir = own_folder(base.path(), ".homeamp/history/plugins/X").unwrap();
        assert!(dir.is_dir());
        assert_eq!(dir, base.path().join(".homeamp/history/plugins/X"));
    }

    #[test]
    fn a_symlinked_component_is_refused_and_nothing_is_created_through_it() {
        let base = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), base.path().join(".homeamp")).unwrap();
        let err = own_folder(base.path(), ".homeamp/history/plugins").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_file_in_the_way_is_refused() {
        let base = tempfile::tempdir().unwrap();
        fs::write(base.path().join(".homeamp"), "x").unwrap();
        assert!(own_folder(base.path(), ".homeamp/history").is_err());
    }
}
