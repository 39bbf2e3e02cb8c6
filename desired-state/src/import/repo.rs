//! Writing the imported files into the desired-state repository as one commit (git2).
//!
//! `--out` may be missing or empty (a repository is created, branch `main`), or an
//! existing repository with a clean working tree (the import becomes a new commit on
//! its branch: `homeamp.yaml`, `deployment_matrix.csv` and `plugins/` are replaced,
//! other files are left alone). Anything else is refused before a byte is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature, StatusOptions};

use super::error::ImportError;

pub const AUTHOR_NAME: &str = "homeamp import";
pub const AUTHOR_EMAIL: &str = "import@homeamp.invalid";
/// The paths an import owns in the repository.
pub const OWNED: [&str; 3] = ["homeamp.yaml", "deployment_matrix.csv", "plugins"];

/// The repository folder, checked before anything is written.
pub enum Target {
    /// Missing or empty: create it and `git init`.
    New(PathBuf),
    Existing(PathBuf),
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::New(p) | Target::Existing(p) => p,
        }
    }
}

fn git_error(path: &Path) -> impl Fn(git2::Error) -> ImportError + '_ {
    move |source| ImportError::Git {
        path: path.to_path_buf(),
        source,
    }
}

/// Checks `out` without changing anything.
pub fn check(out: &Path) -> Result<Target, ImportError> {
    if !out.exists() {
        return Ok(Target::New(out.to_path_buf()));
    }
    let read = |source| ImportError::Read {
        path: out.to_path_buf(),
        source,
    };
    if !out.is_dir() {
        return Err(ImportError::OutNotRepo {
            path: out.to_path_buf(),
        });
    }
    if std::fs::read_dir(out).map_err(read)?.next().is_none() {
        return Ok(Target::New(out.to_path_buf()));
    }
    let repo = match Repository::open(out) {
        Ok(repo) if !repo.is_bare() => repo,
        _ => {
            return Err(ImportError::OutNotRepo {
                path: out.to_path_buf(),
            });
        }
    };
    let mut options = StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    let statuses = repo.statuses(Some(&mut options)).map_err(git_error(out))?;
    if !statuses.is_empty() {
        return Err(ImportError::DirtyRepo {
            path: out.to_path_buf(),
        });
    }
    Ok(Target::Existing(out.to_path_buf()))
}

/// Writes `files` (repository path → bytes) and commits them. Returns the new commit, or
/// `None` when the tree is unchanged.
pub fn commit(
    target: &Target,
    files: &BTreeMap<String, Vec<u8>>,
    message: &str,
) -> Result<Option<String>, ImportError> {
    let root = target.path();
    let repo = match target {
        Target::New(path) => {
            std::fs::create_dir_all(path).map_err(|source| ImportError::Write {
                path: path.clone(),
                source,
            })?;
            let mut options = RepositoryInitOptions::new();
            options.initial_head("main");
            Repository::init_opts(path, &options).map_err(git_error(path))?
        }
        Target::Existing(path) => Repository::open(path).map_err(git_error(path))?,
    };
    let plugins = root.join("plugins");
    if plugins.exists() {
        std::fs::remove_dir_all(&plugins).map_err(|source| ImportError::Write {
            path: plugins.clone(),
            source,
        })?;
    }
    for (rel, bytes) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ImportError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| ImportError::Write {
            path: path.clone(),
            source,
        })?;
    }
    let git = git_error(root);
    let mut index = repo.index().map_err(&git)?;
    index.remove_all(["plugins"], None).map_err(&git)?;
    index
        .add_all(OWNED, IndexAddOption::DEFAULT, None)
        .map_err(&git)?;
    index.write().map_err(&git)?;
    let tree_id = index.write_tree().map_err(&git)?;
    let parent = match repo.head() {
        Ok(head) => Some(head.peel_to_commit().map_err(&git)?),
        Err(_) => None,
    };
    if parent.as_ref().is_some_and(|p| p.tree_id() == tree_id) {
        return Ok(None);
    }
    let tree = repo.find_tree(tree_id).map_err(&git)?;
    let signature = Signature::now(AUTHOR_NAME, AUTHOR_EMAIL).map_err(&git)?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let oid = repo
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .map_err(&git)?;
    Ok(Some(oid.to_string()))
}
