//! The syntax tree the reader builds: every value with the byte span it came from, every
//! field with the span of its key, so an edit can splice exactly one value's text.

use std::ops::Range;

use homeamp_schemas::Value;

pub(super) type Id = usize;

#[derive(Debug)]
pub(super) struct Tree {
    pub nodes: Vec<Node>,
    /// Always an [`Kind::Object`]: a HOCON file holds an object, with or without braces.
    pub root: Id,
}

#[derive(Debug)]
pub(super) struct Node {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug)]
pub(super) enum Kind {
    Object(Object),
    Array(Vec<Id>),
    Scalar(Scalar),
    /// `${path}` or `${?path}`, kept as written: never resolved.
    Substitution,
    /// Several values side by side (`10 seconds`, `${base} extra`, `{a = 1} {b = 2}`).
    Concat(Vec<Id>),
}

#[derive(Debug)]
pub(super) struct Object {
    /// False for a root object written without `{ }`.
    pub braces: bool,
    pub members: Vec<Member>,
}

#[derive(Debug)]
pub(super) enum Member {
    Field(Field),
    /// An `include` line, kept as written; its target is never read.
    Include(Range<usize>),
}

impl Member {
    pub fn span(&self, nodes: &[Node]) -> Range<usize> {
        match self {
            Member::Field(f) => f.key_span.start..nodes[f.value].span.end,
            Member::Include(span) => span.clone(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Field {
    /// The key path, unquoted: `a."b.c"` is `["a", "b.c"]`.
    pub path: Vec<String>,
    pub key_span: Range<usize>,
    pub separator: Separator,
    pub value: Id,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Separator {
    Equals,
    Colon,
    /// `key { ... }`: no separator before an object.
    None,
    /// `key += value`: appends to the list at `key` (or starts one).
    Append,
}

#[derive(Debug)]
pub(super) struct Scalar {
    pub style: Style,
    /// What the value reads as on its own (`true`, `42`, `"text"`).
    pub value: Value,
    /// Its text inside a concatenation: quotes removed, escapes resolved.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Unquoted,
    Quoted,
    TripleQuoted,
}
