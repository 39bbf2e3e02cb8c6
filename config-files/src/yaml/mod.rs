//! YAML as SnakeYAML reads it (Bukkit, Paper, Spigot and their plugins), edited losslessly.
//!
//! - `parser.rs`, `flow.rs`, `scalar.rs`: the reader, text to a tree of spans (`tree.rs`).
//! - `bounds.rs`: the alias-expansion and nesting bounds, checked before any value is built.
//! - `resolve.rs`, `value.rs`: the tree to typed values with SnakeYAML's YAML 1.1 rules.
//! - `locate.rs`, `edit.rs`: key paths to nodes, and edits as splices of the text.
//! - `render.rs`: values to YAML text.
//!
//! Every edit splices the text, re-reads it, and checks that the path now reads as the new
//! value; if not, the document is left as it was and the edit is refused.

mod bounds;
mod edit;
mod flow;
mod locate;
mod parser;
pub(crate) mod render;
pub(crate) mod resolve;
mod scalar;
mod tree;
mod value;

use homeamp_schemas::{KeyPath, Value};

use crate::error::{EditError, ParseError};
use edit::{Ctx, Splice};
use locate::{Found, Located, Owner, locate};
use render::Layout;
use tree::{Kind, Tree};

/// One YAML file: its exact text and the tree read from it.
#[derive(Debug)]
pub struct YamlDocument {
    text: String,
    tree: Tree,
    layout: Layout,
    eol: &'static str,
}

impl YamlDocument {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let tree = parser::parse(text)?;
        let layout = detect_layout(&tree);
        Ok(Self {
            text: text.to_string(),
            tree,
            layout,
            eol: crate::position::line_ending(text),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The whole document as a value (`Null` for an empty file).
    pub fn root_value(&self) -> Value {
        match self.tree.root {
            Some(root) => value::node_value(&self.tree, root),
            None => Value::Null,
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            text: &self.text,
            tree: &self.tree,
            layout: self.layout,
            eol: self.eol,
        }
    }

    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        if path.is_root() {
            return Err(EditError::Root);
        }
        let saved = (self.text.clone(), self.layout);
        let result = self.set_inner(path, value);
        if result.is_err() {
            self.restore(saved.0);
        }
        result
    }

    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        if path.is_root() {
            return Err(EditError::Root);
        }
        let saved = self.text.clone();
        let result = self.remove_inner(path);
        if result.is_err() {
            self.restore(saved);
        }
        result
    }

    fn restore(&mut self, text: String) {
        if text != self.text {
            if let Ok(tree) = parser::parse(&text) {
                self.tree = tree;
            }
            self.text = text;
        }
    }

    fn set_inner(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        match locate(&self.tree, path)? {
            Located::Found(found) => {
                let current = value::node_value(&self.tree, found.node);
                if identical(&current, value) {
                    return Ok(());
                }
                let node = self.tree.node(found.node);
                match (&node.kind, value) {
                    (Kind::Map(m), Value::Map(new))
                        if m.indent.is_some()
                            && !new.is_empty()
                            && !m
                                .entries
                                .iter()
                                .any(|e| value::is_merge_key(&e.key, e.key_style)) =>
                    {
                        return self.set_entries(path, new);
                    }
                    (Kind::Seq(s), Value::List(new)) if s.indent.is_some() && !new.is_empty() => {
                        return self.set_items(path, new);
                    }
                    _ => {}
                }
                let splice = edit::replace(&self.ctx(), &found, value);
                self.apply(splice, path, Some(value))
            }
            Located::Missing { parent, depth } => {
                let rest = &path.segments()[depth..];
                let splice = edit::insert(&self.ctx(), path, &parent, rest, value)?;
                self.apply(splice, path, Some(value))
            }
            Located::EmptyDocument => {
                let whole = edit::nest(path, path.segments(), value)?;
                let lines = match &whole {
                    Value::Map(_) | Value::List(_) => render::block(&whole, 0, self.layout),
                    _ => unreachable!("nest of a non-root path is a collection"),
                };
                let body = lines.join(self.eol);
                let at = self.text.len();
                let text = if self.text.is_empty() || self.text.ends_with('\n') {
                    format!("{body}{}", self.eol)
                } else {
                    format!("{}{body}", self.eol)
                };
                self.apply(
                    Splice {
                        start: at,
                        end: at,
                        text,
                    },
                    path,
                    Some(value),
                )
            }
        }
    }

    /// Sets a block map key by key, so comments and order of the keys that stay are kept.
    fn set_entries(
        &mut self,
        path: &KeyPath,
        new: &indexmap::IndexMap<String, Value>,
    ) -> Result<(), EditError> {
        for (k, v) in new {
            self.set_inner(&path.key(k.clone()), v)?;
        }
        if let Some(Value::Map(current)) = self.get(path) {
            for k in current.keys() {
                if !new.contains_key(k) {
                    self.remove_inner(&path.key(k.clone()))?;
                }
            }
        }
        Ok(())
    }

    /// Sets a block list item by item, appending or removing at the end.
    fn set_items(&mut self, path: &KeyPath, new: &[Value]) -> Result<(), EditError> {
        let old_len = match self.get(path) {
            Some(Value::List(items)) => items.len(),
            _ => 0,
        };
        for (i, v) in new.iter().enumerate() {
            self.set_inner(&path.index(i), v)?;
        }
        for i in (new.len()..old_len).rev() {
            self.remove_inner(&path.index(i))?;
        }
        Ok(())
    }

    fn remove_inner(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        let found = match locate(&self.tree, path)? {
            Located::Found(found) => found,
            _ => return Ok(false),
        };
        if let Some(splice) = edit::remove(&self.ctx(), &found) {
            self.apply(splice, path, None)?;
            return Ok(true);
        }
        // The map or list would be left empty: it becomes `{}` or `[]`.
        let parent_path = path.parent().unwrap_or_default();
        let Located::Found(parent) = locate(&self.tree, &parent_path)? else {
            return Ok(false);
        };
        let empty = match &self.tree.node(parent.node).kind {
            Kind::Seq(_) => Value::List(Vec::new()),
            _ => Value::Map(Default::default()),
        };
        let splice = if matches!(parent.owner, Owner::Root) && parent_path.is_root() {
            let node = self.tree.node(parent.node);
            Splice {
                start: node.props_start,
                end: node.content.end,
                text: render::flow(&empty),
            }
        } else {
            edit::replace(&self.ctx(), &parent, &empty)
        };
        self.apply(splice, path, None)?;
        Ok(true)
    }

    fn apply(
        &mut self,
        splice: Splice,
        path: &KeyPath,
        expect: Option<&Value>,
    ) -> Result<(), EditError> {
        let mut text = String::with_capacity(self.text.len() + splice.text.len());
        text.push_str(&self.text[..splice.start]);
        text.push_str(&splice.text);
        text.push_str(&self.text[splice.end..]);
        let tree = parser::parse(&text).map_err(|e| EditError::Unrepresentable {
            path: path.clone(),
            reason: format!("the edited file would not parse ({e}); nothing was changed"),
        })?;
        if let Some(expected) = expect {
            let got = match locate(&tree, path) {
                Ok(Located::Found(Found { node, .. })) => Some(value::node_value(&tree, node)),
                _ => None,
            };
            if got.as_ref() != Some(expected) {
                return Err(EditError::Unrepresentable {
                    path: path.clone(),
                    reason: format!(
                        "the edit would read back as {got:?}, not the value asked for; nothing was changed"
                    ),
                });
            }
        }
        self.text = text;
        self.tree = tree;
        Ok(())
    }

    pub fn get(&self, path: &KeyPath) -> Option<Value> {
        crate::navigate::get(&self.root_value(), path)
    }

    /// The 1-based first and last lines of the value at `path`, from its key or `-`.
    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let Ok(Located::Found(found)) = locate(&self.tree, path) else {
            return None;
        };
        let node = self.tree.node(found.node);
        let start = match found.owner {
            Owner::Entry { map, index } => match &self.tree.node(map).kind {
                Kind::Map(m) => m.entries[index].key_span.start,
                _ => node.props_start,
            },
            Owner::Item { seq, index } => match &self.tree.node(seq).kind {
                Kind::Seq(s) => s.items[index].start,
                _ => node.props_start,
            },
            Owner::Root => node.props_start,
        };
        let first = crate::position::line_column(&self.text, start).0;
        let last = crate::position::line_column(&self.text, node.content.end).0;
        Some((first, last))
    }
}

/// Same value and same types all the way down (`Value`'s `==` lets 1 equal 1.0).
fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| identical(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| identical(v, w)))
        }
        _ => a.kind() == b.kind() && a == b,
    }
}

/// The file's own indentation step and list style, from its nested block collections.
fn detect_layout(tree: &Tree) -> Layout {
    let mut steps = std::collections::HashMap::<usize, usize>::new();
    let (mut zero, mut indented) = (0, 0);
    for node in &tree.nodes {
        let Kind::Map(map) = &node.kind else { continue };
        let Some(indent) = map.indent else { continue };
        for entry in &map.entries {
            match &tree.node(entry.value).kind {
                Kind::Map(child) => {
                    if let Some(ci) = child.indent.filter(|&ci| ci > indent) {
                        *steps.entry(ci - indent).or_default() += 1;
                    }
                }
                Kind::Seq(child) => match child.indent {
                    Some(ci) if ci == indent => zero += 1,
                    Some(_) => indented += 1,
                    None => {}
                },
                _ => {}
            }
        }
    }
    let step = steps
        .into_iter()
        .max_by_key(|&(step, count)| (count, std::cmp::Reverse(step)))
        .map_or(2, |(step, _)| step);
    Layout {
        step,
        zero_indent_lists: zero > indented,
    }
}
