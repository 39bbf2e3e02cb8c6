//! Talking to a running host's API (`homeamp status`, `jobs`, `approve`, `artifacts`): where it is
//! (`--host`, `HOMEAMP_HOST`), the bearer token (`--token`, `HOMEAMP_TOKEN`), JSON requests,
//! and the API's error answers (`{"error": {"code", "message"}}`) turned into errors that
//! name the host, the HTTP status and what to do.

use anyhow::Context;
use homeamp_schemas::api::ErrorBody;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

/// Where the host's API is and how to authenticate; flattened into each client command.
#[derive(clap::Args)]
pub struct HostArgs {
    /// The host's API.
    #[arg(long, env = "HOMEAMP_HOST", default_value = "http://127.0.0.1:8470")]
    pub host: String,
    /// A bearer token (reads from a loopback `homeamp up` need none; changes need the
    /// admin token it printed).
    #[arg(long, env = "HOMEAMP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// A blocking client of one host's API.
pub struct HostClient {
    base: Url,
    host: String,
    token: Option<String>,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl HostClient {
    pub fn new(args: &HostArgs) -> anyhow::Result<Self> {
        let base = Url::parse(&args.host)
            .ok()
            .filter(|url| url.scheme() == "http" || url.scheme() == "https")
            .with_context(|| {
                format!(
                    "--host `{}` is not an http(s) URL; give one like http://127.0.0.1:8470",
                    args.host
                )
            })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(HostClient {
            base,
            host: args.host.clone(),
            token: args.token.clone().filter(|t| !t.is_empty()),
            http: reqwest::Client::new(),
            runtime,
        })
    }

    /// `GET path?query`, the answer parsed as `T`.
    pub fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> anyhow::Result<T> {
        self.send(Method::GET, path, query, None)
    }

    /// `POST path?query` without a body, the answer parsed as `T`.
    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> anyhow::Result<T> {
        self.send(Method::POST, path, query, None)
    }

    /// `PUT path` with `body` (raw bytes of `content_type`), the answer parsed as `T`.
    pub fn put_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> anyhow::Result<T> {
        self.send(Method::PUT, path, &[], Some((body, content_type)))
    }

    fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<(Vec<u8>, &'static str)>,
    ) -> anyhow::Result<T> {
        let mut url = self.base.clone();
        url.set_path(&format!("{}{path}", self.base.path().trim_end_matches('/')));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.http.request(method, url.clone());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some((bytes, content_type)) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let (code, body) = self
            .runtime
            .block_on(async {
                let response = request.send().await?;
                let code = response.status();
                Ok::<_, reqwest::Error>((code, response.text().await?))
            })
            .with_context(|| {
                format!(
                    "cannot reach the host at {}: is `homeamp up` running? (give its address with --host or HOMEAMP_HOST)",
                    self.host
                )
            })?;
        if !code.is_success() {
            anyhow::bail!(refusal(&self.host, code, &body));
        }
        serde_json::from_str(&body).with_context(|| format!("unexpected answer from {url}"))
    }
}

/// The sentence for an error answer: the HTTP status, the API's message, and for a missing
/// or insufficient token, what to pass.
fn refusal(host: &str, code: StatusCode, body: &str) -> String {
    let message = match serde_json::from_str::<ErrorBody>(body) {
        Ok(error) => error.error.message,
        Err(_) if body.trim().is_empty() => "(no message)".to_string(),
        Err(_) => body.chars().take(300).collect(),
    };
    let mut text = format!("the host at {host} answered {code}: {message}");
    let hint = match code {
        StatusCode::UNAUTHORIZED => Some("pass --token TOKEN or set HOMEAMP_TOKEN"),
        StatusCode::FORBIDDEN => {
            Some("pass a token with more rights: --token TOKEN or HOMEAMP_TOKEN")
        }
        _ => None,
    };
    if let Some(hint) = hint {
        text.push_str(&format!(
            "; {hint} (the admin token `homeamp up` printed at start; each run prints a new one)"
        ));
    }
    text
}
