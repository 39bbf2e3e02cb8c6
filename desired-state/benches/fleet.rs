//! Load + validate and plan over the real ArchiveSMP fleet, imported into a
//! temporary git repository (`homeamp_desired::import` of `examples/archivesmp/source`).
//! Base = the import commit; head = a commit changing settings in several plugins
//! and pinning a plugin version in the matrix.
//!
//! Run: `cargo bench -p homeamp-desired --bench fleet` (figures in BENCHMARKS.md).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use homeamp_desired::DesiredState;
use homeamp_desired::import::{ConvertOptions, ImportOptions, import};
use homeamp_desired::plan::{plan, plan_revisions};

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(repo)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@homeamp.invalid",
        ])
        .args(args)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

/// Imports the real fleet and adds a second commit; returns the repository.
fn fleet_repo(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/archivesmp/source");
    let out = dir.join("fleet");
    import(&ImportOptions {
        convert: ConvertOptions {
            from: source,
            aliases_file: None,
            aliases: Vec::new(),
            host_server: None,
        },
        out: out.clone(),
        secrets_file: Some(dir.join("secrets.env")),
        report_file: Some(dir.join("report.json")),
    })
    .expect("import of the real fleet");
    // The head revision: flip booleans in a few plugins, pin one version.
    for plugin in [
        "CMI",
        "BentoBox",
        "QuickShop-Hikari",
        "CoreProtect",
        "LuckPerms",
    ] {
        let path = out.join(format!("plugins/paper/{plugin}.yaml"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            std::fs::write(&path, text.replacen(": true", ": false", 20)).unwrap();
        }
    }
    // Pin the first deployed cell of three matrix rows (rows without quoted fields).
    let matrix = out.join("deployment_matrix.csv");
    let text = std::fs::read_to_string(&matrix).unwrap();
    let mut pinned = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            if pinned < 3
                && !line.contains('"')
                && let Some(cell) = fields.iter_mut().skip(4).find(|f| **f == "True")
            {
                *cell = "5.0.1";
                pinned += 1;
            }
            fields.join(",")
        })
        .collect();
    std::fs::write(&matrix, lines.join("\n") + "\n").unwrap();
    git(&out, &["commit", "-q", "-am", "bench head"]);
    out
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let repo = fleet_repo(dir.path());
    let outcome = DesiredState::load(&repo, Some("HEAD~1")).unwrap();
    let settings: usize = outcome
        .partial()
        .plugins()
        .flat_map(|p| p.files.values())
        .map(|f| f.universal.len() + f.variable.values().map(Vec::len).sum::<usize>())
        .sum();
    eprintln!(
        "fleet: {} instances, {} plugins, {settings} settings, {} findings",
        outcome.partial().instances().count(),
        outcome.partial().plugins().count(),
        outcome.diagnostics().len()
    );
    let base = outcome.partial().clone();
    let head = DesiredState::load(&repo, Some("HEAD"))
        .unwrap()
        .partial()
        .clone();
    let p = plan(&base, &head);
    eprintln!("plan: {}", homeamp_desired::plan::summary_line(&p.summary));

    let mut group = c.benchmark_group("fleet");
    group.sample_size(20);
    group.bench_function("load_validate_commit", |b| {
        b.iter(|| black_box(DesiredState::load(&repo, Some("HEAD")).unwrap()))
    });
    group.bench_function("load_validate_working_tree", |b| {
        b.iter(|| black_box(DesiredState::load(&repo, None).unwrap()))
    });
    group.bench_function("plan_diff_only", |b| {
        b.iter(|| black_box(plan(&base, &head)))
    });
    // `homeamp plan`: load and validate both revisions, then diff.
    group.bench_function("plan_load_both_and_diff", |b| {
        b.iter(|| {
            let base = DesiredState::load(&repo, Some("HEAD~1")).unwrap();
            let head = DesiredState::load(&repo, Some("HEAD")).unwrap();
            black_box(plan(base.partial(), head.partial()))
        })
    });
    if plan_revisions(&repo, "HEAD~1", "HEAD").is_ok() {
        group.bench_function("plan_revisions", |b| {
            b.iter(|| black_box(plan_revisions(&repo, "HEAD~1", "HEAD").unwrap()))
        });
    } else {
        eprintln!(
            "the imported fleet has validation errors: plan_revisions refuses it, not benched"
        );
    }
    group.finish();
}

criterion_group!(fleet, benches);
criterion_main!(fleet);
