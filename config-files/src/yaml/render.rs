//! Values to YAML text that SnakeYAML reads back as the same value.
//!
//! Used for edits (a replaced scalar keeps its quote style when the new value allows it, a
//! replaced `yes` stays in the yes/no family) and for printing values (`homeamp config get`).

use homeamp_schemas::Value;

use super::resolve;
use super::tree::ScalarStyle;

/// How new block content is laid out: the file's own indentation step and list style.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub step: usize,
    /// Lists under a key start at the key's column (`key:\n- a`) instead of one step in.
    pub zero_indent_lists: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            step: 2,
            zero_indent_lists: false,
        }
    }
}

/// What a replaced scalar looked like, so the new one can look the same.
#[derive(Debug, Clone, Copy)]
pub struct Original<'a> {
    pub style: ScalarStyle,
    /// The original's source text (plain scalars only), e.g. `yes` or `~`.
    pub plain_text: Option<&'a str>,
}

impl Original<'_> {
    pub const NONE: Original<'static> = Original {
        style: ScalarStyle::Plain,
        plain_text: None,
    };
}

/// A scalar value as YAML text. `in_flow` is true inside `[ ]` or `{ }`.
pub fn scalar(value: &Value, original: Original<'_>, in_flow: bool) -> String {
    match value {
        Value::Null => match original.plain_text {
            Some(t) if resolve::is_null(t) && !t.is_empty() => t.to_string(),
            _ => "null".to_string(),
        },
        Value::Bool(b) => bool_text(*b, original.plain_text),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_text(*f),
        Value::String(s) => string(s, original.style, in_flow),
        Value::List(_) | Value::Map(_) => flow(value),
    }
}

/// Keeps the spelling family and case of the boolean it replaces (`yes` → `no`, `ON` → `OFF`).
fn bool_text(b: bool, original: Option<&str>) -> String {
    let pairs = [
        ("true", "false"),
        ("True", "False"),
        ("TRUE", "FALSE"),
        ("yes", "no"),
        ("Yes", "No"),
        ("YES", "NO"),
        ("on", "off"),
        ("On", "Off"),
        ("ON", "OFF"),
    ];
    let (t, f) = original
        .and_then(|o| pairs.iter().find(|(t, f)| *t == o || *f == o))
        .copied()
        .unwrap_or(("true", "false"));
    if b { t } else { f }.to_string()
}

pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let text = format!("{f:?}");
    if matches!(resolve::plain(&text), Value::Float(_)) {
        text
    } else {
        format!("{f:.1}")
    }
}

/// A string in the style of the one it replaces, when that style can hold it and reads
/// back as the same string; otherwise the plainest style that does.
pub fn string(s: &str, preferred: ScalarStyle, in_flow: bool) -> String {
    match preferred {
        ScalarStyle::Single if single_ok(s) => single(s),
        ScalarStyle::Double => double(s),
        _ if plain_ok(s, in_flow) => s.to_string(),
        _ if single_ok(s) => single(s),
        _ => double(s),
    }
}

/// A map key: plain when it reads back as the same string, else quoted.
pub fn key(k: &str) -> String {
    string(k, ScalarStyle::Plain, false)
}

fn single(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub fn double(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn single_ok(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        && !s.starts_with(' ')
        && !s.ends_with(' ')
}

/// True when `s` written bare reads back as the string `s`.
pub fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !matches!(resolve::plain(s), Value::String(_)) {
        return false;
    }
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return false;
    }
    if "[]{},#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '-' | '?' | ':') && s[1..].chars().next().is_none_or(|c| c == ' ') {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}', ':']) {
        return false;
    }
    !s.chars().any(|c| {
        c.is_control() || c == '\t' || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
    })
}

/// A value in flow style: `[a, b]`, `{k: v}`, or a scalar.
pub fn flow(value: &Value) -> String {
    match value {
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(map) => {
            if map.is_empty() {
                return "{}".into();
            }
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", string(k, ScalarStyle::Plain, true), flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        scalar_value => scalar(scalar_value, Original::NONE, true),
    }
}

/// Lines (without line breaks) of a non-empty map or list in block style at `indent`.
pub fn block(value: &Value, indent: usize, layout: Layout) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    match value {
        Value::Map(map) => {
            for (k, v) in map {
                let head = format!("{pad}{}:", key(k));
                match v {
                    Value::Map(m) if !m.is_empty() => {
                        lines.push(head);
                        lines.extend(block(v, indent + layout.step, layout));
                    }
                    Value::List(l) if !l.is_empty() => {
                        lines.push(head);
                        let list_indent = if layout.zero_indent_lists {
                            indent
                        } else {
                            indent + layout.step
                        };
                        lines.extend(block(v, list_indent, layout));
                    }
                    _ => lines.push(format!("{head} {}", inline(v))),
                }
            }
        }
        Value::List(items) => {
            for item in items {
                match item {
                    Value::Map(m) if !m.is_empty() => {
                        // Compact form: the first key on the dash's line.
                        let inner = block(item, indent + 2, layout);
                        for (i, line) in inner.into_iter().enumerate() {
                            if i == 0 {
                                lines.push(format!("{pad}- {}", &line[indent + 2..]));
                            } else {
                                lines.push(line);
                            }
                        }
                    }
                    _ => lines.push(format!("{pad}- {}", inline(item))),
                }
            }
        }
        scalar_value => lines.push(format!("{pad}{}", inline(scalar_value))),
    }
    lines
}

/// A value on one line after `key: ` or `- `: scalars as such, collections in flow style.
pub fn inline(value: &Value) -> String {
    match value {
        Value::List(_) | Value::Map(_) => flow(value),
        v => scalar(v, Original::NONE, false),
    }
}

/// A whole value as a standalone YAML text (no final line break), for printing.
pub fn document(value: &Value) -> String {
    match value {
        Value::Map(m) if !m.is_empty() => block(value, 0, Layout::default()).join("\n"),
        Value::List(l) if !l.is_empty() => block(value, 0, Layout::default()).join("\n"),
        v => inline(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_would_change_type_are_quoted() {
        for s in [
            "yes", "no", "ON", "42", "0x1F", "1.5", "~", "null", "", ".inf",
        ] {
            let out = string(s, ScalarStyle::Plain, false);
            assert!(out.starts_with('\''), "{s:?} -> {out}");
        }
        assert_eq!(string("y", ScalarStyle::Plain, false), "y");
        assert_eq!(
            string("hello world", ScalarStyle::Plain, false),
            "hello world"
        );
    }

    #[test]
    fn quote_style_is_kept_when_possible() {
        assert_eq!(string("it's", ScalarStyle::Single, false), "'it''s'");
        assert_eq!(string("a\"b", ScalarStyle::Double, false), "\"a\\\"b\"");
        assert_eq!(
            string("line\nbreak", ScalarStyle::Single, false),
            "\"line\\nbreak\""
        );
    }

    #[test]
    fn bools_keep_their_spelling_family() {
        assert_eq!(bool_text(false, Some("yes")), "no");
        assert_eq!(bool_text(true, Some("OFF")), "ON");
        assert_eq!(bool_text(true, Some("False")), "True");
        assert_eq!(bool_text(true, None), "true");
    }

    #[test]
    fn floats_always_read_back_as_floats() {
        assert_eq!(float_text(1.0), "1.0");
        assert_eq!(float_text(0.25), "0.25");
        assert_eq!(float_text(1e20), "1e20");
        assert_eq!(float_text(f64::NEG_INFINITY), "-.inf");
    }
}
