//! The bytes of the desired-state files at one revision, from git or a folder.
//!
//! Only the files the layout defines are read: `homeamp.yaml`,
//! `deployment_matrix.csv` and everything under `plugins/` (dot files excepted,
//! so editor swap files do not count). Everything else (README, CI) is ignored.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use crate::error::LoadError;
use crate::model::Origin;

pub const FLEET_FILE: &str = "homeamp.yaml";
pub const MATRIX_FILE: &str = "deployment_matrix.csv";
pub const PLUGINS_DIR: &str = "plugins";

/// Repository-relative path (with `/`) → contents.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub origin: Origin,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn hidden(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.'))
}

/// Reads the revision `rev` (anything `git rev-parse` takes) of the repository at `repo_path`.
pub fn from_git(repo_path: &Path, rev: &str) -> Result<Snapshot, LoadError> {
    let repo = Repository::open(repo_path).map_err(|source| LoadError::OpenRepo {
        path: repo_path.to_path_buf(),
        source,
    })?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|object| object.peel_to_commit())
        .map_err(|source| LoadError::RevParse {
            repo: repo_path.to_path_buf(),
            rev: rev.to_string(),
            source,
        })?;
    let read_err = |what: &str| {
        let rev = rev.to_string();
        let what = what.to_string();
        move |source| LoadError::ReadTree { rev, what, source }
    };
    let tree = commit.tree().map_err(read_err("the tree"))?;
    let mut files = BTreeMap::new();
    for name in [FLEET_FILE, MATRIX_FILE] {
        if let Some(entry) = tree.get_name(name)
            && entry.kind() == Some(ObjectType::Blob)
        {
            let blob = repo.find_blob(entry.id()).map_err(read_err(name))?;
            files.insert(name.to_string(), blob.content().to_vec());
        }
    }
    if let Some(entry) = tree.get_name(PLUGINS_DIR)
        && entry.kind() == Some(ObjectType::Tree)
    {
        let plugins = repo.find_tree(entry.id()).map_err(read_err(PLUGINS_DIR))?;
        let mut ids = Vec::new();
        plugins
            .walk(TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Blob)
                    && let Ok(name) = entry.name()
                {
                    ids.push((format!("{PLUGINS_DIR}/{dir}{name}"), entry.id()));
                }
                TreeWalkResult::Ok
            })
            .map_err(read_err(PLUGINS_DIR))?;
        for (path, id) in ids {
            if hidden(&path) {
                continue;
            }
            let blob = repo.find_blob(id).map_err(read_err(&path))?;
            files.insert(path, blob.content().to_vec());
        }
    }
    Ok(Snapshot {
        origin: Origin::Commit {
            sha: commit.id().to_string(),
            requested: rev.to_string(),
        },
        files,
    })
}

/// Reads the files as they are in the folder `dir` (a working tree, committed or not).
pub fn from_dir(dir: &Path) -> Result<Snapshot, LoadError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    std::fs::read_dir(dir).map_err(io(dir))?;
    let mut files = BTreeMap::new();
    for name in [FLEET_FILE, MATRIX_FILE] {
        let path = dir.join(name);
        if path.is_file() {
            files.insert(name.to_string(), std::fs::read(&path).map_err(io(&path))?);
        }
    }
    let plugins = dir.join(PLUGINS_DIR);
    if plugins.is_dir() {
        let mut pending = vec![(plugins, PLUGINS_DIR.to_string())];
        while let Some((folder, rel)) = pending.pop() {
            for entry in std::fs::read_dir(&folder).map_err(io(&folder))? {
                let entry = entry.map_err(io(&folder))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                let child = format!("{rel}/{name}");
                if path.is_dir() {
                    pending.push((path, child));
                } else {
                    files.insert(child, std::fs::read(&path).map_err(io(&path))?);
                }
            }
        }
    }
    Ok(Snapshot {
        origin: Origin::WorkingTree {
            path: dir.display().to_string(),
        },
        files,
    })
}
