//! Everything a call to AMP can end in, one variant per cause, so a driver can decide per
//! cause (retry, report the instance down, surface AMP's reason) without reading strings.

/// The error of every [`crate::AmpClient`] call.
#[derive(Debug, thiserror::Error)]
pub enum AmpError {
    /// AMP could not run the call and said why in an ErrorResponse (HTTP 200 all the same).
    #[error("AMP refused {method}: {title}: {message}")]
    Fault {
        method: String,
        title: String,
        message: String,
    },
    /// The method ran and reported failure in its ActionResult (`Status: false`).
    #[error("AMP could not do {method}: {reason}")]
    ActionFailed { method: String, reason: String },
    /// The instance's own AMP process is not running, so the controller answered for it.
    #[error("instance {instance} is unavailable: its AMP instance is not running")]
    InstanceUnavailable { instance: String },
    /// The session was refused again right after one fresh login.
    #[error("AMP refused the session for {method} even after logging in again")]
    SessionExpired { method: String },
    /// Core/Login said no.
    #[error("AMP refused the login ({reason}, result {result}); check the username and password")]
    LoginFailed { reason: String, result: i64 },
    #[error("HTTP request for {method} failed: {source}")]
    Http {
        method: String,
        #[source]
        source: reqwest::Error,
    },
    /// AMP answers everything with 200; any other status is a proxy or a wrong URL.
    #[error("HTTP {status} from {method}; is the URL an AMP panel?")]
    HttpStatus { method: String, status: u16 },
    #[error("cannot decode AMP's answer to {method}: {source}")]
    Decode {
        method: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("AMP sent {path} as invalid base64: {source}")]
    Base64 {
        path: String,
        #[source]
        source: base64::DecodeError,
    },
}
