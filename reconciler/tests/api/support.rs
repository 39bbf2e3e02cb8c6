//! A real host for the API tests: a temp git repository with a small valid desired
//! state, a real SQLite store, the in-process bus, tokens of every role, and a helper
//! that drives the router through `oneshot`.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use ed25519_dalek::SigningKey;
use homeamp_reconciler::api::{Auth, router};
use homeamp_reconciler::artifacts::ArtifactStore;
use homeamp_reconciler::bus::InProcessBus;
use homeamp_reconciler::host::{Host, HostConfig, InstanceReconciler, RevisionChange, Secrets};
use homeamp_reconciler::runtime::Inbox;
use homeamp_reconciler::store::{NewToken, Role, Store};
use homeamp_schemas::report::{Heartbeat, LiveFile, Manifest, PluginDescriptor, PluginJar};
use http_body_util::BodyExt;
use jiff::Timestamp;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

pub const FLEET: &str = "\
servers:
  ovh: { role: client }
  hetzner: { role: host }
tags:
  survival: {}
instances:
  SMP201: { server: ovh, platform: paper, tags: [survival], aliases: [SMP-201] }
  DEV01: { server: hetzner, platform: paper }
policy:
  instances:
    DEV01: { sync: approve }
";

pub const MATRIX: &str = "\
plugin_name,plugin_type,auto_update,update_source,server_SMP201,server_DEV01
CMI,bukkit/paper,True,manual,True,True
";

pub fn cmi(a: i64) -> String {
    format!("reload: none\nuniversal:\n  config.yml:\n    a: {a}\n")
}

/// The live config file of CMI with `a: <a>`.
pub fn live_config(a: i64) -> Vec<u8> {
    format!("# CMI\na: {a}\n").into_bytes()
}

pub const CONFIG_PATH: &str = "plugins/CMI/config.yml";

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=homeamp",
            "-c",
            "user.email=homeamp@localhost",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Writes `files` into `repo` and commits them; returns the commit sha.
pub fn commit(repo: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, text) in files {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

pub struct Tokens {
    pub admin: String,
    pub operator: String,
    pub viewer: String,
    pub agent_ovh: String,
    pub agent_hetzner: String,
}

pub struct Fixture {
    pub host: Arc<Host>,
    /// The instance reconciler over [`Fixture::host`], for tests that reconcile by hand.
    pub reconciler: Arc<InstanceReconciler>,
    pub app: Router,
    pub repo: TempDir,
    /// The first commit, active after [`Fixture::new`].
    pub first: String,
    pub tokens: Tokens,
    /// Where the host's instance triggers wait (no controller reads them unless a test
    /// starts one with [`Fixture::take_inbox`]).
    inbox: std::sync::Mutex<Option<Inbox<String>>>,
}

async fn token(store: &Store, name: &str, role: Role, server: Option<&str>) -> String {
    store
        .create_token(
            &NewToken {
                name: name.into(),
                role,
                server: server.map(str::to_string),
            },
            Timestamp::now(),
        )
        .await
        .unwrap()
        .secret
}

impl Fixture {
    /// A host with its first revision active, and an app with closed reads.
    pub async fn new() -> Self {
        Self::with_auth(Auth::closed()).await
    }

    pub async fn with_auth(auth: Auth) -> Self {
        let fixture = Self::unrefreshed(auth).await;
        let change = fixture.host.refresh_revision().await.unwrap();
        assert!(
            matches!(change, RevisionChange::Activated { .. }),
            "{change:?}"
        );
        fixture
    }

    /// A host that has not looked at its repository yet (no active revision).
    pub async fn unrefreshed(auth: Auth) -> Self {
        Self::with_secrets(auth, Secrets::empty()).await
    }

    /// As [`Fixture::unrefreshed`], with values for `${secret:NAME}` references.
    pub async fn with_secrets(auth: Auth, secrets: Secrets) -> Self {
        Self::build(auth, secrets, None).await
    }

    /// As [`Fixture::with_auth`], with `artifacts` as the host's artifact store.
    pub async fn with_artifacts(auth: Auth, artifacts: Arc<ArtifactStore>) -> Self {
        let fixture = Self::build(auth, Secrets::empty(), Some(artifacts)).await;
        fixture.host.refresh_revision().await.unwrap();
        fixture
    }

    async fn build(auth: Auth, secrets: Secrets, artifacts: Option<Arc<ArtifactStore>>) -> Self {
        let repo = tempfile::tempdir().unwrap();
        git(repo.path(), &["init", "-q"]);
        let cmi = cmi(1);
        let first = commit(
            repo.path(),
            &[
                ("homeamp.yaml", FLEET),
                ("deployment_matrix.csv", MATRIX),
                ("plugins/paper/CMI.yaml", &cmi),
            ],
            "first",
        );
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let tokens = Tokens {
            admin: token(&store, "root", Role::Admin, None).await,
            operator: token(&store, "ops", Role::Operator, None).await,
            viewer: token(&store, "look", Role::Viewer, None).await,
            agent_ovh: token(&store, "agent-ovh", Role::Agent, Some("ovh")).await,
            agent_hetzner: token(&store, "agent-hetzner", Role::Agent, Some("hetzner")).await,
        };
        let (host, inbox) = Host::new(
            store,
            Arc::new(InProcessBus::new()),
            SigningKey::from_bytes(&[7; 32]),
            secrets,
            HostConfig {
                artifacts,
                ..HostConfig::new(repo.path())
            },
        );
        let app = router(host.clone(), auth);
        Self {
            reconciler: InstanceReconciler::new(host.clone()),
            host,
            app,
            repo,
            first,
            tokens,
            inbox: std::sync::Mutex::new(Some(inbox)),
        }
    }

    /// The inbox of the host's triggers, for a test that runs a controller on it.
    pub fn take_inbox(&self) -> Inbox<String> {
        self.inbox
            .lock()
            .unwrap()
            .take()
            .expect("the inbox was taken already")
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        self.send(method, uri, token, body, "application/json")
            .await
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, uri, token, None).await
    }

    /// Sends raw bytes; the answer as JSON, or as a JSON string when it is not JSON.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        content_type: &str,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", content_type);
        }
        let request = request
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// Sends a request built by the test (any headers); the answer as [`Fixture::send`]
    /// gives it.
    pub async fn deliver(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// Commits new files to the desired-state repository; returns the sha.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        commit(self.repo.path(), files, message)
    }

    /// What the agent of `server` would send for `instance` running CMI (its JAR, as the
    /// matrix deploys it) with `a` in its config.
    pub fn manifest(server: &str, instance: &str, a: i64) -> (Manifest, Vec<u8>) {
        let bytes = live_config(a);
        let manifest = Manifest {
            server: server.into(),
            instance: instance.into(),
            platform: None,
            scanned_at: Timestamp::now(),
            files: vec![LiveFile {
                path: CONFIG_PATH.into(),
                sha256: sha256(&bytes),
                size: bytes.len() as u64,
                mtime: Timestamp::now(),
            }],
            plugins: vec![PluginJar {
                file: "plugins/CMI-9.7.jar".into(),
                name: "CMI".into(),
                version: Some("9.7".into()),
                main: None,
                descriptor: Some(PluginDescriptor::PluginYml),
                sha256: sha256(b"the CMI jar"),
                size: 11,
            }],
        };
        (manifest, bytes)
    }

    /// The agent of `server` heartbeats, reports `instance` with `a`, uploads the blob.
    pub async fn report(&self, server: &str, instance: &str, a: i64) {
        let token = match server {
            "ovh" => self.tokens.agent_ovh.clone(),
            _ => self.tokens.agent_hetzner.clone(),
        };
        let heartbeat = Heartbeat {
            server: server.into(),
            agent_version: "test".into(),
            sent_at: Timestamp::now(),
            instances: vec![instance.into()],
        };
        let (status, _) = self
            .call(
                Method::POST,
                "/api/agent/v1/heartbeat",
                Some(&token),
                Some(serde_json::to_value(&heartbeat).unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (manifest, bytes) = Self::manifest(server, instance, a);
        let (status, answer) = self
            .call(
                Method::POST,
                "/api/agent/v1/manifest",
                Some(&token),
                Some(serde_json::to_value(&manifest).unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        for sha in answer["missing"].as_array().unwrap() {
            let sha = sha.as_str().unwrap();
            let (status, answer) = self
                .send(
                    Method::PUT,
                    &format!("/api/agent/v1/blobs/{sha}"),
                    Some(&token),
                    Some(bytes.clone()),
                    "application/octet-stream",
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        }
    }

    /// Both instances report `a: 2` (drift from the desired 1) and are reconciled:
    /// SMP201 gets a queued job, DEV01 (approve policy) a held one.
    pub async fn with_drift(&self) {
        self.report("ovh", "SMP201", 2).await;
        self.report("hetzner", "DEV01", 2).await;
        self.reconciler.reconcile_instance("SMP201").await.unwrap();
        self.reconciler.reconcile_instance("DEV01").await.unwrap();
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The `{"error": {"code", "message"}}` body's code, asserting the shape.
pub fn error_code(body: &Value) -> &str {
    let error = body
        .get("error")
        .unwrap_or_else(|| panic!("not an error body: {body}"));
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    error["code"].as_str().expect("a code")
}
