//! Secret values for `${secret:NAME}` references, held in memory only.
//!
//! Both the host (to compare desired with live values) and the agents (to write them)
//! hold a [`Secrets`]: from an env-style text (`NAME=value` lines, as `homeamp import`
//! writes `secrets.env`) and from environment variables `HOMEAMP_SECRET_<NAME>` (name
//! upper-cased, `-` and `.` as `_`), which the caller passes in. Jobs, plans, logs and
//! the store only ever carry the references. This module does no IO: callers read the
//! file and the environment.

use std::collections::HashMap;

use crate::value::Value;

const OPEN: &str = "${secret:";

/// A line of a secrets file that is not `NAME=value`.
#[derive(Debug, thiserror::Error)]
#[error("{origin}:{line}: expected NAME=value")]
pub struct SecretsSyntaxError {
    pub origin: String,
    pub line: usize,
}

#[derive(Default, Clone)]
pub struct Secrets {
    values: HashMap<String, String>,
    /// From `HOMEAMP_SECRET_*` variables, by normalised name.
    env: HashMap<String, String>,
}

const ENV_PREFIX: &str = "HOMEAMP_SECRET_";

/// The shortest secret value [`Secrets::redact`] replaces.
pub const MIN_REDACTED_LEN: usize = 4;

fn env_name(name: &str) -> String {
    name.to_ascii_uppercase().replace(['-', '.'], "_")
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: a Debug print must never show a value.
        f.debug_struct("Secrets")
            .field("names", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Secrets {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses an env-style text: `NAME=value`, `#` comments, blank lines. `origin` (the
    /// file's path) names the file in errors.
    pub fn parse_env(text: &str, origin: &str) -> Result<Self, SecretsSyntaxError> {
        let mut values = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(SecretsSyntaxError {
                    origin: origin.to_string(),
                    line: n + 1,
                });
            };
            values.insert(name.trim().to_string(), value.to_string());
        }
        Ok(Self {
            values,
            env: HashMap::new(),
        })
    }

    /// Adds the `HOMEAMP_SECRET_<NAME>` entries of `vars` (e.g. `std::env::vars()`).
    pub fn with_env(mut self, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        for (key, value) in vars {
            if let Some(name) = key.strip_prefix(ENV_PREFIX) {
                self.env.insert(name.to_string(), value);
            }
        }
        self
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    fn lookup(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .or_else(|| self.env.get(&env_name(name)))
            .cloned()
    }

    /// `value` with every reference replaced, or the name of the first secret not known.
    pub fn resolve(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) if s.contains(OPEN) => Value::String(self.resolve_text(s)?),
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| self.resolve(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    /// `text` with every known secret value replaced by its reference, longest values
    /// first. Values shorter than [`MIN_REDACTED_LEN`] are left alone: replacing every
    /// `1234` of a file would garble it.
    pub fn redact(&self, text: &str) -> String {
        let mut known: Vec<(&str, &str)> = self
            .values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .filter(|(_, v)| v.chars().count() >= MIN_REDACTED_LEN)
            .collect();
        known.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        let mut out = text.to_string();
        for (name, value) in known {
            if out.contains(value) {
                out = out.replace(value, &format!("{OPEN}{name}}}"));
            }
        }
        out
    }

    fn resolve_text(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(OPEN) {
            out.push_str(&rest[..start]);
            let body = &rest[start + OPEN.len()..];
            let Some(end) = body.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &body[..end];
            out.push_str(&self.lookup(name).ok_or_else(|| name.to_string())?);
            rest = &body[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_replaced_inside_strings_lists_and_maps() {
        let mut s = Secrets::empty();
        s.insert("db", "hunter2");
        let v: Value = serde_json::from_str(
            r#"{"url":"mysql://u:${secret:db}@h/x","list":["${secret:db}"],"n":1}"#,
        )
        .unwrap();
        let r = s.resolve(&v).unwrap();
        let expected: Value =
            serde_json::from_str(r#"{"url":"mysql://u:hunter2@h/x","list":["hunter2"],"n":1}"#)
                .unwrap();
        assert_eq!(r, expected);
    }

    #[test]
    fn an_unknown_secret_is_named() {
        let s = Secrets::empty();
        let err = s
            .resolve(&Value::String("${secret:nope-x}".into()))
            .unwrap_err();
        assert_eq!(err, "nope-x");
    }

    #[test]
    fn debug_never_shows_values() {
        let mut s = Secrets::empty();
        s.insert("db", "hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn env_text_is_read_with_line_numbers_on_error() {
        let s = Secrets::parse_env("# c\nA=1\n\nB=x=y\n", "secrets.env").unwrap();
        assert_eq!(s.lookup("B").as_deref(), Some("x=y"));
        let err = Secrets::parse_env("A=1\nbroken\n", "/etc/x/secrets.env").unwrap_err();
        assert_eq!(err.to_string(), "/etc/x/secrets.env:2: expected NAME=value");
    }

    #[test]
    fn redaction_replaces_known_values_with_their_references() {
        let mut s = Secrets::empty();
        s.insert("db", "hunter22");
        s.insert("short", "abc");
        let text = "password: hunter22\nurl: mysql://u:hunter22@h\nabc: abc\n";
        assert_eq!(
            s.redact(text),
            "password: ${secret:db}\nurl: mysql://u:${secret:db}@h\nabc: abc\n"
        );
    }

    #[test]
    fn environment_variables_fill_in_by_normalised_name() {
        let s = Secrets::empty().with_env([
            ("HOMEAMP_SECRET_DB_PASSWORD".to_string(), "pw".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
        ]);
        assert_eq!(s.lookup("db-password").as_deref(), Some("pw"));
        assert_eq!(s.lookup("PATH"), None);
    }
}
