//! The HTTP API's cost on a fleet of 20 and of 1,000 instances (SQLite store):
//! `GET /api/status` and `GET /api/instances` through the router (no socket), and one
//! agent report (manifest of 200 files, answered with the missing blobs) through
//! `HttpLink` over a loopback socket.
//!
//! `cargo bench -p homeamp-reconciler --bench api`

use std::fmt::Write;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use homeamp_agent::{HostLink, HttpLink};
use homeamp_reconciler::api::{Auth, router};
use homeamp_reconciler::bus::InProcessBus;
use homeamp_reconciler::host::{Host, HostConfig, Secrets};
use homeamp_reconciler::store::{NewToken, Role, Store};
use homeamp_schemas::report::{LiveFile, Manifest};
use http_body_util::BodyExt;
use jiff::Timestamp;
use tokio::runtime::Runtime;
use tower::ServiceExt;

fn git(repo: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=b", "-c", "user.email=b@localhost"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(repo)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

/// A desired-state repository with `n` paper instances running one plugin.
fn repo(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut fleet = String::from("servers:\n  ovh: { role: client }\ninstances:\n");
    let mut header = String::from("plugin_name,plugin_type,auto_update,update_source");
    let mut row = String::from("CMI,bukkit/paper,True,manual");
    for i in 0..n {
        let _ = writeln!(fleet, "  I{i:04}: {{ server: ovh, platform: paper }}");
        let _ = write!(header, ",server_I{i:04}");
        row.push_str(",True");
    }
    let files = [
        ("homeamp.yaml", fleet),
        ("deployment_matrix.csv", format!("{header}\n{row}\n")),
        (
            "plugins/paper/CMI.yaml",
            "universal:\n  config.yml:\n    a: 1\n".to_string(),
        ),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "fleet"]);
    dir
}

struct Setup {
    _repo: tempfile::TempDir,
    host: Arc<Host>,
    app: Router,
    viewer: String,
    agent: String,
}

fn setup(rt: &Runtime, n: usize) -> Setup {
    let repo = repo(n);
    rt.block_on(async {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let token = |name: &str, role, server: Option<&str>| {
            let store = store.clone();
            let new = NewToken {
                name: name.into(),
                role,
                server: server.map(str::to_string),
            };
            async move {
                store
                    .create_token(&new, Timestamp::now())
                    .await
                    .unwrap()
                    .secret
            }
        };
        let viewer = token("viewer", Role::Viewer, None).await;
        let agent = token("agent", Role::Agent, Some("ovh")).await;
        let (host, _triggers) = Host::new(
            store,
            Arc::new(InProcessBus::new()),
            SigningKey::from_bytes(&[1; 32]),
            Secrets::empty(),
            HostConfig::new(repo.path()),
        );
        host.refresh_revision().await.unwrap();
        let app = router(host.clone(), Auth::closed());
        Setup {
            _repo: repo,
            host,
            app,
            viewer,
            agent,
        }
    })
}

async fn get(app: &Router, uri: &str, token: &str) -> usize {
    let request = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success());
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .len()
}

fn reads(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    for n in [20, 1000] {
        let s = setup(&rt, n);
        c.bench_function(&format!("GET /api/status, {n} instances"), |b| {
            b.iter(|| rt.block_on(get(&s.app, "/api/status", &s.viewer)))
        });
        c.bench_function(&format!("GET /api/instances, {n} instances"), |b| {
            b.iter(|| rt.block_on(get(&s.app, "/api/instances", &s.viewer)))
        });
    }
}

fn report(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let s = setup(&rt, 20);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = s.app.clone();
    rt.spawn(async move { axum::serve(listener, app).await });
    let link = HttpLink::new(base, s.agent.clone()).unwrap();
    let files: Vec<LiveFile> = (0..200)
        .map(|i| LiveFile {
            path: format!("plugins/P{i:03}/config.yml"),
            sha256: format!("{i:064x}"),
            size: 100,
            mtime: Timestamp::now(),
        })
        .collect();
    let manifest = Manifest {
        server: "ovh".into(),
        instance: "I0000".into(),
        platform: None,
        scanned_at: Timestamp::now(),
        files,
        plugins: vec![],
    };
    c.bench_function("HttpLink report, 200 files, loopback", |b| {
        b.iter(|| rt.block_on(link.report(&manifest)).unwrap())
    });
    drop(s.host);
}

criterion_group!(benches, reads, report);
criterion_main!(benches);
