//! A YAML document as a tree of nodes that know their line:col, read in one pass
//! of parser events.
//!
//! serde tells where a syntax error or an unknown field is, but not where a key
//! is once the file parsed, and semantic checks ("unknown instance in this scope")
//! need that. It also silently collapses duplicate keys. This tree keeps every
//! key's and value's position, finds duplicates at any depth, and converts
//! values into [`Value`] with the same scalar rules as `serde_yaml` (YAML 1.2
//! core schema: `true`/`false`, `null`/`~`, decimal/0x/0o/0b integers, floats,
//! `.inf`/`.nan`; quoted scalars are strings), so plugin files are read once,
//! not once for values and again for positions.

use std::collections::HashMap;

use homeamp_schemas::Value;
use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::Mark;

/// A map key: its text and where it is.
#[derive(Debug, Clone)]
pub struct Key {
    pub text: String,
    pub at: Mark,
    /// Written in quotes (columns inside it shift by one).
    pub quoted: bool,
    /// A list or map used as a key (which no file of ours allows).
    pub complex: bool,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar {
        text: String,
        plain: bool,
        tag: Option<String>,
    },
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// One node and where it starts.
#[derive(Debug, Clone)]
pub struct Node {
    pub at: Mark,
    pub kind: Kind,
}

/// A key that appears twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The keys leading to the mapping, from the root (`[n]` for list items).
    pub parent: Vec<String>,
    pub key: String,
    pub first: Mark,
    pub again: Mark,
}

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Tree {
    pub root: Node,
    pub duplicates: Vec<DuplicateKey>,
}

/// A syntax error, or a value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub at: Mark,
    pub message: String,
}

impl YamlError {
    fn new(at: Mark, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
    }
}

fn mark(span: &Span) -> Mark {
    Mark::new(span.start.line(), span.start.col() + 1)
}

enum Frame {
    Map {
        at: Mark,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
    },
    Seq {
        at: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
}

/// Parses the first document of `text` (an empty text is an empty map).
pub fn parse(text: &str) -> Result<Tree, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut duplicates = Vec::new();
    let mut root: Option<Node> = None;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            YamlError::new(
                Mark::new(e.marker().line(), e.marker().col() + 1),
                e.info().to_string(),
            )
        })?;
        let at = mark(&span);
        let (node, anchor) = match event {
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map {
                    at,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq {
                    at,
                    anchor,
                    items: Vec::new(),
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Frame::Map {
                    at,
                    anchor,
                    entries,
                    ..
                }) => {
                    find_duplicates(&stack, &entries, &mut duplicates);
                    (
                        Node {
                            at,
                            kind: Kind::Map(entries),
                        },
                        anchor,
                    )
                }
                Some(Frame::Seq { at, anchor, items }) => (
                    Node {
                        at,
                        kind: Kind::Seq(items),
                    },
                    anchor,
                ),
                None => continue,
            },
            Event::Scalar(text, style, anchor, tag) => (
                Node {
                    at,
                    kind: Kind::Scalar {
                        text: text.into_owned(),
                        plain: matches!(style, ScalarStyle::Plain),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    },
                },
                anchor,
            ),
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => (
                    Node {
                        at,
                        kind: node.kind.clone(),
                    },
                    0,
                ),
                None => return Err(YamlError::new(at, "alias to an unknown anchor")),
            },
            Event::DocumentStart(_) if root.is_some() => {
                return Err(YamlError::new(
                    at,
                    "more than one YAML document (---): a file holds one",
                ));
            }
            _ => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(as_key(node)),
            },
        }
    }
    let root = root.unwrap_or(Node {
        at: Mark::START,
        kind: Kind::Map(Vec::new()),
    });
    let root = match root.kind {
        // An empty document reads as an empty map.
        Kind::Scalar {
            ref text,
            plain: true,
            ..
        } if text.is_empty() => Node {
            at: root.at,
            kind: Kind::Map(Vec::new()),
        },
        _ => root,
    };
    Ok(Tree { root, duplicates })
}

fn as_key(node: Node) -> Key {
    match node.kind {
        Kind::Scalar { text, plain, .. } => Key {
            text,
            at: node.at,
            quoted: !plain,
            complex: false,
        },
        _ => Key {
            text: String::new(),
            at: node.at,
            quoted: false,
            complex: true,
        },
    }
}

/// Reports keys repeated in `entries` (sorting positions, no copies of keys).
fn find_duplicates(stack: &[Frame], entries: &[(Key, Node)], out: &mut Vec<DuplicateKey>) {
    if entries.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..entries.len())
        .filter(|i| !entries[*i].0.complex)
        .collect();
    order.sort_by(|a, b| entries[*a].0.text.cmp(&entries[*b].0.text).then(a.cmp(b)));
    let mut found = Vec::new();
    for pair in order.windows(2) {
        let (first, again) = (&entries[pair[0]].0, &entries[pair[1]].0);
        if first.text == again.text {
            // Report each repeat against the first occurrence.
            let first_of_run = found
                .iter()
                .rev()
                .find(|(k, _): &&(&str, Mark)| *k == first.text)
                .map(|(_, m)| *m)
                .unwrap_or(first.at);
            found.push((first.text.as_str(), first_of_run));
            out.push(DuplicateKey {
                parent: path_of(stack),
                key: again.text.clone(),
                first: first_of_run,
                again: again.at,
            });
        }
    }
}

/// The keys leading to the innermost open frame.
fn path_of(stack: &[Frame]) -> Vec<String> {
    stack
        .iter()
        .filter_map(|frame| match frame {
            Frame::Map { key: Some(k), .. } => Some(k.text.clone()),
            Frame::Seq { items, .. } => Some(format!("[{}]", items.len())),
            _ => None,
        })
        .collect()
}

impl Node {
    /// The entries of a map node (`None` for other nodes).
    pub fn entries(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a map node (linear: for small maps).
    pub fn child(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }

    pub fn item(&self, index: usize) -> Option<&Node> {
        match &self.kind {
            Kind::Seq(items) => items.get(index),
            _ => None,
        }
    }

    /// The node at `path` of map keys, if every step exists.
    pub fn at_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.child(key))
    }

    /// The mark of the key at `path`, or of the deepest ancestor present.
    pub fn key_at(&self, path: &[&str]) -> Mark {
        let mut node = self;
        let mut at = self.at;
        for key in path {
            let Some((k, v)) = node
                .entries()
                .and_then(|e| e.iter().find(|(k, _)| k.text == *key))
            else {
                break;
            };
            at = k.at;
            node = v;
        }
        at
    }

    /// The mark of the value at `path`, or of the deepest ancestor's key.
    pub fn value_at(&self, path: &[&str]) -> Mark {
        match self.at_path(path) {
            Some(node) => node.at,
            None => self.key_at(path),
        }
    }

    /// The text of a scalar node.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The node as a [`Value`], scalars resolved as `serde_yaml` resolves them.
    pub fn to_value(&self) -> Result<Value, YamlError> {
        match &self.kind {
            Kind::Scalar { text, plain, tag } => {
                scalar(text, *plain, tag.as_deref()).ok_or_else(|| {
                    YamlError::new(
                        self.at,
                        format!(
                            "{text:?} does not fit its tag {}",
                            tag.as_deref().unwrap_or("")
                        ),
                    )
                })
            }
            Kind::Seq(items) => items
                .iter()
                .map(Node::to_value)
                .collect::<Result<_, _>>()
                .map(Value::List),
            Kind::Map(entries) => {
                let mut map = IndexMap::with_capacity(entries.len());
                for (k, v) in entries {
                    if k.complex {
                        return Err(YamlError::new(
                            k.at,
                            "a map key must be a plain value, not a list or map",
                        ));
                    }
                    map.insert(k.text.clone(), v.to_value()?);
                }
                Ok(Value::Map(map))
            }
        }
    }
}

/// A scalar as `serde_yaml` reads it into an untyped value; `None` when a core tag does not fit.
pub fn scalar(text: &str, plain: bool, tag: Option<&str>) -> Option<Value> {
    let core = tag.and_then(|t| {
        t.strip_prefix("tag:yaml.org,2002:")
            .or_else(|| t.strip_prefix("!!"))
    });
    match (tag, core) {
        (Some(_), Some("str")) => return Some(Value::String(text.to_string())),
        (Some(_), Some("null")) => {
            return (text.is_empty() || is_null(text)).then_some(Value::Null);
        }
        (Some(_), Some("bool")) => return parse_bool(text).map(Value::Bool),
        (Some(_), Some("int")) => return parse_int(text),
        (Some(_), Some("float")) => {
            return parse_float(text)
                .or_else(|| parse_int(text).map(int_to_float))
                .map(Value::Float);
        }
        (Some(_), _) => return None,
        (None, _) => {}
    }
    if !plain {
        return Some(Value::String(text.to_string()));
    }
    if text.is_empty() || is_null(text) {
        return Some(Value::Null);
    }
    if let Some(b) = parse_bool(text) {
        return Some(Value::Bool(b));
    }
    if let Some(int) = parse_int(text) {
        return Some(int);
    }
    if !digits_but_not_number(text)
        && let Some(f) = parse_float(text)
    {
        return Some(Value::Float(f));
    }
    Some(Value::String(text.to_string()))
}

fn int_to_float(v: Value) -> f64 {
    match v {
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        _ => f64::NAN,
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros followed by digits: a string in YAML 1.2 (`0123`).
fn digits_but_not_number(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    t.len() > 1 && t.starts_with('0') && t[1..].bytes().all(|b| b.is_ascii_digit())
}

/// An integer (0x/0o/0b or decimal, signed); beyond `i64` it is a float, as an
/// untyped value would read it.
fn parse_int(text: &str) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body.starts_with(['+', '-']) || body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b") {
        (2, d)
    } else {
        if digits_but_not_number(text) {
            return None;
        }
        (10, body)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let signed = if negative {
        -(i128::try_from(magnitude).ok()?)
    } else {
        i128::try_from(magnitude).ok()?
    };
    Some(match i64::try_from(signed) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(signed as f64),
    })
}

fn parse_float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match text {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_located() {
        let text = "a:\n  b: 1\n  \"c.d\":\n    x: [1, 2]\nlist:\n  - k: v\n";
        let tree = parse(text).unwrap();
        assert_eq!(tree.root.key_at(&["a"]), Mark::new(1, 1));
        assert_eq!(tree.root.key_at(&["a", "b"]), Mark::new(2, 3));
        assert_eq!(tree.root.value_at(&["a", "b"]), Mark::new(2, 6));
        let entries = tree.root.at_path(&["a"]).unwrap().entries().unwrap();
        assert!(entries[1].0.quoted);
        assert_eq!(entries[1].0.at, Mark::new(3, 3));
        assert_eq!(tree.root.key_at(&["a", "c.d", "x"]), Mark::new(4, 5));
        let item = tree.root.child("list").unwrap().item(0).unwrap();
        assert_eq!(item.key_at(&["k"]), Mark::new(6, 5));
        assert!(tree.duplicates.is_empty());
    }

    #[test]
    fn missing_keys_fall_back_to_the_deepest_ancestor() {
        let tree = parse("a:\n  b: 1\n").unwrap();
        assert_eq!(tree.root.key_at(&["a", "zzz"]), Mark::new(1, 1));
        assert_eq!(tree.root.value_at(&["a", "zzz"]), Mark::new(1, 1));
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        let text = "a:\n  b: 1\n  b: 2\nc: 1\nc: 2\nl:\n  - {x: 1, x: 2}\n";
        let tree = parse(text).unwrap();
        let mut found: Vec<_> = tree
            .duplicates
            .iter()
            .map(|d| {
                (
                    d.parent.join("/"),
                    d.key.clone(),
                    d.first.line,
                    d.again.line,
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("".to_string(), "c".to_string(), 4, 5),
                ("a".to_string(), "b".to_string(), 2, 3),
                ("l/[0]".to_string(), "x".to_string(), 7, 7),
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.at.line >= 1, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn empty_documents_are_empty_maps() {
        assert_eq!(parse("").unwrap().root.entries().map(<[_]>::len), Some(0));
        assert_eq!(
            parse("# only a comment\n")
                .unwrap()
                .root
                .entries()
                .map(<[_]>::len),
            Some(0)
        );
    }

    #[test]
    fn a_second_document_is_refused() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.at.line, 2, "{err:?}");
        assert!(parse("---\na: 1\n...\n").is_ok());
    }

    #[test]
    fn anchors_and_aliases_copy_the_node() {
        let tree = parse("a: &x {k: 1}\nb: *x\n").unwrap();
        let b = tree.root.child("b").unwrap().to_value().unwrap();
        assert_eq!(b, tree.root.child("a").unwrap().to_value().unwrap());
    }

    /// Scalars resolve exactly as serde_yaml resolves them into an untyped value,
    /// so files written by serde_yaml (the import) read back the same.
    #[test]
    fn scalars_resolve_like_serde_yaml() {
        let text = "[~, null, Null, '', true, False, yes, on, 1, -2, +3, 0x1F, 0o17, 0b101, 0123, 1.5, -2e3, .inf, -.Inf, .nan, 1_000, 9223372036854775808, '1', \"true\", 2024-01-01, 1.2.3, 0x, +-1, 12abc]";
        let ours = parse(text).unwrap().root.to_value().unwrap();
        let theirs: Value = serde_yaml::from_str(text).unwrap();
        let (Value::List(a), Value::List(b)) = (&ours, &theirs) else {
            panic!()
        };
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert_eq!((x, x.kind()), (y, y.kind()), "item {i}");
        }
        assert_eq!(a.len(), b.len());
    }

    #[test]
    fn core_tags_are_honoured() {
        let v = parse("[!!str 123, !!int '7', !!bool 'true', !!float 2]")
            .unwrap()
            .root
            .to_value()
            .unwrap();
        assert_eq!(
            v,
            Value::List(vec![
                Value::String("123".into()),
                Value::Int(7),
                Value::Bool(true),
                Value::Float(2.0)
            ])
        );
        assert!(parse("!custom x").unwrap().root.to_value().is_err());
    }
}
