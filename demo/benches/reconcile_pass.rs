//! One full reconcile pass (every instance's settings diffed against its live files and
//! its deployment matrix against its live plugin JARs): over the real ArchiveSMP fleet of
//! the demo, and over a synthetic fleet of 1,000 instances × 100 plugins × 50 settings.
//!
//! Live files are parsed once up front, as the host's content-addressed cache holds them;
//! what is measured is the per-pass work the reconcile loop repeats. Peak memory (VmHWM)
//! is printed after the synthetic fleet is built and reconciled.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use homeamp_configfiles::to_yaml;
use homeamp_demo::instances::game_root;
use homeamp_demo::nest::nest;
use homeamp_desired::DesiredState;
use homeamp_reconciler::artifacts::ArtifactStore;
use homeamp_reconciler::host::artifact_urls::StoreLookup;
use homeamp_reconciler::host::diff::live_path;
use homeamp_reconciler::host::plugin_diff::{ArtifactLookup, diff_plugins};
use homeamp_reconciler::host::{InstanceAt, LiveDoc, Secrets, diff_instance};
use homeamp_reconciler::store::PluginSeen;
use homeamp_schemas::desired::Platform;
use jiff::Timestamp;

/// An artifact lookup the pass's threads can share.
trait ArtifactLookupSync: ArtifactLookup + Sync {}
impl<T: ArtifactLookup + Sync> ArtifactLookupSync for T {}

/// Per instance: its name, live config files and live plugin JARs.
type Fleet = Vec<(String, HashMap<String, LiveDoc>, Vec<PluginSeen>)>;

/// A JAR as the store lists it after a report.
fn seen(name: &str, version: Option<String>, file: String) -> PluginSeen {
    PluginSeen {
        name: name.to_string(),
        version,
        sha256: String::new(),
        jar_path: file,
        first_seen: Timestamp::UNIX_EPOCH,
        last_seen: Timestamp::UNIX_EPOCH,
        present: true,
    }
}

/// The JARs in an instance's `plugins/`, read as the agent reads them.
fn jars_on_disk(plugins: &Path, platform: Platform) -> Vec<PluginSeen> {
    let Ok(entries) = std::fs::read_dir(plugins) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let file = path.file_name()?.to_str()?.to_string();
            let info = homeamp_jar::read_descriptor(&path, Some(platform))?;
            Some(seen(
                &info.name,
                info.version,
                format!("{}/{file}", platform.plugin_dir()),
            ))
        })
        .collect()
}

/// Reads every instance's live files as the host would have them.
fn live_of_demo(state: &DesiredState, root: &Path) -> Fleet {
    state
        .instances()
        .map(|instance| {
            let rendered = state.render(&instance.name).unwrap();
            let mut live = HashMap::new();
            for plugin in rendered.plugins.values() {
                for (file, spec) in &plugin.files {
                    let path = live_path(instance.platform, &plugin.folder, file);
                    let on_disk = game_root(root, &instance.server, &instance.name).join(&path);
                    if let Ok(text) = std::fs::read_to_string(&on_disk) {
                        live.insert(path, LiveDoc::parse(String::new(), spec.format, &text));
                    }
                }
            }
            let plugins = game_root(root, &instance.server, &instance.name)
                .join(instance.platform.plugin_dir());
            let jars = jars_on_disk(&plugins, instance.platform);
            (instance.name.clone(), live, jars)
        })
        .collect()
}

/// One reconcile pass: every instance diffed against its live files, on as many threads
/// as the machine has cores (the runtime reconciles instances concurrently). The desired
/// settings are read in place from the loaded revision, as the host does.
fn pass(
    state: &DesiredState,
    fleet: &Fleet,
    secrets: &Secrets,
    artifacts: &dyn ArtifactLookupSync,
) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = fleet.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = fleet
            .chunks(chunk)
            .map(|lives| {
                scope.spawn(move || {
                    lives
                        .iter()
                        .map(|(name, live, jars)| {
                            let at = InstanceAt::new(state, name).unwrap();
                            // The steady state: the instance is synced to the active revision.
                            diff_instance(at, Some(at), live, secrets).drift.len()
                                + diff_plugins(at, Some(at), jars, artifacts, true)
                                    .drift
                                    .len()
                        })
                        .sum::<usize>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    })
}

fn real_fleet(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let demo = homeamp_demo::build(dir.path()).unwrap();
    let state = DesiredState::load(&demo.repo, Some("HEAD"))
        .unwrap()
        .into_valid()
        .unwrap();
    let secrets = homeamp_reconciler::host::secrets::load(&demo.secrets_file).unwrap();
    let fleet = live_of_demo(&state, &dir.path().join("instances"));
    let store = ArtifactStore::open(&demo.artifacts).unwrap();
    let artifacts = StoreLookup {
        store: &store,
        base_url: None,
    };
    let settings: usize = fleet
        .iter()
        .map(|(name, _, _)| {
            let rendered = state.render(name).unwrap();
            rendered
                .plugins
                .values()
                .flat_map(|p| p.files.values())
                .map(|f| f.settings.len())
                .sum::<usize>()
        })
        .sum();
    println!(
        "real fleet: {} instances, {} live files, {settings} settings and {} plugin JARs compared, {} drift records per pass (the demo's hand edits and JAR drifts)",
        fleet.len(),
        fleet.iter().map(|(_, l, _)| l.len()).sum::<usize>(),
        fleet.iter().map(|(_, _, j)| j.len()).sum::<usize>(),
        pass(&state, &fleet, &secrets, &artifacts)
    );
    c.bench_function("reconcile pass, real ArchiveSMP fleet", |b| {
        b.iter(|| black_box(pass(&state, &fleet, &secrets, &artifacts)))
    });
}

const INSTANCES: usize = 1000;
const PLUGINS: usize = 100;
const SETTINGS: usize = 50;

/// Writes the synthetic desired-state repository: every plugin on every instance,
/// 45 universal settings and 5 per-instance ones per plugin.
fn synthetic_repo(dir: &Path) {
    use std::fmt::Write as _;
    let mut fleet =
        String::from("servers:\n  s1: { role: host }\n  s2: { role: client }\ninstances:\n");
    for i in 0..INSTANCES {
        let server = if i % 2 == 0 { "s1" } else { "s2" };
        writeln!(fleet, "  I{i:04}: {{ server: {server}, platform: paper }}").unwrap();
    }
    fleet.push_str("policy:\n  default: { sync: auto }\n");
    std::fs::write(dir.join("homeamp.yaml"), fleet).unwrap();
    let mut matrix = String::from("plugin_name,plugin_type,auto_update,update_source");
    for i in 0..INSTANCES {
        write!(matrix, ",server_I{i:04}").unwrap();
    }
    matrix.push('\n');
    std::fs::create_dir_all(dir.join("plugins/paper")).unwrap();
    for p in 0..PLUGINS {
        write!(matrix, "P{p:03},bukkit/paper,False,manual").unwrap();
        for _ in 0..INSTANCES {
            matrix.push_str(",True");
        }
        matrix.push('\n');
        let mut plugin = String::from("universal:\n  config.yml:\n");
        for s in 0..SETTINGS - 5 {
            writeln!(plugin, "    section{}.key{s}: {}", s % 5, s * 7 + p).unwrap();
        }
        plugin.push_str("variable:\n  config.yml:\n");
        for s in 0..5 {
            write!(plugin, "    per-instance.key{s}: {{").unwrap();
            for i in (0..INSTANCES).step_by(10) {
                write!(plugin, " I{i:04}: v{i}-{s},").unwrap();
            }
            plugin.push_str(" \"server:s2\": other }\n");
        }
        std::fs::write(dir.join(format!("plugins/paper/P{p:03}.yaml")), plugin).unwrap();
    }
    std::fs::write(dir.join("deployment_matrix.csv"), matrix).unwrap();
}

/// Live files exactly as desired, shared by content as the host's cache shares them.
fn synthetic_live(state: &DesiredState) -> Fleet {
    let mut by_text: HashMap<String, LiveDoc> = HashMap::new();
    state
        .instances()
        .map(|instance| {
            let rendered = state.render(&instance.name).unwrap();
            let mut live = HashMap::new();
            for plugin in rendered.plugins.values() {
                for (file, spec) in &plugin.files {
                    let text = to_yaml(&nest(
                        spec.settings.iter().map(|(k, s)| (k, s.value.clone())),
                    ));
                    let doc = by_text
                        .entry(text.clone())
                        .or_insert_with(|| LiveDoc::parse(String::new(), spec.format, &text))
                        .clone();
                    live.insert(live_path(instance.platform, &plugin.folder, file), doc);
                }
            }
            let jars = state
                .deployed(instance)
                .map(|(name, _, _)| seen(name, Some("1.0".into()), format!("plugins/{name}.jar")))
                .collect();
            (instance.name.clone(), live, jars)
        })
        .collect()
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn synthetic_fleet(c: &mut Criterion) {
    // Building a 1,000-instance fleet is a measurement's job, not a smoke test's:
    // under `cargo test` (no `--bench`) only the real-fleet pass runs, once.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    synthetic_repo(dir.path());
    let state = DesiredState::load(dir.path(), None)
        .unwrap()
        .into_valid()
        .unwrap_or_else(|e| panic!("synthetic fleet invalid: {:?}", e.diagnostics.first()));
    let fleet = synthetic_live(&state);
    let secrets = Secrets::empty();
    let store_dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(store_dir.path()).unwrap();
    let artifacts = StoreLookup {
        store: &store,
        base_url: None,
    };
    let drift = pass(&state, &fleet, &secrets, &artifacts);
    assert_eq!(
        drift, 0,
        "the synthetic live files and JARs are exactly as desired"
    );
    println!(
        "synthetic fleet: {INSTANCES} instances x {PLUGINS} plugins x {SETTINGS} settings; peak RSS after one pass: {:.0} MiB",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let mut group = c.benchmark_group("synthetic");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("reconcile pass, 1000 x 100 x 50", |b| {
        b.iter(|| black_box(pass(&state, &fleet, &secrets, &artifacts)))
    });
    group.finish();
    println!(
        "peak RSS after the benchmark: {:.0} MiB",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}

criterion_group!(benches, real_fleet, synthetic_fleet);
criterion_main!(benches);
