//! 200 simulated agents (this process, one HTTP client and agent token each) reporting
//! every 10 s against one `homeamp host` process with 1,000 instances: the host's CPU (% of
//! one core, from `/proc/PID/stat`) and memory (`VmRSS`, `VmHWM`).
//!
//! `cargo bench --bench agents_http` (`AGENTS_BENCH_SECS` measured seconds, default 90,
//! after a warm-up of `AGENTS_BENCH_WARMUP` seconds, default 40). A testkit `redis-server`
//! and `mariadbd` on loopback; the host from a config file, as `homeamp host --config` runs
//! in production, with a synthetic desired state (`fleet_repo.rs`). Every period each agent
//! sends a heartbeat and the manifests of its 5 instances (50 config files and 50 JARs each,
//! in sync with the desired state); in the warm-up the host asks for every file's content.
//! `AGENTS_BENCH_VARIABLE_EVERY=k`: per-instance values for every k-th instance only
//! (default 1: every instance).

mod fleet_repo;
mod host_process;
mod sim_agents;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use homeamp_desired::DesiredState;
use homeamp_reconciler::store::{NewToken, Role, Store};
use homeamp_testkit::{MariaDb, Redis};
use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

use fleet_repo::{PER_SERVER, SERVERS};
use host_process::HostProcess;
use sim_agents::{Counters, SimServer};

const EVERY: Duration = Duration::from_secs(10);

fn main() -> anyhow::Result<()> {
    // `cargo test --all-targets` runs bench targets without `--bench`: measure only then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("agents_http: a benchmark; run it with `cargo bench --bench agents_http`");
        return Ok(());
    }
    let secs = |name: &str, default: u64| {
        Duration::from_secs(
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default),
        )
    };
    let (measured, warmup) = (
        secs("AGENTS_BENCH_SECS", 90),
        secs("AGENTS_BENCH_WARMUP", 40),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(measured, warmup))
}

async fn run(measured: Duration, warmup: Duration) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let repo = dir.path().join("fleet");
    std::fs::create_dir_all(&repo)?;
    let variable_every = std::env::var("AGENTS_BENCH_VARIABLE_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    fleet_repo::write(&repo, variable_every)?;
    let state = DesiredState::load(&repo, Some("HEAD"))?
        .into_valid()
        .map_err(|e| anyhow::anyhow!("synthetic fleet invalid: {:?}", e.diagnostics.first()))?;
    let redis = Redis::start()?;
    let mariadb = MariaDb::start()?;
    let db_url = mariadb.fresh_database()?;
    let port = homeamp_testkit::port::free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut host = HostProcess::start(dir.path(), redis.port(), &db_url, &repo, port)?;
    host.wait_up(&base, Duration::from_secs(120)).await?;

    let store = Store::connect(&db_url).await?;
    let mut sims = Vec::new();
    for s in 0..SERVERS {
        let server = fleet_repo::server(s);
        let token = store
            .create_token(
                &NewToken {
                    name: format!("agent-{server}"),
                    role: Role::Agent,
                    server: Some(server.clone()),
                },
                Timestamp::now(),
            )
            .await?
            .secret;
        let mut instances = Vec::new();
        for k in 0..PER_SERVER {
            let name = fleet_repo::instance(s, k);
            let files = fleet_repo::live_files(&state, &name)?;
            let instance = state.instance(&name).expect("rendered above");
            let plugins = state
                .deployed(instance)
                .map(|(p, _, _)| p.to_string())
                .collect();
            instances.push((name, files, plugins));
        }
        sims.push(SimServer {
            server,
            token,
            instances,
        });
    }
    drop(state);
    println!(
        "host pid {} on {base}; {SERVERS} agents x {PER_SERVER} instances, every {EVERY:?}; \
         per-instance values on every {variable_every}th instance; \
         warm-up {warmup:?}, then {measured:?} measured; load average {}",
        host.pid(),
        load_average()
    );

    let counters = Arc::new(Counters::default());
    let stop = CancellationToken::new();
    let mut tasks = sim_agents::start(&base, sims, EVERY, counters.clone(), stop.clone())?;
    tokio::time::sleep(warmup).await;
    let before = host.usage()?;
    let reports_before = counters.reports.load(Ordering::Relaxed);
    let us_before = counters.report_us.load(Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(measured).await;
    let after = host.usage()?;
    let wall = started.elapsed();
    let reports = counters.reports.load(Ordering::Relaxed) - reports_before;
    let report_us = counters.report_us.load(Ordering::Relaxed) - us_before;
    stop.cancel();
    while tasks.join_next().await.is_some() {}

    let cpu = (after.cpu - before.cpu).as_secs_f64() / wall.as_secs_f64() * 100.0;
    println!(
        "  host CPU over {:.0} s: {cpu:.1} % of one core",
        wall.as_secs_f64()
    );
    println!(
        "  host memory: VmRSS {:.0} MiB, VmHWM {:.0} MiB",
        after.rss_kib as f64 / 1024.0,
        after.hwm_kib as f64 / 1024.0
    );
    println!(
        "  {reports} reports in the window ({:.1}/s), mean round trip {:.1} ms; in all: {} heartbeats, {} blobs uploaded, {} errors",
        reports as f64 / wall.as_secs_f64(),
        report_us as f64 / 1e3 / reports.max(1) as f64,
        counters.heartbeats.load(Ordering::Relaxed),
        counters.blobs.load(Ordering::Relaxed),
        counters.errors.load(Ordering::Relaxed),
    );
    println!("  load average at the end: {}", load_average());
    drop(host);
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
