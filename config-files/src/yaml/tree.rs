//! The concrete syntax tree of one YAML document: every node knows the bytes it came from.
//!
//! Nodes live in an arena (`Tree::nodes`) and refer to each other by index, so aliases can
//! point at the node their anchor named. Spans are byte offsets into the original text; the
//! text itself is never rebuilt from the tree, edits splice it (see `edit.rs`).

use std::ops::Range;

pub type NodeId = usize;

#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
}

#[derive(Debug)]
pub struct Node {
    /// Start of the anchor or tag before the content, or `content.start` when there is none.
    pub props_start: usize,
    /// The node's own text: a scalar's quotes included, a block scalar from its `|`/`>`
    /// header to the end of its last content line, a collection from its first to its last
    /// content byte. An empty (null) value is the empty range where its text would go.
    pub content: Range<usize>,
    pub tag: Option<String>,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    Scalar(Scalar),
    /// `*name`: the node the anchor named when the alias was read.
    Alias(NodeId),
    Map(Map),
    Seq(Seq),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Nothing at all (`key:` with no value).
    Empty,
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Debug)]
pub struct Scalar {
    pub style: ScalarStyle,
    /// The scalar's text after unquoting, folding and escapes.
    pub text: String,
}

#[derive(Debug)]
pub struct Map {
    /// `None` for a flow map `{...}`; the column of its keys for a block map.
    pub indent: Option<usize>,
    pub entries: Vec<Entry>,
}

#[derive(Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub key_style: ScalarStyle,
    pub value: NodeId,
}

#[derive(Debug)]
pub struct Seq {
    /// `None` for a flow list `[...]`; the column of its dashes for a block list.
    pub indent: Option<usize>,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub struct Item {
    /// Byte offset of the item's `-` (block lists) or of its first byte (flow lists).
    pub start: usize,
    pub value: NodeId,
}

impl Tree {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }
}

impl Node {
    pub fn is_flow_collection(&self) -> bool {
        match &self.kind {
            Kind::Map(m) => m.indent.is_none(),
            Kind::Seq(s) => s.indent.is_none(),
            _ => false,
        }
    }
}
