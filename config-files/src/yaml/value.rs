//! Tree nodes to typed values, as SnakeYAML constructs them: implicit typing of plain
//! scalars (`resolve.rs`), `!!str`-style tags, aliases, and `<<` merge keys (explicit keys
//! win over merged ones, earlier merge sources over later ones; a duplicate key keeps its
//! first position and its last value).

use homeamp_schemas::Value;
use indexmap::IndexMap;

use super::resolve;
use super::tree::{Kind, NodeId, ScalarStyle, Tree};

pub fn node_value(tree: &Tree, id: NodeId) -> Value {
    let node = tree.node(id);
    match &node.kind {
        Kind::Scalar(s) => {
            let tag = node.tag.as_deref();
            match (tag, s.style) {
                (Some("!!str"), _) => Value::String(s.text.clone()),
                (Some("!!int"), _) => {
                    resolve::int_value(&s.text).unwrap_or_else(|| Value::String(s.text.clone()))
                }
                (Some("!!float"), _) => resolve::float_value(&s.text)
                    .or_else(|| s.text.parse().ok())
                    .map_or_else(|| Value::String(s.text.clone()), Value::Float),
                (Some("!!bool"), _) => resolve::bool_value(&s.text)
                    .map_or_else(|| Value::String(s.text.clone()), Value::Bool),
                (Some("!!null"), _) => Value::Null,
                (_, ScalarStyle::Plain | ScalarStyle::Empty) => resolve::plain(&s.text),
                _ => Value::String(s.text.clone()),
            }
        }
        Kind::Alias(target) => node_value(tree, *target),
        Kind::Seq(seq) => Value::List(
            seq.items
                .iter()
                .map(|item| node_value(tree, item.value))
                .collect(),
        ),
        Kind::Map(map) => {
            let mut out = IndexMap::with_capacity(map.entries.len());
            let mut merges = Vec::new();
            for entry in &map.entries {
                if is_merge_key(&entry.key, entry.key_style) {
                    merges.push(entry.value);
                    continue;
                }
                out.insert(entry.key.clone(), node_value(tree, entry.value));
            }
            for source in merges {
                for merged in merge_sources(tree, source) {
                    if let Value::Map(m) = merged {
                        for (k, v) in m {
                            out.entry(k).or_insert(v);
                        }
                    }
                }
            }
            Value::Map(out)
        }
    }
}

pub fn is_merge_key(key: &str, style: ScalarStyle) -> bool {
    key == "<<" && style == ScalarStyle::Plain
}

/// The maps a `<<` value merges in: one map, or a list of them (earlier ones win).
fn merge_sources(tree: &Tree, id: NodeId) -> Vec<Value> {
    match node_value(tree, id) {
        Value::List(items) => items,
        other => vec![other],
    }
}
