//! Where each key of a YAML file is: a position index built from parser events.
//!
//! serde tells the line of a syntax error or an unknown field, but not where a
//! key is once the file parsed; semantic checks ("unknown instance in this
//! scope") need that. This module reads the file's events with their marks and
//! keeps, per mapping key, the line:col of the key and of its value. It also
//! finds duplicate keys, which serde would silently collapse into one.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::Mark;

/// One node of the index: where its key and value are, and its children.
#[derive(Debug, Default)]
pub struct PosNode {
    /// The key (for a map entry) or the item (for a list item, same as `value`).
    pub key: Mark,
    pub value: Mark,
    /// The key was written in quotes (columns inside it shift by one).
    pub quoted: bool,
    children: HashMap<String, PosNode>,
    items: Vec<PosNode>,
}

impl PosNode {
    pub fn child(&self, key: &str) -> Option<&PosNode> {
        self.children.get(key)
    }

    pub fn item(&self, index: usize) -> Option<&PosNode> {
        self.items.get(index)
    }

    /// Follows `path` (map keys) as far as it goes; returns the deepest node found.
    pub fn deepest(&self, path: &[&str]) -> &PosNode {
        let mut node = self;
        for key in path {
            match node.children.get(*key) {
                Some(next) => node = next,
                None => break,
            }
        }
        node
    }

    /// The mark of the key at `path`, or of the deepest ancestor present.
    pub fn key_at(&self, path: &[&str]) -> Mark {
        self.deepest(path).key
    }

    /// The mark of the value at `path`, or of the deepest ancestor's key.
    pub fn value_at(&self, path: &[&str]) -> Mark {
        let mut node = self;
        for key in path {
            match node.children.get(*key) {
                Some(next) => node = next,
                None => return node.key,
            }
        }
        node.value
    }
}

/// A key that appears twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The keys leading to the mapping, from the root.
    pub parent: Vec<String>,
    pub key: String,
    pub first: Mark,
    pub again: Mark,
}

/// The index of one YAML document.
#[derive(Debug, Default)]
pub struct YamlIndex {
    pub root: PosNode,
    pub duplicates: Vec<DuplicateKey>,
}

/// A syntax error found while reading events.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub at: Mark,
    pub message: String,
}

fn mark(span: &Span) -> Mark {
    Mark::new(span.start.line(), span.start.col() + 1)
}

enum Frame {
    Map {
        node: PosNode,
        /// The current key while its value is being read.
        key: Option<KeyInfo>,
        seen: HashMap<String, Mark>,
        path_key: Option<String>,
    },
    Seq {
        node: PosNode,
        path_key: Option<String>,
    },
}

struct KeyInfo {
    /// `None` for a complex (non-scalar) key, which is not indexed.
    text: Option<String>,
    at: Mark,
    quoted: bool,
}

/// Builds the index of `text`, keeping children down to `max_depth` levels
/// (duplicate keys are found at every depth).
pub fn index(text: &str, max_depth: usize) -> Result<YamlIndex, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut out = YamlIndex::default();
    let mut path: Vec<String> = Vec::new();
    let mut done = false;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| SyntaxError {
            at: Mark::new(e.marker().line(), e.marker().col() + 1),
            message: e.info().to_string(),
        })?;
        let at = mark(&span);
        match event {
            Event::MappingStart(..) => {
                let path_key = current_key(&stack);
                if let Some(k) = &path_key {
                    path.push(k.clone());
                }
                stack.push(Frame::Map {
                    node: PosNode {
                        key: at,
                        value: at,
                        ..PosNode::default()
                    },
                    key: None,
                    seen: HashMap::new(),
                    path_key,
                });
            }
            Event::SequenceStart(..) => {
                let path_key = current_key(&stack);
                if let Some(k) = &path_key {
                    path.push(k.clone());
                }
                stack.push(Frame::Seq {
                    node: PosNode {
                        key: at,
                        value: at,
                        ..PosNode::default()
                    },
                    path_key,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = stack.pop() else { continue };
                let (node, path_key) = match frame {
                    Frame::Map { node, path_key, .. } | Frame::Seq { node, path_key } => {
                        (node, path_key)
                    }
                };
                if path_key.is_some() {
                    path.pop();
                }
                let value_at = node.value;
                if stack.is_empty() && !done {
                    out.root = node;
                    done = true;
                } else {
                    attach(&mut stack, &mut out, &path, node, value_at, max_depth, None);
                }
            }
            Event::Scalar(text, style, ..) => {
                let quoted = !matches!(style, ScalarStyle::Plain);
                let leaf = PosNode {
                    key: at,
                    value: at,
                    ..PosNode::default()
                };
                attach(
                    &mut stack,
                    &mut out,
                    &path,
                    leaf,
                    at,
                    max_depth,
                    Some((text.into_owned(), quoted)),
                );
            }
            Event::Alias(_) => {
                let leaf = PosNode {
                    key: at,
                    value: at,
                    ..PosNode::default()
                };
                attach(&mut stack, &mut out, &path, leaf, at, max_depth, None);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The key under which the node now starting will be stored (for the path of duplicates).
fn current_key(stack: &[Frame]) -> Option<String> {
    match stack.last() {
        Some(Frame::Map { key: Some(k), .. }) => Some(k.text.clone().unwrap_or_default()),
        Some(Frame::Seq { node, .. }) => Some(format!("[{}]", node.items.len())),
        _ => None,
    }
}

/// Puts a finished node into its parent: as a key, as a key's value, or as a list item.
fn attach(
    stack: &mut [Frame],
    out: &mut YamlIndex,
    path: &[String],
    mut node: PosNode,
    at: Mark,
    max_depth: usize,
    scalar: Option<(String, bool)>,
) {
    let depth = stack.len();
    match stack.last_mut() {
        None => {}
        Some(Frame::Map {
            node: parent,
            key,
            seen,
            ..
        }) => match key.take() {
            None => {
                // This node is a key.
                let (text, quoted) = match scalar {
                    Some((t, q)) => (Some(t), q),
                    None => (None, false),
                };
                if let Some(t) = &text {
                    if let Some(first) = seen.get(t) {
                        out.duplicates.push(DuplicateKey {
                            parent: path.to_vec(),
                            key: t.clone(),
                            first: *first,
                            again: at,
                        });
                    } else {
                        seen.insert(t.clone(), at);
                    }
                }
                *key = Some(KeyInfo { text, at, quoted });
            }
            Some(info) => {
                node.key = info.at;
                node.value = at;
                node.quoted = info.quoted;
                if depth <= max_depth
                    && let Some(text) = info.text
                {
                    parent.children.entry(text).or_insert(node);
                }
            }
        },
        Some(Frame::Seq { node: parent, .. }) => {
            if depth <= max_depth {
                parent.items.push(node);
            } else {
                // Keep the count right for the paths of duplicates below.
                parent.items.push(PosNode::default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_located() {
        let text = "a:\n  b: 1\n  \"c.d\":\n    x: [1, 2]\nlist:\n  - k: v\n";
        let idx = index(text, 10).unwrap();
        assert_eq!(idx.root.key_at(&["a"]), Mark::new(1, 1));
        assert_eq!(idx.root.key_at(&["a", "b"]), Mark::new(2, 3));
        assert_eq!(idx.root.value_at(&["a", "b"]), Mark::new(2, 6));
        let cd = idx.root.deepest(&["a", "c.d"]);
        assert!(cd.quoted);
        assert_eq!(cd.key, Mark::new(3, 3));
        assert_eq!(idx.root.key_at(&["a", "c.d", "x"]), Mark::new(4, 5));
        let item = idx.root.child("list").unwrap().item(0).unwrap();
        assert_eq!(item.child("k").unwrap().key, Mark::new(6, 5));
        assert!(idx.duplicates.is_empty());
    }

    #[test]
    fn missing_keys_fall_back_to_the_deepest_ancestor() {
        let idx = index("a:\n  b: 1\n", 10).unwrap();
        assert_eq!(idx.root.key_at(&["a", "zzz"]), Mark::new(1, 1));
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        let text = "a:\n  b: 1\n  b: 2\nc: 1\nc: 2\nl:\n  - {x: 1, x: 2}\n";
        let idx = index(text, 1).unwrap();
        let found: Vec<_> = idx
            .duplicates
            .iter()
            .map(|d| {
                (
                    d.parent.join("/"),
                    d.key.as_str(),
                    d.first.line,
                    d.again.line,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("a".to_string(), "b", 2, 3),
                ("".to_string(), "c", 4, 5),
                ("l/[0]".to_string(), "x", 7, 7)
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = index("a: [1, 2\nb: 3\n", 10).unwrap_err();
        assert!(err.at.line >= 1, "{err:?}");
        assert!(!err.message.is_empty());
    }
}
