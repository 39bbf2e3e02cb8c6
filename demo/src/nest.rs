//! Flat settings (key path → value) into one nested value, to write a file from scratch.

use homeamp_schemas::{KeyPath, Segment, Value};
use indexmap::IndexMap;

/// Builds the document that holds every `(path, value)`. A list index past the end
/// extends the list with nulls; a path through a scalar replaces it (the later setting wins).
pub fn nest<'a>(settings: impl IntoIterator<Item = (&'a KeyPath, Value)>) -> Value {
    let mut root = Value::Map(IndexMap::new());
    for (path, value) in settings {
        insert(&mut root, path.segments(), value);
    }
    root
}

fn insert(node: &mut Value, path: &[Segment], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *node = value;
        return;
    };
    match first {
        Segment::Key(key) => {
            if !matches!(node, Value::Map(_)) {
                *node = Value::Map(IndexMap::new());
            }
            let Value::Map(map) = node else {
                unreachable!("made a map above")
            };
            let child = map.entry(key.clone()).or_insert(Value::Null);
            insert(child, rest, value);
        }
        Segment::Index(n) => {
            if !matches!(node, Value::List(_)) {
                *node = Value::List(Vec::new());
            }
            let Value::List(items) = node else {
                unreachable!("made a list above")
            };
            if items.len() <= *n {
                items.resize(n + 1, Value::Null);
            }
            insert(&mut items[*n], rest, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_and_indexes_nest() {
        let a = KeyPath::parse("a.b").unwrap();
        let c = KeyPath::parse("a.\"c.d\"").unwrap();
        let l = KeyPath::parse("l[1].x").unwrap();
        let v = nest([
            (&a, Value::Int(1)),
            (&c, Value::Bool(true)),
            (&l, Value::String("y".into())),
        ]);
        let expected: Value =
            serde_json::from_str(r#"{"a":{"b":1,"c.d":true},"l":[null,{"x":"y"}]}"#).unwrap();
        assert_eq!(v, expected);
    }
}
