//! JSON files (RFC 8259), read strictly and edited in place.
//!
//! The reader keeps the byte span of every value, so an edit replaces exactly one value's
//! text; new members and items follow the file's own layout (one per line with the file's
//! indentation, or inline in a one-line object).

use std::ops::Range;

use homeamp_schemas::{KeyPath, Segment, Value};
use indexmap::IndexMap;

use crate::error::{EditError, ParseError};
use crate::position::{line_column, line_ending};

type Id = usize;

/// Where a path leads: the deepest node that exists, how many segments it covers, and
/// (when it is inside a container) that container and its position there.
type Located = (Id, usize, Option<(Id, usize)>);

#[derive(Debug)]
enum Kind {
    Scalar(Value),
    Object(Vec<Member>),
    Array(Vec<Id>),
}

#[derive(Debug)]
struct Member {
    key: String,
    key_span: Range<usize>,
    value: Id,
}

#[derive(Debug)]
struct Node {
    span: Range<usize>,
    kind: Kind,
}

#[derive(Debug)]
pub struct JsonDocument {
    text: String,
    nodes: Vec<Node>,
    root: Id,
    eol: &'static str,
    /// One level of indentation (a tab, or some spaces) as the file uses it.
    indent_unit: String,
}

impl JsonDocument {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let (nodes, root) = Reader::read(text)?;
        Ok(Self {
            text: text.to_string(),
            nodes,
            root,
            eol: line_ending(text),
            indent_unit: detect_indent(text),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn root_value(&self) -> Value {
        self.value(self.root)
    }

    fn value(&self, id: Id) -> Value {
        match &self.nodes[id].kind {
            Kind::Scalar(v) => v.clone(),
            Kind::Array(items) => Value::List(items.iter().map(|&i| self.value(i)).collect()),
            Kind::Object(members) => {
                let mut map = IndexMap::with_capacity(members.len());
                for m in members {
                    map.insert(m.key.clone(), self.value(m.value));
                }
                Value::Map(map)
            }
        }
    }

    /// The node at `path`, or the deepest existing node and how many segments it covers.
    fn locate(&self, path: &KeyPath) -> Result<Located, EditError> {
        let mut cur = self.root;
        let mut owner = None;
        for (depth, segment) in path.segments().iter().enumerate() {
            let next = match (&self.nodes[cur].kind, segment) {
                (Kind::Object(members), Segment::Key(k)) => members
                    .iter()
                    .rposition(|m| m.key == *k)
                    .map(|i| (members[i].value, i)),
                (Kind::Array(items), Segment::Index(i)) => items.get(*i).map(|&id| (id, *i)),
                (Kind::Object(_), Segment::Index(_)) => {
                    return Err(EditError::IndexIntoMap {
                        path: path.clone(),
                        parent: KeyPath::from_segments(path.segments()[..depth].to_vec()),
                    });
                }
                (Kind::Array(_), Segment::Key(_)) => {
                    return Err(EditError::KeyIntoList {
                        path: path.clone(),
                        parent: KeyPath::from_segments(path.segments()[..depth].to_vec()),
                    });
                }
                (Kind::Scalar(v), _) => {
                    if *v == Value::Null {
                        return Ok((cur, depth, owner));
                    }
                    return Err(EditError::NotAContainer {
                        path: path.clone(),
                        parent: KeyPath::from_segments(path.segments()[..depth].to_vec()),
                        found: v.kind(),
                        segment: segment_name(segment),
                    });
                }
            };
            match next {
                Some((id, index)) => {
                    owner = Some((cur, index));
                    cur = id;
                }
                None => return Ok((cur, depth, owner)),
            }
        }
        Ok((cur, path.len(), owner))
    }

    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let (id, depth, owner) = self.locate(path).ok()?;
        if depth != path.len() {
            return None;
        }
        let start = match owner {
            Some((parent, index)) => match &self.nodes[parent].kind {
                Kind::Object(members) => members[index].key_span.start,
                _ => self.nodes[id].span.start,
            },
            None => self.nodes[id].span.start,
        };
        Some((
            line_column(&self.text, start).0,
            line_column(&self.text, self.nodes[id].span.end).0,
        ))
    }

    /// The indentation of the line holding `offset`.
    fn indent_at(&self, offset: usize) -> &str {
        let ls = crate::position::line_start(&self.text, offset);
        let line = &self.text[ls..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    }

    fn is_multiline(&self, id: Id) -> bool {
        self.text[self.nodes[id].span.clone()].contains('\n')
    }

    /// `value` as JSON text placed at the indentation `indent`.
    fn render(&self, value: &Value, indent: &str, multiline: bool) -> String {
        match value {
            Value::Map(m) if !m.is_empty() => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| {
                        let inner = format!("{indent}{}", self.indent_unit);
                        let text =
                            format!("{}: {}", json_string(k), self.render(v, &inner, multiline));
                        if multiline {
                            format!("{inner}{text}")
                        } else {
                            text
                        }
                    })
                    .collect();
                if multiline {
                    let sep = format!(",{}", self.eol);
                    format!("{{{}{}{}{indent}}}", self.eol, parts.join(&sep), self.eol)
                } else {
                    format!("{{{}}}", parts.join(", "))
                }
            }
            Value::List(items) if !items.is_empty() => {
                let inner = format!("{indent}{}", self.indent_unit);
                let parts: Vec<String> = items
                    .iter()
                    .map(|v| {
                        let text = self.render(v, &inner, multiline);
                        if multiline {
                            format!("{inner}{text}")
                        } else {
                            text
                        }
                    })
                    .collect();
                if multiline {
                    let sep = format!(",{}", self.eol);
                    format!("[{}{}{}{indent}]", self.eol, parts.join(&sep), self.eol)
                } else {
                    format!("[{}]", parts.join(", "))
                }
            }
            Value::Map(_) => "{}".into(),
            Value::List(_) => "[]".into(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) if f.is_finite() => {
                let text = format!("{f:?}");
                text.replace("e", "E")
            }
            Value::Float(_) => "null".into(),
            Value::String(s) => json_string(s),
        }
    }

    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        if path.is_root() {
            return Err(EditError::Root);
        }
        if matches!(value, Value::Float(f) if !f.is_finite()) {
            return Err(EditError::Unrepresentable {
                path: path.clone(),
                reason: "JSON has no infinity or NaN".into(),
            });
        }
        let (id, depth, _) = self.locate(path)?;
        let node = &self.nodes[id];
        let (range, text) = if depth == path.len() {
            if self.value(id) == *value && self.value(id).kind() == value.kind() {
                return Ok(());
            }
            let indent = self.indent_at(node.span.start).to_string();
            let multiline =
                self.is_multiline(id) || (!value.is_scalar() && self.is_multiline(self.root));
            (node.span.clone(), self.render(value, &indent, multiline))
        } else {
            let rest = &path.segments()[depth..];
            let inner = crate::navigate::nest(path, &rest[1..], value)?;
            match (&node.kind, &rest[0]) {
                (Kind::Object(members), Segment::Key(k)) => {
                    let last_end = members.last().map(|m| self.nodes[m.value].span.end);
                    let member = |me: &Self, indent: &str, multiline: bool| {
                        format!(
                            "{}: {}",
                            json_string(k),
                            me.render(&inner, indent, multiline)
                        )
                    };
                    self.insertion(id, last_end, member)
                }
                (Kind::Array(items), Segment::Index(i)) => {
                    if *i != items.len() {
                        return Err(EditError::IndexOutOfRange {
                            path: path.clone(),
                            len: items.len(),
                        });
                    }
                    let last_end = items.last().map(|&it| self.nodes[it].span.end);
                    self.insertion(id, last_end, |me: &Self, indent: &str, multiline: bool| {
                        me.render(&inner, indent, multiline)
                    })
                }
                (Kind::Scalar(_), _) => {
                    let whole = crate::navigate::nest(path, rest, value)?;
                    let indent = self.indent_at(node.span.start).to_string();
                    (
                        node.span.clone(),
                        self.render(&whole, &indent, self.is_multiline(self.root)),
                    )
                }
                _ => unreachable!("locate refuses a key into a list and an index into a map"),
            }
        };
        self.replace(range, &text, path)?;
        match self.locate(path) {
            Ok((id, depth, _)) if depth == path.len() && self.value(id) == *value => Ok(()),
            _ => Err(EditError::Unrepresentable {
                path: path.clone(),
                reason: "the edit did not read back as the value asked for".into(),
            }),
        }
    }

    /// Where and what to insert for a new member or item of container `id`.
    fn insertion(
        &self,
        id: Id,
        last_end: Option<usize>,
        render: impl Fn(&Self, &str, bool) -> String,
    ) -> (Range<usize>, String) {
        let span = self.nodes[id].span.clone();
        let container_indent = self.indent_at(span.start).to_string();
        let multiline =
            self.is_multiline(id) || (last_end.is_none() && self.is_multiline(self.root));
        match last_end {
            Some(end) if multiline => {
                let indent = self.indent_at(end).to_string();
                (
                    end..end,
                    format!(",{}{indent}{}", self.eol, render(self, &indent, true)),
                )
            }
            Some(end) => (end..end, format!(", {}", render(self, "", false))),
            None if multiline => {
                let inner = format!("{container_indent}{}", self.indent_unit);
                (
                    span.start + 1..span.end - 1,
                    format!(
                        "{}{inner}{}{}{container_indent}",
                        self.eol,
                        render(self, &inner, true),
                        self.eol
                    ),
                )
            }
            None => (span.start + 1..span.end - 1, render(self, "", false)),
        }
    }

    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        if path.is_root() {
            return Err(EditError::Root);
        }
        let (_, depth, owner) = match self.locate(path) {
            Ok(found) => found,
            Err(EditError::NotAContainer { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let Some((parent, index)) = owner.filter(|_| depth == path.len()) else {
            return Ok(false);
        };
        let spans: Vec<(usize, usize)> = match &self.nodes[parent].kind {
            Kind::Object(members) => members
                .iter()
                .map(|m| (m.key_span.start, self.nodes[m.value].span.end))
                .collect(),
            Kind::Array(items) => items
                .iter()
                .map(|&i| (self.nodes[i].span.start, self.nodes[i].span.end))
                .collect(),
            Kind::Scalar(_) => return Ok(false),
        };
        let range = if spans.len() == 1 {
            let span = &self.nodes[parent].span;
            span.start + 1..span.end - 1
        } else if index + 1 < spans.len() {
            spans[index].0..spans[index + 1].0
        } else {
            spans[index - 1].1..spans[index].1
        };
        self.replace(range, "", path)?;
        Ok(true)
    }

    fn replace(
        &mut self,
        range: Range<usize>,
        with: &str,
        path: &KeyPath,
    ) -> Result<(), EditError> {
        let mut text = String::with_capacity(self.text.len() + with.len());
        text.push_str(&self.text[..range.start]);
        text.push_str(with);
        text.push_str(&self.text[range.end..]);
        let (nodes, root) = Reader::read(&text).map_err(|e| EditError::Unrepresentable {
            path: path.clone(),
            reason: format!("the edited file would not parse ({e})"),
        })?;
        self.text = text;
        self.nodes = nodes;
        self.root = root;
        Ok(())
    }
}

fn segment_name(segment: &Segment) -> String {
    match segment {
        Segment::Key(k) => format!("key {k:?}"),
        Segment::Index(i) => format!("item [{i}]"),
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The file's indentation unit: a tab, or the smallest positive run of leading spaces.
fn detect_indent(text: &str) -> String {
    let mut smallest: Option<usize> = None;
    for line in text.lines() {
        if line.starts_with('\t') {
            return "\t".into();
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if spaces > 0 && spaces < line.len() {
            smallest = Some(smallest.map_or(spaces, |s| s.min(spaces)));
        }
    }
    " ".repeat(smallest.unwrap_or(2))
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
}

impl<'a> Reader<'a> {
    fn read(text: &'a str) -> Result<(Vec<Node>, Id), ParseError> {
        let mut r = Reader {
            text,
            b: text.as_bytes(),
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
            nodes: Vec::new(),
        };
        r.skip_ws();
        let root = r.value(0)?;
        r.skip_ws();
        if r.pos < r.b.len() {
            return Err(r.err("unexpected text after the JSON value"));
        }
        Ok((r.nodes, root))
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(self.text, self.pos, message)
    }

    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\r' | b'\n') {
            self.pos += 1;
        }
    }

    fn push(&mut self, span: Range<usize>, kind: Kind) -> Id {
        self.nodes.push(Node { span, kind });
        self.nodes.len() - 1
    }

    fn value(&mut self, depth: usize) -> Result<Id, ParseError> {
        if depth > 256 {
            return Err(self.err("nested too deeply"));
        }
        let start = self.pos;
        match self.peek() {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let s = self.string()?;
                Ok(self.push(start..self.pos, Kind::Scalar(Value::String(s))))
            }
            b't' | b'f' | b'n' => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.b[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(self.push(start..self.pos, Kind::Scalar(value)));
                    }
                }
                Err(self.err("expected a value (true, false, null, a number, a string, [ or {)"))
            }
            b'-' | b'0'..=b'9' => self.number(),
            0 => Err(self.err("the text ends where a value was expected")),
            _ => Err(self.err("expected a value (true, false, null, a number, a string, [ or {)")),
        }
    }

    fn number(&mut self) -> Result<Id, ParseError> {
        let start = self.pos;
        if self.peek() == b'-' {
            self.pos += 1;
        }
        match self.peek() {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                while self.peek().is_ascii_digit() {
                    self.pos += 1;
                }
            }
            _ => return Err(self.err("expected a digit")),
        }
        let mut float = false;
        if self.peek() == b'.' {
            float = true;
            self.pos += 1;
            if !self.peek().is_ascii_digit() {
                return Err(self.err("expected a digit after '.'"));
            }
            while self.peek().is_ascii_digit() {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), b'e' | b'E') {
            float = true;
            self.pos += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.pos += 1;
            }
            if !self.peek().is_ascii_digit() {
                return Err(self.err("expected a digit in the exponent"));
            }
            while self.peek().is_ascii_digit() {
                self.pos += 1;
            }
        }
        let text = &self.text[start..self.pos];
        let value = match (float, text.parse::<i64>()) {
            (false, Ok(i)) => Value::Int(i),
            _ => Value::Float(text.parse::<f64>().map_err(|_| self.err("bad number"))?),
        };
        Ok(self.push(start..self.pos, Kind::Scalar(value)))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match self.peek() {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    let e = self.peek();
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\x08'),
                        b'f' => out.push('\x0c'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.b[self.pos..].starts_with(b"\\u")
                            {
                                self.pos += 2;
                                let lo = self.hex4()?;
                                char::from_u32(
                                    0x10000
                                        + ((hi - 0xD800) << 10)
                                        + (lo.wrapping_sub(0xDC00) & 0x3FF),
                                )
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            self.pos -= 2;
                            return Err(self.err("unknown escape in a string"));
                        }
                    }
                    run = self.pos;
                }
                0 if self.pos >= self.b.len() => {
                    self.pos = open;
                    return Err(self.err("unclosed string"));
                }
                c if c < 0x20 => {
                    return Err(
                        self.err("a control character (such as a line break) inside a string")
                    );
                }
                _ => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let hex = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        let v = u32::from_str_radix(hex, 16)
            .map_err(|_| self.err("expected four hex digits after \\u"))?;
        self.pos += 4;
        Ok(v)
    }

    fn object(&mut self, depth: usize) -> Result<Id, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == b'}' {
            self.pos += 1;
            return Ok(self.push(start..self.pos, Kind::Object(members)));
        }
        loop {
            self.skip_ws();
            if self.peek() != b'"' {
                return Err(self
                    .err("expected a \"key\" (JSON keys are double-quoted; no trailing commas)"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_ws();
            if self.peek() != b':' {
                return Err(self.err("expected ':' after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Ok(self.push(start..self.pos, Kind::Object(members)));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Id, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == b']' {
            self.pos += 1;
            return Ok(self.push(start..self.pos, Kind::Array(items)));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Ok(self.push(start..self.pos, Kind::Array(items)));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> KeyPath {
        KeyPath::parse(s).unwrap()
    }

    #[test]
    fn numbers_are_ints_unless_they_have_a_fraction_or_exponent() {
        let d = JsonDocument::parse(r#"{"a": 1, "b": 1.0, "c": 1e2, "d": -0}"#).unwrap();
        let v = d.root_value();
        assert!(matches!(
            crate::navigate::get(&v, &p("a")),
            Some(Value::Int(1))
        ));
        assert!(matches!(
            crate::navigate::get(&v, &p("b")),
            Some(Value::Float(_))
        ));
        assert!(matches!(
            crate::navigate::get(&v, &p("c")),
            Some(Value::Float(_))
        ));
        assert!(matches!(
            crate::navigate::get(&v, &p("d")),
            Some(Value::Int(0))
        ));
    }

    #[test]
    fn invalid_json_is_refused_with_position() {
        for (text, line, col) in [
            ("{\n  \"a\": 1,\n}", 3, 1),
            ("{'a': 1}", 1, 2),
            ("[1 2]", 1, 4),
            ("{\"a\": tru}", 1, 7),
            ("{} x", 1, 4),
        ] {
            let err = JsonDocument::parse(text).unwrap_err();
            assert_eq!((err.line, err.column), (line, col), "{text:?}: {err}");
        }
    }

    #[test]
    fn set_replaces_only_the_value() {
        let mut d = JsonDocument::parse("{\n\t\"a\": 1,\n\t\"b\": \"x\"\n}").unwrap();
        d.set(&p("b"), &Value::String("y".into())).unwrap();
        assert_eq!(d.text(), "{\n\t\"a\": 1,\n\t\"b\": \"y\"\n}");
    }

    #[test]
    fn new_members_follow_the_file_layout() {
        let mut d = JsonDocument::parse("{\n    \"a\": 1\n}\n").unwrap();
        d.set(&p("b.c"), &Value::Bool(true)).unwrap();
        assert_eq!(
            d.text(),
            "{\n    \"a\": 1,\n    \"b\": {\n        \"c\": true\n    }\n}\n"
        );
        let mut d = JsonDocument::parse(r#"{"a": [1]}"#).unwrap();
        d.set(&p("a[1]"), &Value::Int(2)).unwrap();
        d.set(&p("z"), &Value::Null).unwrap();
        assert_eq!(d.text(), r#"{"a": [1, 2], "z": null}"#);
    }

    #[test]
    fn remove_takes_its_comma_with_it() {
        let mut d = JsonDocument::parse(r#"{"a": 1, "b": 2, "c": 3}"#).unwrap();
        assert!(d.remove(&p("b")).unwrap());
        assert_eq!(d.text(), r#"{"a": 1, "c": 3}"#);
        assert!(d.remove(&p("c")).unwrap());
        assert_eq!(d.text(), r#"{"a": 1}"#);
        assert!(d.remove(&p("a")).unwrap());
        assert_eq!(d.text(), r#"{}"#);
        assert!(!d.remove(&p("a")).unwrap());
    }
}
