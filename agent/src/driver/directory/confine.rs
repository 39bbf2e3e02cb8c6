//! Keeping a [`RelPath`] inside a game root on disk.
//!
//! A `RelPath` is already free of `..`, absolute and odd spellings; what remains is the
//! disk itself. [`confine`] walks the path and refuses it when any existing component
//! is a symbolic link that leads outside the root (a link that stays inside is
//! followed, so a write lands on the link's target, and the link itself is kept), or
//! when a component that must be a folder is something else.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::driver::{PathEscape, RelPath};

/// The absolute path that `rel` names inside `root` (which must be canonical).
pub fn confine(root: &Path, rel: &RelPath) -> Result<PathBuf, PathEscape> {
    let io_err = |source| PathEscape::Io {
        path: rel.to_string(),
        source,
    };
    let segments: Vec<&str> = rel.segments().collect();
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

    fn rel(path: &str) -> RelPath {
        RelPath::new(path).unwrap()
    }

    #[test]
    fn plain_relative_paths_resolve_below_the_root() {
        let (_d, root) = root();
        assert_eq!(
            confine(&root, &rel("plugins/X/config.yml")).unwrap(),
            root.join("plugins/X/config.yml")
        );
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
            confine(&root, &rel("plugins/out/x.yml")),
            Err(PathEscape::Symlink { .. })
        ));
        assert!(matches!(
            confine(&root, &rel("plugins/file-out")),
            Err(PathEscape::Symlink { .. })
        ));
        assert_eq!(
            confine(&root, &rel("plugins/in/x.yml")).unwrap(),
            root.join("plugins/real/x.yml")
        );
    }

    #[test]
    fn a_file_where_a_folder_must_be_is_refused() {
        let (_d, root) = root();
        fs::write(root.join("server.properties"), "x=1\n").unwrap();
        assert!(matches!(
            confine(&root, &rel("server.properties/x.yml")),
            Err(PathEscape::NotAFolder { .. })
        ));
    }
}
