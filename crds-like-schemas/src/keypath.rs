//! Key paths: the address of one setting inside one config file.
//!
//! Grammar (docs/design.md §3): segments separated by `.`; a segment that is empty or
//! contains `.`, `"`, `[`, `]` or `\`, or starts or ends with white space, is
//! written in double quotes with `\"` and `\\` escapes; `[n]` after a segment
//! (or at the very start) indexes a list. Examples:
//!
//! ```text
//! settings.debug
//! groups."essentials.home".value
//! worlds[0].name
//! [2].id
//! ```
//!
//! [`KeyPath::to_string`] prints the canonical form, and parsing the canonical
//! form gives the same path back: `parse(print(p)) == p` for every path and
//! `print(parse(s)) == s` for every canonical `s`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One step of a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A map key (always a string: YAML keys such as `0:` or `true:` are addressed by their text).
    Key(String),
    /// A zero-based list index.
    Index(usize),
}

/// A parsed key path. See the module documentation for the grammar.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KeyPath {
    segments: Vec<Segment>,
}

/// Why a key path could not be parsed; `column` is 1-based, in characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad key path {path:?} at column {column}: {reason}")]
pub struct KeyPathError {
    pub path: String,
    pub column: usize,
    pub reason: &'static str,
}

impl KeyPath {
    /// The empty path: the document root.
    pub fn root() -> Self {
        Self::default()
    }

    pub fn from_segments(segments: Vec<Segment>) -> Self {
        Self { segments }
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    pub fn len(&self) -> usize {
        self.segments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// A new path with `key` appended.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut next = self.clone();
        next.segments.push(Segment::Key(key.into()));
        next
    }

    /// A new path with list index `index` appended.
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.segments.push(Segment::Index(index));
        next
    }

    pub fn push(&mut self, segment: Segment) {
        self.segments.push(segment);
    }

    /// The path without its last segment (`None` for the root).
    pub fn parent(&self) -> Option<KeyPath> {
        if self.segments.is_empty() {
            return None;
        }
        Some(Self {
            segments: self.segments[..self.segments.len() - 1].to_vec(),
        })
    }

    pub fn last(&self) -> Option<&Segment> {
        self.segments.last()
    }

    /// True when `self` equals `other` or lies below it.
    pub fn starts_with(&self, other: &KeyPath) -> bool {
        self.segments.starts_with(&other.segments)
    }

    /// Parses a key path; the empty string is the root.
    pub fn parse(text: &str) -> Result<Self, KeyPathError> {
        Parser::new(text).parse()
    }
}

/// True when a map key must be quoted to be printed as one segment.
pub fn needs_quotes(key: &str) -> bool {
    key.is_empty()
        || key.starts_with(char::is_whitespace)
        || key.ends_with(char::is_whitespace)
        || key.contains(['.', '"', '[', ']', '\\'])
}

fn write_key(f: &mut fmt::Formatter<'_>, key: &str) -> fmt::Result {
    if !needs_quotes(key) {
        return f.write_str(key);
    }
    f.write_str("\"")?;
    for c in key.chars() {
        if c == '"' || c == '\\' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_key(f, key)?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl FromStr for KeyPath {
    type Err = KeyPathError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for KeyPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        KeyPath::parse(&text).map_err(serde::de::Error::custom)
    }
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    fn fail(&self, reason: &'static str) -> KeyPathError {
        KeyPathError {
            path: self.text.to_string(),
            column: self.pos + 1,
            reason,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn parse(mut self) -> Result<KeyPath, KeyPathError> {
        let mut segments = Vec::new();
        if self.chars.is_empty() {
            return Ok(KeyPath { segments });
        }
        // A path may open with indexes ("[0].name" addresses a top-level list).
        if self.peek() != Some('[') {
            segments.push(Segment::Key(self.key()?));
        }
        loop {
            while self.peek() == Some('[') {
                segments.push(Segment::Index(self.index()?));
            }
            match self.peek() {
                None => break,
                Some('.') => {
                    self.pos += 1;
                    segments.push(Segment::Key(self.key()?));
                }
                Some(_) => return Err(self.fail("expected '.' or '[' after a segment")),
            }
        }
        Ok(KeyPath { segments })
    }

    fn key(&mut self) -> Result<String, KeyPathError> {
        match self.peek() {
            Some('"') => self.quoted(),
            None | Some('.') => Err(self.fail("empty segment: quote an empty key as \"\"")),
            Some(_) => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    match c {
                        '.' | '[' => break,
                        '"' | ']' | '\\' => {
                            return Err(
                                self.fail("this character needs the segment in double quotes")
                            );
                        }
                        _ => self.pos += 1,
                    }
                }
                let key: String = self.chars[start..self.pos].iter().collect();
                if key.starts_with(char::is_whitespace) || key.ends_with(char::is_whitespace) {
                    self.pos = start;
                    return Err(self.fail("a segment with outer white space must be quoted"));
                }
                Ok(key)
            }
        }
    }

    fn quoted(&mut self) -> Result<String, KeyPathError> {
        self.pos += 1; // opening quote
        let mut key = String::new();
        loop {
            match self.peek() {
                None => return Err(self.fail("unterminated quoted segment")),
                Some('"') => {
                    self.pos += 1;
                    return Ok(key);
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\')) => {
                            key.push(c);
                            self.pos += 1;
                        }
                        _ => return Err(self.fail("only \\\" and \\\\ escapes are allowed")),
                    }
                }
                Some(c) => {
                    key.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn index(&mut self) -> Result<usize, KeyPathError> {
        self.pos += 1; // '['
        let start = self.pos;
        while matches!(self.peek(), Some('0'..='9')) {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.fail("expected a list index (digits) after '['"));
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        if digits.len() > 1 && digits.starts_with('0') {
            self.pos = start;
            return Err(self.fail("list index with a leading zero"));
        }
        let n = digits
            .parse()
            .map_err(|_| self.fail("list index too large"))?;
        if self.peek() != Some(']') {
            return Err(self.fail("expected ']'"));
        }
        self.pos += 1;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) {
        let p = KeyPath::parse(s).unwrap();
        assert_eq!(p.to_string(), s, "print(parse({s:?}))");
        assert_eq!(KeyPath::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn canonical_paths_round_trip() {
        for s in [
            "",
            "a",
            "a.b.c",
            "groups.\"essentials.home\"",
            "groups.\"essentials.home\".value",
            "worlds[0].name",
            "matrix[1][2]",
            "[0].id",
            "global.auto updater.delay",
            "\"\"",
            "\" padded \"",
            "\"a\\\"b\"",
            "\"back\\\\slash\"",
            "0.blocks.ANDESITE",
            "Amount of durability to lower on death",
        ] {
            round_trip(s);
        }
    }

    #[test]
    fn segments_are_exact() {
        let p = KeyPath::parse("groups.\"essentials.home\"[3].x").unwrap();
        assert_eq!(
            p.segments(),
            &[
                Segment::Key("groups".into()),
                Segment::Key("essentials.home".into()),
                Segment::Index(3),
                Segment::Key("x".into()),
            ]
        );
    }

    #[test]
    fn bad_paths_are_refused_with_a_column() {
        for (s, col) in [
            ("a..b", 3),
            ("a.", 3),
            ("a[x]", 3),
            ("a[1", 4),
            ("a\"b", 2),
            ("\"open", 6),
            ("a[01]", 3),
            ("a]", 2),
            ("a. b", 3),
        ] {
            let err = KeyPath::parse(s).unwrap_err();
            assert_eq!(err.column, col, "{s:?}: {err}");
        }
    }

    #[test]
    fn keys_that_need_quotes_are_quoted() {
        let p = KeyPath::root().key("a.b").key("plain").key("").index(2);
        assert_eq!(p.to_string(), "\"a.b\".plain.\"\"[2]");
        assert_eq!(KeyPath::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn parent_and_prefix() {
        let p = KeyPath::parse("a.b[1]").unwrap();
        assert_eq!(p.parent().unwrap().to_string(), "a.b");
        assert!(p.starts_with(&KeyPath::parse("a").unwrap()));
        assert!(!p.starts_with(&KeyPath::parse("b").unwrap()));
    }
}
