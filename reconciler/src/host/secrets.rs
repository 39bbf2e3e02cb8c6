//! The host's secret store: values for `${secret:NAME}` references.
//!
//! Secrets come from an env-style file (`NAME=value` lines, as `homeamp import` writes
//! `secrets.env`) and from environment variables `HOMEAMP_SECRET_<NAME>` (name upper-cased,
//! `-` and `.` as `_`). Resolved values live only in memory, only as long as a comparison
//! takes; they are never logged, stored, or put in a job.

use std::collections::HashMap;
use std::path::Path;

use homeamp_schemas::Value;

const OPEN: &str = "${secret:";

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("{path}:{line}: expected NAME=value")]
    Syntax { path: String, line: usize },
    #[error("cannot read the secrets file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Default, Clone)]
pub struct Secrets {
    values: HashMap<String, String>,
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

    /// Reads an env-style file: `NAME=value`, `#` comments, blank lines.
    pub fn from_file(path: &Path) -> Result<Self, SecretsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SecretsError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut values = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(SecretsError::Syntax {
                    path: path.display().to_string(),
                    line: n + 1,
                });
            };
            values.insert(name.trim().to_string(), value.to_string());
        }
        Ok(Self { values })
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    fn lookup(&self, name: &str) -> Option<String> {
        if let Some(v) = self.values.get(name) {
            return Some(v.clone());
        }
        let var = format!(
            "HOMEAMP_SECRET_{}",
            name.to_ascii_uppercase().replace(['-', '.'], "_")
        );
        std::env::var(var).ok()
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
    fn env_file_is_read_with_line_numbers_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secrets.env");
        std::fs::write(&p, "# c\nA=1\n\nB=x=y\n").unwrap();
        let s = Secrets::from_file(&p).unwrap();
        assert_eq!(s.lookup("B").as_deref(), Some("x=y"));
        std::fs::write(&p, "A=1\nbroken\n").unwrap();
        let err = Secrets::from_file(&p).unwrap_err().to_string();
        assert!(err.ends_with("secrets.env:2: expected NAME=value"), "{err}");
    }
}
