//! Edits as splices: each edit replaces one byte range of the text with new text, chosen so
//! that everything outside the edited value (comments, blank lines, order, indentation, line
//! endings, the final newline) stays byte for byte. The document re-reads the spliced text
//! and checks the result (see `mod.rs`).

use homeamp_schemas::{KeyPath, Segment, Value};
use indexmap::IndexMap;

use super::locate::{Found, Owner};
use super::render::{self, Layout, Original};
use super::tree::{Kind, Node, NodeId, ScalarStyle, Tree};
use crate::error::EditError;
use crate::position::{line_content_end, line_end_inclusive, line_start};

/// Replace `start..end` of the text with `text`.
#[derive(Debug)]
pub struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

pub struct Ctx<'a> {
    pub text: &'a str,
    pub tree: &'a Tree,
    pub layout: Layout,
    pub eol: &'static str,
}

impl Ctx<'_> {
    fn node(&self, id: NodeId) -> &Node {
        self.tree.node(id)
    }

    /// Offset just past the `:` that follows entry `index` of block map `map`.
    fn colon_end(&self, map: NodeId, index: usize) -> usize {
        let Kind::Map(m) = &self.node(map).kind else {
            return 0;
        };
        let key_end = m.entries[index].key_span.end;
        let bytes = self.text.as_bytes();
        let mut i = key_end;
        while i < bytes.len() && bytes[i] != b':' {
            i += 1;
        }
        (i + 1).min(bytes.len())
    }

    /// The indentation column of the block map that owns an entry.
    fn owner_indent(&self, owner: Owner) -> Option<usize> {
        match owner {
            Owner::Entry { map, .. } => match &self.node(map).kind {
                Kind::Map(m) => m.indent,
                _ => None,
            },
            _ => None,
        }
    }

    /// The props text to keep when replacing a node: its anchor, without a tag that the
    /// new value might contradict.
    fn kept_anchor(&self, node: &Node) -> String {
        let props = &self.text[node.props_start..node.content.start];
        props
            .split_whitespace()
            .filter(|t| t.starts_with('&'))
            .map(|t| format!("{t} "))
            .collect()
    }
}

pub(super) use crate::navigate::nest;

fn is_block_collection(node: &Node) -> bool {
    matches!(&node.kind, Kind::Map(m) if m.indent.is_some())
        || matches!(&node.kind, Kind::Seq(s) if s.indent.is_some())
}

fn is_nonempty_collection(value: &Value) -> bool {
    matches!(value, Value::Map(m) if !m.is_empty())
        || matches!(value, Value::List(l) if !l.is_empty())
}

/// Replaces the node `found` with `value`.
pub fn replace(ctx: &Ctx<'_>, found: &Found, value: &Value) -> Splice {
    let node = ctx.node(found.node);
    let in_flow = found.in_flow;
    let block_under_key = ctx.owner_indent(found.owner).is_some() && !in_flow;

    if is_nonempty_collection(value) && !in_flow && !node.is_flow_collection() {
        if let (true, Owner::Entry { map, index }) = (block_under_key, found.owner) {
            let n = ctx.owner_indent(found.owner).unwrap_or(0);
            let indent = match (&node.kind, value) {
                (Kind::Map(m), Value::Map(_)) if m.indent.is_some() => {
                    m.indent.unwrap_or(n + ctx.layout.step)
                }
                (Kind::Seq(s), Value::List(_)) if s.indent.is_some() => s.indent.unwrap_or(n),
                (_, Value::List(_)) if ctx.layout.zero_indent_lists => n,
                _ => n + ctx.layout.step,
            };
            let lines = render::block(value, indent, ctx.layout);
            return block_after_key(ctx, map, index, node, &lines);
        }
        if matches!(found.owner, Owner::Root) {
            let lines = render::block(value, 0, ctx.layout);
            return Splice {
                start: node.props_start,
                end: node.content.end,
                text: lines.join(ctx.eol),
            };
        }
    }

    let rendered = match (&node.kind, value) {
        (Kind::Scalar(s), Value::String(text))
            if matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded) =>
        {
            block_literal(ctx, node, found.owner, text).unwrap_or_else(|| render::double(text))
        }
        (Kind::Scalar(s), v) if !is_nonempty_collection(v) => {
            let plain_text =
                matches!(s.style, ScalarStyle::Plain).then(|| &ctx.text[node.content.clone()]);
            render::scalar(
                v,
                Original {
                    style: s.style,
                    plain_text,
                },
                in_flow,
            )
        }
        (_, v) if in_flow || node.is_flow_collection() || !is_nonempty_collection(v) => {
            render::flow(v)
        }
        (_, v) => render::flow(v),
    };

    if is_block_collection(node) {
        if let Owner::Entry { map, index } = found.owner {
            // `key:\n  a: 1` becomes `key: <scalar>`, keeping what followed the old value.
            let colon_end = ctx.colon_end(map, index);
            let end = line_content_end(ctx.text, node.content.end);
            let anchor = ctx.kept_anchor(node);
            return Splice {
                start: colon_end,
                end,
                text: format!(" {anchor}{rendered}{}", &ctx.text[node.content.end..end]),
            };
        }
        return Splice {
            start: node.props_start,
            end: node.content.end,
            text: rendered,
        };
    }

    let is_empty = matches!(&node.kind, Kind::Scalar(s) if s.style == ScalarStyle::Empty);
    let anchor = ctx.kept_anchor(node);
    let text = if is_empty {
        let before = ctx.text[..node.content.start].trim_end_matches([' ', '\t']);
        if in_flow && !before.ends_with(':') && !before.ends_with(['[', ',']) {
            format!(": {rendered}")
        } else if node.props_start < node.content.start
            || ctx.text[..node.content.start].ends_with([' ', '\t'])
        {
            rendered
        } else {
            format!(" {rendered}")
        }
    } else {
        format!("{anchor}{rendered}")
    };
    let start = if is_empty {
        node.content.start
    } else {
        node.props_start
    };
    Splice {
        start,
        end: node.content.end,
        text,
    }
}

/// `key: old` (or `key:` with a block below) becomes `key:` followed by block `lines`,
/// keeping a comment that followed the old value on its line.
fn block_after_key(
    ctx: &Ctx<'_>,
    map: NodeId,
    index: usize,
    node: &Node,
    lines: &[String],
) -> Splice {
    let colon_end = ctx.colon_end(map, index);
    let value_end = node.content.end.max(colon_end);
    let end = line_content_end(ctx.text, value_end);
    let tail = &ctx.text[value_end..end];
    // An anchor on the old value stays, so aliases of it still resolve.
    let anchor = ctx.kept_anchor(node);
    let anchor = anchor.trim_end();
    let prefix = if anchor.is_empty() {
        String::new()
    } else {
        format!(" {anchor}")
    };
    Splice {
        start: colon_end,
        end,
        text: format!("{prefix}{tail}{}{}", ctx.eol, lines.join(ctx.eol)),
    }
}

/// A multi-line string as a literal block scalar in place of a block scalar, or `None` when
/// a literal block cannot hold it exactly.
fn block_literal(ctx: &Ctx<'_>, node: &Node, owner: Owner, text: &str) -> Option<String> {
    if text.is_empty() || text.chars().any(|c| c.is_control() && c != '\n') {
        return None;
    }
    let body = text.strip_suffix('\n');
    let (chomp, body) = match body {
        Some(b) if !b.ends_with('\n') => ("", b),
        Some(_) => return None,
        None => ("-", text),
    };
    if body.starts_with(' ') || body.starts_with('\n') || body.lines().any(|l| l.ends_with(' ')) {
        return None;
    }
    // The original's content indentation, or one step in from its key.
    let first_line = line_end_inclusive(ctx.text, node.content.start);
    let indent = if first_line < node.content.end {
        let line = &ctx.text[first_line..];
        line.len() - line.trim_start_matches(' ').len()
    } else {
        ctx.owner_indent(owner).unwrap_or(0) + ctx.layout.step
    };
    let pad = " ".repeat(indent.max(1));
    let mut out = format!("|{chomp}");
    for line in body.split('\n') {
        out.push_str(ctx.eol);
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Some(out)
}

/// Inserts a new entry or item for `rest` (the missing part of the path) under `parent`.
pub fn insert(
    ctx: &Ctx<'_>,
    path: &KeyPath,
    parent: &Found,
    rest: &[Segment],
    value: &Value,
) -> Result<Splice, EditError> {
    let node = ctx.node(parent.node);
    let depth = path.len() - rest.len();
    let parent_path = KeyPath::from_segments(path.segments()[..depth].to_vec());
    let inner = nest(path, &rest[1..], value)?;
    match (&node.kind, &rest[0]) {
        (Kind::Map(map), Segment::Key(key)) => match map.indent {
            Some(indent) => {
                let mut single = IndexMap::new();
                single.insert(key.clone(), inner);
                let lines = render::block(&Value::Map(single), indent, ctx.layout);
                Ok(append_lines(ctx, node.content.end, &lines))
            }
            None => {
                let entry = format!(
                    "{}: {}",
                    render::string(key, ScalarStyle::Plain, true),
                    render::flow(&inner)
                );
                let ends = map
                    .entries
                    .last()
                    .map(|e| e.key_span.end.max(ctx.node(e.value).content.end));
                Ok(append_flow(node, ends, &entry))
            }
        },
        (Kind::Seq(seq), Segment::Index(i)) => {
            if *i != seq.items.len() {
                return Err(EditError::IndexOutOfRange {
                    path: path.clone(),
                    len: seq.items.len(),
                });
            }
            match seq.indent {
                Some(indent) => {
                    let lines = render::block(&Value::List(vec![inner]), indent, ctx.layout);
                    Ok(append_lines(ctx, node.content.end, &lines))
                }
                None => {
                    let ends = seq.items.last().map(|it| ctx.node(it.value).content.end);
                    Ok(append_flow(node, ends, &render::flow(&inner)))
                }
            }
        }
        (Kind::Map(_), Segment::Index(_)) => Err(EditError::IndexIntoMap {
            path: path.clone(),
            parent: parent_path,
        }),
        (Kind::Seq(_), Segment::Key(_)) => Err(EditError::KeyIntoList {
            path: path.clone(),
            parent: parent_path,
        }),
        (Kind::Alias(_), _) => Err(EditError::ThroughAlias { path: path.clone() }),
        (Kind::Scalar(_), first) => {
            let current = super::value::node_value(ctx.tree, parent.node);
            if current != Value::Null {
                return Err(EditError::NotAContainer {
                    path: path.clone(),
                    parent: parent_path,
                    found: current.kind(),
                    segment: match first {
                        Segment::Key(k) => format!("key {k:?}"),
                        Segment::Index(i) => format!("item [{i}]"),
                    },
                });
            }
            let container = nest(path, rest, value)?;
            Ok(replace(ctx, parent, &container))
        }
    }
}

/// New block lines after the line holding `after` (the end of a collection's last value).
fn append_lines(ctx: &Ctx<'_>, after: usize, lines: &[String]) -> Splice {
    let at = line_end_inclusive(ctx.text, after);
    let body = lines.join(ctx.eol);
    let text = if ctx.text[..at].ends_with('\n') {
        format!("{body}{}", ctx.eol)
    } else {
        format!("{}{body}", ctx.eol)
    };
    Splice {
        start: at,
        end: at,
        text,
    }
}

/// A new entry or item at the end of a flow collection.
fn append_flow(node: &Node, last_end: Option<usize>, rendered: &str) -> Splice {
    match last_end {
        Some(end) => Splice {
            start: end,
            end,
            text: format!(", {rendered}"),
        },
        None => Splice {
            start: node.content.start + 1,
            end: node.content.end - 1,
            text: rendered.to_string(),
        },
    }
}

/// The splice that removes what `found` names from its map or list. Returns `None` when the
/// owner would be left empty: the caller then replaces the owner with `{}` or `[]`.
pub fn remove(ctx: &Ctx<'_>, found: &Found) -> Option<Splice> {
    let (owner, index) = match found.owner {
        Owner::Root => return None,
        Owner::Entry { map, index } => (map, index),
        Owner::Item { seq, index } => (seq, index),
    };
    let owner_node = ctx.node(owner);
    // (start, end) of each entry or item, and whether the owner is in block style.
    let (spans, block): (Vec<(usize, usize)>, bool) = match &owner_node.kind {
        Kind::Map(m) => (
            m.entries
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let colon = if m.indent.is_some() {
                        ctx.colon_end(owner, i)
                    } else {
                        e.key_span.end
                    };
                    (e.key_span.start, ctx.node(e.value).content.end.max(colon))
                })
                .collect(),
            m.indent.is_some(),
        ),
        Kind::Seq(s) => (
            s.items
                .iter()
                .map(|it| (it.start, ctx.node(it.value).content.end.max(it.start + 1)))
                .collect(),
            s.indent.is_some(),
        ),
        _ => return None,
    };
    if spans.len() == 1 && !(block && owner == ctx.tree.root.unwrap_or(usize::MAX)) {
        return None;
    }
    let (start, end) = spans[index];
    if block {
        let ls = line_start(ctx.text, start);
        let first_on_line = ctx.text[ls..start].bytes().all(|b| b == b' ');
        if first_on_line {
            let mut range_start = ls;
            let range_end = line_end_inclusive(ctx.text, end);
            if range_end == ctx.text.len() && !ctx.text.ends_with('\n') && ls > 0 {
                // Removing the last line of a file without a final newline: drop the break
                // before it instead, so the file still ends without one.
                range_start = if ctx.text[..ls].ends_with("\r\n") {
                    ls - 2
                } else {
                    ls - 1
                };
            }
            return Some(Splice {
                start: range_start,
                end: range_end,
                text: String::new(),
            });
        }
        // The first entry of a compact map (`- key: v`): the next entry moves up.
        let next = spans.get(index + 1)?.0;
        return Some(Splice {
            start,
            end: next,
            text: String::new(),
        });
    }
    let range = if index + 1 < spans.len() {
        (start, spans[index + 1].0)
    } else if index > 0 {
        (spans[index - 1].1, end)
    } else {
        (start, end)
    };
    Some(Splice {
        start: range.0,
        end: range.1,
        text: String::new(),
    })
}
