//! Throughput of the Redis bus against a testkit `redis-server` on loopback, beside the
//! ceiling `redis-benchmark` measures for plain XADD on the same server.
//!
//! `cargo bench -p homeamp-bus --bench redis_bus` (set `BUS_BENCH_N` for another entry
//! count). Payloads are ~300 bytes of no-op job. Figures:
//! - publish, one at a time (latency-bound) and from 32 concurrent tasks (the shared
//!   multiplexed connection pipelines them);
//! - read + ack in batches (`read` of up to 100, one `XACK` per batch);
//! - end to end: publishers and a consumer at once, until every entry is acknowledged.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use homeamp_bus::JobBus;
use homeamp_bus::redis::{RedisBus, RedisBusConfig};
use homeamp_testkit::Redis;

const PAYLOAD_LEN: usize = 300;
const CONCURRENT_PUBLISHERS: usize = 32;
const READ_BATCH: usize = 100;

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("BUS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let redis = Redis::start()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "redis bus on 127.0.0.1:{}, {n} entries of {PAYLOAD_LEN} bytes",
        redis.port()
    );
    runtime.block_on(run(&redis, n))?;
    redis_benchmark(redis.port(), n);
    Ok(())
}

async fn run(redis: &Redis, n: usize) -> anyhow::Result<()> {
    let mut config = RedisBusConfig::new("127.0.0.1", redis.port());
    config.max_len = 0; // the figures are for the bus, not for trimming
    let bus = Arc::new(RedisBus::new(config)?);
    bus.ping().await?;
    let payload: Arc<[u8]> = vec![b'x'; PAYLOAD_LEN].into();

    let sequential = n.min(5_000);
    let started = Instant::now();
    for _ in 0..sequential {
        bus.publish("seq", &payload).await?;
    }
    report("publish, one at a time", sequential, started.elapsed());

    let started = Instant::now();
    publish_concurrently(&bus, "ovh", n, &payload).await?;
    report(
        &format!("publish, {CONCURRENT_PUBLISHERS} concurrent tasks"),
        n,
        started.elapsed(),
    );

    let started = Instant::now();
    let consumed = consume(&bus, "ovh", n).await?;
    report(
        &format!("read (batches of {READ_BATCH}) + ack per batch"),
        consumed,
        started.elapsed(),
    );

    let started = Instant::now();
    let consumer = {
        let bus = bus.clone();
        tokio::spawn(async move { consume(&bus, "hetzner", n).await })
    };
    publish_concurrently(&bus, "hetzner", n, &payload).await?;
    let consumed = consumer.await??;
    report(
        "end to end: publish + read + ack, concurrently",
        consumed,
        started.elapsed(),
    );
    Ok(())
}

async fn publish_concurrently(
    bus: &Arc<RedisBus>,
    server: &'static str,
    n: usize,
    payload: &Arc<[u8]>,
) -> anyhow::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..CONCURRENT_PUBLISHERS {
        let (bus, payload) = (bus.clone(), payload.clone());
        let count = n / CONCURRENT_PUBLISHERS + usize::from(task < n % CONCURRENT_PUBLISHERS);
        tasks.spawn(async move {
            for _ in 0..count {
                bus.publish(server, &payload).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

/// Reads and acknowledges until `n` entries went through.
async fn consume(bus: &RedisBus, server: &str, n: usize) -> anyhow::Result<usize> {
    let mut done = 0;
    while done < n {
        let batch = bus
            .read(
                server,
                "bench-agent",
                READ_BATCH,
                Duration::from_millis(500),
            )
            .await?;
        let ids: Vec<String> = batch.into_iter().map(|d| d.id).collect();
        bus.ack(server, &ids).await?;
        done += ids.len();
    }
    Ok(done)
}

fn report(what: &str, n: usize, took: Duration) {
    println!(
        "  {what:<50} {:>9.0} entries/s  ({n} in {:.2} s)",
        n as f64 / took.as_secs_f64(),
        took.as_secs_f64()
    );
}

/// The loopback ceiling: `redis-benchmark` sending XADD with the same payload size, without
/// and with pipelining (16 commands in flight per client, 50 clients: its default).
fn redis_benchmark(port: u16, n: usize) {
    let value = "x".repeat(PAYLOAD_LEN);
    for pipeline in ["1", "16"] {
        let output = Command::new("redis-benchmark")
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-n", &n.to_string(), "-P", pipeline, "-q"])
            .args(["XADD", "redis-benchmark", "*", "job", &value])
            .output();
        match output {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                // -q prints progress with carriage returns, then the final line.
                // The line repeats the command (and its 300-byte value) before the figure.
                let last = text.rsplit('\r').next().unwrap_or(&text).trim();
                let figure = last.rsplit(": ").next().unwrap_or(last);
                println!(
                    "  {:<50} {figure}",
                    format!("redis-benchmark XADD, pipeline {pipeline}")
                );
            }
            Ok(out) => println!(
                "  redis-benchmark failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => println!("  redis-benchmark not available ({e}): no ceiling to compare with"),
        }
    }
}
