//! The credentials git forges put on the webhooks they send to `POST /api/hooks/git`,
//! checked against the host's [`WebhookSecret`]:
//!
//! - GitHub (and Gitea): `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the body;
//! - Gitea and Forgejo: `X-Gitea-Signature: <hex>` / `X-Forgejo-Signature: <hex>`, the same
//!   HMAC without the prefix;
//! - GitLab: `X-Gitlab-Token: <secret>`, the secret itself.
//!
//! Every such header a request carries must verify (a forge that sends two signs both with
//! the same secret); the first that does not is named in the 401. Comparisons take the
//! same time however much of a value matches, and no answer or log line carries the
//! secret or the digest it would have given.

use std::fmt;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::api::ApiError;

type HmacSha256 = Hmac<Sha256>;

/// The secret shared with the git forge that sends the repository's webhooks. Its
/// `Debug` prints no byte of it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Arc<[u8]>);

impl WebhookSecret {
    /// `None` for an empty secret: a webhook signed with an empty key proves nothing.
    pub(crate) fn new(secret: &[u8]) -> Option<Self> {
        (!secret.is_empty()).then(|| Self(secret.into()))
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC accepts a key of any length")
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// How a header carries its credential.
#[derive(Clone, Copy)]
enum Scheme {
    /// The body's HMAC-SHA256 in hex, after this prefix.
    Hmac(&'static str),
    /// The secret itself.
    Secret,
}

/// The headers checked, in this order: (name as matched, name as the forges spell it).
const HEADERS: [(&str, &str, Scheme); 4] = [
    (
        "x-hub-signature-256",
        "X-Hub-Signature-256",
        Scheme::Hmac("sha256="),
    ),
    ("x-gitea-signature", "X-Gitea-Signature", Scheme::Hmac("")),
    (
        "x-forgejo-signature",
        "X-Forgejo-Signature",
        Scheme::Hmac(""),
    ),
    ("x-gitlab-token", "X-Gitlab-Token", Scheme::Secret),
];

/// Whether the request carries any webhook credential at all.
pub(crate) fn presented(headers: &HeaderMap) -> bool {
    HEADERS
        .iter()
        .any(|(name, _, _)| headers.contains_key(*name))
}

/// Checks every webhook credential of the request against `secret` and `body` (the exact
/// bytes received). `Ok(None)`: the request carries none. `Ok(Some(header))`: all verify,
/// `header` is the first. A credential that does not verify is a 401 naming its header.
pub(crate) fn verify(
    secret: &WebhookSecret,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<&'static str>, ApiError> {
    let mut verified = None;
    for (name, shown, scheme) in HEADERS {
        for value in headers.get_all(name) {
            let holds = match scheme {
                Scheme::Hmac(prefix) => {
                    signature_holds(secret, value, prefix, body).ok_or_else(|| {
                        ApiError::Unauthorized(format!(
                            "{shown} is not `{prefix}<hex HMAC-SHA256 of the body>`"
                        ))
                    })?
                }
                Scheme::Secret => secret_holds(secret, value.as_bytes()),
            };
            if !holds {
                return Err(ApiError::Unauthorized(refusal(shown, scheme)));
            }
            verified.get_or_insert(shown);
        }
    }
    Ok(verified)
}

/// Whether `value` is the body's HMAC; `None` when it is not `<prefix><hex>` at all.
fn signature_holds(
    secret: &WebhookSecret,
    value: &HeaderValue,
    prefix: &str,
    body: &[u8],
) -> Option<bool> {
    let hex_digest = value.to_str().ok()?.trim().strip_prefix(prefix)?;
    let digest = hex::decode(hex_digest).ok()?;
    let mut mac = secret.mac();
    mac.update(body);
    Some(mac.verify_slice(&digest).is_ok())
}

/// Whether `presented` is the secret. Both are passed through the HMAC keyed with the
/// secret and the tags compared in constant time, so neither a matching prefix nor the
/// secret's length shows in the time taken.
fn secret_holds(secret: &WebhookSecret, presented: &[u8]) -> bool {
    let expected = secret.mac().chain_update(&secret.0).finalize().into_bytes();
    secret
        .mac()
        .chain_update(presented)
        .verify_slice(&expected)
        .is_ok()
}

fn refusal(shown: &str, scheme: Scheme) -> String {
    match scheme {
        Scheme::Hmac(_) => format!(
            "{shown} does not match the request body signed with the webhook secret: \
             check that the secret configured on the git host is the host's webhook secret"
        ),
        Scheme::Secret => format!(
            "{shown} is neither an operator token nor the webhook secret: check the \
             secret token configured on the git host"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::new(b"It's a Secret to Everybody").unwrap()
    }

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    /// GitHub's documented example (docs.github.com, "Validating webhook deliveries").
    #[test]
    fn github_documented_example_verifies() {
        let h = headers(
            "x-hub-signature-256",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        );
        assert_eq!(
            verify(&secret(), &h, b"Hello, World!").unwrap(),
            Some("X-Hub-Signature-256")
        );
        assert!(verify(&secret(), &h, b"Hello, World?").is_err());
    }

    #[test]
    fn malformed_signatures_are_named() {
        for value in ["757107ea", "sha256=zz", "sha1=757107ea"] {
            let h = headers("x-hub-signature-256", value);
            let e = verify(&secret(), &h, b"x").unwrap_err().to_string();
            assert!(e.starts_with("X-Hub-Signature-256 is not"), "{e}");
        }
    }

    #[test]
    fn the_gitlab_token_must_be_the_whole_secret() {
        let ok = headers("x-gitlab-token", "It's a Secret to Everybody");
        assert_eq!(verify(&secret(), &ok, b"").unwrap(), Some("X-Gitlab-Token"));
        for wrong in ["It's a Secret", "It's a Secret to Everybody!", ""] {
            let h = headers("x-gitlab-token", wrong);
            assert!(verify(&secret(), &h, b"").is_err(), "{wrong}");
        }
    }

    #[test]
    fn nothing_presented_is_none_and_empty_secrets_are_refused() {
        assert_eq!(verify(&secret(), &HeaderMap::new(), b"x").unwrap(), None);
        assert!(!presented(&HeaderMap::new()));
        assert!(WebhookSecret::new(b"").is_none());
        assert_eq!(format!("{:?}", secret()), "WebhookSecret(..)");
    }
}
