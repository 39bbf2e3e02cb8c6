//! The HOCON files of the corpus: byte-identical round trips, five scalar edits per file
//! that each change only their own line, an added and a removed key that leave every other
//! line and value alone.

use std::path::Path;

use homeamp_configfiles::{KeyPath, Segment, Value};

use super::{differing_lines, fixtures, fixtures_dir, flat_map, inserted_lines, parse};

#[test]
fn every_hocon_fixture_round_trips_byte_identical() {
    for (name, text) in fixtures() {
        let doc = parse(&text);
        assert!(
            doc.to_string() == text,
            "{name}: round trip changed the text"
        );
        assert!(!doc.flatten().is_empty(), "{name}: nothing read");
    }
}

/// The fixtures are the corpus's HOCON files, unchanged (checked where `../shared/corpus`
/// sits beside the repository, as on developers' machines and CI).
#[test]
fn fixtures_are_the_shared_corpus_hocon_files() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !corpus.is_dir() {
        return;
    }
    let mut stack = vec![corpus];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("conf" | "hocon")
            ) {
                let copy = fixtures_dir().join(p.file_name().unwrap());
                assert_eq!(
                    std::fs::read(&copy).ok(),
                    std::fs::read(&p).ok(),
                    "{} has no identical copy in tests/fixtures/hocon/",
                    p.display()
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 3, "only {seen} HOCON files in the corpus");
}

fn changed(value: &Value) -> Value {
    match value {
        Value::Bool(b) => Value::Bool(!b),
        Value::Int(i) => Value::Int(i.wrapping_add(7)),
        Value::Float(f) => Value::Float(f + 0.5),
        Value::String(s) => Value::String(format!("{s} (edited) \"q\"")),
        _ => Value::String("was null".into()),
    }
}

/// Up to five scalar leaves on one line each, varied: in a list, the deepest, a quoted
/// key, the first, the last, then any.
fn five_leaves(doc: &homeamp_configfiles::Document) -> Vec<KeyPath> {
    let leaves: Vec<KeyPath> = doc
        .flatten()
        .into_iter()
        .filter(|(p, v)| v.is_scalar() && doc.lines_of(p).is_some_and(|(a, b)| a == b))
        .map(|(p, _)| p)
        .collect();
    let mut picks: Vec<KeyPath> = Vec::new();
    let in_list = |p: &&KeyPath| p.segments().iter().any(|s| matches!(s, Segment::Index(_)));
    let candidates = [
        leaves.iter().find(in_list),
        leaves.iter().max_by_key(|p| p.len()),
        leaves.iter().find(|p| p.to_string().contains('"')),
        leaves.first(),
        leaves.last(),
    ];
    for p in candidates.into_iter().flatten().chain(&leaves) {
        if picks.len() < 5 && !picks.contains(p) {
            picks.push(p.clone());
        }
    }
    picks
}

#[test]
fn five_scalar_edits_per_file_each_change_only_their_own_line() {
    for (name, text) in fixtures() {
        let mut doc = parse(&text);
        let picks = five_leaves(&doc);
        assert_eq!(picks.len(), 5, "{name}: fewer than five scalar leaves");
        for p in picks {
            let before = flat_map(&doc);
            let old_text = doc.to_string();
            let (line, _) = doc.lines_of(&p).unwrap();
            let new_value = changed(&doc.get(&p).unwrap());
            doc.set(&p, &new_value)
                .unwrap_or_else(|e| panic!("{name}: set {p}: {e}"));
            let new_text = doc.to_string();
            assert_eq!(
                differing_lines(&old_text, &new_text),
                vec![line - 1],
                "{name}: setting {p} (line {line}) changed other lines"
            );
            let reread = flat_map(&parse(&new_text));
            let mut expected = before;
            expected.insert(p.to_string(), new_value);
            assert_eq!(reread, expected, "{name}: setting {p}");
        }
    }
}

#[test]
fn adding_a_key_into_the_deepest_object_only_inserts_lines() {
    for (name, text) in fixtures() {
        let doc = parse(&text);
        // The parent of the deepest leaf whose parent is a non-empty map.
        let parent = doc
            .flatten()
            .into_iter()
            .filter_map(|(p, _)| p.parent())
            .filter(|p| matches!(doc.get(p), Some(Value::Map(m)) if !m.is_empty()))
            .max_by_key(|p| p.len())
            .unwrap();
        let before = flat_map(&doc);
        let mut doc = doc;
        let new = parent.key("homeamp-added");
        doc.set(&new, &Value::Int(3)).unwrap();
        let new_text = doc.to_string();
        let lines = inserted_lines(&text, &new_text);
        assert_eq!(lines.len(), 1, "{name}: {lines:?}");
        // Indented like the sibling just above it.
        let all: Vec<&str> = new_text.split('\n').collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        assert_eq!(
            indent(all[lines[0]]),
            indent(all[lines[0] - 1]),
            "{name}: {}",
            all[lines[0]]
        );
        let mut after = flat_map(&parse(&new_text));
        assert_eq!(after.remove(&new.to_string()), Some(Value::Int(3)));
        assert_eq!(after, before, "{name}");
    }
}

#[test]
fn removing_a_key_takes_only_its_own_lines() {
    for (name, text) in fixtures() {
        let doc = parse(&text);
        let p = doc
            .flatten()
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| matches!(p.last(), Some(Segment::Key(_))))
            .filter(
                |p| matches!(doc.get(&p.parent().unwrap()), Some(Value::Map(m)) if m.len() >= 2),
            )
            .nth(1)
            .unwrap();
        let (first, last) = doc.lines_of(&p).unwrap();
        let mut before = flat_map(&doc);
        let mut doc = doc;
        assert!(doc.remove(&p).unwrap());
        let new_text = doc.to_string();
        let removed = inserted_lines(&new_text, &text);
        assert_eq!(
            removed,
            (first - 1..last).collect::<Vec<_>>(),
            "{name}: removing {p}"
        );
        before.remove(&p.to_string());
        assert_eq!(flat_map(&parse(&new_text)), before, "{name}");
    }
}
