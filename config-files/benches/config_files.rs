//! Flatten throughput over the whole corpus, one `set` on EssentialsX's `config.yml`, and
//! HOCON parse + flatten and one `set` on CarbonChat's `config.conf` (the test fixture).
//! Figures are recorded in BENCHMARKS.md ("config-files").

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homeamp_configfiles::{Document, Format, KeyPath, Value};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// Every corpus file that parses, with its format.
fn corpus() -> Vec<(Format, String)> {
    let mut out = Vec::new();
    let mut stack = vec![corpus_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(format) = Format::from_path(&path) {
                let text = std::fs::read_to_string(&path).expect("corpus file");
                if Document::parse(format, &text).is_ok() {
                    out.push((format, text));
                }
            }
        }
    }
    out
}

fn flatten_corpus(c: &mut Criterion) {
    let files = corpus();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse_and_flatten", |b| {
        b.iter(|| {
            for (format, text) in &files {
                let doc = Document::parse(*format, black_box(text)).expect("parses");
                black_box(doc.flatten());
            }
        })
    });
    group.finish();
}

fn set_one_value(c: &mut Criterion) {
    let text = std::fs::read_to_string(corpus_dir().join("essentialsx/config.yml"))
        .expect("essentialsx config");
    let doc = Document::parse(Format::Yaml, &text).expect("parses");
    let path = KeyPath::parse("chat.format").expect("path");
    let value = Value::String("&7[{GROUP}]&r {DISPLAYNAME}&7:&r {MESSAGE}".into());
    c.bench_function("essentialsx_config_set", |b| {
        b.iter_batched(
            || Document::parse(Format::Yaml, &text).expect("parses"),
            |mut d| {
                d.set(black_box(&path), black_box(&value)).expect("set");
                d
            },
            criterion::BatchSize::SmallInput,
        )
    });
    drop(doc);
}

fn hocon(c: &mut Criterion) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hocon/config.conf");
    let text = std::fs::read_to_string(fixture).expect("carbonchat config.conf");
    let mut group = c.benchmark_group("hocon");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("carbonchat_config_parse_and_flatten", |b| {
        b.iter(|| {
            let doc = Document::parse(Format::Hocon, black_box(&text)).expect("parses");
            black_box(doc.flatten())
        })
    });
    group.finish();
    let path = KeyPath::parse("clear-chat-settings.iterations").expect("path");
    c.bench_function("hocon/carbonchat_config_set", |b| {
        b.iter_batched(
            || Document::parse(Format::Hocon, &text).expect("parses"),
            |mut d| {
                d.set(black_box(&path), black_box(&Value::Int(60)))
                    .expect("set");
                d
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, flatten_corpus, set_one_value, hocon);
criterion_main!(benches);
