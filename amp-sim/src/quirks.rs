//! How AMP shapes its answers, quirks included. Every answer is HTTP 200:
//!
//! - a method's result is the bare JSON value, or `{"result": value}` when the legacy
//!   wrapper of AMP before 2.3 is on (Core/Login's answer is never wrapped: it has its own
//!   `result` field, the AuthenticationResult);
//! - a Void method answers with an empty body (typed `application/json`);
//! - a call AMP cannot run (not logged in, unknown method, bad arguments, instance not
//!   running) answers with an ErrorResponse `{Title, Message, StackTrace}`;
//! - a method that ran but did not do what was asked answers with an ActionResult whose
//!   `Status` is false and whose `Reason` says why.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// The title public clients match on for a missing, expired or foreign session.
pub const UNAUTHORIZED_TITLE: &str = "Unauthorized Access";
/// The title public clients match on for a proxied call to an instance that is not running.
pub const INSTANCE_UNAVAILABLE_TITLE: &str = "Instance Unavailable";

/// An ErrorResponse: what AMP sends instead of a result when a call cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub title: String,
    pub message: String,
}

impl Fault {
    pub fn new(title: impl Into<String>, message: impl Into<String>) -> Self {
        Fault {
            title: title.into(),
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Fault::new(
            UNAUTHORIZED_TITLE,
            "Your session is not valid or has expired. Log in again.",
        )
    }

    pub fn instance_unavailable(name: &str) -> Self {
        Fault::new(
            INSTANCE_UNAVAILABLE_TITLE,
            format!("The instance {name} is not running, so it cannot answer API calls."),
        )
    }

    pub fn unknown_method(module: &str, method: &str) -> Self {
        Fault::new(
            "Unknown method",
            format!("There is no API method {module}.{method}."),
        )
    }

    pub fn bad_arguments(detail: impl Into<String>) -> Self {
        Fault::new("Invalid arguments", detail)
    }

    fn body(&self) -> Value {
        // StackTrace is always present (clients detect a fault by that key), and empty:
        // the simulator has no .NET stack to leak.
        json!({ "Title": self.title, "Message": self.message, "StackTrace": "" })
    }
}

/// What a method handler produces; [`render`] turns it into AMP's HTTP answer.
#[derive(Debug, Clone)]
pub enum Reply {
    Result(Value),
    /// Core/Login's LoginResponse, never wrapped.
    Login(Value),
    Void,
    Fault(Fault),
}

impl Reply {
    /// A successful ActionResult, with a `Result` for the generic `ActionResult<T>`.
    pub fn action_ok(result: Option<Value>) -> Self {
        Reply::Result(action_result(true, "", result))
    }

    pub fn action_failed(reason: impl Into<String>) -> Self {
        Reply::Result(action_result(false, &reason.into(), None))
    }
}

impl From<Fault> for Reply {
    fn from(f: Fault) -> Self {
        Reply::Fault(f)
    }
}

fn action_result(status: bool, reason: &str, result: Option<Value>) -> Value {
    // Every field of the spec's ActionResult is sent, empty when unused: strict clients
    // (dataclass-based ones) refuse an object with fields missing.
    json!({
        "Status": status,
        "Reason": reason,
        "SupportTitle": "",
        "SupportURL": "",
        "Result": result.unwrap_or(Value::Null),
    })
}

const JSON: &str = "application/json; charset=utf-8";

/// The HTTP answer for a reply; `legacy` is the pre-2.3 `{"result": …}` wrapper.
pub fn render(reply: Reply, legacy: bool) -> Response {
    let json_body = match reply {
        // Empty, but labelled JSON: aiohttp-based clients (ampapi's async classes,
        // cc-ampapi) read an empty JSON body as None and refuse one without the label.
        Reply::Void => {
            return Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, JSON)
                .body(Body::empty())
                .expect("static response");
        }
        Reply::Result(v) if legacy => json!({ "result": v }),
        Reply::Result(v) | Reply::Login(v) => v,
        Reply::Fault(f) => f.body(),
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, JSON)
        .body(Body::from(json_body.to_string()))
        .expect("static response")
}
