//! Why a revision could not be read at all (as opposed to read and found invalid,
//! which is a list of [`crate::Diagnostic`]s).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: not a git repository (run `git init`, or pass --repo)", .path.display())]
    OpenRepo {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
    #[error("revision {rev:?} not found in {}: give a branch, tag, sha or HEAD~N", .repo.display())]
    RevParse {
        repo: PathBuf,
        rev: String,
        #[source]
        source: git2::Error,
    },
    #[error("reading {what} of revision {rev:?}")]
    ReadTree {
        rev: String,
        what: String,
        #[source]
        source: git2::Error,
    },
    #[error("reading {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
