//! Looking up many key paths in one parsed live file, in key path order.
//!
//! A plugin file's settings come sorted by key path, so neighbours share most of their
//! path (`chat.format.global`, `chat.format.local`). The cursor keeps the nodes of the
//! previous path and descends only from the longest common prefix, which turns most
//! lookups into one map access instead of one per segment. Its answers are those of a
//! walk from the root (`Document::get` on the resolved tree).

use homeamp_schemas::{KeyPath, Segment, Value};

/// See the module documentation.
pub struct TreeCursor<'t, 'k> {
    root: &'t Value,
    /// Each segment of the previous path with the node it led to (`None`: absent).
    walked: Vec<(&'k Segment, Option<&'t Value>)>,
}

impl<'t, 'k> TreeCursor<'t, 'k> {
    pub fn new(root: &'t Value) -> Self {
        Self {
            root,
            walked: Vec::new(),
        }
    }

    /// The value at `path`, as a walk from the root would find it.
    pub fn get(&mut self, path: &'k KeyPath) -> Option<&'t Value> {
        let segments = path.segments();
        let common = self
            .walked
            .iter()
            .zip(segments)
            .take_while(|((walked, _), segment)| *walked == *segment)
            .count();
        self.walked.truncate(common);
        let mut node = self.walked.last().map_or(Some(self.root), |(_, n)| *n);
        for segment in &segments[common..] {
            node = node.and_then(|n| step(n, segment));
            self.walked.push((segment, node));
        }
        node
    }
}

fn step<'t>(node: &'t Value, segment: &Segment) -> Option<&'t Value> {
    match (segment, node) {
        (Segment::Key(key), Value::Map(map)) => map.get(key),
        (Segment::Index(i), Value::List(items)) => items.get(*i),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Value {
        let json = serde_json::json!({
            "chat": {"format": {"global": "g", "local": "l"}, "radius": 100},
            "list": [{"a": 1}, {"a": 2}],
            "x.y": true
        });
        Value::from_json(&json)
    }

    #[test]
    fn answers_as_a_walk_from_the_root_in_any_order() {
        let tree = tree();
        let paths: Vec<KeyPath> = [
            "chat.format.global",
            "chat.format.local",
            "chat.format.missing",
            "chat.format.missing.deeper",
            "chat.radius",
            "chat.radius.not_a_map",
            "list[1].a",
            "list[0].a",
            "list[5].a",
            "\"x.y\"",
            "chat",
            "chat.format.global",
        ]
        .iter()
        .map(|p| KeyPath::parse(p).unwrap())
        .collect();
        let mut cursor = TreeCursor::new(&tree);
        for path in &paths {
            let mut walk = Some(&tree);
            for segment in path.segments() {
                walk = walk.and_then(|n| step(n, segment));
            }
            assert_eq!(cursor.get(path), walk, "{path}");
        }
        assert_eq!(cursor.get(&paths[0]), Some(&Value::String("g".into())));
        assert_eq!(cursor.get(&paths[6]), Some(&Value::Int(2)));
        assert_eq!(cursor.get(&paths[9]), Some(&Value::Bool(true)));
        assert_eq!(cursor.get(&paths[3]), None);
    }
}
