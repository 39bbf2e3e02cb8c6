//! The demo's second commit: `sync: auto` and `prune: true`, so that the demo converges
//! without approvals and removes the plugin JARs the matrix does not deploy.
//!
//! `homeamp import` writes `sync: approve` and `prune: false` (a real fleet's first
//! revision should be reviewed before anything is changed or removed) and keeps the
//! mass-change guard at 50 %; the demo is there to be watched converging, also after a
//! commit that touches every instance.

use std::path::Path;

use homeamp_configfiles::{Document, Format};
use homeamp_schemas::{KeyPath, Value};

use crate::{DemoError, io};

const MESSAGE: &str = "demo: let the fleet converge without approvals \
     (policy.default.sync: auto, prune: true, guard 100%)";

/// Sets `policy.default.sync: auto`, `policy.default.prune: true` and the guard to 100 % in
/// `homeamp.yaml`, keeping the file's comments, and commits.
pub fn commit(repo: &Path) -> Result<(), DemoError> {
    let path = repo.join("homeamp.yaml");
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let mut doc = Document::parse(Format::Yaml, &text)
        .map_err(|e| DemoError::Desired(format!("{}: {e}", path.display())))?;
    for (key, value) in [
        ("policy.default.sync", Value::String("auto".into())),
        ("policy.default.prune", Value::Bool(true)),
        ("policy.guard.max_instances_changed_pct", Value::Int(100)),
    ] {
        let key = KeyPath::parse(key).expect("a valid key path");
        doc.set(&key, &value)
            .map_err(|e| DemoError::Desired(format!("{}: {e}", path.display())))?;
    }
    std::fs::write(&path, doc.to_string()).map_err(io(&path))?;
    commit_all(repo, MESSAGE)
        .map(|_| ())
        .map_err(|e| DemoError::Desired(format!("committing: {e}")))
}

/// Stages every change in the work tree and commits it on HEAD.
pub fn commit_all(repo: &Path, message: &str) -> Result<git2::Oid, git2::Error> {
    let git = git2::Repository::open(repo)?;
    let mut index = git.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = git.find_tree(index.write_tree()?)?;
    let parent = git.head()?.peel_to_commit()?;
    let who = git2::Signature::now("homeamp demo", "demo@homeamp.invalid")?;
    git.commit(Some("HEAD"), &who, &who, message, &tree, &[&parent])
}
