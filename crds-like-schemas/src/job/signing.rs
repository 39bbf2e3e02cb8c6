//! Signing and verifying jobs with Ed25519 (docs/design.md §6).
//!
//! The signature covers the *canonical bytes* of the envelope, not the bytes that
//! travelled: the envelope is serialized to JSON, every object's keys are sorted
//! by their UTF-8 bytes, no white space is written, strings and numbers are
//! written as `serde_json` writes them, and the result is prefixed with the
//! context line `homeamp-job-v1\n` (so a signature over a job can never be
//! mistaken for a signature over anything else). Two encodings of the same
//! envelope — fields in another order, other white space — verify alike.
//!
//! Unknown fields in a received envelope are dropped by deserialization, so
//! they are neither signed nor acted upon.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{JobEnvelope, RefusalReason};

/// The prefix of every signed message.
pub const SIGNATURE_CONTEXT: &[u8] = b"homeamp-job-v1\n";

/// A job as it travels from the host to an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SignedJob {
    pub envelope: JobEnvelope,
    /// Standard base64 (with padding) of the 64-byte Ed25519 signature of
    /// [`canonical_bytes`]; empty when unsigned.
    #[serde(default)]
    pub signature: String,
}

/// Why a signature check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobRefusal {
    #[error("job {job_id} is unsigned")]
    Unsigned { job_id: String },
    #[error("job {job_id} has a signature that is not 64 bytes of base64: {detail}")]
    MalformedSignature { job_id: String, detail: String },
    #[error("job {job_id} has a signature that does not verify with the host's key")]
    Forged { job_id: String },
}

impl JobRefusal {
    pub fn reason(&self) -> RefusalReason {
        match self {
            JobRefusal::Unsigned { .. } => RefusalReason::Unsigned,
            JobRefusal::MalformedSignature { .. } | JobRefusal::Forged { .. } => {
                RefusalReason::Forged
            }
        }
    }
}

impl SignedJob {
    /// Signs `envelope` with the host's key.
    pub fn sign(envelope: JobEnvelope, key: &SigningKey) -> Self {
        let signature = key.sign(&canonical_bytes(&envelope));
        Self {
            envelope,
            signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        }
    }

    /// The envelope, when the signature is the host's over exactly this envelope.
    pub fn verify(&self, key: &VerifyingKey) -> Result<&JobEnvelope, JobRefusal> {
        let job_id = || self.envelope.job_id.clone();
        if self.signature.trim().is_empty() {
            return Err(JobRefusal::Unsigned { job_id: job_id() });
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.signature.trim())
            .map_err(|e| JobRefusal::MalformedSignature {
                job_id: job_id(),
                detail: e.to_string(),
            })?;
        let bytes: [u8; 64] =
            bytes
                .try_into()
                .map_err(|b: Vec<u8>| JobRefusal::MalformedSignature {
                    job_id: job_id(),
                    detail: format!("{} bytes", b.len()),
                })?;
        key.verify_strict(
            &canonical_bytes(&self.envelope),
            &Signature::from_bytes(&bytes),
        )
        .map_err(|_| JobRefusal::Forged { job_id: job_id() })?;
        Ok(&self.envelope)
    }
}

/// The bytes a job signature covers; see the module documentation.
pub fn canonical_bytes(envelope: &JobEnvelope) -> Vec<u8> {
    let mut out = SIGNATURE_CONTEXT.to_vec();
    // Serializing our own types to a JSON value cannot fail: every map key is a string.
    let value = serde_json::to_value(envelope).unwrap_or(serde_json::Value::Null);
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&serde_json::Value::String(key.clone()), out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        serde_json::Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &serde_json::Value, out: &mut Vec<u8>) {
    // Writing a scalar JSON value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobCause, JobIntent, JobSpec, LifecycleAction};

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn envelope() -> JobEnvelope {
        JobEnvelope {
            job_id: "0190b6a4-7c1e-7000-8000-000000000001".into(),
            server: "ovh".into(),
            instance: "SMP201".into(),
            revision: "abc123".into(),
            cause: JobCause::Commit,
            intent: JobIntent::Intentional,
            created_at: "2025-01-01T00:00:00Z".parse().unwrap(),
            expires_at: "2025-01-01T01:00:00Z".parse().unwrap(),
            attempt: 1,
            spec: JobSpec::Lifecycle(LifecycleAction::Reload {
                command: "co reload".into(),
            }),
        }
    }

    #[test]
    fn a_signed_job_verifies_and_survives_json() {
        let signed = SignedJob::sign(envelope(), &key(7));
        let json = serde_json::to_string(&signed).unwrap();
        let back: SignedJob = serde_json::from_str(&json).unwrap();
        assert_eq!(back.verify(&key(7).verifying_key()).unwrap(), &envelope());
    }

    #[test]
    fn field_order_and_white_space_do_not_change_the_signature() {
        let signed = SignedJob::sign(envelope(), &key(7));
        let reordered = format!(
            r#"{{ "signature": "{}",
                 "envelope": {{
                   "spec": {{ "command": "co reload", "action": "reload", "kind": "lifecycle" }},
                   "attempt": 1, "expires_at": "2025-01-01T01:00:00Z", "created_at": "2025-01-01T00:00:00Z",
                   "intent": "intentional", "cause": "commit", "revision": "abc123",
                   "instance": "SMP201", "server": "ovh",
                   "job_id": "0190b6a4-7c1e-7000-8000-000000000001" }} }}"#,
            signed.signature
        );
        let back: SignedJob = serde_json::from_str(&reordered).unwrap();
        assert!(back.verify(&key(7).verifying_key()).is_ok());
    }

    #[test]
    fn key_order_inside_patch_values_does_not_change_the_signature() {
        use crate::desired::FileFormat;
        use crate::job::{ConfigPatch, PatchOp};
        let mut env = envelope();
        env.spec = JobSpec::ConfigPatch(ConfigPatch {
            file: "plugins/X/config.yml".into(),
            format: FileFormat::Yaml,
            base_sha256: None,
            ops: vec![PatchOp::Set {
                path: crate::KeyPath::parse("limits").unwrap(),
                value: serde_json::from_str(r#"{"b": 1, "a": {"y": 2, "x": 3}}"#).unwrap(),
            }],
            expected_sha256: None,
        });
        let signed = SignedJob::sign(env, &key(7));
        let json = serde_json::to_string(&signed).unwrap();
        let swapped = json.replace(
            r#"{"b":1,"a":{"y":2,"x":3}}"#,
            r#"{"a":{"x":3,"y":2},"b":1}"#,
        );
        assert_ne!(json, swapped);
        let back: SignedJob = serde_json::from_str(&swapped).unwrap();
        assert!(back.verify(&key(7).verifying_key()).is_ok());
    }

    #[test]
    fn canonical_bytes_sort_keys_at_every_level() {
        let bytes = canonical_bytes(&envelope());
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(
            text.starts_with("homeamp-job-v1\n{\"attempt\":1,\"cause\":\"commit\","),
            "{text}"
        );
        assert!(
            text.contains(r#""spec":{"action":"reload","command":"co reload","kind":"lifecycle"}"#),
            "{text}"
        );
    }

    #[test]
    fn a_changed_envelope_is_forged() {
        let mut signed = SignedJob::sign(envelope(), &key(7));
        signed.envelope.attempt = 2;
        let err = signed.verify(&key(7).verifying_key()).unwrap_err();
        assert_eq!(err.reason(), RefusalReason::Forged);
    }

    #[test]
    fn another_key_is_forged() {
        let signed = SignedJob::sign(envelope(), &key(8));
        assert!(matches!(
            signed.verify(&key(7).verifying_key()),
            Err(JobRefusal::Forged { .. })
        ));
    }

    #[test]
    fn missing_or_garbage_signatures_are_refused() {
        let mut signed = SignedJob::sign(envelope(), &key(7));
        signed.signature.clear();
        assert_eq!(
            signed.verify(&key(7).verifying_key()).unwrap_err().reason(),
            RefusalReason::Unsigned
        );
        signed.signature = "not base64!".into();
        assert!(matches!(
            signed.verify(&key(7).verifying_key()),
            Err(JobRefusal::MalformedSignature { .. })
        ));
        signed.signature = "AAAA".into();
        assert!(matches!(
            signed.verify(&key(7).verifying_key()),
            Err(JobRefusal::MalformedSignature { .. })
        ));
    }
}
