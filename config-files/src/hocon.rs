//! HOCON (`.conf`, as Configurate writes it for Velocity-era plugins such as CarbonChat),
//! read-only: enough to flatten and compare, never edited.
//!
//! Supported: objects with or without a root `{}`, `=`/`:` separators (none before `{`),
//! quoted and unquoted keys, dotted key paths (`a.b = 1` is `a { b = 1 }`), arrays with
//! commas or line breaks between items, quoted, triple-quoted and unquoted strings, numbers,
//! `true`/`false`/`null`, `#` and `//` comments, and merging of repeated object keys.
//! Substitutions (`${...}`) and `include` are refused with their position.

use homeamp_schemas::Value;
use indexmap::IndexMap;

use crate::error::ParseError;

#[derive(Debug)]
pub struct HoconDocument {
    text: String,
    value: Value,
}

impl HoconDocument {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut r = Reader {
            text,
            b: text.as_bytes(),
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        };
        let value = r.document()?;
        Ok(Self {
            text: text.to_string(),
            value,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn root_value(&self) -> Value {
        self.value.clone()
    }
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
}

/// Characters that end an unquoted string or key.
fn is_forbidden(c: u8) -> bool {
    matches!(
        c,
        b'$' | b'"'
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b':'
            | b'='
            | b','
            | b'+'
            | b'#'
            | b'`'
            | b'^'
            | b'?'
            | b'!'
            | b'@'
            | b'*'
            | b'&'
            | b'\\'
    )
}

impl Reader<'_> {
    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(self.text, self.pos, message)
    }

    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn at_comment(&self) -> bool {
        self.peek() == b'#' || self.b[self.pos..].starts_with(b"//")
    }

    /// Skips spaces and comments on this line; with `newlines`, line breaks too.
    fn skip(&mut self, newlines: bool) {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' if newlines => self.pos += 1,
                _ if self.at_comment() => {
                    while !matches!(self.peek(), 0 | b'\n') {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn document(&mut self) -> Result<Value, ParseError> {
        self.skip(true);
        let value = if self.peek() == b'{' {
            self.pos += 1;
            let v = self.object_body(b'}')?;
            self.pos += 1;
            v
        } else if self.peek() == b'[' {
            self.array()?
        } else {
            self.object_body(0)?
        };
        self.skip(true);
        if self.pos < self.b.len() {
            return Err(self.err("unexpected text after the end of the document"));
        }
        Ok(value)
    }

    /// Fields up to `close` (`}`, or 0 for the end of the text); leaves `pos` on `close`.
    fn object_body(&mut self, close: u8) -> Result<Value, ParseError> {
        let mut map: IndexMap<String, Value> = IndexMap::new();
        loop {
            self.skip(true);
            if self.peek() == b',' {
                self.pos += 1;
                continue;
            }
            let c = self.peek();
            if c == close || (c == 0 && close == 0) {
                return Ok(Value::Map(map));
            }
            if c == 0 {
                return Err(self.err("unclosed '{': the text ends inside an object"));
            }
            if self.b[self.pos..].starts_with(b"include") {
                return Err(self.err("HOCON 'include' is not supported"));
            }
            let path = self.key_path()?;
            self.skip(false);
            let value = match self.peek() {
                b'{' => self.value()?,
                b'=' | b':' => {
                    self.pos += 1;
                    self.skip(false);
                    self.value()?
                }
                b'+' if self.b[self.pos..].starts_with(b"+=") => {
                    return Err(self.err("HOCON '+=' is not supported"));
                }
                _ => return Err(self.err("expected '=', ':' or '{' after the key")),
            };
            insert_path(&mut map, &path, value);
            self.skip(false);
            match self.peek() {
                b',' | b'\n' => self.pos += 1,
                c if c == close || c == 0 => {}
                _ => return Err(self.err("expected a line break or ',' after the value")),
            }
        }
    }

    /// A key, possibly dotted: `a.b."c.d"`.
    fn key_path(&mut self) -> Result<Vec<String>, ParseError> {
        let mut path = Vec::new();
        loop {
            let start = self.pos;
            let segment = if self.peek() == b'"' {
                self.quoted()?
            } else {
                while !matches!(self.peek(), 0 | b'.' | b' ' | b'\t' | b'\r' | b'\n')
                    && !is_forbidden(self.peek())
                {
                    self.pos += 1;
                }
                self.text[start..self.pos].to_string()
            };
            if segment.is_empty() && self.pos == start {
                return Err(self.err("expected a key"));
            }
            path.push(segment);
            if self.peek() == b'.' {
                self.pos += 1;
            } else {
                return Ok(path);
            }
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            b'{' => {
                self.pos += 1;
                let v = self.object_body(b'}')?;
                self.pos += 1;
                Ok(v)
            }
            b'[' => self.array(),
            b'"' if self.b[self.pos..].starts_with(b"\"\"\"") => {
                let start = self.pos + 3;
                let Some(len) = self.text[start..].find("\"\"\"") else {
                    return Err(self.err("unclosed triple-quoted string"));
                };
                // Extra quotes just before the closing ones belong to the string.
                let mut end = start + len;
                while self.b.get(end + 3) == Some(&b'"') {
                    end += 1;
                }
                self.pos = end + 3;
                Ok(Value::String(self.text[start..end].to_string()))
            }
            b'"' => Ok(Value::String(self.quoted()?)),
            b'$' => Err(self.err("HOCON substitutions (${...}) are not supported")),
            _ => self.unquoted(),
        }
    }

    fn array(&mut self) -> Result<Value, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip(true);
            match self.peek() {
                b']' => {
                    self.pos += 1;
                    return Ok(Value::List(items));
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                0 => {
                    self.pos = open;
                    return Err(self.err("unclosed '['"));
                }
                _ => items.push(self.value()?),
            }
        }
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let e = self.b.get(self.pos + 1).copied().unwrap_or(0);
                    self.pos += 2;
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
                            let hex = self.text.get(self.pos..self.pos + 4).unwrap_or("");
                            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                            out.push(c.ok_or_else(|| self.err("bad \\u escape"))?);
                            self.pos += 4;
                        }
                        _ => {
                            self.pos -= 2;
                            return Err(self.err("unknown escape in a quoted string"));
                        }
                    }
                }
                0 | b'\n' => {
                    self.pos = open;
                    return Err(self.err("unclosed quoted string"));
                }
                _ => {
                    let c = self.text[self.pos..].chars().next().unwrap_or('\0');
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// An unquoted value up to the end of the line, a `,`, a closing bracket or a comment.
    fn unquoted(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        while !matches!(self.peek(), 0 | b'\n' | b',' | b'}' | b']') && !self.at_comment() {
            if self.peek() == b'$' && self.b.get(self.pos + 1) == Some(&b'{') {
                return Err(self.err("HOCON substitutions (${...}) are not supported"));
            }
            self.pos += 1;
        }
        let raw = self.text[start..self.pos].trim();
        if raw.is_empty() {
            self.pos = start;
            return Err(self.err("expected a value"));
        }
        Ok(match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => {
                if let Ok(i) = raw.parse::<i64>() {
                    Value::Int(i)
                } else if raw
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
                    && let Ok(f) = raw.parse::<f64>()
                {
                    Value::Float(f)
                } else {
                    Value::String(raw.to_string())
                }
            }
        })
    }
}

/// Sets `path` in `map`, merging objects that are given more than once (HOCON's rule).
fn insert_path(map: &mut IndexMap<String, Value>, path: &[String], value: Value) {
    let (first, rest) = path.split_first().expect("key paths are never empty");
    if rest.is_empty() {
        match (map.get_mut(first), value) {
            (Some(Value::Map(old)), Value::Map(new)) => {
                for (k, v) in new {
                    insert_path(old, &[k], v);
                }
            }
            (_, value) => {
                map.insert(first.clone(), value);
            }
        }
        return;
    }
    let entry = map
        .entry(first.clone())
        .or_insert_with(|| Value::Map(IndexMap::new()));
    if !matches!(entry, Value::Map(_)) {
        *entry = Value::Map(IndexMap::new());
    }
    if let Value::Map(inner) = entry {
        insert_path(inner, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeamp_schemas::KeyPath;

    fn get(text: &str, path: &str) -> Option<Value> {
        let doc = HoconDocument::parse(text).unwrap();
        crate::navigate::get(&doc.root_value(), &KeyPath::parse(path).unwrap())
    }

    #[test]
    fn configurate_style_objects_and_arrays() {
        let text = "# c\nsettings {\n    \"carbon:help\" {\n        aliases=[\n            a,\n            b\n        ]\n        enabled=true\n    }\n}\nversion=1\n";
        assert_eq!(
            get(text, "settings.\"carbon:help\".enabled"),
            Some(Value::Bool(true))
        );
        assert_eq!(
            get(text, "settings.\"carbon:help\".aliases[1]"),
            Some(Value::String("b".into()))
        );
        assert_eq!(get(text, "version"), Some(Value::Int(1)));
    }

    #[test]
    fn dotted_keys_nest_and_repeated_objects_merge() {
        let text = "a.b = 1\na { c = \"x\" }\n";
        assert_eq!(get(text, "a.b"), Some(Value::Int(1)));
        assert_eq!(get(text, "a.c"), Some(Value::String("x".into())));
    }

    #[test]
    fn unquoted_strings_run_to_the_end_of_the_line() {
        assert_eq!(
            get("name = Chat has been cleared # c\n", "name"),
            Some(Value::String("Chat has been cleared".into()))
        );
        // As in the HOCON spec, `//` starts a comment even inside an unquoted value.
        assert_eq!(
            get("url = jdbc:mysql://h:3306/db\n", "url"),
            Some(Value::String("jdbc:mysql:".into()))
        );
        assert_eq!(get("ratio = 0.5\n", "ratio"), Some(Value::Float(0.5)));
    }

    #[test]
    fn substitutions_are_refused_with_position() {
        let err = HoconDocument::parse("a = 1\nb = ${a}\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 5));
    }
}
