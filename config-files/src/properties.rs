//! Java `.properties` files (`server.properties`, plugin `.properties`), read as
//! `java.util.Properties.load` reads them and edited in place.
//!
//! Every value is a string, as Java hands it to the plugin; a key path is one segment (a
//! dotted property name such as `spawn.protection` is one key: quote it, `"spawn.protection"`).
//! Supported: `=`, `:` or white space between key and value, `#` and `!` comment lines,
//! `\` line continuations, `\uXXXX` and `\t`-style escapes. A later duplicate key wins,
//! as in Java.

use std::ops::Range;

use homeamp_schemas::{KeyPath, Segment, Value};
use indexmap::IndexMap;

use crate::error::{EditError, ParseError};
use crate::format::Format;
use crate::position::{line_column, line_ending};

#[derive(Debug)]
struct Entry {
    key: String,
    value: String,
    /// The logical line, from its first byte to just past its last line break.
    line: Range<usize>,
    /// The raw value text (escapes and continuations included), to the end of the line.
    value_span: Range<usize>,
}

#[derive(Debug)]
pub struct PropertiesDocument {
    text: String,
    entries: Vec<Entry>,
    eol: &'static str,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\x0c')
}

impl PropertiesDocument {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        Ok(Self {
            text: text.to_string(),
            entries: parse_entries(text)?,
            eol: line_ending(text),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn root_value(&self) -> Value {
        let mut map = IndexMap::new();
        for e in &self.entries {
            map.insert(e.key.clone(), Value::String(e.value.clone()));
        }
        Value::Map(map)
    }

    fn key_of(path: &KeyPath) -> Result<&str, EditError> {
        match path.segments() {
            [Segment::Key(k)] => Ok(k),
            [] => Err(EditError::Root),
            _ => Err(EditError::Unrepresentable {
                path: path.clone(),
                reason: "a .properties file is flat: name one key (quote a dotted key: \"spawn.protection\")".into(),
            }),
        }
    }

    /// The text Java reads back as `value`.
    pub fn stored_text(path: &KeyPath, value: &Value) -> Result<String, EditError> {
        Ok(match value {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::String(s) => s.clone(),
            Value::List(_) | Value::Map(_) => {
                return Err(EditError::Unsupported {
                    path: path.clone(),
                    format: Format::Properties,
                    kind: value.kind(),
                });
            }
        })
    }

    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let key = Self::key_of(path).ok()?;
        let e = self.entries.iter().rev().find(|e| e.key == key)?;
        let first = line_column(&self.text, e.line.start).0;
        let last = line_column(&self.text, e.value_span.end).0;
        Some((first, last))
    }

    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        let key = Self::key_of(path)?;
        let new = Self::stored_text(path, value)?;
        let escaped = escape(&new, false);
        let text = match self.entries.iter().rposition(|e| e.key == key) {
            Some(i) => {
                let e = &self.entries[i];
                if e.value == new {
                    return Ok(());
                }
                splice(&self.text, e.value_span.clone(), &escaped)
            }
            None => {
                let separator = self
                    .entries
                    .first()
                    .map(|e| separator_of(&self.text, e))
                    .unwrap_or_else(|| "=".to_string());
                let line = format!("{}{separator}{escaped}", escape(key, true));
                let at = self.text.len();
                let insert = if self.text.is_empty() || self.text.ends_with('\n') {
                    format!("{line}{}", self.eol)
                } else {
                    format!("{}{line}", self.eol)
                };
                splice(&self.text, at..at, &insert)
            }
        };
        self.replace_text(text)
    }

    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        let key = Self::key_of(path)?;
        let lines: Vec<Range<usize>> = self
            .entries
            .iter()
            .filter(|e| e.key == key)
            .map(|e| e.line.clone())
            .collect();
        if lines.is_empty() {
            return Ok(false);
        }
        let mut text = self.text.clone();
        for line in lines.into_iter().rev() {
            let mut range = line;
            if range.end == text.len() && !text.ends_with('\n') && range.start > 0 {
                // The last line has no line break: drop the one before it instead.
                range.start -= if text[..range.start].ends_with("\r\n") {
                    2
                } else {
                    1
                };
            }
            text.replace_range(range, "");
        }
        self.replace_text(text)?;
        Ok(true)
    }

    fn replace_text(&mut self, text: String) -> Result<(), EditError> {
        let entries = parse_entries(&text).map_err(|e| EditError::Unrepresentable {
            path: KeyPath::root(),
            reason: format!("the edited file would not parse ({e})"),
        })?;
        self.text = text;
        self.entries = entries;
        Ok(())
    }
}

/// How `as_stored` reads a value back from a `.properties` file: as its text.
pub fn as_stored(value: &Value) -> Value {
    match PropertiesDocument::stored_text(&KeyPath::root(), value) {
        Ok(s) => Value::String(s),
        Err(_) => value.clone(),
    }
}

fn splice(text: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..range.start]);
    out.push_str(with);
    out.push_str(&text[range.end..]);
    out
}

/// The text between an entry's key and its value (`=`, ` = `, `: `, ` `).
fn separator_of(text: &str, e: &Entry) -> String {
    let line = &text[e.line.start..e.value_span.start];
    let raw_key_len = raw_key_end(line.as_bytes());
    let sep = &line[raw_key_len..];
    if sep.is_empty() {
        "=".to_string()
    } else {
        sep.trim_start_matches(['\r', '\n']).to_string()
    }
}

/// Byte length of the raw key at the start of `line` (after its leading white space).
fn raw_key_end(line: &[u8]) -> usize {
    let mut i = 0;
    while i < line.len() && is_ws(line[i]) {
        i += 1;
    }
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            b'=' | b':' => break,
            c if is_ws(c) => break,
            _ => i += 1,
        }
    }
    i.min(line.len())
}

/// Escapes `s` for a key (`key` true: also `=`, `:`, spaces and a leading `#`/`!`) or a
/// value (only a leading space, backslashes and control characters).
fn escape(s: &str, key: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0c' => out.push_str("\\f"),
            ' ' if key || i == 0 => out.push_str("\\ "),
            '=' | ':' if key => {
                out.push('\\');
                out.push(c);
            }
            '#' | '!' if key && i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn parse_entries(text: &str) -> Result<Vec<Entry>, ParseError> {
    let b = text.as_bytes();
    let mut entries = Vec::new();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < b.len() {
        let line_start = pos;
        let mut i = pos;
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        let at_end_of_line = i >= b.len() || matches!(b[i], b'\r' | b'\n');
        if at_end_of_line || matches!(b[i], b'#' | b'!') {
            // Blank or comment line (comments never continue).
            pos = next_line(b, i);
            continue;
        }
        // The logical line: natural lines joined where a line ends in an odd run of `\`.
        let mut raw = Vec::new(); // (start, end) pieces of content, continuation whitespace skipped
        let mut j = i;
        let mut piece_start = i;
        let end;
        loop {
            let content_end = line_content_end(b, j);
            let mut backslashes = 0;
            while backslashes < content_end - piece_start
                && b[content_end - 1 - backslashes] == b'\\'
            {
                backslashes += 1;
            }
            if backslashes % 2 == 1 && content_end < b.len() {
                raw.push((piece_start, content_end - 1));
                j = next_line(b, content_end);
                while j < b.len() && is_ws(b[j]) {
                    j += 1;
                }
                piece_start = j;
                if j >= b.len() {
                    end = j;
                    break;
                }
                continue;
            }
            if backslashes % 2 == 1 {
                // A trailing `\` at the very end of the file: Java drops it.
                raw.push((piece_start, content_end - 1));
            } else {
                raw.push((piece_start, content_end));
            }
            end = content_end;
            break;
        }
        let (key, value, value_start) = split_entry(text, &raw)?;
        entries.push(Entry {
            key,
            value,
            line: line_start..next_line(b, end),
            value_span: value_start..end,
        });
        pos = next_line(b, end);
    }
    Ok(entries)
}

fn line_content_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < b.len() && !matches!(b[i], b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// Just past the line break at or after `from`.
fn next_line(b: &[u8], from: usize) -> usize {
    let mut i = line_content_end(b, from);
    if i < b.len() && b[i] == b'\r' {
        i += 1;
    }
    if i < b.len() && b[i] == b'\n' {
        i += 1;
    }
    i
}

/// Splits a logical line (given as content pieces) into its unescaped key and value, and
/// the byte offset where the raw value starts.
fn split_entry(
    text: &str,
    pieces: &[(usize, usize)],
) -> Result<(String, String, usize), ParseError> {
    let b = text.as_bytes();
    // Walk the pieces as one stream of (offset, byte).
    let stream: Vec<usize> = pieces.iter().flat_map(|&(s, e)| s..e).collect();
    let mut k = 0;
    let mut key_raw_end = stream.len();
    while k < stream.len() {
        match b[stream[k]] {
            b'\\' => k += 2,
            b'=' | b':' => {
                key_raw_end = k;
                break;
            }
            c if is_ws(c) => {
                key_raw_end = k;
                break;
            }
            _ => k += 1,
        }
    }
    let key_raw_end = key_raw_end.min(stream.len());
    let mut v = key_raw_end;
    while v < stream.len() && is_ws(b[stream[v]]) {
        v += 1;
    }
    if v < stream.len() && matches!(b[stream[v]], b'=' | b':') {
        v += 1;
        while v < stream.len() && is_ws(b[stream[v]]) {
            v += 1;
        }
    }
    let value_start = stream
        .get(v)
        .copied()
        .unwrap_or_else(|| pieces.last().map_or(0, |p| p.1));
    let key = unescape(text, &stream[..key_raw_end])?;
    let value = unescape(text, &stream[v..])?;
    Ok((key, value, value_start))
}

fn unescape(text: &str, offsets: &[usize]) -> Result<String, ParseError> {
    let b = text.as_bytes();
    let mut bytes = Vec::with_capacity(offsets.len());
    let mut i = 0;
    while i < offsets.len() {
        let c = b[offsets[i]];
        if c != b'\\' {
            bytes.push(c);
            i += 1;
            continue;
        }
        let Some(&next) = offsets.get(i + 1) else {
            i += 1;
            continue;
        };
        let e = b[next];
        i += 2;
        let ch = match e {
            b't' => '\t',
            b'n' => '\n',
            b'r' => '\r',
            b'f' => '\x0c',
            b'u' => {
                let hex: Option<String> = offsets
                    .get(i..i + 4)
                    .map(|o| o.iter().map(|&x| b[x] as char).collect());
                let code = hex.as_deref().and_then(|h| u32::from_str_radix(h, 16).ok());
                let Some(code) = code else {
                    return Err(ParseError::at(
                        text,
                        offsets[i - 2],
                        "malformed \\uXXXX escape (Java refuses the file)",
                    ));
                };
                i += 4;
                // A surrogate pair is two escapes; decode it when both halves are there.
                if (0xD800..0xDC00).contains(&code)
                    && offsets.get(i).is_some_and(|&o| b[o] == b'\\')
                {
                    let low: Option<String> = offsets
                        .get(i + 2..i + 6)
                        .map(|o| o.iter().map(|&x| b[x] as char).collect());
                    let low = low.as_deref().and_then(|h| u32::from_str_radix(h, 16).ok());
                    if let Some(low) = low.filter(|l| (0xDC00..0xE000).contains(l)) {
                        i += 6;
                        let c = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        push_char(&mut bytes, char::from_u32(c).unwrap_or('\u{fffd}'));
                        continue;
                    }
                }
                char::from_u32(code).unwrap_or('\u{fffd}')
            }
            _ => {
                // Any other escaped character is itself (a whole UTF-8 sequence).
                bytes.push(e);
                while i < offsets.len() && (b[offsets[i]] & 0xC0) == 0x80 {
                    bytes.push(b[offsets[i]]);
                    i += 1;
                }
                continue;
            }
        };
        push_char(&mut bytes, ch);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn push_char(bytes: &mut Vec<u8>, c: char) {
    let mut buf = [0; 4];
    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> PropertiesDocument {
        PropertiesDocument::parse(text).unwrap()
    }

    fn get(d: &PropertiesDocument, key: &str) -> Option<Value> {
        crate::navigate::get(&d.root_value(), &KeyPath::root().key(key))
    }

    fn s(v: &str) -> Option<Value> {
        Some(Value::String(v.into()))
    }

    #[test]
    fn separators_equals_colon_and_space() {
        let d = doc("a=1\nb: 2\nc 3\nd = 4\ne\n");
        assert_eq!(get(&d, "a"), s("1"));
        assert_eq!(get(&d, "b"), s("2"));
        assert_eq!(get(&d, "c"), s("3"));
        assert_eq!(get(&d, "d"), s("4"));
        assert_eq!(get(&d, "e"), s(""));
    }

    #[test]
    fn hash_and_bang_lines_are_comments() {
        let d = doc("# a=1\n! b=2\n  # c=3\nd=#not a comment\n");
        assert_eq!(d.entries.len(), 1);
        assert_eq!(get(&d, "d"), s("#not a comment"));
    }

    #[test]
    fn backslash_continues_a_line_and_skips_leading_space() {
        let d = doc("motd=Hello \\\n     World\nnext=1\n");
        assert_eq!(get(&d, "motd"), s("Hello World"));
        assert_eq!(get(&d, "next"), s("1"));
        // An even run of backslashes is escaped backslashes, not a continuation.
        let d = doc("path=C:\\\\\nnext=1\n");
        assert_eq!(get(&d, "path"), s("C:\\"));
    }

    #[test]
    fn unicode_and_character_escapes() {
        let d = doc("motd=\\u00A7aHi\\tthere\nkey\\ with\\ spaces=x\nemoji=\\uD83D\\uDE00\n");
        assert_eq!(get(&d, "motd"), s("§aHi\tthere"));
        assert_eq!(get(&d, "key with spaces"), s("x"));
        assert_eq!(get(&d, "emoji"), s("😀"));
    }

    #[test]
    fn malformed_unicode_escape_is_refused_with_position() {
        let err = PropertiesDocument::parse("a=1\nb=\\u12G4\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
    }

    #[test]
    fn set_keeps_the_separator_and_other_lines() {
        let mut d = doc("# comment\r\nlevel-name = world\r\nmax-players = 20\r\n");
        d.set(&KeyPath::root().key("max-players"), &Value::Int(50))
            .unwrap();
        assert_eq!(
            d.text(),
            "# comment\r\nlevel-name = world\r\nmax-players = 50\r\n"
        );
        d.set(&KeyPath::root().key("motd"), &Value::String(" hi".into()))
            .unwrap();
        assert_eq!(
            d.text(),
            "# comment\r\nlevel-name = world\r\nmax-players = 50\r\nmotd = \\ hi\r\n"
        );
        assert_eq!(get(&d, "motd"), s(" hi"));
    }

    #[test]
    fn remove_keeps_a_missing_final_newline_missing() {
        let mut d = doc("a=1\nb=2");
        assert!(d.remove(&KeyPath::root().key("b")).unwrap());
        assert_eq!(d.text(), "a=1");
        assert!(!d.remove(&KeyPath::root().key("b")).unwrap());
    }

    #[test]
    fn lists_cannot_be_stored() {
        let mut d = doc("a=1\n");
        let err = d
            .set(&KeyPath::root().key("a"), &Value::List(vec![]))
            .unwrap_err();
        assert!(matches!(err, EditError::Unsupported { .. }), "{err}");
    }
}
