//! Secret references (`${secret:NAME}`) and keys that look like they hold one.
//!
//! The desired state never holds a secret in clear: a value names it with
//! `${secret:NAME}` and the host resolves it. This module parses those
//! references (a value may embed several, as in a JDBC URL) and recognises key
//! names that should hold one (`password`, `bot-token`, `MineSkinAPIKey`).

use homeamp_schemas::Value;

const OPEN: &str = "${secret:";

/// A malformed reference inside a string; `offset` is in characters from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSyntaxError {
    pub offset: usize,
    pub message: String,
}

/// True when a secret name is valid: letters, digits, `-`, `_`, `.`, not empty.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The names of the secrets referenced in `text`, or the first syntax error.
pub fn references(text: &str) -> Result<Vec<&str>, SecretSyntaxError> {
    let mut names = Vec::new();
    let mut rest = text;
    let mut consumed = 0;
    while let Some(start) = rest.find("${secret") {
        let after = &rest[start..];
        let offset = text[..consumed + start].chars().count();
        if !after.starts_with(OPEN) {
            return Err(SecretSyntaxError {
                offset,
                message: "a secret reference is written ${secret:NAME} (missing ':')".into(),
            });
        }
        let body = &after[OPEN.len()..];
        let Some(end) = body.find('}') else {
            return Err(SecretSyntaxError {
                offset,
                message: "unterminated secret reference: write ${secret:NAME}".into(),
            });
        };
        let name = &body[..end];
        if !valid_name(name) {
            return Err(SecretSyntaxError {
                offset,
                message: format!(
                    "bad secret name {name:?}: use letters, digits, '-', '_' or '.' as in ${{secret:db-password}}"
                ),
            });
        }
        names.push(name);
        let used = start + OPEN.len() + end + 1;
        consumed += used;
        rest = &rest[used..];
    }
    Ok(names)
}

/// True when `value` holds (or embeds) a secret reference anywhere.
pub fn holds_secret(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(OPEN),
        Value::List(items) => items.iter().any(holds_secret),
        Value::Map(map) => map.values().any(holds_secret),
        _ => false,
    }
}

/// Splits a key into lower-case words at non-alphanumerics and camelCase humps
/// (`MineSkinAPIKey` → `mine skin api key`).
fn words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when a key's name says it holds a credential.
pub fn key_looks_secret(key: &str) -> bool {
    // Cheap filter first: this runs for every string setting.
    let lower = key.to_ascii_lowercase();
    if !["pass", "pwd", "token", "secret", "key"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return false;
    }
    let words = words(key);
    if words.len() == 1 && words[0] == "key" {
        return true;
    }
    const WORDS: [&str; 7] = [
        "password",
        "passwd",
        "pwd",
        "token",
        "secret",
        "apikey",
        "passphrase",
    ];
    const BEFORE_KEY: [&str; 6] = ["api", "private", "secret", "access", "auth", "license"];
    words.iter().any(|w| WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|pair| pair[1] == "key" && BEFORE_KEY.contains(&pair[0].as_str()))
}

/// True when `value` is a clear-text string where a secret is expected.
/// Placeholders such as `-`, `N/A` or `none` are not credentials.
pub fn clear_text(value: &Value) -> bool {
    match value {
        Value::String(s) => {
            let placeholder = !s.chars().any(char::is_alphanumeric)
                || ["n/a", "none"].contains(&s.trim().to_ascii_lowercase().as_str());
            !placeholder && !s.contains(OPEN)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_parsed() {
        assert_eq!(references("${secret:db}").unwrap(), ["db"]);
        assert_eq!(
            references("jdbc://u:${secret:a-1}@h/${secret:b_2}").unwrap(),
            ["a-1", "b_2"]
        );
        assert!(references("plain").unwrap().is_empty());
    }

    #[test]
    fn malformed_references_are_refused() {
        for (text, offset) in [
            ("${secret:db", 0),
            ("x ${secret db}", 2),
            ("${secret:}", 0),
            ("${secret:has space}", 0),
            ("ok ${secret:a} ${secret:", 15),
        ] {
            let err = references(text).unwrap_err();
            assert_eq!(err.offset, offset, "{text}: {err:?}");
        }
    }

    #[test]
    fn credential_keys_are_recognised() {
        for key in [
            "password",
            "mysql-password",
            "bot-token",
            "MineSkinAPIKey",
            "api_key",
            "secret",
            "key",
            "privateKey",
        ] {
            assert!(key_looks_secret(key), "{key}");
        }
        for key in [
            "tokens-per-player",
            "keep-inventory",
            "monkey",
            "keys",
            "enabled",
        ] {
            assert!(!key_looks_secret(key), "{key}");
        }
    }

    #[test]
    fn secret_values_are_detected_inside_structures() {
        let v: Value = serde_json::from_str(r#"{"a":["x","${secret:s}"]}"#).unwrap();
        assert!(holds_secret(&v));
        assert!(!holds_secret(&Value::String("x".into())));
        assert!(clear_text(&Value::String("hunter2".into())));
        assert!(!clear_text(&Value::String("${secret:x}".into())));
        assert!(!clear_text(&Value::Bool(true)));
        for placeholder in ["", "-", "N/A", "none", "***"] {
            assert!(
                !clear_text(&Value::String(placeholder.into())),
                "{placeholder}"
            );
        }
        assert!(clear_text(&Value::String("pa55w0rd".into())));
    }
}
