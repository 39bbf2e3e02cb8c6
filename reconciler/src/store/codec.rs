//! Converting between column values and domain values: times (Unix milliseconds), sizes
//! (BIGINT), enums from `homeamp-schemas` (their serde names), hashes.

use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::StoreError;

pub(crate) fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn timestamp(column: &'static str, ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|_| StoreError::Corrupt {
        column,
        value: ms.to_string(),
    })
}

pub(crate) fn opt_timestamp(
    column: &'static str,
    ms: Option<i64>,
) -> Result<Option<Timestamp>, StoreError> {
    ms.map(|ms| timestamp(column, ms)).transpose()
}

/// Sizes are `u64` in the domain and BIGINT in the schema; no file reaches 2^63 bytes.
pub(crate) fn size_to_db(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

pub(crate) fn size_from_db(column: &'static str, size: i64) -> Result<u64, StoreError> {
    u64::try_from(size).map_err(|_| StoreError::Corrupt {
        column,
        value: size.to_string(),
    })
}

/// The serde name of a unit enum variant (`JobCause::Commit` → `commit`).
pub(crate) fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => e.to_string(),
    }
}

/// The unit enum variant whose serde name is `text`.
pub(crate) fn from_wire_name<T: DeserializeOwned>(
    column: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        StoreError::Corrupt {
            column,
            value: text.to_owned(),
        }
    })
}

pub(crate) use crate::digest::sha256_hex;

/// Placeholders for an `IN (…)` list of `n` values: `?, ?, ?`.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Generates `impl` blocks for a store-owned status enum: `as_str`, `parse`, `Display`,
/// and a decoder for its column.
macro_rules! text_enum {
    ($ty:ident, $column:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($ty::$variant),)+
                    _ => None,
                }
            }

            pub(crate) fn from_column(text: &str) -> Result<Self, $crate::store::StoreError> {
                Self::parse(text).ok_or_else(|| $crate::store::StoreError::Corrupt {
                    column: $column,
                    value: text.to_owned(),
                })
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;
