//! [`HttpArtifacts`]: plugin JARs downloaded over HTTP from the host's
//! `GET /api/agent/v1/artifacts/{sha256}` (or any `http://` / `https://` URL a signed job
//! names), with the agent's bearer token.

use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

use homeamp_schemas::api::ErrorBody;
use reqwest::{Client, StatusCode};

use super::{ArtifactSource, FetchError};

/// How long one download may take, connecting included.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest artifact accepted (the host's store indexes nothing larger).
pub const MAX_ARTIFACT: u64 = 512 * 1024 * 1024;

/// Downloads `http://` and `https://` URLs with `Authorization: Bearer <agent token>`.
///
/// [`ArtifactSource::fetch`] blocks its thread and works from two kinds of thread: a
/// tokio blocking thread (`spawn_blocking`, where the agent applies jobs), where it runs
/// the request with `Handle::try_current()` + `Handle::block_on` on that runtime; and a
/// plain thread outside any runtime, where it runs it on a current-thread runtime made
/// for the call. It must not be called from inside an async task (tokio refuses to block
/// a runtime's worker). Connections are not pooled, since they cannot outlive the
/// runtime that opened them; a download is rare enough that this costs nothing.
///
/// A non-2xx answer is [`FetchError::Status`] with the host's `{"error": …}` message;
/// anything else (refused connection, timeout, a body larger than [`MAX_ARTIFACT`]) is
/// [`FetchError::Other`]. Both name the URL. `https://` URLs need a reqwest built with a
/// TLS backend; without one the error says so.
#[derive(Clone)]
pub struct HttpArtifacts {
    client: Client,
    token: String,
    timeout: Duration,
}

impl fmt::Debug for HttpArtifacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpArtifacts")
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HttpArtifacts {
    /// Downloads with the agent token `token`, each within [`DOWNLOAD_TIMEOUT`].
    pub fn new(token: impl Into<String>) -> Result<Self, reqwest::Error> {
        Self::with_timeout(token, DOWNLOAD_TIMEOUT)
    }

    /// As [`HttpArtifacts::new`], with another deadline per download.
    pub fn with_timeout(
        token: impl Into<String>,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .pool_max_idle_per_host(0)
            .user_agent(concat!("homeamp-agent/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            token: token.into(),
            timeout,
        })
    }

    async fn download(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let failed = |e: reqwest::Error| FetchError::Other {
            url: url.to_string(),
            message: self.describe(url, e),
        };
        let mut response = self
            .client
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                message: answer_message(status, &text),
            });
        }
        let too_large = |size: u64| FetchError::Other {
            url: url.to_string(),
            message: format!("{size} bytes or more, above the {MAX_ARTIFACT} an artifact may have"),
        };
        let expected = response.content_length().unwrap_or(0);
        if expected > MAX_ARTIFACT {
            return Err(too_large(expected));
        }
        let mut bytes = Vec::with_capacity(expected as usize);
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            let size = (bytes.len() + chunk.len()) as u64;
            if size > MAX_ARTIFACT {
                return Err(too_large(size));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// The error and its causes in one line, without the URL (the caller names it).
    fn describe(&self, url: &str, e: reqwest::Error) -> String {
        if e.is_timeout() {
            return format!("no complete answer within {:?}", self.timeout);
        }
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        // What a reqwest built without a TLS backend says of an https:// URL.
        if message.contains("scheme is not http") && !url.starts_with("http://") {
            message.push_str(
                " (this agent's HTTP client has no TLS support: give the host an http:// artifact_url)",
            );
        }
        message
    }
}

/// True for `http://` and `https://` URLs (the scheme in any case).
pub(super) fn is_http(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// The host's `{"error": {"code", "message"}}`, or the body's text, or the status's name.
fn answer_message(status: StatusCode, text: &str) -> String {
    if let Ok(body) = serde_json::from_str::<ErrorBody>(text) {
        return format!("{}: {}", body.error.code, body.error.message);
    }
    let text = text.trim();
    if text.is_empty() || text.len() > 500 {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text.to_string()
    }
}

/// Runs `future` to completion on this thread (see [`HttpArtifacts`]).
fn block_on<F: Future>(future: F) -> io::Result<F::Output> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => Ok(handle.block_on(future)),
        Err(_) => Ok(tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(future)),
    }
}

impl ArtifactSource for HttpArtifacts {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        if !is_http(url) {
            return Err(FetchError::UnsupportedScheme {
                url: url.to_string(),
                supported: "http://, https://",
            });
        }
        block_on(self.download(url)).map_err(|source| FetchError::Io {
            url: url.to_string(),
            source,
        })?
    }
}
