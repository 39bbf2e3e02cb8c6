//! The store's per-instance work on both backends: what one agent report and one reconcile
//! cost in database time. Also the test harness's start-up costs (a MariaDB server, a fresh
//! database with migrations), which bound how fast the store tests can be.
//!
//! `cargo bench -p homeamp-reconciler --bench store`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use homeamp_reconciler::store::{
    DriftObservation, DriftType, JobStatus, NewInstance, NewJob, NewServer, Severity, Store,
};
use homeamp_schemas::desired::{Platform, ServerRole};
use homeamp_schemas::job::{JobCause, JobIntent, JobSpec};
use homeamp_schemas::report::LiveFile;
use homeamp_testkit::MariaDb;
use jiff::Timestamp;
use tokio::runtime::Runtime;

const FILES: usize = 300;
const DRIFTS: usize = 50;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

async fn seeded(url: &str) -> Store {
    let store = Store::connect(url).await.expect("connect");
    store
        .upsert_server(&NewServer {
            name: "ovh".into(),
            role: ServerRole::Client,
            gaming_role: None,
            ip_address: None,
            amp_url: None,
        })
        .await
        .expect("server");
    store
        .upsert_instance(&NewInstance {
            name: "SMP201".into(),
            server: "ovh".into(),
            platform: Platform::Paper,
            amp_instance_id: None,
        })
        .await
        .expect("instance");
    store
}

fn manifest(changed: u64) -> Vec<LiveFile> {
    (0..FILES as u64)
        .map(|i| LiveFile {
            path: format!("plugins/Plugin{i:03}/config.yml"),
            sha256: format!("{:064x}", if i == 0 { changed } else { i + 1_000 }),
            size: 1_000,
            mtime: Timestamp::UNIX_EPOCH,
        })
        .collect()
}

fn drift() -> Vec<DriftObservation> {
    (0..DRIFTS)
        .map(|i| DriftObservation {
            plugin: Some("CoreProtect".into()),
            config_file: Some("config.yml".into()),
            key_path: Some(format!("section.key{i}")),
            drift_type: DriftType::Setting,
            severity: Severity::Warning,
            cause: JobIntent::Corrective,
            desired_value: Some("true".into()),
            live_value: Some("false".into()),
        })
        .collect()
}

fn job(n: u64) -> NewJob {
    NewJob {
        server: "ovh".into(),
        instance: Some("SMP201".into()),
        plugin_name: Some("CoreProtect".into()),
        plugin_version: None,
        spec: JobSpec::Rescan,
        effect_key: format!("SMP201:effect{n}"),
        revision: Some("abc".into()),
        cause: JobCause::Commit,
        intent: JobIntent::Intentional,
        expires_at: None,
        needs_approval: false,
    }
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, name: &str, url: &str) {
    let store = rt.block_on(seeded(url));
    let mut group = c.benchmark_group(format!("store/{name}"));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));

    rt.block_on(store.replace_manifest("SMP201", &manifest(0), Timestamp::now()))
        .expect("first manifest");
    group.bench_function("report of 300 files, unchanged", |b| {
        let files = manifest(0);
        b.iter(|| {
            rt.block_on(store.replace_manifest("SMP201", &files, Timestamp::now()))
                .expect("manifest")
        });
    });
    let flip = AtomicU64::new(0);
    group.bench_function("report of 300 files, one changed", |b| {
        b.iter(|| {
            let files = manifest(flip.fetch_add(1, Ordering::Relaxed) % 2);
            rt.block_on(store.replace_manifest("SMP201", &files, Timestamp::now()))
                .expect("manifest")
        });
    });
    let shas: Vec<String> = manifest(0).into_iter().map(|f| f.sha256).collect();
    group.bench_function("missing blobs of 300", |b| {
        b.iter(|| rt.block_on(store.missing_blobs(&shas)).expect("missing"));
    });
    let observations = drift();
    group.bench_function("sync of 50 open drift records, unchanged", |b| {
        b.iter(|| {
            rt.block_on(store.sync_drift("SMP201", &observations, Timestamp::now()))
                .expect("drift")
        });
    });
    let next = AtomicU64::new(0);
    group.bench_function("job: insert, publish, run, succeed", |b| {
        b.iter(|| {
            rt.block_on(async {
                let now = Timestamp::now();
                let job = store
                    .insert_job(&job(next.fetch_add(1, Ordering::Relaxed)), now)
                    .await?
                    .into_job();
                store.mark_published(&job.uuid, now).await?;
                store
                    .transition_job(&job.uuid, JobStatus::Running, None, now)
                    .await?;
                store
                    .transition_job(&job.uuid, JobStatus::Succeeded, None, now)
                    .await
            })
            .expect("job")
        });
    });
    group.finish();
}

fn store(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite:{}", dir.path().join("bench.db").display());
    bench_backend(c, &rt, "sqlite", &sqlite);

    let shared = MariaDb::shared().expect("MariaDB (run scripts/ensure-test-deps.sh)");
    let url = shared.fresh_database().expect("database");
    bench_backend(c, &rt, "mariadb", &url);

    let mut group = c.benchmark_group("testkit");
    group.sample_size(10);
    group.bench_function("fresh MariaDB database + migrations", |b| {
        b.iter(|| {
            let url = shared.fresh_database().expect("database");
            rt.block_on(Store::connect(&url)).expect("connect")
        });
    });
    group.bench_function("MariaDB server start (from the template)", |b| {
        b.iter(|| MariaDb::start().expect("start"));
    });
    group.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);
