//! Scalars: plain (with multi-line folding), single- and double-quoted, and block (`|`, `>`).
//!
//! Each reader returns the scalar's text as SnakeYAML would see it, and the parser records
//! the bytes it spans, so an edit can replace exactly those bytes.

use super::parser::{Parser, Result, is_blank_or_end};
use super::tree::{Kind, Node, NodeId, Scalar, ScalarStyle};

impl<'a> Parser<'a> {
    /// Scans the first line of a plain scalar in block context from `start`. Returns where
    /// its text ends (trailing spaces excluded) and, when a `: ` indicator ends it, the
    /// offset of that `:` (the scalar is then a key).
    pub(super) fn scan_plain_line(&self, start: usize) -> (usize, Option<usize>) {
        let b = self.b;
        let mut i = start;
        let mut end = start;
        loop {
            let c = self.at(i);
            match c {
                0 | b'\r' | b'\n' => return (end, None),
                b' ' | b'\t' => {
                    let mut j = i;
                    while matches!(self.at(j), b' ' | b'\t') {
                        j += 1;
                    }
                    if self.at(j) == b'#' || self.is_eol(j) {
                        return (end, None);
                    }
                    i = j;
                }
                b':' if is_blank_or_end(self.at(i + 1)) => return (end, Some(i)),
                _ => {
                    i += 1;
                    // Skip the rest of a multi-byte character at once.
                    while i < b.len() && (b[i] & 0xC0) == 0x80 {
                        i += 1;
                    }
                    end = i;
                }
            }
        }
    }

    /// A plain scalar in block context, folding continuation lines that are indented more
    /// than `parent_indent`.
    pub(super) fn plain_block(&mut self, parent_indent: isize) -> Result<NodeId> {
        let start = self.pos;
        let (mut end, _) = self.scan_plain_line(start);
        let mut text = String::new();
        let mut segment_start = start;
        loop {
            text.push_str(&self.src[segment_start..end]);
            let mut p = end;
            while matches!(self.at(p), b' ' | b'\t') {
                p += 1;
            }
            if !self.is_eol(p) || self.at(p) == 0 {
                break;
            }
            // Look past line breaks and blank lines for a continuation line.
            let mut breaks = 0;
            let mut q = p;
            loop {
                match self.at(q) {
                    b'\r' => {
                        q += 1;
                        if self.at(q) == b'\n' {
                            q += 1;
                        }
                    }
                    b'\n' => q += 1,
                    _ => break,
                }
                breaks += 1;
                // Only spaces indent (as in SnakeYAML): a tab here ends the scalar, and
                // the reader then refuses the tab.
                while self.at(q) == b' ' {
                    q += 1;
                }
            }
            if self.at(q) == 0
                || self.at(q) == b'\t'
                || (self.col(q) as isize) <= parent_indent
                || self.at(q) == b'#'
                || self.is_doc_marker(q)
            {
                break;
            }
            let (line_end, colon) = self.scan_plain_line(q);
            if let Some(colon) = colon {
                return Err(self.err(
                    colon,
                    "mapping values are not allowed here (the line above runs on into this one: check its indentation)",
                ));
            }
            if breaks == 1 {
                text.push(' ');
            } else {
                for _ in 1..breaks {
                    text.push('\n');
                }
            }
            segment_start = q;
            end = line_end;
        }
        self.pos = end;
        Ok(self.push(Node {
            props_start: start,
            content: start..end,
            tag: None,
            kind: Kind::Scalar(Scalar {
                style: ScalarStyle::Plain,
                text,
            }),
        }))
    }

    /// A quoted scalar at the current position; moves past it.
    pub(super) fn quoted_scalar(&mut self) -> Result<NodeId> {
        let start = self.pos;
        let style = if self.peek() == b'"' {
            ScalarStyle::Double
        } else {
            ScalarStyle::Single
        };
        let (text, end) = self.scan_quoted(start)?;
        self.pos = end;
        Ok(self.push(Node {
            props_start: start,
            content: start..end,
            tag: None,
            kind: Kind::Scalar(Scalar { style, text }),
        }))
    }

    /// Reads a quoted scalar starting at `start` (on its opening quote) without moving.
    /// Returns its text and the offset just past the closing quote.
    pub(super) fn scan_quoted(&self, start: usize) -> Result<(String, usize)> {
        let double = self.at(start) == b'"';
        let quote = self.at(start);
        let mut text = String::new();
        // Length of `text` that line folding must not trim (escaped white space).
        let mut keep = 0;
        let mut i = start + 1;
        let mut run = i;
        loop {
            let c = self.at(i);
            match c {
                0 if i >= self.b.len() => {
                    return Err(self.err(
                        start,
                        if double {
                            "unclosed double-quoted string"
                        } else {
                            "unclosed single-quoted string"
                        },
                    ));
                }
                _ if c == quote => {
                    text.push_str(&self.src[run..i]);
                    if !double && self.at(i + 1) == b'\'' {
                        text.push('\'');
                        i += 2;
                        run = i;
                        keep = text.len();
                        continue;
                    }
                    return Ok((text, i + 1));
                }
                b'\\' if double => {
                    text.push_str(&self.src[run..i]);
                    let e = self.at(i + 1);
                    i += 2;
                    let simple = match e {
                        b'0' => Some('\0'),
                        b'a' => Some('\x07'),
                        b'b' => Some('\x08'),
                        b't' | b'\t' => Some('\t'),
                        b'n' => Some('\n'),
                        b'v' => Some('\x0b'),
                        b'f' => Some('\x0c'),
                        b'r' => Some('\r'),
                        b'e' => Some('\x1b'),
                        b' ' => Some(' '),
                        b'"' => Some('"'),
                        b'/' => Some('/'),
                        b'\\' => Some('\\'),
                        b'N' => Some('\u{85}'),
                        b'_' => Some('\u{a0}'),
                        b'L' => Some('\u{2028}'),
                        b'P' => Some('\u{2029}'),
                        _ => None,
                    };
                    if let Some(ch) = simple {
                        text.push(ch);
                    } else if matches!(e, b'x' | b'u' | b'U') {
                        let len = match e {
                            b'x' => 2,
                            b'u' => 4,
                            _ => 8,
                        };
                        let hex = self.src.get(i..i + len).unwrap_or("");
                        let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                        match ch {
                            Some(ch) if hex.len() == len => text.push(ch),
                            _ => {
                                return Err(self.err(
                                    i - 2,
                                    "bad escape: expected hex digits of a valid character",
                                ));
                            }
                        }
                        i += len;
                    } else if matches!(e, b'\r' | b'\n') {
                        // An escaped line break: join the lines with nothing between them.
                        if e == b'\r' && self.at(i) == b'\n' {
                            i += 1;
                        }
                        while matches!(self.at(i), b' ' | b'\t') {
                            i += 1;
                        }
                        while matches!(self.at(i), b'\r' | b'\n') {
                            if self.at(i) == b'\r' && self.at(i + 1) == b'\n' {
                                i += 1;
                            }
                            i += 1;
                            text.push('\n');
                            while matches!(self.at(i), b' ' | b'\t') {
                                i += 1;
                            }
                        }
                    } else {
                        return Err(self.err(
                            i - 2,
                            format!("unknown escape '\\{}' in a double-quoted string", e as char),
                        ));
                    }
                    keep = text.len();
                    run = i;
                }
                b'\r' | b'\n' => {
                    text.push_str(&self.src[run..i]);
                    let trimmed = text.trim_end_matches([' ', '\t']).len().max(keep);
                    text.truncate(trimmed);
                    let mut breaks = 0;
                    while matches!(self.at(i), b'\r' | b'\n') {
                        if self.at(i) == b'\r' && self.at(i + 1) == b'\n' {
                            i += 1;
                        }
                        i += 1;
                        breaks += 1;
                        if self.is_doc_marker(i) {
                            return Err(self.err(i, "a document marker inside a quoted string"));
                        }
                        while matches!(self.at(i), b' ' | b'\t') {
                            i += 1;
                        }
                    }
                    if breaks == 1 {
                        text.push(' ');
                    } else {
                        for _ in 1..breaks {
                            text.push('\n');
                        }
                    }
                    keep = text.len();
                    run = i;
                }
                _ => i += 1,
            }
        }
    }

    /// A block scalar (`|` literal or `>` folded) with its header at the current position.
    /// Follows PyYAML's `scan_block_scalar`, which SnakeYAML shares.
    pub(super) fn block_scalar(&mut self, parent_indent: isize) -> Result<NodeId> {
        let start = self.pos;
        let folded = self.peek() == b'>';
        self.pos += 1;
        let mut chomp: Option<bool> = None;
        let mut increment: Option<usize> = None;
        for _ in 0..2 {
            match self.peek() {
                b'+' | b'-' if chomp.is_none() => chomp = Some(self.peek() == b'+'),
                b'1'..=b'9' if increment.is_none() => {
                    increment = Some((self.peek() - b'0') as usize)
                }
                b'0' => {
                    return Err(self.err(
                        self.pos,
                        "a block scalar's indentation indicator cannot be 0",
                    ));
                }
                _ => break,
            }
            self.pos += 1;
        }
        let header_end = self.pos;
        self.skip_space();
        if self.peek() == b'#' && self.pos > header_end {
            self.skip_to_eol();
        }
        if !self.is_eol(self.pos) {
            return Err(self.err(
                self.pos,
                format!(
                    "expected chomping or indentation indicators after '{}', but found '{}'",
                    if folded { '>' } else { '|' },
                    self.src[self.pos..].chars().next().unwrap_or(' ')
                ),
            ));
        }
        let min_indent = (parent_indent + 1).max(1) as usize;
        self.eat_break();
        let indent = match increment {
            Some(inc) => min_indent + inc - 1,
            None => {
                let mut p = self.pos;
                let mut max_col = 0;
                loop {
                    let line = p;
                    while self.at(p) == b' ' {
                        p += 1;
                    }
                    max_col = max_col.max(p - line);
                    match self.at(p) {
                        b'\r' | b'\n' => {
                            if self.at(p) == b'\r' && self.at(p + 1) == b'\n' {
                                p += 1;
                            }
                            p += 1;
                        }
                        _ => break,
                    }
                }
                max_col.max(min_indent)
            }
        };
        let mut text = String::new();
        let mut end = header_end;
        let mut breaks = self.block_breaks(indent);
        let mut last_break = "";
        while self.col(self.pos) == indent && !self.eof() && !self.is_doc_marker(self.pos) {
            for _ in 0..breaks {
                text.push('\n');
            }
            let leading_non_space = !matches!(self.peek(), b' ' | b'\t');
            let line = self.pos;
            self.skip_to_eol();
            let mut content_end = self.pos;
            if content_end > line && self.b[content_end - 1] == b'\r' {
                content_end -= 1;
            }
            text.push_str(&self.src[line..content_end]);
            end = content_end;
            last_break = if self.eat_break() { "\n" } else { "" };
            breaks = self.block_breaks(indent);
            if self.col(self.pos) == indent && !self.eof() && !self.is_doc_marker(self.pos) {
                if folded
                    && last_break == "\n"
                    && leading_non_space
                    && !matches!(self.peek(), b' ' | b'\t')
                {
                    if breaks == 0 {
                        text.push(' ');
                    }
                } else {
                    text.push_str(last_break);
                }
            } else {
                break;
            }
        }
        if chomp != Some(false) {
            text.push_str(last_break);
        }
        if chomp == Some(true) {
            for _ in 0..breaks {
                text.push('\n');
            }
        }
        self.pos = end;
        Ok(self.push(Node {
            props_start: start,
            content: start..end,
            tag: None,
            kind: Kind::Scalar(Scalar {
                style: if folded {
                    ScalarStyle::Folded
                } else {
                    ScalarStyle::Literal
                },
                text,
            }),
        }))
    }

    /// Skips up to `indent` spaces and any empty lines; returns how many line breaks.
    fn block_breaks(&mut self, indent: usize) -> usize {
        let mut breaks = 0;
        loop {
            while self.col(self.pos) < indent && self.peek() == b' ' {
                self.pos += 1;
            }
            if self.eat_break() {
                breaks += 1;
            } else {
                return breaks;
            }
        }
    }
}
