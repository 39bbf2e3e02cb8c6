//! Latency from a write to a watched config file until the host holds a manifest with
//! the new sha256 (the agent's run loop, the in-memory host, default debounce). Prints
//! p50 / p95 / max over 40 edits. Run: `cargo bench -p homeamp-agent --bench watch_latency`.

use std::fs;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeamp_agent::{Agent, AgentConfig, InMemoryHost};

fn main() {
    // `cargo test --all-targets` also runs this binary, without `--bench`: measure only
    // under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(measure());
}

async fn measure() {
    let root = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let game = root.path().join("SMP201/Minecraft");
    fs::create_dir_all(game.join("plugins/CoreProtect")).unwrap();
    fs::write(game.join("server.properties"), "motd=x\n").unwrap();
    let path = game.join("plugins/CoreProtect/config.yml");
    fs::write(&path, "value: 0\n").unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key();
    let mut config = AgentConfig::new("bench", root.path(), state.path(), key);
    config.rescan_every = Duration::from_secs(3600);
    let agent = Arc::new(Agent::new(config).unwrap());
    let host = Arc::new(InMemoryHost::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(agent.clone().run(host.clone(), async {
        let _ = stopped.await;
    }));
    host.wait_for(Duration::from_secs(10), |r| {
        r.latest_manifest("SMP201").map(|_| ())
    })
    .await
    .unwrap();

    let mut latencies = Vec::new();
    for i in 1..=40 {
        let text = format!("value: {i}\n");
        let sha = homeamp_agent::digest::sha256_hex(text.as_bytes());
        let started = Instant::now();
        fs::write(&path, &text).unwrap();
        host.wait_for(Duration::from_secs(10), |r| {
            r.latest_manifest("SMP201")
                .and_then(|m| m.file("plugins/CoreProtect/config.yml"))
                .filter(|f| f.sha256 == sha)
                .map(|_| ())
        })
        .await
        .expect("change not reported within 10 s");
        latencies.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "watch latency over {} edits: p50 {:?}, p95 {:?}, max {:?}",
        latencies.len(),
        pick(0.5),
        pick(0.95),
        latencies[latencies.len() - 1]
    );
}
