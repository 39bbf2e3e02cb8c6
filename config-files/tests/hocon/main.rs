//! HOCON acceptance tests, one binary: the corpus files (copied into `tests/fixtures/hocon/`)
//! round-trip and take edits that stay on their lines (`corpus.rs`), their flattened values
//! agree with the independent `hocon` crate (`independent.rs`), every syntax feature and
//! error (`syntax.rs`, `edits.rs`), and no input makes the reader panic (`no_panic.rs`).

mod corpus;
mod edits;
mod independent;
mod no_panic;
mod syntax;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use homeamp_configfiles::{Document, Format, KeyPath, Value};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hocon")
}

/// Every HOCON fixture: (file name, text).
fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures folder")
        .map(|e| e.expect("fixture entry").path())
        .filter(|p| Format::from_path(p) == Some(Format::Hocon))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("fixture text"))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "HOCON fixtures missing: {out:?}");
    out
}

fn parse(text: &str) -> Document {
    Document::parse(Format::Hocon, text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn path(p: &str) -> KeyPath {
    KeyPath::parse(p).unwrap()
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

/// Key path (as text) → leaf value.
fn flat_map(doc: &Document) -> BTreeMap<String, Value> {
    doc.flatten()
        .into_iter()
        .map(|(p, v)| (p.to_string(), v))
        .collect()
}

/// `text` after `set(p, value)`, which must succeed.
fn set(text: &str, p: &str, value: Value) -> String {
    let mut doc = parse(text);
    doc.set(&path(p), &value)
        .unwrap_or_else(|e| panic!("set {p}: {e}\n{text}"));
    assert_eq!(doc.get(&path(p)), Some(value), "{}", doc.to_string());
    doc.to_string()
}

/// The 0-based indexes of the lines that differ, for two texts with as many lines.
fn differing_lines(old: &str, new: &str) -> Vec<usize> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.split('\n').collect(), new.split('\n').collect());
    assert_eq!(a.len(), b.len(), "line count changed:\n{old}\n---\n{new}");
    (0..a.len()).filter(|&i| a[i] != b[i]).collect()
}

/// The lines `new` has that `old` lacks, when `new` is `old` with lines inserted (the test
/// fails otherwise): their 0-based indexes in `new`.
fn inserted_lines(old: &str, new: &str) -> Vec<usize> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.split('\n').collect(), new.split('\n').collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(a.len() - prefix)
        .take_while(|(x, y)| x == y)
        .count();
    assert_eq!(
        prefix + suffix,
        a.len(),
        "existing lines changed:\n{old}\n---\n{new}"
    );
    (prefix..b.len() - suffix).collect()
}
