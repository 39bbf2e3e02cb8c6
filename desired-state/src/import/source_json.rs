//! Reading the prototype's `universal_configs.json` and `variable_configs.json`.
//!
//! The files are read into typed nested maps so that a wrong shape is reported by
//! serde_json with its line and column. Maps refuse duplicate keys: serde would
//! otherwise keep the last one and silently drop the others, and the import promises
//! that nothing is dropped without a word.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use homeamp_schemas::Value;
use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::{ImportError, strip_position};

/// A JSON object whose keys must be unique, in file order.
#[derive(Debug, Clone, Default)]
pub struct StrictMap<V>(pub IndexMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for StrictMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = StrictMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = IndexMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(format!("duplicate key {key:?}")));
                    }
                    let value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(StrictMap(out))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// Any JSON value, as a [`Value`], with duplicate keys refused at every depth.
#[derive(Debug, Clone)]
pub struct SrcValue(pub Value);

impl<'de> Deserialize<'de> for SrcValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = SrcValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<SrcValue, E> {
                Ok(SrcValue(Value::Null))
            }
            fn visit_bool<E>(self, b: bool) -> Result<SrcValue, E> {
                Ok(SrcValue(Value::Bool(b)))
            }
            fn visit_i64<E>(self, i: i64) -> Result<SrcValue, E> {
                Ok(SrcValue(Value::Int(i)))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<SrcValue, E> {
                i64::try_from(u)
                    .map(|i| SrcValue(Value::Int(i)))
                    .map_err(|_| E::custom(format!("integer {u} is too large to keep exactly")))
            }
            fn visit_f64<E>(self, f: f64) -> Result<SrcValue, E> {
                Ok(SrcValue(Value::Float(f)))
            }
            fn visit_str<E>(self, s: &str) -> Result<SrcValue, E> {
                Ok(SrcValue(Value::String(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<SrcValue, E> {
                Ok(SrcValue(Value::String(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SrcValue, A::Error> {
                let mut items = Vec::new();
                while let Some(SrcValue(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(SrcValue(Value::List(items)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SrcValue, A::Error> {
                let StrictMap(inner) =
                    StrictMap::<SrcValue>::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(SrcValue(Value::Map(
                    inner.into_iter().map(|(k, SrcValue(v))| (k, v)).collect(),
                )))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// `{plugin: {key: value}}` (paper, geyser).
pub type FlatUniversal = StrictMap<StrictMap<SrcValue>>;
/// `{plugin: {file: {key: value}}}` (velocity).
pub type FiledUniversal = StrictMap<StrictMap<StrictMap<SrcValue>>>;
/// `{plugin: {key: {instance: value}}}` (paper, geyser).
pub type FlatVariable = StrictMap<StrictMap<StrictMap<SrcValue>>>;
/// `{plugin: {file: {key: {instance: value}}}}` (velocity, nested like its universal file).
pub type FiledVariable = StrictMap<StrictMap<StrictMap<StrictMap<SrcValue>>>>;

/// Parses `text` (the contents of `display`) as `T`, with `file:line:col` errors.
pub fn parse<T: for<'de> Deserialize<'de>>(display: &str, text: &str) -> Result<T, ImportError> {
    serde_json::from_str(text).map_err(|err| {
        ImportError::source(
            display,
            err.line().max(1),
            err.column().max(1),
            format!(
                "{}; fix the JSON and run the import again",
                strip_position(&err.to_string())
            ),
        )
    })
}

/// Reads and parses an optional source file: `Ok(None)` when it does not exist.
pub fn read_optional<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, ImportError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&path.display().to_string(), &text).map(Some),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ImportError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_their_position() {
        let err = parse::<FlatUniversal>("u.json", "{\"A\": {\"k\": 1,\n \"k\": 2}}").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("u.json:2:"), "{text}");
        assert!(text.contains("duplicate key \"k\""), "{text}");
    }

    #[test]
    fn duplicate_keys_inside_values_are_refused() {
        let err =
            parse::<FlatUniversal>("u.json", r#"{"A": {"doc": {"x": 1, "x": 2}}}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key \"x\""), "{err}");
    }

    #[test]
    fn wrong_shape_names_line_and_column() {
        let err = parse::<FlatVariable>("v.json", "{\"A\": {\"k\": 5}}").unwrap_err();
        assert!(err.to_string().starts_with("v.json:1:"), "{err}");
    }

    #[test]
    fn values_keep_their_types() {
        let u: FlatUniversal = parse(
            "u.json",
            r#"{"A": {"i": 250, "s": "250", "f": 1.5, "n": null, "l": [true]}}"#,
        )
        .unwrap();
        let a = &u.0["A"].0;
        assert_eq!(a["i"].0, Value::Int(250));
        assert_eq!(a["s"].0, Value::String("250".into()));
        assert_eq!(a["f"].0, Value::Float(1.5));
        assert_eq!(a["n"].0, Value::Null);
        assert_eq!(a["l"].0, Value::List(vec![Value::Bool(true)]));
    }
}
