//! One HTTP round trip and the reading of AMP's answer shapes: an ErrorResponse (a fault,
//! and the two faults with a meaning of their own), the pre-2.3 `{"result": …}` wrapper,
//! an empty body for Void methods, and ActionResults.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::AmpError;
use crate::wire::ActionResult;

const UNAUTHORIZED: &str = "Unauthorized Access";
const INSTANCE_UNAVAILABLE: &str = "Instance Unavailable";

/// Posts `args` to `url` and returns the answer's JSON (None for an empty body), with faults
/// made errors and the legacy wrapper removed.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    method: &str,
    instance: Option<&str>,
    args: &Map<String, Value>,
) -> Result<Option<Value>, AmpError> {
    let http_err = |source| AmpError::Http {
        method: method.to_string(),
        source,
    };
    let res = http
        .post(url)
        .header(reqwest::header::ACCEPT, "text/javascript")
        .json(args)
        .send()
        .await
        .map_err(http_err)?;
    if !res.status().is_success() {
        return Err(AmpError::HttpStatus {
            method: method.to_string(),
            status: res.status().as_u16(),
        });
    }
    let body = res.bytes().await.map_err(http_err)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(&body).map_err(|source| AmpError::Decode {
        method: method.to_string(),
        source,
    })?;
    classify(method, instance, value).map(Some)
}

fn classify(method: &str, instance: Option<&str>, value: Value) -> Result<Value, AmpError> {
    let Value::Object(obj) = value else {
        return Ok(value);
    };
    if obj.contains_key("StackTrace") && obj.contains_key("Title") {
        let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        return Err(match text("Title").as_str() {
            UNAUTHORIZED => AmpError::SessionExpired {
                method: method.to_string(),
            },
            INSTANCE_UNAVAILABLE => AmpError::InstanceUnavailable {
                instance: instance.unwrap_or("controller").to_string(),
            },
            _ => AmpError::Fault {
                method: method.to_string(),
                title: text("Title"),
                message: text("Message"),
            },
        });
    }
    // AMP before 2.3 wrapped every result; no modern answer is an object of `result` alone.
    if obj.len() == 1
        && let Some(inner) = obj.get("result")
    {
        return Ok(inner.clone());
    }
    Ok(Value::Object(obj))
}

pub(crate) fn decode<T: DeserializeOwned>(method: &str, v: Option<Value>) -> Result<T, AmpError> {
    serde_json::from_value(v.unwrap_or(Value::Null)).map_err(|source| AmpError::Decode {
        method: method.to_string(),
        source,
    })
}

/// An ActionResult's `Result`, or ActionFailed with its `Reason`.
pub(crate) fn action(method: &str, v: Option<Value>) -> Result<Value, AmpError> {
    let r: ActionResult = decode(method, v)?;
    if r.status {
        Ok(r.result)
    } else {
        Err(AmpError::ActionFailed {
            method: method.to_string(),
            reason: r.reason.unwrap_or_default(),
        })
    }
}
