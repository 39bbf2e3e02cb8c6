//! Finding the server binaries. Debian puts `mariadbd` in /usr/sbin, which is not in every
//! user's PATH, so the usual system folders are searched after PATH.

use std::path::{Path, PathBuf};

use crate::Error;

const SYSTEM_DIRS: &[&str] = &["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

/// The path of the executable `name`, from PATH or the system folders.
pub fn find(name: &'static str) -> Result<PathBuf, Error> {
    let from_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    from_path
        .into_iter()
        .chain(SYSTEM_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
        .ok_or(Error::MissingBinary { name })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_and_names_the_missing_binary_with_the_fix() {
        assert!(find("sh").is_ok());
        let err = find("homeamp-no-such-server-binary").unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("homeamp-no-such-server-binary"),
            "{message}"
        );
        assert!(message.contains("scripts/ensure-test-deps.sh"), "{message}");
    }
}
