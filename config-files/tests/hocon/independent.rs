//! The values flattened agree with an independent HOCON reader, the `hocon` crate, on every
//! fixture and on samples of each syntax feature it reads (key path → scalar).
//!
//! Deliberate differences, not compared: substitutions (homeamp keeps `${a}` as its raw
//! text, the crate resolves it) and `include` (homeamp reads no other file).

use std::collections::BTreeMap;

use hocon::{Hocon, HoconLoader};
use homeamp_configfiles::{KeyPath, Value};

use super::{fixtures, flat_map, parse};

fn independent(text: &str) -> BTreeMap<String, Value> {
    let hocon = HoconLoader::new()
        .no_system()
        .strict()
        .load_str(text)
        .and_then(|l| l.hocon())
        .unwrap_or_else(|e| panic!("the hocon crate refuses it: {e:?}\n{text}"));
    let mut out = BTreeMap::new();
    walk(&KeyPath::root(), &hocon, &mut out);
    out
}

fn walk(at: &KeyPath, value: &Hocon, out: &mut BTreeMap<String, Value>) {
    let leaf = match value {
        Hocon::Hash(map) if !map.is_empty() => {
            for (k, v) in map.iter() {
                walk(&at.key(k.clone()), v, out);
            }
            return;
        }
        Hocon::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                walk(&at.index(i), v, out);
            }
            return;
        }
        Hocon::Hash(_) => Value::Map(Default::default()),
        Hocon::Array(_) => Value::List(vec![]),
        Hocon::Real(f) => Value::Float(*f),
        Hocon::Integer(i) => Value::Int(*i),
        Hocon::String(s) => Value::String(s.clone()),
        Hocon::Boolean(b) => Value::Bool(*b),
        Hocon::Null => Value::Null,
        Hocon::BadValue(e) => panic!("{at}: bad value {e:?}"),
    };
    out.insert(at.to_string(), leaf);
}

fn assert_agree(name: &str, text: &str) {
    let ours = flat_map(&parse(text));
    let theirs = independent(text);
    for (k, v) in &theirs {
        assert_eq!(ours.get(k), Some(v), "{name}: {k}");
    }
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{name}: key sets differ"
    );
}

#[test]
fn flattened_fixtures_agree_with_the_hocon_crate() {
    for (name, text) in fixtures() {
        assert_agree(&name, &text);
    }
}

#[test]
fn flattened_syntax_samples_agree_with_the_hocon_crate() {
    let samples = [
        "a = 1\nb : two\nc { d = true }\n",
        "# hash\n// slashes\na = 1 # after\nb = x // after\n",
        "a.b.c = 1\na.b.d = \"x\"\na { e = 2.5 }\n",
        "list = [1, 2, 3]\nlines = [\n  a\n  b\n]\ntrailing = [x, y,]\n",
        "q = \"esc \\\" \\\\ \\n \\u00e9\"\nu = unquoted words here\n",
        "t = \"\"\"multi\nline \"quoted\" \"\"\"\n",
        "{\n  braced = root\n}\n",
        "o { x = 1 }\no { y = 2 }\n",
        "\"dotted.key\" = 1\n",
        "n = null\nneg = -5\nexp = 1e3\nempty = []\nnone = {}\n",
        "a = 1, b = 2\nc { d = 1, e = 2 }\n",
        "a =\n  1\nb\n{\n  c = 2\n}\n",
        "l = [1]\nl += 2\nm += x\n",
        "w = 10 seconds\nv = 1.2.3\nq = \"a\" b \"c\"\n",
    ];
    for text in samples {
        assert_agree(text, text);
    }
}
