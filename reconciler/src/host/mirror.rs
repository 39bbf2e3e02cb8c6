//! A desired-state repository given as a URL (`file://`, `git://`, or a path to another
//! repository): the host keeps a bare mirror of it in its state folder and fetches it
//! before each look at the followed reference, so a revision is read from local objects
//! only. (This build of git2 has no https or ssh transport: for those, point the host at a
//! local clone that `git fetch` keeps current, or at a `git://` / `file://` URL.)

use std::path::Path;

use super::HostError;

/// Every branch and tag, forced: the mirror follows the remote, rewrites included.
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

fn git_error(repo: &Path, source: git2::Error) -> HostError {
    HostError::Git {
        repo: repo.display().to_string(),
        source,
    }
}

/// Fetches `url` into the bare repository at `mirror`, creating it on first use.
pub fn fetch(url: &str, mirror: &Path) -> Result<(), HostError> {
    let repo = match git2::Repository::open_bare(mirror) {
        Ok(repo) => repo,
        Err(_) => git2::Repository::init_bare(mirror).map_err(|e| git_error(mirror, e))?,
    };
    let mut remote = repo
        .remote_anonymous(url)
        .map_err(|e| git_error(mirror, e))?;
    remote
        .fetch(&REFSPECS, None, None)
        .map_err(|e| HostError::Git {
            repo: url.to_string(),
            source: e,
        })?;
    // `HEAD` of the mirror is the remote's default branch, as in a clone.
    if let Ok(default) = remote.default_branch()
        && let Ok(name) = default.as_str()
    {
        repo.set_head(name).map_err(|e| git_error(mirror, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@homeamp.invalid"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn a_mirror_follows_new_commits_and_rewritten_branches() {
        let origin = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let mirror = state.path().join("desired-state.git");
        git(origin.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(origin.path().join("a"), "1").unwrap();
        git(origin.path(), &["add", "-A"]);
        git(origin.path(), &["commit", "-qm", "one"]);
        let url = format!("file://{}", origin.path().display());
        fetch(&url, &mirror).unwrap();
        let head = |m: &Path| {
            let repo = git2::Repository::open_bare(m).unwrap();
            repo.revparse_single("main").unwrap().id().to_string()
        };
        assert_eq!(head(&mirror), git(origin.path(), &["rev-parse", "HEAD"]));
        let repo = git2::Repository::open_bare(&mirror).unwrap();
        assert_eq!(
            repo.revparse_single("HEAD").unwrap().id().to_string(),
            git(origin.path(), &["rev-parse", "HEAD"]),
            "HEAD follows the remote's default branch"
        );
        std::fs::write(origin.path().join("a"), "2").unwrap();
        git(origin.path(), &["commit", "-qam", "two"]);
        git(
            origin.path(),
            &["commit", "-q", "--amend", "-m", "two, rewritten"],
        );
        fetch(&url, &mirror).unwrap();
        assert_eq!(head(&mirror), git(origin.path(), &["rev-parse", "HEAD"]));
        let missing = fetch(
            "file:///nonexistent/homeamp/repo",
            &state.path().join("x.git"),
        );
        assert!(missing.is_err());
    }
}
