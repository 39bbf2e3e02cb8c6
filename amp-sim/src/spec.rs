//! The vendored subset of AMP's API spec (`amp-sim/spec/amp-api-subset.json`, extracted
//! from ampapi-spec, MIT) and the argument check every call goes through.
//!
//! The simulator dispatches only methods named here and refuses a call whose arguments
//! do not match the spec's names and types, so a driver that works against the
//! simulator sends what AMP's own spec says AMP takes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The fixture's text, for tests that compare answers with the spec's types.
pub const VENDORED_SPEC: &str = include_str!("../spec/amp-api-subset.json");

#[derive(Debug, Deserialize)]
struct RawSpec {
    methods: HashMap<String, HashMap<String, MethodSpec>>,
}

/// One method as APISpec.json describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MethodSpec {
    pub parameters: Vec<ParamSpec>,
    pub return_type_name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParamSpec {
    pub name: String,
    pub type_name: String,
    pub optional: bool,
}

/// The methods of the vendored spec, by `(module, method)`.
#[derive(Debug)]
pub struct ApiSpec {
    methods: HashMap<(String, String), MethodSpec>,
}

impl ApiSpec {
    /// The spec compiled into the crate (parsed once; it is a fixture, so a parse failure
    /// is a bug in the repository, not an input error).
    pub fn vendored() -> &'static ApiSpec {
        static SPEC: OnceLock<ApiSpec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let raw: RawSpec =
                serde_json::from_str(VENDORED_SPEC).expect("amp-api-subset.json is valid");
            let methods = raw
                .methods
                .into_iter()
                .flat_map(|(module, ms)| {
                    ms.into_iter()
                        .map(move |(name, spec)| ((module.clone(), name), spec))
                })
                .collect();
            ApiSpec { methods }
        })
    }

    pub fn method(&self, module: &str, method: &str) -> Option<&MethodSpec> {
        self.methods.get(&(module.to_string(), method.to_string()))
    }

    /// Every `(module, method)` of the subset.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.methods.keys().map(|(m, n)| (m.as_str(), n.as_str()))
    }
}

impl MethodSpec {
    /// Checks that every required parameter is present with a value of its type, and that
    /// no present parameter has the wrong type. Unknown extra keys are ignored (AMP binds by
    /// name and ignores the rest, which is how `SESSIONID` travels in the same object).
    pub fn check_args(&self, args: &Map<String, Value>) -> Result<(), String> {
        for p in &self.parameters {
            match args.get(&p.name) {
                None | Some(Value::Null) if p.optional => {}
                None => return Err(format!("Missing parameter: {} ({})", p.name, p.type_name)),
                Some(v) if !value_fits(&p.type_name, v) => {
                    return Err(format!(
                        "Parameter {} must be a {}, got {}",
                        p.name, p.type_name, v
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

fn value_fits(type_name: &str, v: &Value) -> bool {
    match type_name {
        "String" | "Guid" | "IPAddress" | "Uri" => v.is_string(),
        "Boolean" => v.is_boolean(),
        "Int32" | "Int64" => v.is_i64() || v.is_u64(),
        "JObject" => v.is_object(),
        _ => true,
    }
}
