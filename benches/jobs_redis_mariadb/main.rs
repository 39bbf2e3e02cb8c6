//! No-op `rescan` jobs through the whole distributed path, host → Redis Streams → agent →
//! result stored in MariaDB, beside the `redis-benchmark` XADD ceiling of the same Redis.
//!
//! `cargo bench --bench jobs_redis_mariadb` (`JOBS_BENCH_N` jobs, default 10,000, spread over
//! `JOBS_BENCH_SERVERS` servers, default 4, one agent each). A testkit `redis-server` and
//! `mariadbd` on loopback; a real MariaDB `Store`; the real `Host` writes the jobs to its
//! outbox (`insert_job`), then `publish_outbox` signs and publishes them through `RedisBus`;
//! each server's real `Agent` runs the real consumer (`homeamp_agent::consumer::run`):
//! read, verify, apply (a rescan of its instance folder, the job record written), the result
//! handed to `Host::ingest_job_result` in the same process (the agent's link without HTTP),
//! XACK, then the rescan's report (`Host::ingest_manifest`). The clock stops when every result
//! is stored; the store is then asked how many jobs succeeded.

mod fleet;
mod timed_link;
mod xadd_ceiling;

use std::time::{Duration, Instant};

use homeamp_testkit::{MariaDb, Redis};

fn main() -> anyhow::Result<()> {
    // `cargo test --all-targets` runs bench targets without `--bench`: measure only then.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "jobs_redis_mariadb: a benchmark; run it with `cargo bench --bench jobs_redis_mariadb`"
        );
        return Ok(());
    }
    let n = env_usize("JOBS_BENCH_N", 10_000);
    let servers = env_usize("JOBS_BENCH_SERVERS", 4);
    let redis = Redis::start()?;
    let mariadb = MariaDb::start()?;
    let db_url = mariadb.fresh_database()?;
    println!(
        "{n} rescan jobs over {servers} servers; redis 127.0.0.1:{}, mariadb 127.0.0.1:{}; load average {}",
        redis.port(),
        mariadb.port(),
        load_average()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let fleet = fleet::Fleet::start(redis.port(), &db_url, servers).await?;
        let started = Instant::now();
        fleet.write_jobs(n).await?;
        report(
            "write jobs to the outbox (insert_job)",
            n,
            started.elapsed(),
        );

        let stages = fleet.stage_costs(1_000)?;
        println!("  sign + JSON of one job: {:.1} µs", stages.sign_us);
        println!(
            "  agent apply of one rescan (verify, record): {:.1} µs",
            stages.apply_us
        );

        let agents = fleet.start_agents()?;
        let started = Instant::now();
        let published = fleet.host.publish_outbox().await?;
        let publish_took = started.elapsed();
        fleet.link.wait_for(n, Duration::from_secs(600)).await?;
        let took = started.elapsed();
        report(
            "publish_outbox (sign, XADD, mark published)",
            published,
            publish_took,
        );
        report("end to end: published → result stored", n, took);
        fleet.link.print_breakdown(n);
        let succeeded = fleet.succeeded().await?;
        println!("  the store has {succeeded} succeeded jobs of {n}");
        agents.stop().await;
        println!("  load average after the run: {}", load_average());
        anyhow::Ok(())
    })?;
    xadd_ceiling::redis_benchmark(redis.port(), n.max(20_000));
    Ok(())
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn report(what: &str, n: usize, took: Duration) {
    println!(
        "  {what:<50} {:>8.0} jobs/s  ({n} in {:.2} s)",
        n as f64 / took.as_secs_f64(),
        took.as_secs_f64()
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
