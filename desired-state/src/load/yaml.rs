//! Reading one YAML file of the repository: syntax, duplicate keys, then the raw
//! serde type, each problem as a located diagnostic.

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostics, Mark};
use crate::positions::{self, YamlIndex};

/// Parses `bytes` as `T`; on any problem reports it and returns `None`.
/// The index keeps key positions down to `max_depth` levels.
pub fn parse<T: DeserializeOwned + Default>(
    file: &str,
    bytes: &[u8],
    max_depth: usize,
    diags: &mut Diagnostics,
) -> Option<(T, YamlIndex)> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let before = &bytes[..err.valid_up_to()];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            diags.error(
                file,
                Mark::new(line, 1),
                "not valid UTF-8: save the file as UTF-8",
            );
            return None;
        }
    };
    let index = match positions::index(text, max_depth) {
        Ok(index) => index,
        Err(err) => {
            diags.error(file, err.at, format!("YAML syntax: {}", err.message));
            return None;
        }
    };
    for dup in &index.duplicates {
        diags.error(
            file,
            dup.again,
            format!(
                "duplicate key {:?} (first at line {}:{}): a key may appear once per map",
                dup.key, dup.first.line, dup.first.col
            ),
        );
    }
    if !index.duplicates.is_empty() {
        return None;
    }
    if text.trim().is_empty() {
        return Some((T::default(), index));
    }
    match serde_yaml::from_str::<T>(text) {
        Ok(value) => Some((value, index)),
        Err(err) => {
            let at = err
                .location()
                .map(|l| Mark::new(l.line(), l.column()))
                .unwrap_or(Mark::START);
            diags.error(file, at, serde_message(&err));
            None
        }
    }
}

/// serde_yaml's message without its trailing " at line N column M".
fn serde_message(err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}
