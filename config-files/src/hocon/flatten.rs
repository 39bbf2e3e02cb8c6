//! The value a [`Tree`] stands for, by HOCON's rules: dotted keys nest (`a.b = 1` is
//! `a { b = 1 }`), an object given twice merges with the earlier one, any other value
//! given twice replaces it, and values side by side concatenate.
//!
//! Never resolved: a value holding a substitution (`${a.b}`, `${?ENV}`, `${base} extra`)
//! reads as its raw text, as a string (`"${a.b}"`); an `include` line contributes
//! nothing (this crate reads no other file).

use homeamp_schemas::Value;
use indexmap::IndexMap;

use super::tree::{Id, Kind, Member, Separator, Tree};

pub(super) fn value(tree: &Tree, text: &str, id: Id) -> Value {
    let node = &tree.nodes[id];
    match &node.kind {
        Kind::Object(object) => {
            let mut map = IndexMap::new();
            for member in &object.members {
                if let Member::Field(f) = member {
                    let v = value(tree, text, f.value);
                    if f.separator == Separator::Append {
                        append_path(&mut map, &f.path, v);
                    } else {
                        insert_path(&mut map, &f.path, v);
                    }
                }
            }
            Value::Map(map)
        }
        Kind::Array(items) => Value::List(items.iter().map(|&i| value(tree, text, i)).collect()),
        Kind::Scalar(s) => s.value.clone(),
        Kind::Substitution => Value::String(text[node.span.clone()].to_string()),
        Kind::Concat(parts) => concat(tree, text, id, parts),
    }
}

fn concat(tree: &Tree, text: &str, id: Id, parts: &[Id]) -> Value {
    let kind = |i: Id| &tree.nodes[i].kind;
    if parts.iter().any(|&p| matches!(kind(p), Kind::Substitution)) {
        return Value::String(text[tree.nodes[id].span.clone()].to_string());
    }
    match kind(parts[0]) {
        Kind::Object(_) => {
            let mut map = IndexMap::new();
            for &p in parts {
                if let Value::Map(m) = value(tree, text, p) {
                    for (k, v) in m {
                        insert_path(&mut map, &[k], v);
                    }
                }
            }
            Value::Map(map)
        }
        Kind::Array(_) => Value::List(
            parts
                .iter()
                .flat_map(|&p| match value(tree, text, p) {
                    Value::List(items) => items,
                    other => vec![other],
                })
                .collect(),
        ),
        _ => {
            // Text joined with the spaces written between the parts.
            let mut out = String::new();
            let mut last_end = None;
            for &p in parts {
                let node = &tree.nodes[p];
                if let Some(end) = last_end {
                    out.push_str(&text[end..node.span.start]);
                }
                if let Kind::Scalar(s) = &node.kind {
                    out.push_str(&s.text);
                }
                last_end = Some(node.span.end);
            }
            Value::String(out)
        }
    }
}

/// `path += value`: pushed onto the list at `path`, or a new list `[value]` in place of
/// anything else (Typesafe Config refuses a non-list there; this reader keeps going).
fn append_path(map: &mut IndexMap<String, Value>, path: &[String], value: Value) {
    let mut cur = &*map;
    let mut existing = None;
    for (i, k) in path.iter().enumerate() {
        match cur.get(k) {
            Some(Value::Map(m)) if i + 1 < path.len() => cur = m,
            Some(v) if i + 1 == path.len() => existing = Some(v),
            _ => break,
        }
    }
    let list = match existing {
        Some(Value::List(items)) => {
            let mut items = items.clone();
            items.push(value);
            items
        }
        _ => vec![value],
    };
    insert_path(map, path, Value::List(list));
}

/// Sets `path` in `map`, merging an object given again into the earlier one.
pub(super) fn insert_path(map: &mut IndexMap<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        match (map.get_mut(first), value) {
            (Some(Value::Map(old)), Value::Map(new)) => {
                for (k, v) in new {
                    insert_path(old, &[k], v);
                }
            }
            (_, value) => {
                map.insert(first.clone(), value);
            }
        }
        return;
    }
    let entry = map
        .entry(first.clone())
        .or_insert_with(|| Value::Map(IndexMap::new()));
    if !matches!(entry, Value::Map(_)) {
        *entry = Value::Map(IndexMap::new());
    }
    if let Value::Map(inner) = entry {
        insert_path(inner, rest, value);
    }
}
