//! Latencies of `homeamp up --demo` on the real ArchiveSMP fleet, release build:
//!
//! - commit to converged, for a change of a universal setting of the plugin deployed on
//!   the most paper instances, found by the `--poll 500ms` poll;
//! - the same through the webhook (`POST /api/hooks/git` right after the commit);
//! - a hand edit of a live file detected and reverted;
//! - a deleted plugin JAR detected and installed again from the artifact store.
//!
//! Prints p50 / p90 / max of each over several rounds. Run with `cargo bench --bench converge`.

#[path = "../tests/it/host_process.rs"]
mod host_process;
#[path = "../tests/it/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use homeamp_configfiles::{Document, Format};
use homeamp_desired::DesiredState;
use homeamp_schemas::desired::Platform;
use homeamp_schemas::{KeyPath, Value};

use host_process::{Up, all_synced};

const ROUNDS: usize = 7;

/// The plugin on the most paper instances, and one of its universal int/bool settings.
fn pick_setting(repo: &Path) -> (String, String, String, usize) {
    let state = DesiredState::load(repo, Some("HEAD"))
        .unwrap()
        .into_valid()
        .unwrap();
    let mut best = None;
    for plugin in state.plugins().filter(|p| p.platform == Platform::Paper) {
        let on = state
            .instances()
            .filter(|i| i.platform == Platform::Paper)
            .filter(|i| {
                state
                    .render(&i.name)
                    .map(|r| r.plugins.contains_key(&plugin.name))
                    .unwrap_or(false)
            })
            .count();
        let setting = plugin.files.values().find_map(|f| {
            f.universal.iter().find_map(|(k, s)| match s.value {
                Value::Bool(_) | Value::Int(_) => Some((f.path.clone(), k.to_string())),
                _ => None,
            })
        });
        if let Some((file, key)) = setting
            && best.as_ref().is_none_or(|(_, _, _, n)| on > *n)
        {
            best = Some((plugin.source_file.clone(), file, key, on));
        }
    }
    best.expect("a paper plugin with a universal int or bool setting")
}

/// Flips the setting in the plugin file and commits; returns the new head.
fn commit_flip(repo: &Path, plugin_file: &str, file: &str, key: &str) -> String {
    let path = repo.join(plugin_file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc = Document::parse(Format::Yaml, &text).unwrap();
    let at = KeyPath::root().key("universal").key(file).key(key);
    let next = match doc.get(&at).unwrap() {
        Value::Bool(b) => Value::Bool(!b),
        Value::Int(n) => Value::Int(n + 1),
        other => panic!("unexpected {other:?}"),
    };
    doc.set(&at, &next).unwrap();
    std::fs::write(&path, doc.to_string()).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(repo)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&[
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@homeamp.invalid",
        "commit",
        "-qam",
        "bench: flip a universal setting",
    ]);
    git(&["rev-parse", "HEAD"])
}

fn converged_on(up: &Up, head: &str) -> bool {
    let (code, status) = host_process::request(&up.address, "GET", "/api/status", None, None);
    code == 200
        && all_synced(&status)
        && status["revision"] == head
        && status["instances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["revision"] == head)
}

fn wait(mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "did not converge"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms over {} rounds",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
        ms(*samples.last().unwrap()),
        samples.len()
    );
}

fn main() {
    // `cargo test --all-targets` runs bench targets without `--bench`: this one is a
    // measurement of a release build, so it only runs under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("converge: a benchmark; run it with `cargo bench --bench converge`");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let up = Up::start(&["--demo", demo.to_str().unwrap(), "--poll", "500ms"]);
    let first = Instant::now();
    up.wait_status(Duration::from_secs(300), all_synced);
    println!(
        "demo fleet converged {:.1} s after the API came up",
        first.elapsed().as_secs_f64()
    );
    let repo = demo.join("fleet");
    let (plugin_file, file, key, instances) = pick_setting(&repo);
    println!("changing {plugin_file} universal {file} {key}: on {instances} paper instances");

    let mut polled = Vec::new();
    for _ in 0..ROUNDS {
        let head = commit_flip(&repo, &plugin_file, &file, &key);
        polled.push(wait(|| converged_on(&up, &head)));
    }
    report("commit to converged (poll 500ms)", polled);

    let mut hooked = Vec::new();
    for _ in 0..ROUNDS {
        let head = commit_flip(&repo, &plugin_file, &file, &key);
        let start = Instant::now();
        let (code, _) = up.post("/api/hooks/git", None);
        assert!(code < 300, "webhook answered {code}");
        wait(|| converged_on(&up, &head));
        hooked.push(start.elapsed());
    }
    report("commit to converged (webhook)", hooked);

    // A hand edit: the first instance's file of that setting.
    let state = DesiredState::load(&repo, Some("HEAD"))
        .unwrap()
        .into_valid()
        .unwrap();
    let instance = state
        .instances()
        .find(|i| {
            state.render(&i.name).is_ok_and(|r| {
                r.plugins.values().any(|p| {
                    p.files.contains_key(&file)
                        && plugin_file.ends_with(&format!("/{}.yaml", p.name))
                })
            })
        })
        .unwrap();
    let rendered = state.render(&instance.name).unwrap();
    let plugin = rendered
        .plugins
        .values()
        .find(|p| plugin_file.ends_with(&format!("/{}.yaml", p.name)))
        .unwrap();
    let live = demo
        .join("instances")
        .join(&instance.server)
        .join(&instance.name)
        .join("Minecraft/plugins")
        .join(&plugin.folder)
        .join(&file);
    let mut reverted = Vec::new();
    for _ in 0..ROUNDS {
        let good = std::fs::read_to_string(&live).unwrap();
        let mut doc = Document::parse(Format::Yaml, &good).unwrap();
        let at = KeyPath::parse(&key).unwrap();
        let edited = match doc.get(&at).unwrap() {
            Value::Bool(b) => Value::Bool(!b),
            Value::Int(n) => Value::Int(n + 1000),
            other => panic!("unexpected {other:?}"),
        };
        doc.set(&at, &edited).unwrap();
        std::fs::write(&live, doc.to_string()).unwrap();
        reverted.push(wait(|| {
            std::fs::read_to_string(&live).is_ok_and(|t| t == good)
        }));
        std::thread::sleep(Duration::from_millis(300));
    }
    report("hand edit detected and reverted", reverted);

    // A deleted JAR of the same plugin on the same instance.
    let jar = live
        .ancestors()
        .find(|p| p.ends_with("plugins"))
        .unwrap()
        .join(homeamp_jar::jar_file_name(
            &state
                .plugin(instance.platform, &plugin.name)
                .unwrap()
                .display_name,
            homeamp_demo::jars::DEMO_VERSION,
        ));
    let bytes = std::fs::read(&jar).unwrap();
    let mut reinstalled = Vec::new();
    for _ in 0..ROUNDS {
        std::fs::remove_file(&jar).unwrap();
        reinstalled.push(wait(|| std::fs::read(&jar).is_ok_and(|b| b == bytes)));
        std::thread::sleep(Duration::from_millis(300));
    }
    report("deleted plugin JAR detected and reinstalled", reinstalled);
}
