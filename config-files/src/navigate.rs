//! Walking a [`Value`] by key path, and flattening it into leaves. Shared by every format:
//! each format only has to produce its document's value.

use homeamp_schemas::{KeyPath, Segment, Value};

/// The value at `path` inside `root`, if there is one.
pub fn get(root: &Value, path: &KeyPath) -> Option<Value> {
    let mut cur = root;
    for segment in path.segments() {
        cur = match (cur, segment) {
            (Value::Map(map), Segment::Key(k)) => map.get(k)?,
            (Value::List(items), Segment::Index(i)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(cur.clone())
}

/// Every leaf of `root` with its path: scalars, and empty lists and maps. A scalar root
/// (a document holding one value) is the leaf at the root path; an empty document (`Null`
/// root) has no leaves.
pub fn flatten(root: Value) -> Vec<(KeyPath, Value)> {
    let mut out = Vec::new();
    match root {
        Value::Null => {}
        other => walk(KeyPath::root(), other, &mut out),
    }
    out
}

fn walk(path: KeyPath, value: Value, out: &mut Vec<(KeyPath, Value)>) {
    match value {
        Value::Map(map) if !map.is_empty() => {
            for (k, v) in map {
                walk(path.key(k), v, out);
            }
        }
        Value::List(items) if !items.is_empty() => {
            for (i, v) in items.into_iter().enumerate() {
                walk(path.index(i), v, out);
            }
        }
        leaf => out.push((path, leaf)),
    }
}
