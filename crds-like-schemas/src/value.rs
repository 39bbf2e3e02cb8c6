//! Setting values as a plugin reads them, independent of the file format.
//!
//! Every format (YAML 1.1 as SnakeYAML reads it, TOML, JSON, `.properties`)
//! resolves its scalars into this one type, so desired and live values compare
//! the way the plugin would see them: maps are unordered, lists ordered, and an
//! integer equals a float of the same numeric value.

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize, Serializer};

/// A typed setting value. Maps keep their order for printing, but compare unordered.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(IndexMap<String, Value>),
}

/// The type of a [`Value`], as `flatten` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    Null,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
}

impl ValueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Null => "null",
            ValueKind::Bool => "bool",
            ValueKind::Int => "int",
            ValueKind::Float => "float",
            ValueKind::String => "string",
            ValueKind::List => "list",
            ValueKind::Map => "map",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Value {
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Null => ValueKind::Null,
            Value::Bool(_) => ValueKind::Bool,
            Value::Int(_) => ValueKind::Int,
            Value::Float(_) => ValueKind::Float,
            Value::String(_) => ValueKind::String,
            Value::List(_) => ValueKind::List,
            Value::Map(_) => ValueKind::Map,
        }
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::List(_) | Value::Map(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Converts a JSON value (integers that do not fit `i64` become floats).
    pub fn from_json(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => *a as f64 == *b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            // IndexMap equality ignores order, as the plugin does.
            (Value::Map(a), Value::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            // JSON has no infinities or NaN: they travel as YAML's own spelling.
            Value::Float(f) if f.is_nan() => serializer.serialize_str(".nan"),
            Value::Float(f) if f.is_infinite() => {
                serializer.serialize_str(if *f > 0.0 { ".inf" } else { "-.inf" })
            }
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::String(s) => serializer.serialize_str(s),
            Value::List(items) => items.serialize(serializer),
            Value::Map(map) => map.serialize(serializer),
        }
    }
}

impl schemars::JsonSchema for Value {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Value".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Any setting value: null, boolean, number, string, list or map."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_compare_unordered_lists_ordered() {
        let a: Value = serde_json::from_str(r#"{"x":1,"y":[1,2]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"y":[1,2],"x":1}"#).unwrap();
        let c: Value = serde_json::from_str(r#"{"y":[2,1],"x":1}"#).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn int_equals_float_of_same_value() {
        assert_eq!(Value::Int(250), Value::Float(250.0));
        assert_ne!(Value::Int(250), Value::String("250".into()));
    }

    #[test]
    fn non_finite_floats_serialize_as_yaml_spelling() {
        let json = serde_json::to_string(&Value::List(vec![
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(f64::NAN),
        ]))
        .unwrap();
        assert_eq!(json, r#"[".inf","-.inf",".nan"]"#);
    }

    #[test]
    fn kinds_are_reported() {
        let v: Value = serde_json::from_str(r#"[null,true,1,1.5,"s",[],{}]"#).unwrap();
        let Value::List(items) = v else { panic!() };
        let kinds: Vec<_> = items.iter().map(|v| v.kind().as_str()).collect();
        assert_eq!(
            kinds,
            ["null", "bool", "int", "float", "string", "list", "map"]
        );
    }
}
