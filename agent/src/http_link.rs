//! [`HttpLink`]: the [`HostLink`] of a distributed agent, over the host's HTTP API
//! (`/api/agent/v1/`, see `homeamp_reconciler::api`).
//!
//! Every request carries the agent's bearer token and has a deadline. A request that
//! could not even connect is tried once more after a short pause (the host restarting,
//! a listener not up yet); anything else is the caller's to retry at the next scan or
//! heartbeat, which is safe because everything sent is idempotent on the host. Error
//! answers (`{"error": {"code", "message"}}`) become [`LinkError::Refused`] with the
//! host's message, or [`LinkError::BlobMismatch`] for a blob the host hashed otherwise.

use std::fmt;
use std::time::Duration;

use homeamp_schemas::api::{Caller, ErrorBody, HostKey, MissingBlobs};
use homeamp_schemas::report::{Heartbeat, JobResult, Manifest};
use reqwest::{Client, RequestBuilder, Response, StatusCode};

use crate::digest::sha256_hex;
use crate::link::{HostLink, LinkError};

/// How long one request may take, blobs (up to tens of MiB) included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause before the one retry of a request that could not connect.
const RETRY_PAUSE: Duration = Duration::from_millis(300);

/// The host's agent API at `base_url` (e.g. `http://127.0.0.1:7070`).
#[derive(Clone)]
pub struct HttpLink {
    client: Client,
    base: String,
    token: String,
}

impl fmt::Debug for HttpLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpLink")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl HttpLink {
    /// A link to the host at `base_url` authenticating with the agent token `token`.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Self, LinkError> {
        Self::with_timeout(base_url, token, REQUEST_TIMEOUT)
    }

    /// As [`HttpLink::new`], with another per-request deadline.
    pub fn with_timeout(
        base_url: impl Into<String>,
        token: impl Into<String>,
        timeout: Duration,
    ) -> Result<Self, LinkError> {
        Self::build(base_url, token, timeout, None)
    }

    /// As [`HttpLink::new`], trusting only the CA certificate(s) in `ca_pem` for the host's
    /// TLS certificate (a private CA for the fleet), instead of the system's roots.
    pub fn with_ca(
        base_url: impl Into<String>,
        token: impl Into<String>,
        ca_pem: &[u8],
    ) -> Result<Self, LinkError> {
        let certs = reqwest::Certificate::from_pem_bundle(ca_pem)
            .map_err(|e| LinkError::Unreachable(Box::new(e)))?;
        if certs.is_empty() {
            return Err(LinkError::Unreachable(
                "no PEM certificate in the CA file".into(),
            ));
        }
        Self::build(base_url, token, REQUEST_TIMEOUT, Some(certs))
    }

    fn build(
        base_url: impl Into<String>,
        token: impl Into<String>,
        timeout: Duration,
        ca: Option<Vec<reqwest::Certificate>>,
    ) -> Result<Self, LinkError> {
        let mut builder = Client::builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .user_agent(concat!("homeamp-agent/", env!("CARGO_PKG_VERSION")));
        if let Some(certs) = ca {
            builder = builder.tls_certs_only(certs);
        }
        let client = builder
            .build()
            .map_err(|e| LinkError::Unreachable(Box::new(e)))?;
        Ok(Self {
            client,
            base: base_url.into().trim_end_matches('/').to_string(),
            token: token.into(),
        })
    }

    fn url(&self, endpoint: &str) -> String {
        format!("{}/api/agent/v1/{endpoint}", self.base)
    }

    /// Sends the request `build` makes, once more if the first could not connect.
    async fn send(&self, build: impl Fn() -> RequestBuilder) -> Result<Response, LinkError> {
        let first = build().bearer_auth(&self.token).send().await;
        let response = match first {
            Err(e) if e.is_connect() => {
                tracing::debug!(error = %e, "host not reachable; retrying once");
                tokio::time::sleep(RETRY_PAUSE).await;
                build().bearer_auth(&self.token).send().await
            }
            other => other,
        };
        response.map_err(|e| LinkError::Unreachable(Box::new(e)))
    }

    /// The host's job-signing public key (standard base64), for agents to pin.
    pub async fn host_key(&self) -> Result<HostKey, LinkError> {
        let response = self.send(|| self.client.get(self.url("host-key"))).await?;
        let response = checked(response).await?;
        response
            .json()
            .await
            .map_err(|e| LinkError::Unreachable(Box::new(e)))
    }
}

impl HttpLink {
    /// The token this link carries, as the host knows it (name, role, server).
    pub async fn whoami(&self) -> Result<Caller, LinkError> {
        let response = self.send(|| self.client.get(self.url("whoami"))).await?;
        checked(response)
            .await?
            .json()
            .await
            .map_err(|e| LinkError::Unreachable(Box::new(e)))
    }
}

/// The response if it is a success; the host's error message as a [`LinkError`] if not.
async fn checked(response: Response) -> Result<Response, LinkError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<ErrorBody>(&text)
        .map(|body| format!("{}: {}", body.error.code, body.error.message))
        .unwrap_or_else(|_| {
            if text.is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                text
            }
        });
    Err(LinkError::Refused {
        status: status.as_u16(),
        message,
    })
}

impl HostLink for HttpLink {
    async fn report(&self, manifest: &Manifest) -> Result<Vec<String>, LinkError> {
        let response = self
            .send(|| self.client.post(self.url("manifest")).json(manifest))
            .await?;
        let answer: MissingBlobs = checked(response)
            .await?
            .json()
            .await
            .map_err(|e| LinkError::Unreachable(Box::new(e)))?;
        Ok(answer.missing)
    }

    async fn upload_blob(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), LinkError> {
        let url = self.url(&format!("blobs/{sha256}"));
        let body = bytes::Bytes::from(bytes);
        let response = self
            .send(|| {
                self.client
                    .put(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(body.clone())
            })
            .await?;
        if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
            // The host hashed the bytes otherwise: say what they really hash to.
            return Err(LinkError::BlobMismatch {
                claimed: sha256.to_string(),
                actual: sha256_hex(&body),
            });
        }
        checked(response).await.map(drop)
    }

    async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<(), LinkError> {
        let response = self
            .send(|| self.client.post(self.url("heartbeat")).json(heartbeat))
            .await?;
        checked(response).await.map(drop)
    }

    async fn job_result(&self, result: &JobResult) -> Result<(), LinkError> {
        let response = self
            .send(|| self.client.post(self.url("job-results")).json(result))
            .await?;
        checked(response).await.map(drop)
    }
}
