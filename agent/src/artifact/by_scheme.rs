//! [`ArtifactsByScheme`]: the artifact source of an agent that may be handed either
//! kind of URL, local or from the host.

use super::http::is_http;
use super::{ArtifactSource, FetchError, HttpArtifacts, LocalArtifacts};

/// Hands each URL to the source its scheme calls for: `http://` and `https://` to
/// [`HttpArtifacts`], everything else (`file://`, plain paths) to [`LocalArtifacts`].
/// Without an HTTP source (an agent with no host token), HTTP URLs are refused with
/// [`FetchError::UnsupportedScheme`].
#[derive(Debug, Clone, Default)]
pub struct ArtifactsByScheme {
    pub local: LocalArtifacts,
    pub http: Option<HttpArtifacts>,
}

impl ArtifactsByScheme {
    pub fn new(local: LocalArtifacts, http: Option<HttpArtifacts>) -> Self {
        Self { local, http }
    }
}

impl ArtifactSource for ArtifactsByScheme {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        if !is_http(url) {
            return self.local.fetch(url);
        }
        match &self.http {
            Some(http) => http.fetch(url),
            None => Err(FetchError::UnsupportedScheme {
                url: url.to_string(),
                supported: "file://, local paths (http:// and https:// need the agent's host token)",
            }),
        }
    }
}
