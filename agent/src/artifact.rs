//! Where `plugin_install` gets its JARs.
//!
//! [`ArtifactSource`] is the seam: [`LocalArtifacts`] reads `file://` URLs and plain
//! paths (the all-in-one mode, where host and agent share a disk); [`HttpArtifacts`]
//! downloads `http://` and `https://` URLs (the host's
//! `/api/agent/v1/artifacts/{sha256}`) with the agent's token; [`ArtifactsByScheme`]
//! hands each URL to the one of them its scheme calls for. The caller verifies the
//! sha256, so a source only fetches bytes.

mod by_scheme;
mod http;

use std::io;
use std::path::PathBuf;

pub use by_scheme::ArtifactsByScheme;
pub use http::{DOWNLOAD_TIMEOUT, HttpArtifacts, MAX_ARTIFACT};

/// Why an artifact could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("artifact URL {url:?} has a scheme this agent cannot fetch (supported: {supported})")]
    UnsupportedScheme {
        url: String,
        supported: &'static str,
    },
    #[error("artifact {url}: {source}")]
    Io { url: String, source: io::Error },
    /// The server answered, but not with the artifact.
    #[error("artifact {url}: the server answered HTTP {status}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("artifact {url}: {message}")]
    Other { url: String, message: String },
}

/// Fetches the bytes of an artifact. Blocking: jobs are applied on a blocking thread.
pub trait ArtifactSource: Send + Sync {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError>;
}

/// Reads `file:///abs/path.jar` URLs and plain paths; relative paths are taken from `base`.
#[derive(Debug, Clone, Default)]
pub struct LocalArtifacts {
    pub base: Option<PathBuf>,
}

impl ArtifactSource for LocalArtifacts {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let path = if let Some(rest) = url.strip_prefix("file://") {
            // file:///abs/path, or file://localhost/abs/path.
            PathBuf::from(rest.strip_prefix("localhost").unwrap_or(rest))
        } else if url.contains("://") {
            return Err(FetchError::UnsupportedScheme {
                url: url.to_string(),
                supported: "file://, local paths",
            });
        } else {
            let path = PathBuf::from(url);
            match (&self.base, path.is_relative()) {
                (Some(base), true) => base.join(path),
                _ => path,
            }
        };
        std::fs::read(&path).map_err(|source| FetchError::Io {
            url: url.to_string(),
            source,
        })
    }
}
