//! [`AmpClient`]: the panel's URL, the credentials, and the call path every method goes
//! through (session, post, at most one re-login on an expired session).

use serde_json::{Map, Value, json};

use crate::error::AmpError;
use crate::session::{Slot, Slots, Target};
use crate::transport::{decode, post};
use crate::wire::LoginResponse;

/// The default size of a file chunk, read or written: AMP's own UI uses chunks of this order,
/// and base64 makes each request a third larger.
pub const DEFAULT_CHUNK: usize = 512 * 1024;

/// A client of one AMP panel (a controller and the instances it proxies).
#[derive(Debug)]
pub struct AmpClient {
    pub(crate) http: reqwest::Client,
    base: String,
    username: String,
    password: String,
    slots: Slots,
    pub(crate) chunk: usize,
}

impl AmpClient {
    /// A client of the panel at `base_url` (e.g. `http://127.0.0.1:8080/`). Nothing is sent
    /// until the first call, which logs in.
    pub fn new(
        base_url: &str,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self, AmpError> {
        let http = reqwest::Client::builder()
            .build()
            .map_err(|source| AmpError::Http {
                method: "client setup".to_string(),
                source,
            })?;
        let mut base = base_url.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(AmpClient {
            http,
            base,
            username: username.into(),
            password: password.into(),
            slots: Slots::default(),
            chunk: DEFAULT_CHUNK,
        })
    }

    /// The size of the chunks files are read and written in.
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk = bytes.max(1);
        self
    }

    /// Calls `method` ("Module/Method") on `target` with `args`, logging in first when there
    /// is no session, and once more (only once) when AMP says the session is gone.
    pub(crate) async fn call(
        &self,
        target: Target<'_>,
        method: &str,
        args: Value,
    ) -> Result<Option<Value>, AmpError> {
        let args = match args {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let slot = self.slots.get(target);
        let session = self.session(&slot, target, None).await?;
        match self.send(target, method, &args, &session).await {
            Err(AmpError::SessionExpired { .. }) => {
                let fresh = self.session(&slot, target, Some(&session)).await?;
                self.send(target, method, &args, &fresh).await
            }
            other => other,
        }
    }

    async fn send(
        &self,
        target: Target<'_>,
        method: &str,
        args: &Map<String, Value>,
        session: &str,
    ) -> Result<Option<Value>, AmpError> {
        let mut args = args.clone();
        args.insert("SESSIONID".to_string(), json!(session));
        let url = format!("{}{}{}", self.base, target.prefix(), method);
        post(&self.http, &url, method, target.instance(), &args).await
    }

    /// The target's session: the current one, or a new login when there is none or the
    /// current one is `stale`. The slot's lock is held across the login, so concurrent
    /// callers wait for one login and share it.
    async fn session(
        &self,
        slot: &Slot,
        target: Target<'_>,
        stale: Option<&str>,
    ) -> Result<String, AmpError> {
        let mut current = slot.current.lock().await;
        if let Some(s) = current.as_deref()
            && Some(s) != stale
        {
            return Ok(s.to_string());
        }
        let fresh = self.login(target).await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    async fn login(&self, target: Target<'_>) -> Result<String, AmpError> {
        let method = "Core/Login";
        let mut args = Map::new();
        args.insert("username".into(), json!(self.username));
        args.insert("password".into(), json!(self.password));
        args.insert("token".into(), json!(""));
        args.insert("rememberMe".into(), json!(false));
        let url = format!("{}{}{}", self.base, target.prefix(), method);
        tracing::debug!(target = %target.prefix(), "logging in to AMP");
        let answer = post(&self.http, &url, method, target.instance(), &args).await?;
        let login: LoginResponse = decode(method, answer)?;
        if !login.success || login.session_id.is_empty() {
            return Err(AmpError::LoginFailed {
                reason: login.result_reason,
                result: login.result,
            });
        }
        Ok(login.session_id)
    }

    /// Ends the controller's session (instances' sessions simply expire).
    pub async fn logout(&self) -> Result<(), AmpError> {
        let slot = self.slots.get(Target::Controller);
        let mut current = slot.current.lock().await;
        if let Some(s) = current.take() {
            let mut args = Map::new();
            args.insert("SESSIONID".into(), json!(s));
            let url = format!("{}API/Core/Logout", self.base);
            post(&self.http, &url, "Core/Logout", None, &args).await?;
        }
        Ok(())
    }
}
