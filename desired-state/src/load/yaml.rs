//! Reading one YAML file of the repository: encoding, syntax and duplicate keys
//! (into a [`Tree`] with positions), then, for small files, the raw serde type.

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostics, Mark};
use crate::yaml_tree::{self, Tree};

/// The file as text and as a tree; on any problem reports it and returns `None`.
pub fn tree<'a>(file: &str, bytes: &'a [u8], diags: &mut Diagnostics) -> Option<(&'a str, Tree)> {
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
    let tree = match yaml_tree::parse(text) {
        Ok(tree) => tree,
        Err(err) => {
            diags.error(file, err.at, format!("YAML syntax: {}", err.message));
            return None;
        }
    };
    for dup in &tree.duplicates {
        diags.error(
            file,
            dup.again,
            format!(
                "duplicate key {:?} (first at line {}:{}): a key may appear once per map",
                dup.key, dup.first.line, dup.first.col
            ),
        );
    }
    if !tree.duplicates.is_empty() {
        return None;
    }
    Some((text, tree))
}

/// Parses `bytes` as `T` (with serde) and as a tree for positions; on any
/// problem reports it and returns `None`.
pub fn parse<T: DeserializeOwned + Default>(
    file: &str,
    bytes: &[u8],
    diags: &mut Diagnostics,
) -> Option<(T, Tree)> {
    let (text, tree) = tree(file, bytes, diags)?;
    // An empty file (or only comments) holds the defaults.
    if tree.root.entries().is_some_and(<[_]>::is_empty) {
        return Some((T::default(), tree));
    }
    match serde_yaml::from_str::<T>(text) {
        Ok(value) => Some((value, tree)),
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
