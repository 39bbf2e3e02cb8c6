//! No input makes the reader panic: mutations of the fixtures and random token soup, each
//! parsed, and when it parses, printed back identically, flattened, edited and removed from.

use homeamp_configfiles::{Document, Format, Value};

use super::fixtures;

/// A small deterministic generator (xorshift64), so a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "=",
    ":",
    ",",
    "\n",
    "\r\n",
    " ",
    "\t",
    "#",
    "//",
    "\"",
    "\"\"\"",
    "\\",
    "${",
    "${?",
    "a",
    "b.c",
    "\"k.q\"",
    "include",
    "include \"x\"",
    "1",
    "-2.5e3",
    "true",
    "null",
    "+=",
    ".",
    "é",
    "\u{feff}",
    "$",
    "x y",
    "required(file(\"f\"))",
    "\\u00",
];

fn exercise(text: &str) {
    let Ok(mut doc) = Document::parse(Format::Hocon, text) else {
        return;
    };
    assert_eq!(doc.to_string(), text, "round trip of {text:?}");
    let leaves = doc.flatten();
    for (p, _) in leaves.iter().take(3) {
        let mut d = Document::parse(Format::Hocon, text).unwrap();
        let v = Value::String("v \"w\"\n".into());
        if d.set(p, &v).is_ok() {
            // A kept edit reads back: the new value, and the same text printed again.
            assert_eq!(d.get(p), Some(v), "{text:?}");
            let again = Document::parse(Format::Hocon, &d.to_string()).unwrap();
            assert_eq!(again.flatten(), d.flatten(), "{text:?}");
        }
        let _ = d.set(&p.key("new"), &Value::Int(1));
        // (A removed list item's place is taken by the next one.)
        let is_key = matches!(p.last(), Some(homeamp_configfiles::Segment::Key(_)));
        if d.remove(p).unwrap_or(false) && is_key {
            assert_eq!(d.get(p), None, "{text:?}");
        }
        let _ = d.lines_of(p);
    }
    let _ = doc.set(
        &homeamp_configfiles::KeyPath::parse("fresh.key").unwrap(),
        &Value::Bool(true),
    );
}

/// Mutations per fixture: 300, or `HOCON_FUZZ_ROUNDS` for a longer run by hand.
fn rounds() -> usize {
    std::env::var("HOCON_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300)
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (_, text) in fixtures() {
        let bytes = text.as_bytes();
        for _ in 0..rounds() {
            let mut t = String::from_utf8_lossy(bytes).into_owned();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(t.len() + 1);
                let at = (0..=at).rev().find(|&i| t.is_char_boundary(i)).unwrap();
                match rng.below(3) {
                    0 => t.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
                    1 => {
                        let end = (at + 1 + rng.below(8)).min(t.len());
                        if let Some(end) = (end..=t.len()).find(|&i| t.is_char_boundary(i)) {
                            t.replace_range(at..end, "");
                        }
                    }
                    _ => t.truncate(at),
                }
            }
            exercise(&t);
        }
    }
}

#[test]
fn token_soup_never_panics() {
    let mut rng = Rng(42);
    for _ in 0..rounds() * 12 {
        let n = 1 + rng.below(24);
        let t: String = (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        exercise(&t);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let text = format!("{}{}", "a {".repeat(5000), "}".repeat(5000));
    let err = Document::parse(Format::Hocon, &text).unwrap_err();
    assert!(err.message.contains("nested too deeply"), "{err}");
    let text = format!("a = {}{}", "[".repeat(5000), "]".repeat(5000));
    assert!(Document::parse(Format::Hocon, &text).is_err());
}
