//! Instance names: the inventory's names, and the aliases that map the other files'
//! names onto them (`aliases.yaml` and `--alias OLD=NEW`).
//!
//! Only explicit aliases are applied. A name that is neither an inventory name nor an
//! alias stays unknown, even when it differs from an instance only by case: guessing
//! would silently attach one instance's settings to another.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde::Deserialize;

use super::error::{ImportError, strip_position};

/// `aliases.yaml`: `aliases: {OLD: NEW}` and the names known to match no instance.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasesFile {
    /// Which file the NEW names come from (informative; always the inventory).
    #[serde(default)]
    #[allow(dead_code)]
    canonical_from: Option<String>,
    #[serde(default)]
    aliases: Option<IndexMap<String, String>>,
    #[serde(default)]
    unknown: Option<Vec<String>>,
}

/// Where an alias was given.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct AliasOrigin(pub String);

#[derive(Debug, Clone)]
pub struct Alias {
    pub to: String,
    pub origin: AliasOrigin,
}

/// Resolves instance names of the source files to inventory names.
#[derive(Debug, Clone, Default)]
pub struct Names {
    inventory: BTreeSet<String>,
    aliases: BTreeMap<String, Alias>,
    /// Names the aliases file lists as matching no instance.
    declared_unknown: BTreeSet<String>,
}

/// What a source name turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Inventory(String),
    Alias { from: String, to: String },
    Unknown(String),
}

impl Resolved {
    pub fn instance(&self) -> Option<&str> {
        match self {
            Resolved::Inventory(n) => Some(n),
            Resolved::Alias { to, .. } => Some(to),
            Resolved::Unknown(_) => None,
        }
    }
}

impl Names {
    pub fn new(inventory: impl IntoIterator<Item = String>) -> Self {
        Self {
            inventory: inventory.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Adds the aliases of an `aliases.yaml` file. `display` names it in errors.
    pub fn add_file(&mut self, display: &str, text: &str) -> Result<(), ImportError> {
        let file: AliasesFile = if text.trim().is_empty() {
            AliasesFile::default()
        } else {
            serde_yaml::from_str(text).map_err(|err| {
                let (line, column) = err
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                ImportError::source(
                    display,
                    line,
                    column,
                    format!(
                        "{}; expected `aliases: {{OLD: NEW}}` and `unknown: [NAME]`",
                        strip_position(&err.to_string())
                    ),
                )
            })?
        };
        for (old, new) in file.aliases.unwrap_or_default() {
            let (line, column) = key_position(text, &old);
            let fail = |message: String| ImportError::source(display, line, column, message);
            if !self.inventory.contains(&new) {
                return Err(fail(format!(
                    "alias {old}: {new}: {new} is not an instance in instances.sql; map to an inventory name"
                )));
            }
            if self.inventory.contains(&old) && old != new {
                return Err(fail(format!(
                    "alias {old}: {new}: {old} is itself an instance in instances.sql; an alias cannot rename an instance"
                )));
            }
            self.aliases.insert(
                old,
                Alias {
                    to: new,
                    origin: AliasOrigin(format!("{display}:{line}")),
                },
            );
        }
        self.declared_unknown
            .extend(file.unknown.unwrap_or_default());
        Ok(())
    }

    /// Adds one `--alias OLD=NEW` flag; it overrides the file's alias for OLD.
    pub fn add_flag(&mut self, flag: &str) -> Result<(), ImportError> {
        let (old, new) = flag
            .split_once('=')
            .map(|(o, n)| (o.trim(), n.trim()))
            .filter(|(o, n)| !o.is_empty() && !n.is_empty())
            .ok_or_else(|| ImportError::BadAliasFlag(flag.to_string()))?;
        if !self.inventory.contains(new) {
            return Err(ImportError::AliasFlagTarget {
                old: old.into(),
                new: new.into(),
            });
        }
        self.aliases.insert(
            old.to_string(),
            Alias {
                to: new.to_string(),
                origin: AliasOrigin("--alias".into()),
            },
        );
        Ok(())
    }

    pub fn resolve(&self, name: &str) -> Resolved {
        if self.inventory.contains(name) {
            Resolved::Inventory(name.to_string())
        } else if let Some(alias) = self.aliases.get(name) {
            Resolved::Alias {
                from: name.to_string(),
                to: alias.to.clone(),
            }
        } else {
            Resolved::Unknown(name.to_string())
        }
    }

    pub fn aliases(&self) -> &BTreeMap<String, Alias> {
        &self.aliases
    }

    pub fn declared_unknown(&self) -> &BTreeSet<String> {
        &self.declared_unknown
    }
}

/// The line and column of `key:` in a YAML text (1, 1 when not found).
fn key_position(text: &str, key: &str) -> (usize, usize) {
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for candidate in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
            if let Some(rest) = trimmed.strip_prefix(&candidate)
                && rest.trim_start().starts_with(':')
            {
                return (n + 1, indent + 1);
            }
        }
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(["BIGG01".to_string(), "HCRE01".to_string()])
    }

    #[test]
    fn file_aliases_resolve_and_remember_their_line() {
        let mut n = names();
        n.add_file(
            "a.yaml",
            "# c\naliases:\n  BIG01: BIGG01   # evidence\n  HC01: HCRE01\nunknown:\n  - SMPC01\n",
        )
        .unwrap();
        assert_eq!(
            n.resolve("BIG01"),
            Resolved::Alias {
                from: "BIG01".into(),
                to: "BIGG01".into()
            }
        );
        assert_eq!(n.resolve("HCRE01"), Resolved::Inventory("HCRE01".into()));
        assert_eq!(n.resolve("SMPC01"), Resolved::Unknown("SMPC01".into()));
        assert_eq!(n.aliases()["HC01"].origin.0, "a.yaml:4");
        assert!(n.declared_unknown().contains("SMPC01"));
    }

    #[test]
    fn only_explicit_aliases_apply_never_case_insensitive_matches() {
        assert_eq!(
            names().resolve("bigg01"),
            Resolved::Unknown("bigg01".into())
        );
    }

    #[test]
    fn flags_override_the_file() {
        let mut n = Names::new(["A".to_string(), "B".to_string()]);
        n.add_file("a.yaml", "aliases:\n  X: A\n").unwrap();
        n.add_flag("X=B").unwrap();
        assert_eq!(n.resolve("X").instance(), Some("B"));
        assert_eq!(n.aliases()["X"].origin.0, "--alias");
    }

    #[test]
    fn bad_flags_and_targets_are_refused() {
        let mut n = names();
        assert!(matches!(
            n.add_flag("NOEQUALS"),
            Err(ImportError::BadAliasFlag(_))
        ));
        assert!(matches!(
            n.add_flag("X=NOPE"),
            Err(ImportError::AliasFlagTarget { .. })
        ));
        let err = n.add_file("a.yaml", "aliases:\n  X: NOPE\n").unwrap_err();
        assert!(
            err.to_string().starts_with("a.yaml:2:3: alias X: NOPE"),
            "{err}"
        );
    }

    #[test]
    fn malformed_yaml_names_line_and_column() {
        let err = names()
            .add_file("a.yaml", "aliases:\n  X: [unclosed\n")
            .unwrap_err();
        assert!(err.to_string().starts_with("a.yaml:"), "{err}");
        let err = names().add_file("a.yaml", "aliasez: {}\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.yaml:1:1: unknown field `aliasez`"),
            "{err}"
        );
    }
}
