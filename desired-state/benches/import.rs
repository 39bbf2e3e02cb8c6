//! The import of the real ArchiveSMP fleet (`examples/archivesmp/source`): reading and
//! converting in memory, and the whole import into a new git repository.
//!
//! Run: `cargo bench -p homeamp-desired --bench import` (figures in BENCHMARKS.md).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use homeamp_desired::import::{ConvertOptions, ImportOptions, convert, import};

fn options() -> ConvertOptions {
    ConvertOptions {
        from: Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/archivesmp/source"),
        ..ConvertOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("convert (read, map, report; no writes)", |b| {
        b.iter(|| black_box(convert(&options()).expect("converts")))
    });
    group.bench_function("import into a new repository (one commit)", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                let outcome = import(&ImportOptions {
                    convert: options(),
                    out: dir.path().join("fleet"),
                    ..ImportOptions::default()
                })
                .expect("imports");
                black_box(outcome.commit);
            },
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
