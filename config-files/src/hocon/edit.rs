//! Edits of a HOCON document: a splice of the original text (a value's own bytes, a new
//! field on a new line at the file's indentation, or the lines of a removed field), then the
//! result is read again and kept only if the edited key reads as asked and every other
//! flattened key reads as before.

use std::ops::Range;

use homeamp_schemas::{KeyPath, Segment, Value};

use super::HoconDocument;
use super::locate::{Found, Place, Site, find};
use super::render::{indentation, key, key_path, starts_line};
use super::tree::{Id, Kind, Member, Separator};
use crate::error::EditError;
use crate::navigate::nest;
use crate::position::{line_content_end, line_end_inclusive, line_start};

type Splice = (Range<usize>, String);

impl HoconDocument {
    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        if path.is_root() {
            return Err(EditError::Root);
        }
        if matches!(value, Value::Float(f) if !f.is_finite()) {
            return Err(EditError::Unrepresentable {
                path: path.clone(),
                reason: "HOCON has no infinity or NaN".into(),
            });
        }
        if let Some(old) = crate::navigate::get(&self.value, path)
            && old == *value
            && old.kind() == value.kind()
        {
            return Ok(());
        }
        let splice = match find(&self.tree, path.segments()) {
            Found::Value { node, site } => self.replace_value(node, site, value),
            Found::Missing { place, depth } => self.insert(path, place, depth, value)?,
            Found::Blocked { node, site, depth } => self.blocked(path, node, site, depth, value)?,
            Found::Implicit { .. } => return Err(dotted_object(path)),
            Found::Appended { .. } => return Err(appended(path)),
        };
        self.apply(path, splice, Some(value))
    }

    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        if path.is_root() {
            return Err(EditError::Root);
        }
        let (node, site) = match find(&self.tree, path.segments()) {
            Found::Value { node, site } => (node, site),
            Found::Implicit { .. } => return Err(dotted_object(path)),
            Found::Appended { .. } => return Err(appended(path)),
            Found::Missing { .. } | Found::Blocked { .. } => return Ok(false),
        };
        let range = self.removal(self.site_start(node, site), self.node(node).end);
        let splice = (range, String::new());
        match (site, path.parent()) {
            // The items after a removed one move up: check the whole list instead.
            (Site::Item { index, .. }, Some(list_path)) => {
                let Some(Value::List(mut items)) = crate::navigate::get(&self.value, &list_path)
                else {
                    return Err(EditError::Unrepresentable {
                        path: path.clone(),
                        reason: "the list holding this item is not the one the file reads".into(),
                    });
                };
                items.remove(index);
                self.apply(&list_path, splice, Some(&Value::List(items)))?;
            }
            _ => self.apply(path, splice, None)?,
        }
        Ok(true)
    }

    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let Found::Value { node, site } = find(&self.tree, path.segments()) else {
            return None;
        };
        let line = |offset| crate::position::line_column(&self.text, offset).0;
        Some((line(self.site_start(node, site)), line(self.node(node).end)))
    }

    fn node(&self, id: Id) -> Range<usize> {
        self.tree.nodes[id].span.clone()
    }

    fn members(&self, object: Id) -> &[Member] {
        match &self.tree.nodes[object].kind {
            Kind::Object(o) => &o.members,
            _ => &[],
        }
    }

    /// Where the value's entry starts: its key, or the item itself.
    fn site_start(&self, node: Id, site: Site) -> usize {
        match site {
            Site::Field { object, index } => {
                self.members(object)[index].span(&self.tree.nodes).start
            }
            Site::Item { .. } => self.node(node).start,
        }
    }

    fn replace_value(&self, node: Id, site: Site, value: &Value) -> Splice {
        let at = indentation(&self.text, self.site_start(node, site)).to_string();
        let like = match &self.tree.nodes[node].kind {
            Kind::Scalar(s) => Some(s.style),
            _ => None,
        };
        let text = self.layout.value(value, &at, like);
        if let Site::Field { object, index } = site
            && let Member::Field(f) = &self.members(object)[index]
            && f.separator == Separator::None
            && !matches!(value, Value::Map(_))
        {
            // `key { … }` becomes `key<sep>value`: a separator is needed again.
            let range = f.key_span.end..self.node(node).end;
            return (range, format!("{}{text}", self.layout.separator));
        }
        (self.node(node), text)
    }

    /// A path leading through a value that cannot hold the rest: `null` is replaced by the
    /// maps the rest needs; anything else is an error.
    fn blocked(
        &self,
        path: &KeyPath,
        node: Id,
        site: Option<Site>,
        depth: usize,
        value: &Value,
    ) -> Result<Splice, EditError> {
        let parent = KeyPath::from_segments(path.segments()[..depth].to_vec());
        let segment = &path.segments()[depth];
        match (&self.tree.nodes[node].kind, segment) {
            (Kind::Scalar(s), _) if s.value == Value::Null && site.is_some() => {
                let whole = nest(path, &path.segments()[depth..], value)?;
                Ok(self.replace_value(node, site.expect("checked"), &whole))
            }
            (Kind::Object(_), Segment::Index(_)) => Err(EditError::IndexIntoMap {
                path: path.clone(),
                parent,
            }),
            (Kind::Array(_), Segment::Key(_)) => Err(EditError::KeyIntoList {
                path: path.clone(),
                parent,
            }),
            (Kind::Scalar(s), _) => Err(EditError::NotAContainer {
                path: path.clone(),
                parent,
                found: s.value.kind(),
                segment: match segment {
                    Segment::Key(k) => format!("key {k:?}"),
                    Segment::Index(i) => format!("index {i}"),
                },
            }),
            _ => Err(EditError::Unrepresentable {
                path: path.clone(),
                reason: format!(
                    "{parent} is a substitution (${{…}}) or values joined side by side, which \
                     homeamp keeps as written; edit that line by hand"
                ),
            }),
        }
    }

    fn insert(
        &self,
        path: &KeyPath,
        place: Place,
        depth: usize,
        value: &Value,
    ) -> Result<Splice, EditError> {
        let rest = &path.segments()[depth..];
        let inner = nest(path, &rest[1..], value)?;
        let parent = || KeyPath::from_segments(path.segments()[..depth].to_vec());
        match (place, &rest[0]) {
            (Place::Array(array), Segment::Index(i)) => {
                let Kind::Array(items) = &self.tree.nodes[array].kind else {
                    unreachable!("Place::Array names a list");
                };
                if *i != items.len() {
                    return Err(EditError::IndexOutOfRange {
                        path: path.clone(),
                        len: items.len(),
                    });
                }
                Ok(self.append_item(array, items, &inner))
            }
            (Place::Object(object), Segment::Key(k)) => {
                let field = |at: &str| self.layout.field(&key(k), &inner, at);
                Ok(self.append_field(object, field))
            }
            (
                Place::AfterField {
                    object,
                    index,
                    shared,
                },
                Segment::Key(k),
            ) => {
                let Member::Field(f) = &self.members(object)[index] else {
                    unreachable!("Place::AfterField names a field");
                };
                let mut parts = f.path[..shared].to_vec();
                parts.push(k.clone());
                let name = key_path(&parts);
                let start = f.key_span.start;
                let end = self.node(f.value).end;
                Ok(self.after(start, end, None, |at| self.layout.field(&name, &inner, at)))
            }
            (_, Segment::Index(_)) => Err(EditError::IndexIntoMap {
                path: path.clone(),
                parent: parent(),
            }),
            (_, Segment::Key(_)) => Err(EditError::KeyIntoList {
                path: path.clone(),
                parent: parent(),
            }),
        }
    }

    /// New text after the entry `start..end`: on a line of its own when the entry ends its
    /// line (after any comment there), else `, new` right after it. `close` is where the
    /// enclosing object or list closes, when it does.
    fn after(
        &self,
        start: usize,
        end: usize,
        close: Option<usize>,
        render: impl Fn(&str) -> String,
    ) -> Splice {
        let line_end = line_content_end(&self.text, end);
        let tail = self.text[end..line_end].trim_start_matches([' ', '\t', ',']);
        let ends_line = (tail.is_empty() || tail.starts_with('#') || tail.starts_with("//"))
            && close.is_none_or(|c| c >= line_end);
        if ends_line {
            let at = indentation(&self.text, start).to_string();
            let at = if starts_line(&self.text, start) {
                at
            } else {
                format!("{at}{}", self.layout.indent)
            };
            let text = format!("{}{at}{}", self.layout.eol, render(&at));
            (line_end..line_end, text)
        } else {
            let at = indentation(&self.text, start);
            (end..end, format!(", {}", render(at)))
        }
    }

    fn append_field(&self, object: Id, render: impl Fn(&str) -> String) -> Splice {
        let span = self.node(object);
        let braces = matches!(&self.tree.nodes[object].kind, Kind::Object(o) if o.braces);
        let close = braces.then(|| span.end - 1);
        if let Some(last) = self.members(object).last() {
            let last = last.span(&self.tree.nodes);
            return self.after(last.start, last.end, close, render);
        }
        match close {
            Some(close) => self.fill_empty(span.start, close, render),
            None => {
                let text = &self.text;
                let body = text.trim_start_matches('\u{feff}');
                let new = render("");
                let eol = self.layout.eol;
                if body.is_empty() {
                    (text.len()..text.len(), new)
                } else if text.ends_with('\n') {
                    (text.len()..text.len(), format!("{new}{eol}"))
                } else {
                    (text.len()..text.len(), format!("{eol}{new}"))
                }
            }
        }
    }

    /// `{}` (or `{` and `}` with only comments between) gets its first field.
    fn fill_empty(&self, open: usize, close: usize, render: impl Fn(&str) -> String) -> Splice {
        let at = indentation(&self.text, open).to_string();
        let inner = format!("{at}{}", self.layout.indent);
        let eol = self.layout.eol;
        if self.text[open..close].contains('\n') {
            let line_end = line_content_end(&self.text, open);
            (
                line_end..line_end,
                format!("{eol}{inner}{}", render(&inner)),
            )
        } else {
            let text = format!("{eol}{inner}{}{eol}{at}", render(&inner));
            (open + 1..close, text)
        }
    }

    fn append_item(&self, array: Id, items: &[Id], value: &Value) -> Splice {
        let span = self.node(array);
        let close = span.end - 1;
        let render = |at: &str| self.layout.value(value, at, None);
        let Some(&last) = items.last() else {
            let at = indentation(&self.text, span.start).to_string();
            return (span.start + 1..close, render(&at));
        };
        let last = self.node(last);
        let after_last = &self.text[last.end..close];
        let has_comma = after_last.trim_start().starts_with(',');
        if !after_last.contains('\n') {
            let comma = after_last.find(',').map_or(last.end, |i| last.end + i + 1);
            let at = indentation(&self.text, span.start);
            let text = if has_comma {
                format!(" {}", render(at))
            } else {
                format!(", {}", render(at))
            };
            return (comma..comma, text);
        }
        let line_end = line_content_end(&self.text, last.end);
        let at = indentation(&self.text, last.start).to_string();
        let comma = if has_comma { "" } else { "," };
        let text = format!(
            "{comma}{}{}{at}{}",
            &self.text[last.end..line_end],
            self.layout.eol,
            render(&at)
        );
        (last.end..line_end, text)
    }

    /// What removing the entry `start..end` takes away: its whole lines when it has them to
    /// itself, else the entry and one ',' beside it.
    fn removal(&self, start: usize, end: usize) -> Range<usize> {
        let text = &self.text;
        let line_end = line_content_end(text, end);
        let tail = text[end..line_end].trim_start_matches([' ', '\t', '\r', ',']);
        let own_lines = starts_line(text, start)
            && (tail.is_empty() || tail.starts_with('#') || tail.starts_with("//"));
        if own_lines {
            let from = line_start(text, start);
            let to = line_end_inclusive(text, end);
            if to == text.len() && !text.ends_with('\n') && from > 0 {
                // The last line has no line break: take the one before it instead.
                let before = &text[..from];
                let cut = before.len() - if before.ends_with("\r\n") { 2 } else { 1 };
                return cut..to;
            }
            return from..to;
        }
        let rest = &text[end..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest[spaces..].starts_with(',') {
            let after = &rest[spaces + 1..];
            let more = after.len() - after.trim_start_matches([' ', '\t']).len();
            return start..end + spaces + 1 + more;
        }
        let before = text[..start].trim_end_matches([' ', '\t']);
        match before.strip_suffix(',') {
            Some(b) => b.len()..end,
            None => start..end,
        }
    }

    /// Applies `splice`, reads the result again and keeps it only when `path` reads as
    /// `expect` (absent for a removal) and every other leaf reads as before.
    fn apply(
        &mut self,
        path: &KeyPath,
        (range, new): Splice,
        expect: Option<&Value>,
    ) -> Result<(), EditError> {
        let not_kept = |reason: String| EditError::NotKept {
            path: path.clone(),
            reason,
        };
        let mut text = self.text.clone();
        text.replace_range(range, &new);
        let edited = HoconDocument::parse(&text)
            .map_err(|e| not_kept(format!("the edited text does not read back ({e})")))?;
        let got = crate::navigate::get(&edited.value, path);
        let same_kind = match (&got, expect) {
            (Some(g), Some(e)) => g == e && g.kind() == e.kind(),
            (None, None) => true,
            _ => false,
        };
        if !same_kind {
            return Err(not_kept(format!(
                "it would read back as {got:?}, another definition of the key wins"
            )));
        }
        let others = |doc: &HoconDocument| {
            let mut leaves: Vec<(String, Value)> = crate::navigate::flatten(doc.value.clone())
                .into_iter()
                .filter(|(p, _)| !p.starts_with(path) && !path.starts_with(p))
                .map(|(p, v)| (p.to_string(), v))
                .collect();
            leaves.sort_by(|a, b| a.0.cmp(&b.0));
            leaves
        };
        let (before, after) = (others(self), others(&edited));
        if before != after {
            let changed = before
                .iter()
                .zip(&after)
                .find(|(a, b)| a != b)
                .map_or_else(|| "the set of keys".to_string(), |(a, _)| a.0.clone());
            return Err(not_kept(format!("it would also change {changed}")));
        }
        *self = edited;
        Ok(())
    }
}

fn appended(path: &KeyPath) -> EditError {
    EditError::Unrepresentable {
        path: path.clone(),
        reason: "this list is built with += lines, which homeamp keeps as written; \
                 write it out as one list (key = [ … ]) to edit it"
            .into(),
    }
}

fn dotted_object(path: &KeyPath) -> EditError {
    EditError::Unrepresentable {
        path: path.clone(),
        reason: "this object is written only through dotted keys (a.b = …); \
                 set or remove its keys one by one"
            .into(),
    }
}
