//! Walking a [`Value`] by key path, and flattening it into leaves. Shared by every format:
//! each format only has to produce its document's value.

use homeamp_schemas::{KeyPath, Segment, Value};
use indexmap::IndexMap;

use crate::error::EditError;

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
    if !matches!(root, Value::Null) {
        walk(&mut Vec::new(), root, &mut out);
    }
    out
}

fn walk(path: &mut Vec<Segment>, value: Value, out: &mut Vec<(KeyPath, Value)>) {
    match value {
        Value::Map(map) if !map.is_empty() => {
            for (k, v) in map {
                path.push(Segment::Key(k));
                walk(path, v, out);
                path.pop();
            }
        }
        Value::List(items) if !items.is_empty() => {
            for (i, v) in items.into_iter().enumerate() {
                path.push(Segment::Index(i));
                walk(path, v, out);
                path.pop();
            }
        }
        leaf => out.push((KeyPath::from_segments(path.clone()), leaf)),
    }
}

/// Wraps `value` in new maps for `segments` (a missing part of `path`), innermost last:
/// `nest(["a", "b"], 1)` is `{a: {b: 1}}`. A list can only be created at index 0.
pub(crate) fn nest(
    path: &KeyPath,
    segments: &[Segment],
    value: &Value,
) -> Result<Value, EditError> {
    let mut out = value.clone();
    for segment in segments.iter().rev() {
        match segment {
            Segment::Key(k) => {
                let mut map = IndexMap::new();
                map.insert(k.clone(), out);
                out = Value::Map(map);
            }
            Segment::Index(0) => out = Value::List(vec![out]),
            Segment::Index(_) => {
                return Err(EditError::Unrepresentable {
                    path: path.clone(),
                    reason: "a missing list can only be created at index 0".into(),
                });
            }
        }
    }
    Ok(out)
}
