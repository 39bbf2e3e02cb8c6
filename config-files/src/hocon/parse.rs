//! The structure of a HOCON file: objects (the root with or without braces), fields with
//! `=`, `:` or no separator before `{`, dotted key paths, arrays, `include` lines and
//! values side by side (concatenation). Builds a [`Tree`] with every span.

use std::ops::Range;

use homeamp_schemas::Value;

use super::lexer::{Cursor, ends_key, is_space};
use super::tree::{Field, Id, Kind, Member, Node, Object, Scalar, Separator, Style, Tree};
use crate::error::ParseError;

/// Deeper nesting is refused rather than risking the stack.
const MAX_DEPTH: usize = 200;

pub(super) fn parse(text: &str) -> Result<Tree, ParseError> {
    let mut p = Parser {
        c: Cursor::new(text),
        nodes: Vec::new(),
    };
    p.c.skip_blank();
    let root = match p.c.peek() {
        b'{' => p.object(0)?,
        b'[' => {
            return Err(p.c.err(
                "a HOCON file must hold an object at its top level, not a list: \
                 put the list under a key (`items = [ … ]`)",
            ));
        }
        _ => {
            let start = p.c.pos;
            let members = p.members(None, 0)?;
            p.push(
                start..p.c.pos,
                Kind::Object(Object {
                    braces: false,
                    members,
                }),
            )
        }
    };
    p.c.skip_blank();
    if !p.c.at_end() {
        return Err(p.c.err(
            "unexpected text after the end of the top-level object: remove it, \
             or move it inside the braces",
        ));
    }
    Ok(Tree {
        nodes: p.nodes,
        root,
    })
}

struct Parser<'a> {
    c: Cursor<'a>,
    nodes: Vec<Node>,
}

impl Parser<'_> {
    fn push(&mut self, span: Range<usize>, kind: Kind) -> Id {
        self.nodes.push(Node { span, kind });
        self.nodes.len() - 1
    }

    fn deep(&self, depth: usize) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.c.err("nested too deeply (more than 200 levels)"));
        }
        Ok(())
    }

    /// `{ … }`; `pos` is on the `{`.
    fn object(&mut self, depth: usize) -> Result<Id, ParseError> {
        self.deep(depth)?;
        let open = self.c.pos;
        self.c.pos += 1;
        let members = self.members(Some(open), depth)?;
        self.c.pos += 1;
        Ok(self.push(
            open..self.c.pos,
            Kind::Object(Object {
                braces: true,
                members,
            }),
        ))
    }

    /// Fields up to the `}` matching `open` (left on it), or to the end of the text.
    fn members(&mut self, open: Option<usize>, depth: usize) -> Result<Vec<Member>, ParseError> {
        let mut members = Vec::new();
        loop {
            self.c.skip_blank();
            match (self.c.peek(), open) {
                (b'}', Some(_)) => return Ok(members),
                (b'}', None) => {
                    return Err(self.c.err(
                        "'}' without a matching '{': remove it, or open the object it closes",
                    ));
                }
                _ if self.c.at_end() => match open {
                    None => return Ok(members),
                    Some(open) => {
                        return Err(self.c.err_at(
                            open,
                            "unclosed '{': the text ends inside this object; add the '}' that closes it",
                        ));
                    }
                },
                (b',', _) if members.is_empty() => {
                    return Err(self.c.err("',' before the first field: remove it"));
                }
                _ => {}
            }
            let member = match self.include()? {
                Some(span) => Member::Include(span),
                None => Member::Field(self.field(depth)?),
            };
            members.push(member);
            // After a field: spaces, a comment, then a line break, a ',' or the end.
            self.c.skip_line_rest();
            match self.c.peek() {
                b'\n' => {}
                b',' => {
                    self.c.pos += 1;
                    self.c.skip_blank();
                    if self.c.peek() == b',' {
                        return Err(self.c.err("two ',' in a row: remove one"));
                    }
                }
                b'}' if open.is_some() => {}
                b'}' => {
                    return Err(self.c.err(
                        "'}' without a matching '{': remove it, or open the object it closes",
                    ));
                }
                _ if self.c.at_end() => {}
                _ => {
                    return Err(self.c.err(
                        "unexpected text after the value: put one field per line, \
                         or separate fields with ','",
                    ));
                }
            }
        }
    }

    /// An `include` line (`include "x.conf"`, `include required(file("x"))`), if one starts
    /// here; `include` followed by a separator is an ordinary key.
    fn include(&mut self) -> Result<Option<Range<usize>>, ParseError> {
        if !self.c.starts_with("include") || !is_space(self.c.peek_at(7)) {
            return Ok(None);
        }
        let start = self.c.pos;
        self.c.pos += 7;
        self.c.skip_spaces();
        if self.c.peek() == b'"' {
            self.c.quoted()?;
            return Ok(Some(start..self.c.pos));
        }
        let resource = ["required(", "file(", "url(", "classpath("];
        if !resource.iter().any(|r| self.c.starts_with(r)) {
            // `include = …` or `include { … }`: a key named include.
            self.c.pos = start;
            return Ok(None);
        }
        let mut parens = 0usize;
        loop {
            match self.c.peek() {
                b'"' => {
                    self.c.quoted()?;
                    continue;
                }
                b'(' => parens += 1,
                b')' if parens > 0 => {
                    parens -= 1;
                    if parens == 0 {
                        self.c.pos += 1;
                        return Ok(Some(start..self.c.pos));
                    }
                }
                c if c.is_ascii_alphabetic() && parens == 0 || parens > 0 && c != b'\n' => {}
                _ => {
                    return Err(self.c.err(
                        "bad include: write include \"file.conf\" or include file(\"file.conf\")",
                    ));
                }
            }
            if self.c.at_end() {
                return Err(self.c.err("bad include: the text ends inside it"));
            }
            self.c.pos += 1;
        }
    }

    fn field(&mut self, depth: usize) -> Result<Field, ParseError> {
        let (path, key_span) = self.key_path()?;
        // As in Typesafe Config, line breaks and comments may stand between the key, the
        // separator and the value.
        self.c.skip_blank();
        let separator = match self.c.peek() {
            b'{' => Separator::None,
            b'=' => Separator::Equals,
            b':' => Separator::Colon,
            b'+' if self.c.starts_with("+=") => {
                self.c.pos += 1;
                Separator::Append
            }
            _ => {
                let key = &self.c.text[key_span.clone()];
                return Err(self.c.err_at(
                    key_span.end,
                    format!(
                        "expected '=', ':' or '{{' after the key `{key}`: write `{key} = value`"
                    ),
                ));
            }
        };
        if separator != Separator::None {
            self.c.pos += 1;
            let after = self.c.pos;
            self.c.skip_blank();
            if self.c.at_end() || matches!(self.c.peek(), b'}' | b']' | b',') {
                return Err(self.c.err_at(
                    after,
                    "expected a value after the separator: write key = value",
                ));
            }
        }
        let value = self.value(depth + 1)?;
        Ok(Field {
            path,
            key_span,
            separator,
            value,
        })
    }

    /// A key, possibly dotted (`a.b."c.d"`), its parts possibly quoted or several words.
    fn key_path(&mut self) -> Result<(Vec<String>, Range<usize>), ParseError> {
        let start = self.c.pos;
        let mut path = Vec::new();
        let mut part = String::new();
        let mut has_part = false;
        loop {
            match self.c.peek() {
                b'"' if self.c.starts_with("\"\"\"") => {
                    part.push_str(&self.c.triple_quoted()?);
                    has_part = true;
                }
                b'"' => {
                    part.push_str(&self.c.quoted()?);
                    has_part = true;
                }
                b'.' if has_part => {
                    path.push(std::mem::take(&mut part));
                    has_part = false;
                    self.c.pos += 1;
                    continue;
                }
                c if !ends_key(c) && !self.c.at_end() && !self.c.starts_with("//") => {
                    let run = self.c.unquoted_key();
                    part.push_str(&self.c.text[run]);
                    has_part = true;
                }
                _ => {}
            }
            // Words of one key part may be separated by spaces (`a b = 1` is key "a b").
            let before = self.c.pos;
            self.c.skip_spaces();
            let next = self.c.peek();
            let continues = has_part
                && (next == b'"' || next == b'.' || !ends_key(next))
                && !self.c.at_end()
                && !self.c.starts_with("//");
            if continues && before != self.c.pos {
                part.push_str(&self.c.text[before..self.c.pos]);
                continue;
            }
            if continues {
                continue;
            }
            self.c.pos = before;
            if !has_part {
                return Err(self.c.err(if path.is_empty() {
                    "expected a key: write `key = value`"
                } else {
                    "a key path cannot end with '.': name the last key"
                }));
            }
            path.push(part);
            return Ok((path, start..self.c.pos));
        }
    }

    /// A value: an object, an array, or one or more simple values and substitutions side by
    /// side on one line (a concatenation).
    fn value(&mut self, depth: usize) -> Result<Id, ParseError> {
        self.deep(depth)?;
        let mut parts = Vec::new();
        loop {
            let part = match self.c.peek() {
                b'{' => self.object(depth)?,
                b'[' => self.array(depth)?,
                b'"' => self.string()?,
                b'$' if self.c.starts_with("${") => {
                    let span = self.c.substitution()?;
                    self.push(span, Kind::Substitution)
                }
                b'}' | b']' | b',' | b'\n' | b'#' => break,
                _ if self.c.at_end() || self.c.at_comment() => break,
                _ => {
                    let run = self.c.unquoted_value();
                    let raw = &self.c.text[run.clone()];
                    let value = unquoted_value(raw);
                    let text = raw.to_string();
                    self.push(
                        run,
                        Kind::Scalar(Scalar {
                            style: Style::Unquoted,
                            value,
                            text,
                        }),
                    )
                }
            };
            parts.push(part);
            let before = self.c.pos;
            self.c.skip_spaces();
            if matches!(self.c.peek(), b'}' | b']' | b',' | b'\n' | b'#')
                || self.c.at_end()
                || self.c.at_comment()
            {
                self.c.pos = before;
                break;
            }
        }
        match parts.len() {
            0 => Err(self
                .c
                .err("expected a value after the separator: write key = value")),
            1 => Ok(parts[0]),
            _ => {
                self.check_concat(&parts)?;
                let span = self.nodes[parts[0]].span.start..self.c.pos;
                Ok(self.push(span, Kind::Concat(parts)))
            }
        }
    }

    /// Objects concatenate with objects, arrays with arrays, and simple values and
    /// substitutions with each other; a substitution may stand beside anything.
    fn check_concat(&self, parts: &[Id]) -> Result<(), ParseError> {
        let class = |id: Id| match self.nodes[id].kind {
            Kind::Object(_) => Some(0),
            Kind::Array(_) => Some(1),
            Kind::Substitution => None,
            _ => Some(2),
        };
        let mut seen = None;
        for &id in parts {
            match (seen, class(id)) {
                (_, None) => {}
                (None, c) => seen = c,
                (Some(a), Some(b)) if a == b => {}
                _ => {
                    return Err(self.c.err_at(
                        self.nodes[id].span.start,
                        "cannot join an object, a list and text in one value: \
                         quote the text, or put a line break or ',' between fields",
                    ));
                }
            }
        }
        Ok(())
    }

    fn string(&mut self) -> Result<Id, ParseError> {
        let start = self.c.pos;
        let (text, style) = if self.c.starts_with("\"\"\"") {
            (self.c.triple_quoted()?, Style::TripleQuoted)
        } else {
            (self.c.quoted()?, Style::Quoted)
        };
        Ok(self.push(
            start..self.c.pos,
            Kind::Scalar(Scalar {
                style,
                value: Value::String(text.clone()),
                text,
            }),
        ))
    }

    /// `[ … ]`, items separated by ',' or line breaks; `pos` is on the `[`.
    fn array(&mut self, depth: usize) -> Result<Id, ParseError> {
        self.deep(depth)?;
        let open = self.c.pos;
        self.c.pos += 1;
        let mut items = Vec::new();
        loop {
            self.c.skip_blank();
            match self.c.peek() {
                b']' => {
                    self.c.pos += 1;
                    return Ok(self.push(open..self.c.pos, Kind::Array(items)));
                }
                b',' => return Err(self.c.err("',' without an item before it: remove it")),
                _ if self.c.at_end() => {
                    return Err(self.c.err_at(
                        open,
                        "unclosed '[': the text ends inside this list; add the ']' that closes it",
                    ));
                }
                _ => {}
            }
            items.push(self.value(depth + 1)?);
            self.c.skip_line_rest();
            match self.c.peek() {
                b',' => self.c.pos += 1,
                b'\n' | b']' => {}
                _ if self.c.at_end() => {}
                _ => {
                    return Err(self.c.err(
                        "unexpected text after a list item: separate items with ',' or line breaks",
                    ));
                }
            }
        }
    }
}

/// An unquoted value on its own: `true`, `false`, `null`, a number, else text.
fn unquoted_value(raw: &str) -> Value {
    match raw {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        _ => {}
    }
    if is_number(raw) {
        if !raw.contains(['.', 'e', 'E'])
            && let Ok(i) = raw.parse::<i64>()
        {
            return Value::Int(i);
        }
        if let Ok(f) = raw.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::String(raw.to_string())
}

/// JSON's number syntax, which HOCON uses: `-?digits(.digits)?([eE][+-]?digits)?`.
fn is_number(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > s
    };
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}
