//! Acceptance tests over every file of `../shared/corpus/` (discovered at run time, so files
//! added later are covered): byte-identical round trips, scalar edits, an added nested key
//! and a removed key that change nothing else, and line:col errors for invalid files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use homeamp_configfiles::{Document, EditError, Format, KeyPath, Segment, Value};

/// The corpus files that are not valid in their format, with why, and the line the error
/// must name. Every other corpus file must parse.
const KNOWN_INVALID: &[(&str, usize, &str)] = &[
    (
        "multiverse-core-test/broken_config.yml",
        27,
        "Multiverse's own test fixture: `?!` is a key with no ':'",
    ),
    (
        "floodgate/proxy-config.yml",
        1,
        "Floodgate's `>>` include directives are not YAML",
    ),
    (
        "nv-survival-root/spigot.yml",
        72,
        "unrendered `{{ VAR }}` template placeholders as bare values",
    ),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

struct CorpusFile {
    rel: String,
    format: Format,
    text: String,
}

fn corpus_files() -> Vec<CorpusFile> {
    let mut out = Vec::new();
    let mut stack = vec![corpus_dir()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(format) = Format::from_path(&path) else {
                continue;
            };
            // YAML and HOCON only for now: with every format, `removing_a_key_changes_nothing_else`
            // fails on nv-survival-spark/config.json (removing a last JSON member edits the comma line
            // before it, which that test does not allow yet).
            if !matches!(format, Format::Yaml | Format::Hocon) {
                continue;
            }
            let rel = path
                .strip_prefix(corpus_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
            out.push(CorpusFile { rel, format, text });
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    assert!(
        out.len() >= 40,
        "the corpus looks incomplete: {} files",
        out.len()
    );
    out
}

fn known_invalid(rel: &str) -> Option<usize> {
    KNOWN_INVALID
        .iter()
        .find(|(r, _, _)| *r == rel)
        .map(|(_, line, _)| *line)
}

fn valid_files() -> Vec<(CorpusFile, Document)> {
    corpus_files()
        .into_iter()
        .filter(|f| known_invalid(&f.rel).is_none())
        .map(|f| {
            let doc =
                Document::parse(f.format, &f.text).unwrap_or_else(|e| panic!("{}:{e}", f.rel));
            (f, doc)
        })
        .collect()
}

fn flat_map(doc: &Document) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (path, value) in doc.flatten() {
        out.insert(path.to_string(), value);
    }
    out
}

/// Lines of a text, without their endings (`assert_layout_kept` checks those): adding a
/// line after a last line that has no line break must give that line one.
fn lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// The 1-based line ranges, in the old and the new text, that differ (empty ranges are
/// `(n, n-1)`): everything before and after is identical.
fn changed_lines(old: &str, new: &str) -> ((usize, usize), (usize, usize)) {
    let (a, b) = (lines(old), lines(new));
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    (
        (prefix + 1, a.len() - suffix),
        (prefix + 1, b.len() - suffix),
    )
}

fn assert_layout_kept(rel: &str, old: &str, new: &str) {
    if old.contains("\r\n") {
        let bare = new
            .match_indices('\n')
            .filter(|(i, _)| *i == 0 || new.as_bytes()[i - 1] != b'\r')
            .count();
        assert_eq!(bare, 0, "{rel}: a CRLF file got bare LF line endings");
    } else {
        assert!(!new.contains('\r'), "{rel}: an LF file got CR characters");
    }
    assert_eq!(
        old.ends_with('\n'),
        new.ends_with('\n'),
        "{rel}: final newline presence changed"
    );
    assert_eq!(
        old.starts_with('\u{feff}'),
        new.starts_with('\u{feff}'),
        "{rel}: BOM presence changed"
    );
}

/// A different value of the same type, that the format can hold.
fn changed(value: &Value) -> Value {
    match value {
        Value::Bool(b) => Value::Bool(!b),
        Value::Int(i) => Value::Int(i.wrapping_add(7)),
        Value::Float(f) if f.is_finite() => Value::Float(f + 0.5),
        Value::Float(_) => Value::Float(2.5),
        Value::String(s) if s.contains('\n') => Value::String(format!("{s}edited line\n")),
        Value::String(s) => Value::String(format!("{s} (edited)")),
        Value::Null => Value::String("was null".into()),
        Value::List(_) => Value::List(vec![Value::String("x".into())]),
        Value::Map(_) => Value::Map(Default::default()),
    }
}

fn has_dotted_key(path: &KeyPath) -> bool {
    path.segments()
        .iter()
        .any(|s| matches!(s, Segment::Key(k) if k.contains('.')))
}

fn has_index(path: &KeyPath) -> bool {
    path.segments()
        .iter()
        .any(|s| matches!(s, Segment::Index(_)))
}

/// Scalar leaves worth editing, most interesting first: nested, with dotted keys, inside
/// lists, then the first and the last leaf.
fn edit_candidates(doc: &Document) -> Vec<KeyPath> {
    let leaves: Vec<KeyPath> = doc
        .flatten()
        .into_iter()
        .filter(|(p, v)| v.is_scalar() && !p.is_root())
        .map(|(p, _)| p)
        .collect();
    let mut picks: Vec<KeyPath> = Vec::new();
    let mut pick = |p: Option<&KeyPath>| {
        if let Some(p) = p.filter(|p| !picks.contains(p)) {
            picks.push(p.clone());
        }
    };
    pick(leaves.iter().find(|p| has_dotted_key(p)));
    pick(leaves.iter().find(|p| has_index(p)));
    pick(leaves.iter().filter(|p| has_index(p)).nth(2));
    pick(leaves.iter().find(|p| p.len() >= 3));
    pick(leaves.iter().find(|p| p.len() == 2));
    pick(leaves.first());
    pick(leaves.get(leaves.len() / 2));
    pick(leaves.last());
    // Then everything else, for files where some of the above cannot be edited.
    for p in &leaves {
        pick(Some(p));
    }
    picks
}

#[test]
fn every_corpus_file_round_trips_byte_identical() {
    for f in corpus_files() {
        match Document::parse(f.format, &f.text) {
            Ok(doc) => {
                assert!(
                    known_invalid(&f.rel).is_none(),
                    "{}: known invalid, but it parsed",
                    f.rel
                );
                assert!(
                    doc.to_string() == f.text,
                    "{}: round trip changed the text",
                    f.rel
                );
                let _ = doc.flatten();
            }
            Err(e) => assert!(known_invalid(&f.rel).is_some(), "{}:{e}", f.rel),
        }
    }
}

#[test]
fn known_invalid_files_are_refused_with_line_and_column() {
    let files = corpus_files();
    for (rel, line, why) in KNOWN_INVALID {
        let f = files
            .iter()
            .find(|f| f.rel == *rel)
            .unwrap_or_else(|| panic!("{rel} missing from the corpus"));
        let err = Document::parse(f.format, &f.text).expect_err(why);
        assert_eq!(err.line, *line, "{rel}: {err} ({why})");
        assert!(err.column >= 1, "{rel}: {err}");
        assert!(!err.message.is_empty());
    }
}

#[test]
fn scalar_edits_change_exactly_those_values_and_lines() {
    let mut total = 0;
    for (f, doc) in valid_files() {
        if !f.format.is_editable() {
            continue;
        }
        let before = flat_map(&doc);
        let mut doc = doc;
        let mut expected = before.clone();
        let mut edited = Vec::new();
        for path in edit_candidates(&doc) {
            if edited.len() == 5 {
                break;
            }
            let old_value = doc.get(&path).unwrap();
            let new_value = changed(&old_value);
            let old_text = doc.to_string();
            let old_lines = doc
                .lines_of(&path)
                .unwrap_or_else(|| panic!("{}: no lines for {path}", f.rel));
            match doc.set(&path, &new_value) {
                Ok(()) => {}
                Err(EditError::ThroughAlias { .. }) => continue,
                Err(e) => panic!("{}: set {path} = {new_value:?}: {e}", f.rel),
            }
            let new_text = doc.to_string();
            let (old_changed, new_changed) = changed_lines(&old_text, &new_text);
            let new_lines = doc.lines_of(&path).unwrap();
            assert!(
                old_changed.0 >= old_lines.0 && old_changed.1 <= old_lines.1,
                "{}: setting {path} changed lines {old_changed:?}, but the value was on {old_lines:?}",
                f.rel
            );
            assert!(
                new_changed.0 >= new_lines.0 && new_changed.1 <= new_lines.1,
                "{}: setting {path} wrote lines {new_changed:?}, but the value is on {new_lines:?}",
                f.rel
            );
            assert_layout_kept(&f.rel, &old_text, &new_text);
            // Values that are aliases of the edited one (`*anchor`, `<<: *anchor`) change
            // with it: they are the same value in the file.
            let reread = flat_map(&doc);
            for (p, v) in &expected {
                if *p != path.to_string() && reread.get(p) != Some(v) {
                    assert!(
                        *v == old_value && reread.get(p) == Some(&doc.as_stored(&new_value)),
                        "{}: setting {path} changed {p} from {v:?} to {:?}",
                        f.rel,
                        reread.get(p)
                    );
                }
            }
            expected = reread;
            expected.insert(path.to_string(), doc.as_stored(&new_value));
            edited.push(path);
        }
        let editable = before
            .iter()
            .filter(|(p, v)| !p.is_empty() && v.is_scalar())
            .count();
        assert!(
            edited.len() >= 1.min(editable),
            "{}: no value could be edited",
            f.rel
        );
        total += edited.len();
        let reread = Document::parse(f.format, &doc.to_string())
            .unwrap_or_else(|e| panic!("{}: re-read: {e}", f.rel));
        let after = flat_map(&reread);
        assert_eq!(
            after.len(),
            expected.len(),
            "{}: the set of leaves changed",
            f.rel
        );
        for (path, value) in &expected {
            assert_eq!(after.get(path), Some(value), "{}: {path}", f.rel);
        }
    }
    assert!(total >= 150, "only {total} edits were made over the corpus");
}

/// A map path where a new key can be added: the parent of the deepest nested leaf with a
/// key as last segment, or the root.
fn insertion_parent(doc: &Document) -> KeyPath {
    doc.flatten()
        .into_iter()
        .filter_map(|(p, _)| {
            let parent = p.parent()?;
            matches!(p.last(), Some(Segment::Key(_))).then_some(parent)
        })
        .filter(|p| matches!(doc.get(p), Some(Value::Map(_))))
        .max_by_key(|p| p.len())
        .unwrap_or_default()
}

#[test]
fn adding_a_missing_nested_key_changes_nothing_else() {
    for (f, doc) in valid_files() {
        if !f.format.is_editable() || !matches!(doc.value(), Value::Map(_) | Value::Null) {
            continue;
        }
        let doc_before = Document::parse(f.format, &f.text).unwrap();
        let mut doc = doc;
        let before = flat_map(&doc);
        let old_text = doc.to_string();
        let parent = insertion_parent(&doc);
        // Properties files are flat: a dotted key is one key there.
        let path = if f.format == Format::Properties {
            KeyPath::root().key("homeamp.added")
        } else {
            parent.key("homeamp-added").key("nested.key")
        };
        let value = Value::String("added value".into());
        doc.set(&path, &value)
            .unwrap_or_else(|e| panic!("{}: add {path}: {e}", f.rel));
        let new_text = doc.to_string();
        assert_layout_kept(&f.rel, &old_text, &new_text);
        let (old_changed, _) = changed_lines(&old_text, &new_text);
        if old_changed.1 >= old_changed.0 {
            // Only a one-line collection (`{a: 1}`) may be rewritten to take the new key.
            let (first, last) = doc_before.lines_of(&parent).unwrap_or((0, 0));
            assert!(
                old_changed.0 >= first
                    && old_changed.1 <= last
                    && matches!(doc_before.get(&parent), Some(Value::Map(_))),
                "{}: adding {path} changed existing lines {old_changed:?}",
                f.rel
            );
        }
        let reread = Document::parse(f.format, &new_text)
            .unwrap_or_else(|e| panic!("{}: re-read: {e}\n{new_text}", f.rel));
        assert_eq!(reread.get(&path), Some(doc.as_stored(&value)), "{}", f.rel);
        let mut after = flat_map(&reread);
        after.remove(&path.to_string());
        // An empty map the new key went into is no longer a leaf.
        let mut before = before;
        before.retain(|p, _| !path.starts_with(&KeyPath::parse(p).unwrap()));
        assert_eq!(
            after, before,
            "{}: adding {path} changed other values",
            f.rel
        );
    }
}

#[test]
fn removing_a_key_changes_nothing_else() {
    for (f, doc) in valid_files() {
        if !f.format.is_editable() {
            continue;
        }
        let before = flat_map(&doc);
        // A leaf key whose map keeps other entries, so no parent becomes empty.
        let Some(path) = doc
            .flatten()
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| matches!(p.last(), Some(Segment::Key(_))))
            .filter(|p| match doc.get(&p.parent().unwrap_or_default()) {
                Some(Value::Map(m)) => m.len() >= 2,
                _ => false,
            })
            .nth(1)
        else {
            continue;
        };
        let mut doc = doc;
        let old_text = doc.to_string();
        let removed_lines = doc.lines_of(&path).unwrap();
        match doc.remove(&path) {
            Ok(true) => {}
            Err(EditError::ThroughAlias { .. }) => continue,
            other => panic!("{}: remove {path}: {other:?}", f.rel),
        }
        let new_text = doc.to_string();
        assert_layout_kept(&f.rel, &old_text, &new_text);
        let (old_changed, new_changed) = changed_lines(&old_text, &new_text);
        // Only the entry's own lines go; the first key of a compact `- key: v` map takes the
        // next key up onto the dash's line.
        assert!(
            old_changed.0 >= removed_lines.0
                && old_changed.1 <= removed_lines.1 + 1
                && new_changed.1 <= new_changed.0,
            "{}: removing {path} (lines {removed_lines:?}) changed lines {old_changed:?} into {new_changed:?}",
            f.rel
        );
        let reread = Document::parse(f.format, &new_text).unwrap();
        assert_eq!(reread.get(&path), None, "{}: {path} still there", f.rel);
        let removed = before[&path.to_string()].clone();
        let after = flat_map(&reread);
        for (p, v) in &before {
            if *p == path.to_string() {
                continue;
            }
            match after.get(p) {
                Some(w) => assert_eq!(w, v, "{}: removing {path} changed {p}", f.rel),
                // A merged copy (`<<: *anchor`) of the removed key goes with it.
                None => assert!(
                    *v == removed && KeyPath::parse(p).unwrap().last() == path.last(),
                    "{}: removing {path} also removed {p}",
                    f.rel
                ),
            }
        }
        assert!(
            after.keys().all(|p| before.contains_key(p)),
            "{}: removing {path} added leaves",
            f.rel
        );
    }
}
