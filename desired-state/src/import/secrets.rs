//! Values that look like secrets, the `${secret:NAME}` references that replace them,
//! and the `secrets.env` file their values go to (next to the repository, never in it).
//!
//! A value is a secret when it is a string and either reads `REDACTED-<hash>` (the
//! data set's redaction marker) or sits under a key whose last segment names a
//! credential (password, passwd, pass, pwd, secret, token, api key, private key, access
//! key). Kept in clear, and reported: empty strings, placeholders and the plugins'
//! published defaults (`password`, `PASSWORD`, `changeme`, `N/A`, `-`, `guest`,
//! `default`, `pa55w0rd`…): anyone can read those in the plugin's own jar, and
//! keeping them visible shows which credentials were never set. Non-string values under
//! such keys are kept too (a reference is a string and would change the type).
//!
//! Names are derived from the first place a value occurs, in the order the import
//! visits settings (platform, plugin, file, key path, scope): `<plugin>-<key-path>`,
//! lower case, `-` separated. The same value gets the same name wherever it occurs, so
//! shared credentials stay visibly shared. Names never derive from the value itself: a
//! hash of a weak password in git could be reversed by guessing.

use std::collections::BTreeMap;

use homeamp_schemas::{KeyPath, Segment, Value};

/// What to do with one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    NotSecret,
    Secret,
    /// It looks like a credential but stays in clear, for this reason.
    Clear(&'static str),
}

const CREDENTIAL_WORDS: [&str; 8] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "credential",
];
const CREDENTIAL_PARTS: [&str; 2] = ["pass", "pwd"];
const PLACEHOLDERS: [&str; 22] = [
    "-",
    "n/a",
    "na",
    "none",
    "null",
    "nil",
    "password",
    "passwd",
    "pass",
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "token",
    "yourpassword",
    "your-password",
    "your_password",
    "<password>",
    "default",
    "guest",
    "pa55w0rd",
    "xxx",
];
const REDACTED: &str = "REDACTED-";

/// True when `key` (one segment) names a credential.
pub fn is_credential_key(key: &str) -> bool {
    let squashed: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| squashed.contains(w))
        || key
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| CREDENTIAL_PARTS.contains(&part.to_ascii_lowercase().as_str()))
}

/// Judges the value at `path`.
pub fn judge(path: &KeyPath, value: &Value) -> Verdict {
    if let Value::String(s) = value
        && s.starts_with(REDACTED)
    {
        return Verdict::Secret;
    }
    let credential = matches!(path.last(), Some(Segment::Key(k)) if is_credential_key(k));
    if !credential {
        return Verdict::NotSecret;
    }
    match value {
        Value::Null => Verdict::NotSecret,
        Value::String(s) if s.trim().is_empty() => Verdict::Clear("empty"),
        Value::String(s) if PLACEHOLDERS.contains(&s.trim().to_ascii_lowercase().as_str()) => {
            Verdict::Clear("a placeholder or the plugin's published default")
        }
        Value::String(s) if s.contains("${") => Verdict::Clear("already a reference"),
        Value::String(_) => Verdict::Secret,
        _ => Verdict::Clear("not a string"),
    }
}

/// True when a list or map holds a `REDACTED-` string somewhere inside it.
pub fn holds_redacted(value: &Value) -> bool {
    match value {
        Value::String(s) => s.starts_with(REDACTED),
        Value::List(items) => items.iter().any(holds_redacted),
        Value::Map(map) => map.values().any(holds_redacted),
        _ => false,
    }
}

/// The secrets found so far: one name per distinct value.
#[derive(Debug, Default)]
pub struct SecretBook {
    by_value: BTreeMap<String, String>,
    by_name: BTreeMap<String, String>,
    places: BTreeMap<String, Vec<String>>,
}

impl SecretBook {
    /// The reference for `value` found at `place` (`plugin`, `path` name it when new).
    pub fn reference(
        &mut self,
        plugin: &str,
        path: &KeyPath,
        value: &str,
        place: String,
    ) -> String {
        let name = match self.by_value.get(value) {
            Some(name) => name.clone(),
            None => {
                let base = slug(&format!("{plugin}-{}", path_words(path)));
                let mut name = base.clone();
                let mut n = 2;
                while self.by_name.contains_key(&name) {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                self.by_value.insert(value.to_string(), name.clone());
                self.by_name.insert(name.clone(), value.to_string());
                name
            }
        };
        self.places.entry(name.clone()).or_default().push(place);
        format!("${{secret:{name}}}")
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Name → places it is used, sorted by name.
    pub fn places(&self) -> &BTreeMap<String, Vec<String>> {
        &self.places
    }

    /// True when the secret's value is a redaction marker, not the real credential.
    pub fn is_redacted(&self, name: &str) -> bool {
        self.by_name
            .get(name)
            .is_some_and(|v| v.starts_with(REDACTED))
    }

    /// The `secrets.env` text: `NAME=value` lines sorted by name. Values that an env
    /// file cannot hold bare (spaces at either end, quotes, `#`, `\`, line breaks) are
    /// double-quoted with `\"`, `\\` and `\n` escapes.
    pub fn env_file(&self) -> String {
        let mut out = String::from(
            "# Secrets extracted by `homeamp import`; referenced as ${secret:NAME} in the repository.\n# Values reading REDACTED-<hash> were redacted in the source: replace them with the real ones.\n",
        );
        for (name, value) in &self.by_name {
            out.push_str(name);
            out.push('=');
            out.push_str(&env_value(value));
            out.push('\n');
        }
        out
    }
}

fn env_value(value: &str) -> String {
    let needs_quotes =
        value.trim() != value || value.contains(['"', '\'', '#', '\\', '\n', '\r', '$', '`']);
    if !needs_quotes {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '$' => out.push_str("\\$"),
            '`' => out.push_str("\\`"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn path_words(path: &KeyPath) -> String {
    path.segments()
        .iter()
        .map(|s| match s {
            Segment::Key(k) => k.clone(),
            Segment::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Lower case, `[a-z0-9]` runs joined by single `-`, at most 64 characters.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > 64 {
        out.truncate(64);
        out = out.trim_end_matches('-').to_string();
    }
    if out.is_empty() { "secret".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> KeyPath {
        KeyPath::parse(s).unwrap()
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    #[test]
    fn credential_keys_and_redacted_values_are_secrets() {
        assert_eq!(
            judge(&p("database.password"), &s("SQLdb2024!")),
            Verdict::Secret
        );
        assert_eq!(judge(&p("discord.bot_token"), &s("abc")), Verdict::Secret);
        assert_eq!(judge(&p("MineSkinAPIKey"), &s("k-123")), Verdict::Secret);
        assert_eq!(
            judge(&p("SSL_certificate.Key_pass"), &s("hunter2")),
            Verdict::Secret
        );
        assert_eq!(
            judge(&p("anything"), &s("REDACTED-7f70c6e0")),
            Verdict::Secret
        );
    }

    #[test]
    fn placeholders_empties_and_non_strings_stay_in_clear() {
        assert_eq!(judge(&p("password"), &s("")), Verdict::Clear("empty"));
        for v in [
            "password", "PASSWORD", "N/A", "-", "guest", "pa55w0rd", "default",
        ] {
            assert!(
                matches!(judge(&p("x.password"), &s(v)), Verdict::Clear(_)),
                "{v}"
            );
        }
        assert_eq!(
            judge(&p("token"), &Value::Int(5)),
            Verdict::Clear("not a string")
        );
    }

    #[test]
    fn lookalike_keys_are_not_credentials() {
        for k in [
            "Passive_Enchants",
            "preventEliteCreeperDamageToPassiveMobs",
            "Compass",
            "bypass-list",
            "key-file-name",
        ] {
            assert!(!is_credential_key(k), "{k}");
        }
    }

    #[test]
    fn same_value_same_name_and_names_never_collide() {
        let mut book = SecretBook::default();
        let a = book.reference(
            "BentoBox",
            &p("general.database.password"),
            "v1",
            "a".into(),
        );
        let b = book.reference("CoreProtect", &p("mysql-password"), "v1", "b".into());
        let c = book.reference(
            "BentoBox",
            &p("general.database.password"),
            "v2",
            "c".into(),
        );
        assert_eq!(a, "${secret:bentobox-general-database-password}");
        assert_eq!(a, b);
        assert_eq!(c, "${secret:bentobox-general-database-password-2}");
        assert_eq!(
            book.places()["bentobox-general-database-password"],
            ["a", "b"]
        );
    }

    #[test]
    fn env_file_quotes_what_it_must() {
        let mut book = SecretBook::default();
        book.reference("A", &p("password"), "plain!", "x".into());
        book.reference("B", &p("password"), "with \"quote\" $x", "y".into());
        let text = book.env_file();
        assert!(text.contains("\na-password=plain!\n"), "{text}");
        assert!(
            text.contains("\nb-password=\"with \\\"quote\\\" \\$x\"\n"),
            "{text}"
        );
    }
}
