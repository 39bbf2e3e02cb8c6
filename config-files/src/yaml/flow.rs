//! Flow collections: `[a, b]` and `{k: v}`, possibly over several lines, with comments.

use super::parser::{Parser, Result, is_blank_or_end};
use super::tree::{Entry, Item, Kind, Map, Node, NodeId, Scalar, ScalarStyle, Seq};

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Parser<'a> {
    /// Skips spaces, line breaks and comments inside a flow collection.
    fn skip_flow_space(&mut self) {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' => self.skip_to_eol(),
                _ => return,
            }
        }
    }

    /// A `[...]` or `{...}` at the current position; moves past its closing bracket.
    pub(super) fn flow_collection(&mut self) -> Result<NodeId> {
        self.nested(|p| {
            if p.peek() == b'[' {
                p.flow_seq()
            } else {
                p.flow_map()
            }
        })
    }

    fn flow_node(&mut self) -> Result<NodeId> {
        let props_start = self.pos;
        let (anchor, tag) = self.props()?;
        if anchor.is_some() || tag.is_some() {
            self.skip_flow_space();
        }
        let start = self.pos;
        let id = match self.peek() {
            b'[' | b'{' => self.flow_collection()?,
            b'"' | b'\'' => self.quoted_scalar()?,
            b'*' => {
                let name_start = self.pos + 1;
                let mut i = name_start;
                while !is_blank_or_end(self.at(i)) && !is_flow_indicator(self.at(i)) {
                    i += 1;
                }
                let name = &self.src[name_start..i];
                let Some(&target) = self.anchors.get(name) else {
                    return Err(self.err(
                        start,
                        format!("unknown anchor '*{name}' (no '&{name}' above)"),
                    ));
                };
                self.pos = i;
                self.push(Node {
                    props_start: start,
                    content: start..i,
                    tag: None,
                    kind: Kind::Alias(target),
                })
            }
            b',' | b']' | b'}' if anchor.is_some() || tag.is_some() => self.empty(start),
            b',' => return Err(self.err(start, "an empty entry (two commas in a row?)")),
            0 => return Err(self.err(start, "the text ends inside a flow collection")),
            b'-' | b'?' if is_blank_or_end(self.at(start + 1)) => {
                return Err(self.err(
                    start,
                    "block indicators ('- ', '? ') are not allowed inside [ ] or { }",
                ));
            }
            b'|' | b'>' | b'%' | b'@' | b'`' => {
                return Err(self.err(
                    start,
                    format!(
                        "'{}' cannot start a plain value; quote it",
                        self.peek() as char
                    ),
                ));
            }
            _ => self.plain_flow()?,
        };
        self.attach_props(id, props_start, anchor, tag);
        Ok(id)
    }

    /// A plain scalar inside a flow collection (it ends at `,`, brackets, `: ` and ` #`).
    fn plain_flow(&mut self) -> Result<NodeId> {
        let start = self.pos;
        let mut text = String::new();
        let mut i = start;
        let mut end = start;
        let mut segment = start;
        loop {
            let c = self.at(i);
            let stop = match c {
                0 | b'\r' | b'\n' => true,
                b',' | b'[' | b']' | b'{' | b'}' => true,
                b':' => is_blank_or_end(self.at(i + 1)) || is_flow_indicator(self.at(i + 1)),
                b' ' | b'\t' => {
                    let mut j = i;
                    while matches!(self.at(j), b' ' | b'\t') {
                        j += 1;
                    }
                    if self.at(j) == b'#' {
                        true
                    } else {
                        i = j;
                        continue;
                    }
                }
                _ => false,
            };
            if !stop {
                i += 1;
                end = i;
                continue;
            }
            text.push_str(&self.src[segment..end]);
            if !matches!(c, b'\r' | b'\n') {
                break;
            }
            // At a line break: continue on the next non-empty line unless it closes or
            // separates the collection.
            let mut q = i;
            while matches!(self.at(q), b' ' | b'\t') {
                q += 1;
            }
            let mut breaks = 0;
            while matches!(self.at(q), b'\r' | b'\n') {
                if self.at(q) == b'\r' && self.at(q + 1) == b'\n' {
                    q += 1;
                }
                q += 1;
                breaks += 1;
                while matches!(self.at(q), b' ' | b'\t') {
                    q += 1;
                }
            }
            let n = self.at(q);
            if breaks == 0
                || n == 0
                || n == b'#'
                || is_flow_indicator(n)
                || (n == b':'
                    && (is_blank_or_end(self.at(q + 1)) || is_flow_indicator(self.at(q + 1))))
            {
                break;
            }
            if breaks == 1 {
                text.push(' ');
            } else {
                for _ in 1..breaks {
                    text.push('\n');
                }
            }
            i = q;
            segment = q;
            end = q;
        }
        if end == start {
            return Err(self.err(start, "expected a value"));
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

    fn flow_seq(&mut self) -> Result<NodeId> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_flow_space();
            match self.peek() {
                b']' => {
                    self.pos += 1;
                    break;
                }
                0 => return Err(self.err(start, "unclosed '[': no matching ']'")),
                _ => {}
            }
            let item_start = self.pos;
            let mut value = self.flow_node()?;
            self.skip_flow_space();
            if self.peek() == b':' {
                // A single-pair map inside a list: `[key: value]`.
                self.pos += 1;
                self.skip_flow_space();
                let pair_value = if matches!(self.peek(), b',' | b']') {
                    self.empty(self.pos)
                } else {
                    self.flow_node()?
                };
                let key_node = &self.tree.nodes[value];
                let Kind::Scalar(key) = &key_node.kind else {
                    return Err(
                        self.err(item_start, "a map or list used as a key is not supported")
                    );
                };
                let entry = Entry {
                    key: key.text.clone(),
                    key_span: key_node.content.clone(),
                    key_style: key.style,
                    value: pair_value,
                };
                let end = self.tree.nodes[pair_value].content.end.max(self.pos);
                value = self.push(Node {
                    props_start: item_start,
                    content: item_start..end,
                    tag: None,
                    kind: Kind::Map(Map {
                        indent: None,
                        entries: vec![entry],
                    }),
                });
                self.skip_flow_space();
            }
            items.push(Item {
                start: item_start,
                value,
            });
            match self.peek() {
                b',' => self.pos += 1,
                b']' => {}
                0 => return Err(self.err(start, "unclosed '[': no matching ']'")),
                _ => return Err(self.err(self.pos, "expected ',' or ']' in a [ ] list")),
            }
        }
        Ok(self.push(Node {
            props_start: start,
            content: start..self.pos,
            tag: None,
            kind: Kind::Seq(Seq {
                indent: None,
                items,
            }),
        }))
    }

    fn flow_map(&mut self) -> Result<NodeId> {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_flow_space();
            let key_start = self.pos;
            let (key, key_end, key_style) = match self.peek() {
                b'}' => {
                    self.pos += 1;
                    break;
                }
                0 => return Err(self.err(start, "unclosed '{': no matching '}'")),
                b'[' | b'{' => {
                    if self.b[start..].starts_with(b"{{") {
                        return Err(self.err(
                            start,
                            "'{{ ... }}' looks like an unrendered template placeholder; YAML reads it as a map used as a key, which a config file cannot hold (render the template first, or quote the value)",
                        ));
                    }
                    return Err(self.err(key_start, "a map or list used as a key is not supported"));
                }
                b'?' if is_blank_or_end(self.at(key_start + 1)) => {
                    return Err(self.err(
                        key_start,
                        "explicit keys ('? ') are not supported in config files",
                    ));
                }
                b'&' | b'!' | b'*' => {
                    return Err(self.err(
                        key_start,
                        "anchors, tags and aliases on keys are not supported",
                    ));
                }
                b'"' | b'\'' => {
                    let id = self.quoted_scalar()?;
                    let node = &self.tree.nodes[id];
                    let Kind::Scalar(s) = &node.kind else {
                        unreachable!("quoted_scalar builds a scalar")
                    };
                    (s.text.clone(), node.content.end, s.style)
                }
                _ => {
                    let id = self.plain_flow()?;
                    let node = &self.tree.nodes[id];
                    let Kind::Scalar(s) = &node.kind else {
                        unreachable!("plain_flow builds a scalar")
                    };
                    (s.text.clone(), node.content.end, ScalarStyle::Plain)
                }
            };
            self.skip_flow_space();
            let value = if self.peek() == b':' {
                self.pos += 1;
                self.skip_flow_space();
                if matches!(self.peek(), b',' | b'}') {
                    self.empty(self.pos)
                } else {
                    self.flow_node()?
                }
            } else {
                self.empty(key_end)
            };
            entries.push(Entry {
                key,
                key_span: key_start..key_end,
                key_style,
                value,
            });
            self.skip_flow_space();
            match self.peek() {
                b',' => self.pos += 1,
                b'}' => {}
                0 => return Err(self.err(start, "unclosed '{': no matching '}'")),
                _ => return Err(self.err(self.pos, "expected ',' or '}' in a { } map")),
            }
        }
        Ok(self.push(Node {
            props_start: start,
            content: start..self.pos,
            tag: None,
            kind: Kind::Map(Map {
                indent: None,
                entries,
            }),
        }))
    }
}
