//! Plugin versions as authors write them (`5.4.102`, `v2.11.6`, `7.3.0-SNAPSHOT`,
//! `2.20.1-b482`): equality up to case and a leading `v`, and an order good enough to
//! pick the newest of several builds.
//!
//! A version is split into runs of digits and of letters (other characters separate
//! runs). Runs compare pairwise: numbers numerically, words case-insensitively, a number
//! above a word. When one version is a prefix of the other, what follows decides: more
//! numbers make it newer (`1.2.1` > `1.2`), a word makes it a pre-release
//! (`1.2-SNAPSHOT` < `1.2`).

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq)]
enum Run<'a> {
    Number(&'a str),
    Word(&'a str),
}

fn runs(version: &str) -> Vec<Run<'_>> {
    let v = normalized(version);
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Run::Number(v[start..i].trim_start_matches('0')));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Run::Word(&v[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

fn normalized(version: &str) -> &str {
    let v = version.trim();
    match v.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => v,
    }
}

/// True when `a` and `b` name the same version (`V5.4` and `5.4`, `1.0-beta` and `1.0-BETA`).
pub fn same_version(a: &str, b: &str) -> bool {
    normalized(a).eq_ignore_ascii_case(normalized(b))
}

/// The order of two versions (see the module documentation).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(&rb) {
        let o = match (x, y) {
            (Run::Number(x), Run::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
            (Run::Word(x), Run::Word(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
            (Run::Number(_), Run::Word(_)) => Ordering::Greater,
            (Run::Word(_), Run::Number(_)) => Ordering::Less,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let tail = |longer: &[Run<'_>]| match longer.first() {
        Some(Run::Word(_)) => Ordering::Less,
        Some(Run::Number(_)) => Ordering::Greater,
        None => Ordering::Equal,
    };
    match ra.len().cmp(&rb.len()) {
        Ordering::Greater => tail(&ra[rb.len()..]),
        Ordering::Less => tail(&rb[ra.len()..]).reverse(),
        Ordering::Equal => normalized(a).cmp(normalized(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_as_numbers() {
        assert_eq!(compare_versions("5.4.102", "5.4.99"), Ordering::Greater);
        assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare_versions("2.0", "10.0"), Ordering::Less);
    }

    #[test]
    fn pre_releases_come_before_the_release_and_patches_after() {
        assert_eq!(compare_versions("1.2-SNAPSHOT", "1.2"), Ordering::Less);
        assert_eq!(compare_versions("1.2", "1.2-beta"), Ordering::Greater);
        assert_eq!(compare_versions("1.2.1", "1.2"), Ordering::Greater);
        assert_eq!(compare_versions("1.2-beta", "1.2-rc"), Ordering::Less);
        assert_eq!(
            compare_versions("2.20.1-b482", "2.20.1-b99"),
            Ordering::Greater
        );
    }

    #[test]
    fn equality_ignores_case_and_a_leading_v() {
        assert!(same_version("v5.4", "5.4"));
        assert!(same_version(" 1.0-BETA ", "1.0-beta"));
        assert!(!same_version("5.4", "5.4.0"));
        assert!(!same_version("version", "ersion"));
        assert_eq!(compare_versions("v5.4", "5.4"), Ordering::Equal);
    }
}
