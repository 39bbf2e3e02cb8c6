//! Content digests: the lower-case hex sha256 that names blobs, live files and artifacts.

use sha2::{Digest, Sha256};

/// True for 64 hex digits (either case): the form of a sha256 in URLs and manifests.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The sha256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
