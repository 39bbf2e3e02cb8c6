//! The simulated agents: one task per server, each with its own `HttpLink` and agent
//! token, sending a heartbeat and the manifests of its instances every period (uploading
//! the blobs the host asks for), as a real agent in sync would.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use homeamp_agent::{HostLink, HttpLink};
use homeamp_schemas::report::{Heartbeat, LiveFile, Manifest, PluginDescriptor, PluginJar};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// One instance: its name, its config files (path, text) and its plugins' names.
pub type SimInstance = (String, Vec<(String, String)>, Vec<String>);

/// One simulated server: its instances' manifests and the content of their files.
pub struct SimServer {
    pub server: String,
    pub token: String,
    pub instances: Vec<SimInstance>,
}

#[derive(Default)]
pub struct Counters {
    pub reports: AtomicU64,
    pub heartbeats: AtomicU64,
    pub blobs: AtomicU64,
    pub errors: AtomicU64,
    /// Sum of report round trips, µs (blob uploads not included).
    pub report_us: AtomicU64,
}

fn sha(text: &[u8]) -> String {
    hex::encode(Sha256::digest(text))
}

fn manifest(
    server: &str,
    instance: &str,
    files: &[(String, String)],
    plugins: &[String],
) -> Manifest {
    let now = Timestamp::now();
    Manifest {
        server: server.to_string(),
        instance: instance.to_string(),
        platform: Some(homeamp_schemas::desired::Platform::Paper),
        scanned_at: now,
        files: files
            .iter()
            .map(|(path, text)| LiveFile {
                path: path.clone(),
                sha256: sha(text.as_bytes()),
                size: text.len() as u64,
                mtime: Timestamp::UNIX_EPOCH,
            })
            .collect(),
        plugins: plugins
            .iter()
            .map(|name| PluginJar {
                file: format!("plugins/{name}.jar"),
                name: name.clone(),
                version: Some("1.0".into()),
                main: None,
                descriptor: Some(PluginDescriptor::PluginYml),
                sha256: sha(name.as_bytes()),
                size: 1_000,
            })
            .collect(),
    }
}

/// One round of one server: heartbeat, then each instance's manifest and missing blobs.
async fn round(link: &HttpLink, sim: &SimServer, counters: &Counters) {
    let heartbeat = Heartbeat {
        server: sim.server.clone(),
        agent_version: "bench".into(),
        sent_at: Timestamp::now(),
        instances: sim
            .instances
            .iter()
            .map(|(name, ..)| name.clone())
            .collect(),
    };
    match link.heartbeat(&heartbeat).await {
        Ok(()) => counters.heartbeats.fetch_add(1, Ordering::Relaxed),
        Err(_) => counters.errors.fetch_add(1, Ordering::Relaxed),
    };
    for (instance, files, plugins) in &sim.instances {
        let started = Instant::now();
        let missing = match link
            .report(&manifest(&sim.server, instance, files, plugins))
            .await
        {
            Ok(missing) => missing,
            Err(_) => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        counters
            .report_us
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        counters.reports.fetch_add(1, Ordering::Relaxed);
        for wanted in missing {
            // Only config files: the JARs here are names, not files.
            let Some((_, text)) = files.iter().find(|(_, t)| sha(t.as_bytes()) == wanted) else {
                continue;
            };
            match link.upload_blob(&wanted, text.clone().into_bytes()).await {
                Ok(()) => counters.blobs.fetch_add(1, Ordering::Relaxed),
                Err(_) => counters.errors.fetch_add(1, Ordering::Relaxed),
            };
        }
    }
}

/// Runs every server's loop until `stop`; the servers' first rounds are spread over one period.
pub fn start(
    base: &str,
    sims: Vec<SimServer>,
    every: Duration,
    counters: Arc<Counters>,
    stop: CancellationToken,
) -> anyhow::Result<JoinSet<()>> {
    let mut tasks = JoinSet::new();
    let count = sims.len().max(1) as u32;
    for (i, sim) in sims.into_iter().enumerate() {
        let link = HttpLink::new(base, sim.token.clone())?;
        let (counters, stop) = (counters.clone(), stop.clone());
        let offset = every / count * i as u32;
        tasks.spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tick.tick() => round(&link, &sim, &counters).await,
                }
            }
        });
    }
    Ok(tasks)
}
