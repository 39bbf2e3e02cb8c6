//! Secret values of a config file: written in it (`password: s3cret`), or pointed at
//! (`password: {file: /etc/homeamp/redis.pass}`, `password: {env: HOMEAMP_REDIS_PASSWORD}`).
//!
//! A resolved [`Secret`] never shows its value through `Debug` or `Display`; only
//! [`Secret::expose`] gives it, at the one place that hands it to a client library.

use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, MapAccess, Visitor};

/// Where a secret comes from, as written in the file.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The value itself. Refused when the config file is readable by everyone.
    Literal(String),
    /// The content of a file (one trailing newline dropped); relative to the config file.
    File(PathBuf),
    /// The value of an environment variable.
    Env(String),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Literal(_) => f.write_str("Literal(<redacted>)"),
            Self::File(path) => write!(f, "File({})", path.display()),
            Self::Env(name) => write!(f, "Env({name})"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for SecretSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SourceVisitor)
    }
}

struct SourceVisitor;

impl<'de> Visitor<'de> for SourceVisitor {
    type Value = SecretSource;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a secret: a string, {file: PATH} or {env: NAME}")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<SecretSource, E> {
        Ok(SecretSource::Literal(value.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretSource, A::Error> {
        let Some(kind) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "an empty map is not a secret: write {file: PATH} or {env: NAME}",
            ));
        };
        let value: String = map.next_value()?;
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom(
                "a secret has one source: {file: PATH} or {env: NAME}, not both",
            ));
        }
        match kind.as_str() {
            "file" => Ok(SecretSource::File(PathBuf::from(value))),
            "env" => Ok(SecretSource::Env(value)),
            other => Err(de::Error::custom(format!(
                "unknown secret source `{other}`: write {{file: PATH}} or {{env: NAME}}"
            ))),
        }
    }
}

/// A resolved secret value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the client library that needs it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
