//! The YAML reader: block structure (maps, lists, indentation) and document framing.
//!
//! A hand-written recursive-descent reader over the bytes of the text, shaped after the
//! scanner SnakeYAML inherits from PyYAML (same indentation, plain-scalar and block-scalar
//! rules), that keeps byte spans instead of building events. It reads one document: the
//! block and flow collections, plain/quoted/block scalars, comments, anchors, aliases, and
//! merge keys config files use. What homeamp cannot address with a key path (explicit `?`
//! keys, collections used as keys, several documents) is refused with a line and column, as
//! are the files SnakeYAML itself refuses.
//!
//! Flow collections are in `flow.rs`, scalars in `scalar.rs`.

use std::collections::HashMap;

use super::tree::{Entry, Item, Kind, Map, Node, NodeId, Scalar, ScalarStyle, Seq, Tree};
use crate::error::ParseError;
use homeamp_schemas::limits::YAML_BOUNDS;

pub type Result<T> = std::result::Result<T, ParseError>;

pub fn parse(text: &str) -> Result<Tree> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut parser = Parser {
        src: text,
        b: text.as_bytes(),
        pos: bom,
        bom,
        tree: Tree::default(),
        anchors: HashMap::new(),
        depth: 0,
    };
    parser.document()?;
    super::bounds::check(text, &parser.tree)?;
    Ok(parser.tree)
}

pub(super) struct Parser<'a> {
    pub(super) src: &'a str,
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
    bom: usize,
    pub(super) tree: Tree,
    pub(super) anchors: HashMap<String, NodeId>,
    /// Nodes being read, one inside the other: bounded so that no text nests the reader
    /// deeper than the stack allows (the tree's own depth is checked in `bounds.rs`).
    depth: usize,
}

/// Space, tab, line break or the end of the text: what must follow `-`, `?` and `:` indicators.
pub(super) fn is_blank_or_end(c: u8) -> bool {
    matches!(c, 0 | b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Parser<'a> {
    pub(super) fn peek(&self) -> u8 {
        self.at(self.pos)
    }

    pub(super) fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    pub(super) fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    pub(super) fn err(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError::at(self.src, offset, message)
    }

    pub(super) fn line_start(&self, offset: usize) -> usize {
        let ls = crate::position::line_start(self.src, offset);
        if ls == 0 { self.bom.min(offset) } else { ls }
    }

    /// Column (0-based, in bytes: indentation is always ASCII) of `offset`.
    pub(super) fn col(&self, offset: usize) -> usize {
        offset - self.line_start(offset)
    }

    pub(super) fn is_eol(&self, i: usize) -> bool {
        matches!(self.at(i), 0 | b'\r' | b'\n')
    }

    pub(super) fn skip_space(&mut self) {
        while matches!(self.peek(), b' ' | b'\t') {
            self.pos += 1;
        }
    }

    /// Consumes one line break if there is one.
    pub(super) fn eat_break(&mut self) -> bool {
        match self.peek() {
            b'\r' => {
                self.pos += 1;
                if self.peek() == b'\n' {
                    self.pos += 1;
                }
                true
            }
            b'\n' => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    pub(super) fn skip_to_eol(&mut self) {
        while !self.is_eol(self.pos) {
            self.pos += 1;
        }
    }

    pub(super) fn at_comment_or_eol(&self) -> bool {
        self.peek() == b'#' || self.is_eol(self.pos)
    }

    /// Skips white space, comments and line breaks up to the next content. Refuses a tab
    /// used as indentation before block content, as SnakeYAML does.
    pub(super) fn skip_to_content(&mut self) -> Result<()> {
        let mut line_begin =
            self.pos == self.bom || (self.pos > 0 && self.b[self.pos - 1] == b'\n');
        loop {
            let mut tab = None;
            while let b' ' | b'\t' = self.peek() {
                if self.peek() == b'\t' && tab.is_none() {
                    tab = Some(self.pos);
                }
                self.pos += 1;
            }
            match self.peek() {
                b'#' => {
                    self.skip_to_eol();
                    line_begin = false;
                }
                b'\r' | b'\n' => {
                    self.eat_break();
                    line_begin = true;
                }
                0 => return Ok(()),
                _ => {
                    if let (true, Some(tab)) = (line_begin, tab) {
                        return Err(self.err(
                            tab,
                            "a tab character is used for indentation; YAML allows only spaces there",
                        ));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// After a value: only spaces and a comment may follow on its line.
    pub(super) fn finish_line(&mut self) -> Result<()> {
        let start = self.pos;
        self.skip_space();
        match self.peek() {
            b'#' if self.pos > start || self.pos == self.line_start(self.pos) => {
                self.skip_to_eol();
                Ok(())
            }
            0 | b'\r' | b'\n' => Ok(()),
            b':' => Err(self.err(
                self.pos,
                "mapping values are not allowed here (a ':' followed by a space inside a value? quote the value)",
            )),
            _ => Err(self.err(
                self.pos,
                "unexpected text after the value (quote the whole value, or start a comment with ' #')",
            )),
        }
    }

    pub(super) fn is_doc_marker(&self, i: usize) -> bool {
        self.col(i) == 0
            && (self.b[i..].starts_with(b"---") || self.b[i..].starts_with(b"..."))
            && is_blank_or_end(self.at(i + 3))
    }

    pub(super) fn push(&mut self, node: Node) -> NodeId {
        self.tree.nodes.push(node);
        self.tree.nodes.len() - 1
    }

    pub(super) fn empty(&mut self, at: usize) -> NodeId {
        self.push(Node {
            props_start: at,
            content: at..at,
            tag: None,
            kind: Kind::Scalar(Scalar {
                style: ScalarStyle::Empty,
                text: String::new(),
            }),
        })
    }

    fn document(&mut self) -> Result<()> {
        self.skip_to_content()?;
        if self.peek() == b'%' && self.col(self.pos) == 0 {
            return Err(self.err(
                self.pos,
                "YAML directives (%) are not supported in config files",
            ));
        }
        if self.is_doc_marker(self.pos) && self.b[self.pos] == b'-' {
            self.pos += 3;
            self.skip_space();
            if !self.at_comment_or_eol() {
                let id = self.block_node(-1, false)?;
                self.tree.root = Some(id);
                self.finish_line()?;
            }
            self.skip_to_content()?;
        }
        if self.tree.root.is_none() && !self.eof() && !self.is_doc_marker(self.pos) {
            let id = self.block_node(-1, false)?;
            self.tree.root = Some(id);
            self.finish_line()?;
            self.skip_to_content()?;
        }
        if self.is_doc_marker(self.pos) && self.b[self.pos] == b'.' {
            self.pos += 3;
            self.skip_to_content()?;
        }
        if self.is_doc_marker(self.pos) {
            return Err(self.err(
                self.pos,
                "a second YAML document ('---'): a config file holds exactly one",
            ));
        }
        if !self.eof() {
            return Err(self.err(
                self.pos,
                "unexpected content here (is it indented less than the block it belongs to?)",
            ));
        }
        Ok(())
    }

    /// Reads `&anchor` and `!tag` properties before a node.
    pub(super) fn props(&mut self) -> Result<(Option<String>, Option<String>)> {
        let mut anchor = None;
        let mut tag = None;
        loop {
            let c = self.peek();
            if c != b'&' && c != b'!' {
                break;
            }
            let start = self.pos;
            self.pos += 1;
            while !is_blank_or_end(self.peek())
                && !matches!(self.peek(), b',' | b'[' | b']' | b'{' | b'}')
            {
                self.pos += 1;
            }
            let name = self.src[start + 1..self.pos].to_string();
            if c == b'&' {
                if name.is_empty() || anchor.is_some() {
                    return Err(self.err(start, "an anchor '&' needs one name"));
                }
                anchor = Some(name);
            } else {
                if tag.is_some() {
                    return Err(self.err(start, "a node can have only one tag"));
                }
                tag = Some(format!("!{name}"));
            }
            let after = self.pos;
            self.skip_space();
            if !matches!(self.peek(), b'&' | b'!') {
                self.pos = after;
                break;
            }
        }
        Ok((anchor, tag))
    }

    pub(super) fn attach_props(
        &mut self,
        id: NodeId,
        props_start: usize,
        anchor: Option<String>,
        tag: Option<String>,
    ) {
        let node = &mut self.tree.nodes[id];
        node.props_start = props_start;
        if tag.is_some() {
            node.tag = tag;
        }
        if let Some(name) = anchor {
            self.anchors.insert(name, id);
        }
    }

    /// True when `:` plus white space follows `end` (after optional spaces): the text before
    /// it is an implicit key.
    pub(super) fn colon_follows(&self, end: usize) -> bool {
        let mut i = end;
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        self.at(i) == b':' && is_blank_or_end(self.at(i + 1))
    }

    fn refuse_collection_key(&self, start: usize) -> ParseError {
        if self.b[start..].starts_with(b"{{") {
            self.err(
                start,
                "'{{ ... }}' looks like an unrendered template placeholder; YAML reads it as a map used as a key, which a config file cannot hold (render the template first, or quote the value)",
            )
        } else {
            self.err(start, "a map or list used as a key is not supported")
        }
    }

    /// A block node starting at the current content. `parent_indent` is the column of the
    /// enclosing block collection (-1 at the top); `after_key` is true for a value on the
    /// same line as its key, where a new block map or list cannot start.
    pub(super) fn block_node(&mut self, parent_indent: isize, after_key: bool) -> Result<NodeId> {
        self.nested(|p| p.block_node_inner(parent_indent, after_key))
    }

    /// Runs `read` one level deeper, refusing a text nested past the bound.
    pub(super) fn nested(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<NodeId>,
    ) -> Result<NodeId> {
        if self.depth > 2 * YAML_BOUNDS.max_depth {
            return Err(self.err(self.pos, YAML_BOUNDS.depth_message()));
        }
        self.depth += 1;
        let result = read(self);
        self.depth -= 1;
        result
    }

    fn block_node_inner(&mut self, parent_indent: isize, after_key: bool) -> Result<NodeId> {
        let props_start = self.pos;
        let (anchor, tag) = self.props()?;
        let mut after_key = after_key;
        let mut own_line = false;
        if anchor.is_some() || tag.is_some() {
            let props_end = self.pos;
            self.skip_space();
            if self.at_comment_or_eol() {
                let save = self.pos;
                self.skip_to_content()?;
                let c = self.col(self.pos) as isize;
                if self.eof() || self.is_doc_marker(self.pos) || c <= parent_indent {
                    self.pos = save;
                    let id = self.empty(props_end);
                    self.attach_props(id, props_start, anchor, tag);
                    return Ok(id);
                }
                after_key = false;
                own_line = true;
            } else if self.peek() != b'&' && self.peek() != b'!' {
                // Properties then content on the same line: if the content is a key, the
                // properties belong to the key, which homeamp does not support.
                let start = self.pos;
                let is_key = match self.peek() {
                    b'"' | b'\'' => {
                        let (_, end) = self.scan_quoted(start)?;
                        self.colon_follows(end)
                    }
                    b'[' | b'{' | b'|' | b'>' | b'*' => false,
                    _ => self.scan_plain_line(start).1.is_some(),
                };
                if is_key {
                    return Err(self.err(props_start, "anchors and tags on keys are not supported"));
                }
            }
        }
        // Properties on a line of their own belong to the collection below them.
        let key_props = if own_line { self.pos } else { props_start };
        let id = self.block_content(parent_indent, after_key, key_props)?;
        self.attach_props(id, props_start, anchor, tag);
        Ok(id)
    }

    fn block_content(
        &mut self,
        parent_indent: isize,
        after_key: bool,
        props_start: usize,
    ) -> Result<NodeId> {
        let start = self.pos;
        let c = self.peek();
        let next = self.at(start + 1);
        match c {
            b'-' if is_blank_or_end(next) => {
                if after_key {
                    return Err(self.err(
                        start,
                        "a list cannot start on the same line as its key; put '- item' on the next line",
                    ));
                }
                self.block_seq(self.col(start))
            }
            b'[' | b'{' => {
                let id = self.flow_collection()?;
                if self.colon_follows(self.pos) {
                    return Err(self.refuse_collection_key(start));
                }
                Ok(id)
            }
            b'|' | b'>' => self.block_scalar(parent_indent),
            b'*' => {
                let id = self.alias()?;
                if self.colon_follows(self.pos) {
                    return Err(self.err(start, "an alias used as a key is not supported"));
                }
                Ok(id)
            }
            b'?' if is_blank_or_end(next) => Err(self.err(
                start,
                "explicit keys ('? ') are not supported in config files",
            )),
            b':' if is_blank_or_end(next) => Err(self.err(start, "a ':' with no key before it")),
            b'"' | b'\'' => {
                let (_, end) = self.scan_quoted(start)?;
                if self.colon_follows(end) {
                    if after_key {
                        return Err(self.err(start, "mapping values are not allowed here (a key inside a value? put it on its own line)"));
                    }
                    return self.block_map(self.col(start));
                }
                self.quoted_scalar()
            }
            b'%' | b'@' | b'`' | b',' | b']' | b'}' => Err(self.err(
                start,
                format!(
                    "'{}' cannot start a plain value; quote the value",
                    c as char
                ),
            )),
            b'&' | b'!' => Err(self.err(start, "misplaced anchor or tag")),
            _ => {
                let (_, colon) = self.scan_plain_line(start);
                if let Some(colon) = colon {
                    if after_key {
                        return Err(self.err(
                            colon,
                            "mapping values are not allowed here (a ': ' inside a value? quote the value)",
                        ));
                    }
                    if props_start != start {
                        return Err(
                            self.err(props_start, "anchors and tags on keys are not supported")
                        );
                    }
                    return self.block_map(self.col(start));
                }
                self.plain_block(parent_indent)
            }
        }
    }

    fn block_map(&mut self, indent: usize) -> Result<NodeId> {
        let start = self.pos;
        let mut entries = Vec::new();
        let mut end;
        loop {
            let key_start = self.pos;
            let next = self.at(key_start + 1);
            let (key, key_end, key_style) = match self.peek() {
                b'"' | b'\'' => {
                    let style = if self.peek() == b'"' {
                        ScalarStyle::Double
                    } else {
                        ScalarStyle::Single
                    };
                    let (text, end) = self.scan_quoted(key_start)?;
                    if self.b[key_start..end].contains(&b'\n') {
                        return Err(self.err(key_start, "a quoted key must fit on one line"));
                    }
                    (text, end, style)
                }
                b'-' if is_blank_or_end(next) => {
                    return Err(self.err(
                        key_start,
                        "expected a key, found a list item '- ' at the indentation of the keys",
                    ));
                }
                b'?' if is_blank_or_end(next) => {
                    return Err(self.err(
                        key_start,
                        "explicit keys ('? ') are not supported in config files",
                    ));
                }
                b'[' | b'{' => return Err(self.refuse_collection_key(key_start)),
                b'*' => return Err(self.err(key_start, "an alias used as a key is not supported")),
                b'&' | b'!' => {
                    return Err(self.err(key_start, "anchors and tags on keys are not supported"));
                }
                b':' if is_blank_or_end(next) => {
                    return Err(self.err(key_start, "a ':' with no key before it"));
                }
                b'|' | b'>' | b'%' | b'@' | b'`' | b',' | b']' | b'}' => {
                    return Err(self.err(key_start, "expected a key ('key: value')"));
                }
                _ => {
                    let (end, colon) = self.scan_plain_line(key_start);
                    if colon.is_none() {
                        return Err(self.err(
                            key_start,
                            "could not find the ':' of 'key: value' on this line",
                        ));
                    }
                    (
                        self.src[key_start..end].to_string(),
                        end,
                        ScalarStyle::Plain,
                    )
                }
            };
            self.pos = key_end;
            self.skip_space();
            if self.peek() != b':' || !is_blank_or_end(self.at(self.pos + 1)) {
                return Err(self.err(self.pos, "expected ':' after the key"));
            }
            self.pos += 1;
            let colon_end = self.pos;
            self.skip_space();
            let value = if self.at_comment_or_eol() {
                let save = self.pos;
                self.skip_to_content()?;
                let c = self.col(self.pos);
                if self.eof() || self.is_doc_marker(self.pos) {
                    self.pos = save;
                    self.empty(colon_end)
                } else if c > indent {
                    self.block_node(indent as isize, false)?
                } else if c == indent
                    && self.peek() == b'-'
                    && is_blank_or_end(self.at(self.pos + 1))
                {
                    self.block_seq(indent)?
                } else {
                    self.pos = save;
                    self.empty(colon_end)
                }
            } else {
                self.block_node(indent as isize, true)?
            };
            end = self.tree.nodes[value].content.end.max(colon_end);
            entries.push(Entry {
                key,
                key_span: key_start..key_end,
                key_style,
                value,
            });
            self.finish_line()?;
            self.skip_to_content()?;
            if self.eof() || self.is_doc_marker(self.pos) {
                break;
            }
            let c = self.col(self.pos);
            if c < indent {
                break;
            }
            if c > indent {
                return Err(self.err(
                    self.pos,
                    "bad indentation: this line is indented more than the keys of its map",
                ));
            }
        }
        self.pos = end;
        Ok(self.push(Node {
            props_start: start,
            content: start..end,
            tag: None,
            kind: Kind::Map(Map {
                indent: Some(indent),
                entries,
            }),
        }))
    }

    fn block_seq(&mut self, indent: usize) -> Result<NodeId> {
        let start = self.pos;
        let mut items = Vec::new();
        let mut end;
        loop {
            let dash = self.pos;
            self.pos += 1;
            self.skip_space();
            let value = if self.at_comment_or_eol() {
                let save = self.pos;
                self.skip_to_content()?;
                if !self.eof() && !self.is_doc_marker(self.pos) && self.col(self.pos) > indent {
                    self.block_node(indent as isize, false)?
                } else {
                    self.pos = save;
                    self.empty(dash + 1)
                }
            } else {
                self.block_node(indent as isize, false)?
            };
            end = self.tree.nodes[value].content.end.max(dash + 1);
            items.push(Item { start: dash, value });
            self.finish_line()?;
            self.skip_to_content()?;
            if self.eof() || self.is_doc_marker(self.pos) {
                break;
            }
            let c = self.col(self.pos);
            if c < indent {
                break;
            }
            if c > indent {
                return Err(self.err(
                    self.pos,
                    "bad indentation: this line is indented more than the '- ' items of its list",
                ));
            }
            if !(self.peek() == b'-' && is_blank_or_end(self.at(self.pos + 1))) {
                break;
            }
        }
        self.pos = end;
        Ok(self.push(Node {
            props_start: start,
            content: start..end,
            tag: None,
            kind: Kind::Seq(Seq {
                indent: Some(indent),
                items,
            }),
        }))
    }

    fn alias(&mut self) -> Result<NodeId> {
        let start = self.pos;
        self.pos += 1;
        while !is_blank_or_end(self.peek())
            && !matches!(self.peek(), b',' | b'[' | b']' | b'{' | b'}')
        {
            self.pos += 1;
        }
        let name = &self.src[start + 1..self.pos];
        let Some(&target) = self.anchors.get(name) else {
            return Err(self.err(
                start,
                format!("unknown anchor '*{name}' (no '&{name}' above)"),
            ));
        };
        Ok(self.push(Node {
            props_start: start,
            content: start..self.pos,
            tag: None,
            kind: Kind::Alias(target),
        }))
    }
}
