//! Each syntax feature reads as Configurate (Typesafe Config) reads it and prints back
//! byte for byte; bad input is refused with its line and column.

use homeamp_configfiles::{Document, Format, Value};

use super::{flat_map, parse, path, s};

fn get(text: &str, p: &str) -> Option<Value> {
    let doc = parse(text);
    assert_eq!(doc.to_string(), text);
    doc.get(&path(p))
}

#[test]
fn hash_and_double_slash_comments() {
    let text = "# top\n// also\na = 1 # after\nb = two words // after\nc = \"# not a comment\"\n";
    assert_eq!(get(text, "a"), Some(Value::Int(1)));
    assert_eq!(get(text, "b"), Some(s("two words")));
    assert_eq!(get(text, "c"), Some(s("# not a comment")));
    assert_eq!(parse(text).flatten().len(), 3);
}

#[test]
fn equals_colon_and_no_separator_before_a_brace() {
    let text = "a = 1\nb: 2\nc=3\nd {\n  e = 4\n}\nf = { g = 5 }\nh : { i = 6 }\n";
    for (p, v) in [
        ("a", 1),
        ("b", 2),
        ("c", 3),
        ("d.e", 4),
        ("f.g", 5),
        ("h.i", 6),
    ] {
        assert_eq!(get(text, p), Some(Value::Int(v)), "{p}");
    }
}

#[test]
fn unquoted_quoted_and_triple_quoted_strings() {
    let text = "u = hello world\nq = \"tab\\there \\\"x\\\" \\u00e9\"\nt = \"\"\"line one\n  \"line\" two\"\"\"\"\n";
    assert_eq!(get(text, "u"), Some(s("hello world")));
    assert_eq!(get(text, "q"), Some(s("tab\there \"x\" é")));
    // Quotes just before the closing three belong to the string.
    assert_eq!(get(text, "t"), Some(s("line one\n  \"line\" two\"")));
}

#[test]
fn numbers_booleans_and_null() {
    let text = "i = 42\nn = -7\nf = 0.25\ne = 1e3\nb = true\nz = null\nv = 1.2.3\nw = 10 seconds\n";
    assert_eq!(get(text, "i"), Some(Value::Int(42)));
    assert_eq!(get(text, "n"), Some(Value::Int(-7)));
    assert_eq!(get(text, "f"), Some(Value::Float(0.25)));
    assert_eq!(get(text, "e"), Some(Value::Float(1000.0)));
    assert_eq!(get(text, "b"), Some(Value::Bool(true)));
    assert_eq!(get(text, "z"), Some(Value::Null));
    assert_eq!(get(text, "v"), Some(s("1.2.3")));
    assert_eq!(get(text, "w"), Some(s("10 seconds")));
}

#[test]
fn dotted_keys_flatten_like_nested_objects() {
    let dotted = parse("a.b.c = 1\na.b.d = x\n\"e.f\".g = 2\n");
    let nested = parse("a {\n  b {\n    c = 1\n    d = x\n  }\n}\n\"e.f\" { g = 2 }\n");
    assert_eq!(flat_map(&dotted), flat_map(&nested));
    assert_eq!(dotted.get(&path("\"e.f\".g")), Some(Value::Int(2)));
}

#[test]
fn an_object_given_twice_merges_and_a_later_scalar_wins() {
    let text = "o { x = 1, y = 1 }\no { y = 2 }\nk = 1\nk = 2\n";
    assert_eq!(get(text, "o.x"), Some(Value::Int(1)));
    assert_eq!(get(text, "o.y"), Some(Value::Int(2)));
    assert_eq!(get(text, "k"), Some(Value::Int(2)));
}

#[test]
fn arrays_with_commas_line_breaks_and_nesting() {
    let text = "a = [1, 2, 3]\nb = [\n    x\n    \"y\"\n]\nc = [ [1], { k = v }, ]\n";
    assert_eq!(get(text, "a[2]"), Some(Value::Int(3)));
    assert_eq!(get(text, "b[1]"), Some(s("y")));
    assert_eq!(get(text, "c[0][0]"), Some(Value::Int(1)));
    assert_eq!(get(text, "c[1].k"), Some(s("v")));
}

#[test]
fn line_breaks_and_comments_between_key_separator_and_value() {
    let text = "a =\n  1\nb # why\n{\n  c = 2\n}\nd\n  : three\n";
    assert_eq!(get(text, "a"), Some(Value::Int(1)));
    assert_eq!(get(text, "b.c"), Some(Value::Int(2)));
    assert_eq!(get(text, "d"), Some(s("three")));
    assert_eq!(
        super::set(text, "a", Value::Int(5)),
        text.replace("  1", "  5")
    );
}

#[test]
fn plus_equals_appends_and_is_not_edited() {
    let text = "l = [1]\nl += 2\nm += x\nother = 1\n";
    assert_eq!(
        get(text, "l"),
        Some(Value::List(vec![Value::Int(1), Value::Int(2)]))
    );
    assert_eq!(get(text, "m[0]"), Some(s("x")));
    let mut doc = parse(text);
    let err = doc.set(&path("l[0]"), &Value::Int(5)).unwrap_err();
    assert!(err.to_string().contains("+="), "{err}");
    assert!(doc.remove(&path("m")).is_err());
    doc.set(&path("other"), &Value::Int(2)).unwrap();
    assert_eq!(doc.to_string(), text.replace("other = 1", "other = 2"));
}

#[test]
fn a_braced_root_and_a_crlf_file_with_a_bom() {
    assert_eq!(get("{\n  a = 1\n}\n", "a"), Some(Value::Int(1)));
    assert_eq!(
        get("\u{feff}a = 1\r\nb {\r\n  c = 2\r\n}\r\n", "b.c"),
        Some(Value::Int(2))
    );
    // An empty file is an empty object, as in Typesafe Config (and `{}` in JSON).
    let empty = vec![(path(""), Value::Map(Default::default()))];
    assert_eq!(parse("").flatten(), empty);
    assert_eq!(parse("# only a comment").flatten(), empty);
}

#[test]
fn include_lines_are_kept_and_add_nothing() {
    let text = "include \"other.conf\"\ninclude required(file(\"x.conf\"))\na = 1\ninclude = key\n";
    let doc = parse(text);
    assert_eq!(doc.to_string(), text);
    assert_eq!(doc.get(&path("a")), Some(Value::Int(1)));
    // `include` followed by a separator is an ordinary key.
    assert_eq!(doc.get(&path("include")), Some(s("key")));
    assert_eq!(doc.flatten().len(), 2);
}

#[test]
fn substitutions_flatten_as_their_raw_text() {
    let text = "base = /srv\npath = ${base}\"/bin\"\nopt = ${?HOME}\nlist = [${base}, x]\n";
    assert_eq!(get(text, "path"), Some(s("${base}\"/bin\"")));
    assert_eq!(get(text, "opt"), Some(s("${?HOME}")));
    assert_eq!(get(text, "list[0]"), Some(s("${base}")));
}

#[test]
fn values_side_by_side_concatenate() {
    let text = "s = \"a\" b \"c\"\no = { x = 1 } { y = 2 }\nl = [1] [2]\n";
    assert_eq!(get(text, "s"), Some(s("a b c")));
    assert_eq!(get(text, "o.y"), Some(Value::Int(2)));
    assert_eq!(get(text, "l[1]"), Some(Value::Int(2)));
}

/// Each bad input, and the line and column the error must name.
#[test]
fn bad_input_is_refused_with_line_and_column() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("a = 1\nb = \"open\n", 2, 5, "unclosed quoted string"),
        ("a {\n  b = 1\n", 1, 3, "unclosed '{'"),
        ("a = 1\n}\n", 2, 1, "without a matching"),
        ("a = 1\nb c\n", 2, 4, "expected '=', ':' or '{'"),
        ("a = [1, 2\n", 1, 5, "unclosed '['"),
        ("a = ${x\n", 1, 5, "unclosed substitution"),
        ("a = \"\\q\"\n", 1, 6, "unknown escape"),
        ("a = \"\"\"never closed\n", 1, 5, "triple-quoted"),
        ("[1, 2]\n", 1, 1, "top level"),
        ("a = 1 }\n", 1, 7, "without a matching"),
        ("a = {x = 1} y\n", 1, 13, "cannot join"),
        ("a = \n", 1, 4, "expected a value"),
        ("a = # c\n}\n", 1, 4, "expected a value"),
        ("a. = 1\n", 1, 3, "cannot end with '.'"),
    ];
    for (text, line, column, what) in cases {
        let err = Document::parse(Format::Hocon, text).expect_err(text);
        assert_eq!((err.line, err.column), (*line, *column), "{text:?}: {err}");
        assert!(err.message.contains(what), "{text:?}: {err}");
    }
}
