//! Values and keys as HOCON text, in the file's own style: its separator (`=`, ` = `,
//! `: `), how it opens an object (`key {` as Configurate writes it, or `key = {`), its
//! indentation unit and its line ending.

use homeamp_schemas::Value;

use super::tree::{Kind, Member, Separator, Style, Tree};
use crate::position::{line_ending, line_start};

#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub eol: &'static str,
    /// Between a key and a value that is not an object, as first written in the file.
    pub separator: String,
    /// Between a key and an object value: `" "` for `key {`, else the separator.
    pub object_separator: String,
    /// One level of indentation.
    pub indent: String,
}

impl Layout {
    /// The style of `text`; Configurate's (`key=value`, `key {`, four spaces) where the file
    /// does not show one.
    pub fn of(tree: &Tree, text: &str) -> Layout {
        let mut separator = None;
        let mut object_separator = None;
        let mut indent: Option<String> = None;
        for node in &tree.nodes {
            let Kind::Object(o) = &node.kind else {
                continue;
            };
            let parent_indent = indentation(text, node.span.start);
            for member in &o.members {
                let Member::Field(f) = member else { continue };
                let value = &tree.nodes[f.value];
                let between = &text[f.key_span.end..value.span.start];
                if between.contains('\n') {
                    continue;
                }
                match f.separator {
                    Separator::Append => {}
                    Separator::None => {
                        object_separator.get_or_insert_with(|| between.to_string());
                    }
                    _ if matches!(value.kind, Kind::Object(_)) => {
                        object_separator.get_or_insert_with(|| between.to_string());
                    }
                    _ => {
                        separator.get_or_insert_with(|| between.to_string());
                    }
                }
                let own = indentation(text, f.key_span.start);
                if o.braces
                    && starts_line(text, f.key_span.start)
                    && let Some(unit) = own.strip_prefix(parent_indent)
                    && !unit.is_empty()
                    && indent.as_ref().is_none_or(|i| unit.len() < i.len())
                {
                    indent = Some(unit.to_string());
                }
            }
        }
        let separator = separator.unwrap_or_else(|| "=".into());
        Layout {
            eol: line_ending(text),
            object_separator: object_separator.unwrap_or_else(|| " ".into()),
            separator,
            indent: indent.unwrap_or_else(|| "    ".into()),
        }
    }

    /// A field `key<sep>value` at indentation `at` (the value's later lines are indented
    /// from there).
    pub fn field(&self, key: &str, value: &Value, at: &str) -> String {
        let sep = match value {
            Value::Map(_) => &self.object_separator,
            _ => &self.separator,
        };
        format!("{key}{sep}{}", self.value(value, at, None))
    }

    /// `value` as HOCON text at indentation `at`. `like` is the style of the string it
    /// replaces, kept when the new text allows it.
    pub fn value(&self, value: &Value, at: &str, like: Option<Style>) -> String {
        match value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::String(s) => string(s, like),
            Value::List(items) if items.is_empty() => "[]".into(),
            Value::Map(map) if map.is_empty() => "{}".into(),
            Value::List(items) => {
                let inner = format!("{at}{}", self.indent);
                let lines: Vec<String> = items
                    .iter()
                    .map(|v| format!("{inner}{}", self.value(v, &inner, None)))
                    .collect();
                let sep = format!(",{}", self.eol);
                format!("[{}{}{}{at}]", self.eol, lines.join(&sep), self.eol)
            }
            Value::Map(map) => {
                let inner = format!("{at}{}", self.indent);
                let mut out = format!("{{{}", self.eol);
                for (k, v) in map {
                    out.push_str(&inner);
                    out.push_str(&self.field(&key(k), v, &inner));
                    out.push_str(self.eol);
                }
                out.push_str(at);
                out.push('}');
                out
            }
        }
    }
}

/// The spaces and tabs that start the line holding `offset`.
pub(super) fn indentation(text: &str, offset: usize) -> &str {
    let line = &text[line_start(text, offset)..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether only spaces and tabs come before `offset` on its line.
pub(super) fn starts_line(text: &str, offset: usize) -> bool {
    text[line_start(text, offset)..offset]
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | 0xEF | 0xBB | 0xBF))
}

/// A key part, as Configurate (Typesafe Config's renderer) writes it: unquoted when
/// [`plain`], else quoted (so `"default_format"`, `"carbon:help"`).
pub(super) fn key(k: &str) -> String {
    if plain(k) { k.to_string() } else { quoted(k) }
}

/// Typesafe Config's rule for text it leaves unquoted: letters, digits and `-`, not
/// starting with a digit or `-`, nor with `include`, `true`, `false` or `null`.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        && !["include", "true", "false", "null"]
            .iter()
            .any(|w| s.starts_with(w))
        && s.chars()
            .all(|c| c.is_alphabetic() || c.is_ascii_digit() || c == '-')
}

/// A dotted key path.
pub(super) fn key_path(parts: &[String]) -> String {
    parts.iter().map(|p| key(p)).collect::<Vec<_>>().join(".")
}

/// A string value. In place of an existing string its style is kept: quoted stays quoted,
/// unquoted stays unquoted while it reads back the same, triple-quoted stays so while it
/// can. A new string is written as Configurate writes it: unquoted when [`plain`].
fn string(s: &str, like: Option<Style>) -> String {
    match like {
        Some(Style::Unquoted) if safe_unquoted(s) => s.to_string(),
        Some(Style::TripleQuoted) if !s.contains("\"\"\"") && !s.ends_with('"') => {
            format!("\"\"\"{s}\"\"\"")
        }
        None if plain(s) => s.to_string(),
        _ => quoted(s),
    }
}

/// Text that reads back as itself, unquoted, on its own: one word of safe characters that
/// is not a number, a boolean or null.
fn safe_unquoted(s: &str) -> bool {
    !s.is_empty()
        && !matches!(s, "true" | "false" | "null" | "include")
        && !s.contains("//")
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'%' | b'<' | b'>')
        })
}

/// A JSON-style quoted string: `"`, `\` and control characters escaped.
pub(super) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
