//! The character-level reading of HOCON: whitespace and comments, quoted, triple-quoted and
//! unquoted strings, and substitutions. The structure (objects, arrays, fields) is in
//! `parse.rs`.

use std::ops::Range;

use crate::error::ParseError;

pub(super) struct Cursor<'a> {
    pub text: &'a str,
    pub b: &'a [u8],
    pub pos: usize,
}

/// Characters that end an unquoted key (the HOCON spec's forbidden characters, and `.`
/// which separates the parts of a key path).
pub(super) fn ends_key(c: u8) -> bool {
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
            | b'.'
    ) || is_space(c)
        || c == b'\n'
}

/// Characters that end an unquoted value. Values are read a little more leniently than
/// the spec's forbidden list (`:` `=` `!` `@` `*` `&` `?` `^` `+` `` ` `` `\` are kept in
/// the text, as the previous read-only reader did): `jdbc:mysql` is one string.
fn ends_value(c: u8) -> bool {
    matches!(c, b'"' | b'{' | b'}' | b'[' | b']' | b',' | b'#' | b'\n') || is_space(c)
}

pub(super) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Cursor {
            text,
            b: text.as_bytes(),
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        }
    }

    pub fn err(&self, message: impl Into<String>) -> ParseError {
        self.err_at(self.pos, message)
    }

    pub fn err_at(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError::at(self.text, offset, message)
    }

    pub fn peek(&self) -> u8 {
        self.peek_at(0)
    }

    pub fn peek_at(&self, ahead: usize) -> u8 {
        self.b.get(self.pos + ahead).copied().unwrap_or(0)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    pub fn starts_with(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    pub fn at_comment(&self) -> bool {
        self.peek() == b'#' || self.starts_with("//")
    }

    /// Skips spaces on this line.
    pub fn skip_spaces(&mut self) {
        while !self.at_end() && is_space(self.peek()) {
            self.pos += 1;
        }
    }

    /// Skips spaces and a comment up to (not past) the end of this line.
    pub fn skip_line_rest(&mut self) {
        self.skip_spaces();
        if self.at_comment() {
            while !self.at_end() && self.peek() != b'\n' {
                self.pos += 1;
            }
        }
    }

    /// Skips spaces, comments and line breaks.
    pub fn skip_blank(&mut self) {
        loop {
            self.skip_line_rest();
            if self.peek() == b'\n' {
                self.pos += 1;
            } else {
                return;
            }
        }
    }

    /// A `"…"` string, escapes resolved; `pos` is on the opening quote.
    pub fn quoted(&mut self) -> Result<String, ParseError> {
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
                    let escape = self.pos;
                    self.pos += 1;
                    let e = self.peek();
                    self.pos += 1;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\x08',
                        b'f' => '\x0c',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape(escape)?,
                        _ => {
                            return Err(self.err_at(
                                escape,
                                "unknown escape in a quoted string: write \\\\ for a backslash \
                                 (escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                            ));
                        }
                    });
                }
                0 if self.at_end() => return Err(self.unclosed(open)),
                b'\n' => return Err(self.unclosed(open)),
                _ => {
                    let c = self.text[self.pos..].chars().next().unwrap_or('\0');
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn unclosed(&self, open: usize) -> ParseError {
        self.err_at(
            open,
            "unclosed quoted string: close it with \" on the same line, or use \"\"\" … \"\"\" \
             for text over several lines",
        )
    }

    /// The four hex digits after `\u` (a surrogate pair is two escapes); `pos` is on them.
    fn unicode_escape(&mut self, escape: usize) -> Result<char, ParseError> {
        let bad = |c: &Self| c.err_at(escape, "bad \\u escape: write \\u and four hex digits");
        let hex4 = |c: &Self, at: usize| {
            c.text
                .get(at..at + 4)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let hi = hex4(self, self.pos).ok_or_else(|| bad(self))?;
        self.pos += 4;
        if (0xD800..0xDC00).contains(&hi)
            && self.starts_with("\\u")
            && let Some(lo) = hex4(self, self.pos + 2).filter(|l| (0xDC00..0xE000).contains(l))
        {
            self.pos += 6;
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                .ok_or_else(|| bad(self));
        }
        Ok(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }

    /// A `"""…"""` string, taken as written (no escapes); `pos` is on the opening quotes.
    pub fn triple_quoted(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        let start = self.pos + 3;
        let Some(len) = self.text[start..].find("\"\"\"") else {
            return Err(self.err_at(open, "unclosed triple-quoted string: close it with \"\"\""));
        };
        // Extra quotes just before the closing three belong to the string.
        let mut end = start + len;
        while self.b.get(end + 3) == Some(&b'"') {
            end += 1;
        }
        self.pos = end + 3;
        Ok(self.text[start..end].to_string())
    }

    /// `${path}` or `${?path}`, kept as written; `pos` is on the `$`.
    pub fn substitution(&mut self) -> Result<Range<usize>, ParseError> {
        let open = self.pos;
        while !self.at_end() && !matches!(self.peek(), b'}' | b'\n') {
            self.pos += 1;
        }
        if self.peek() != b'}' {
            return Err(self.err_at(
                open,
                "unclosed substitution: close ${ with } on the same line",
            ));
        }
        self.pos += 1;
        Ok(open..self.pos)
    }

    /// An unquoted run of a key part (up to a forbidden character, a space or a `.`).
    pub fn unquoted_key(&mut self) -> Range<usize> {
        let start = self.pos;
        while !self.at_end() && !ends_key(self.peek()) && !self.starts_with("//") {
            self.pos += 1;
        }
        start..self.pos
    }

    /// An unquoted run of a value, up to a space, a delimiter, a comment or `${`.
    pub fn unquoted_value(&mut self) -> Range<usize> {
        let start = self.pos;
        while !self.at_end()
            && !ends_value(self.peek())
            && !self.starts_with("//")
            && !self.starts_with("${")
        {
            self.pos += 1;
        }
        start..self.pos
    }
}
