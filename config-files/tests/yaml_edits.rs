//! YAML through the public `Document` API: values read as SnakeYAML reads them, and edits
//! that change only what they must.

use homeamp_configfiles::{Document, EditError, Format, KeyPath, Value};

fn doc(text: &str) -> Document {
    Document::parse(Format::Yaml, text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn p(path: &str) -> KeyPath {
    KeyPath::parse(path).unwrap()
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

fn set(text: &str, path: &str, value: Value) -> String {
    let mut d = doc(text);
    d.set(&p(path), &value)
        .unwrap_or_else(|e| panic!("set {path}: {e}"));
    let out = d.to_string();
    let reread = doc(&out);
    assert_eq!(reread.get(&p(path)), Some(value), "{out}");
    out
}

fn remove(text: &str, path: &str) -> String {
    let mut d = doc(text);
    assert!(d.remove(&p(path)).unwrap(), "nothing at {path}");
    let out = d.to_string();
    if matches!(p(path).last(), Some(homeamp_configfiles::Segment::Key(_))) {
        assert_eq!(doc(&out).get(&p(path)), None, "{out}");
    }
    out
}

#[test]
fn enabled_yes_flattens_to_boolean_true() {
    let d = doc("enabled: yes\n");
    assert_eq!(d.flatten(), vec![(p("enabled"), Value::Bool(true))]);
}

#[test]
fn scalar_styles_and_types_are_read_as_snakeyaml_does() {
    let d = doc(
        "a: on\nb: 'on'\nc: \"x\\ty\"\nd: 0x1F\ne: 017\nf: .inf\ng: ~\nh:\ni: 1_000\nj: 2.5\nk: n\nl: !!str 12\n",
    );
    let get = |k: &str| d.get(&p(k)).unwrap();
    assert_eq!(get("a"), Value::Bool(true));
    assert_eq!(get("b"), s("on"));
    assert_eq!(get("c"), s("x\ty"));
    assert_eq!(get("d"), Value::Int(31));
    assert_eq!(get("e"), Value::Int(15));
    assert_eq!(get("f"), Value::Float(f64::INFINITY));
    assert_eq!(get("g"), Value::Null);
    assert_eq!(get("h"), Value::Null);
    assert_eq!(get("i"), Value::Int(1000));
    assert_eq!(get("j"), Value::Float(2.5));
    assert_eq!(get("k"), s("n"));
    assert_eq!(get("l"), s("12"));
}

#[test]
fn multi_line_scalars_fold_like_snakeyaml() {
    let d = doc(
        "plain: one\n  two\n\n  three\nlit: |\n  a\n   b\n\nfold: >-\n  a\n  b\n\n  c\nkeep: |+\n  x\n\nq: 'it''s\n  here'\n",
    );
    assert_eq!(d.get(&p("plain")), Some(s("one two\nthree")));
    assert_eq!(d.get(&p("lit")), Some(s("a\n b\n")));
    assert_eq!(d.get(&p("fold")), Some(s("a b\nc")));
    assert_eq!(d.get(&p("keep")), Some(s("x\n\n")));
    assert_eq!(d.get(&p("q")), Some(s("it's here")));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let d = doc("base: &b\n  x: 1\n  y: 2\nother:\n  <<: *b\n  y: 3\ncopy: *b\n");
    assert_eq!(d.get(&p("other.x")), Some(Value::Int(1)));
    assert_eq!(d.get(&p("other.y")), Some(Value::Int(3)));
    assert_eq!(d.get(&p("copy.y")), Some(Value::Int(2)));
    let mut d = d;
    let err = d.set(&p("copy.x"), &Value::Int(9)).unwrap_err();
    assert!(matches!(err, EditError::ThroughAlias { .. }), "{err}");
    // A merged key can be overridden by an explicit one.
    let out = set(
        "base: &b\n  x: 1\nother:\n  <<: *b\n",
        "other.x",
        Value::Int(5),
    );
    assert_eq!(out, "base: &b\n  x: 1\nother:\n  <<: *b\n  x: 5\n");
}

#[test]
fn emptying_an_anchored_map_keeps_its_anchor() {
    let text = "x-user:\n  &user\n  user: '1000:1000'\nsvc:\n  <<: *user\n";
    assert_eq!(
        remove(text, "x-user.user"),
        "x-user: &user {}\nsvc:\n  <<: *user\n"
    );
    let list = Value::List(vec![s("a")]);
    assert_eq!(
        set("a: &x 1 # c\nb: *x\n", "a", list),
        "a: &x # c\n  - a\nb: *x\n"
    );
}

#[test]
fn set_keeps_quote_style_when_the_value_allows() {
    assert_eq!(set("a: 'x'\n", "a", s("y")), "a: 'y'\n");
    assert_eq!(set("a: \"x\"\n", "a", s("y\"z")), "a: \"y\\\"z\"\n");
    assert_eq!(set("a: x\n", "a", s("yes")), "a: 'yes'\n");
    assert_eq!(set("a: x # note\n", "a", s("y z")), "a: y z # note\n");
    assert_eq!(set("a: 'x'\n", "a", Value::Int(3)), "a: 3\n");
}

#[test]
fn set_keeps_the_boolean_spelling() {
    assert_eq!(set("a: yes\n", "a", Value::Bool(false)), "a: no\n");
    assert_eq!(set("a: On\n", "a", Value::Bool(false)), "a: Off\n");
    assert_eq!(set("a: 1\n", "a", Value::Bool(true)), "a: true\n");
}

#[test]
fn set_values_that_need_care() {
    assert_eq!(set("a: 1\n", "a", Value::Float(2.0)), "a: 2.0\n");
    assert_eq!(
        set("a: 1\n", "a", Value::Float(f64::NEG_INFINITY)),
        "a: -.inf\n"
    );
    assert_eq!(set("a: 1\n", "a", Value::Null), "a: null\n");
    assert_eq!(set("a:\nb: 2\n", "a", s("x")), "a: x\nb: 2\n");
    assert_eq!(set("a: 1\n", "a", s("two\nlines")), "a: \"two\\nlines\"\n");
    assert_eq!(set("a: 1\n", "a", s("#tag")), "a: '#tag'\n");
}

#[test]
fn set_inside_lists_and_dotted_keys() {
    let text = "groups:\n  essentials.home: 1\nworlds:\n- a\n- b\n- c\nflow: [1, 2, 3]\n";
    assert_eq!(
        set(text, "groups.\"essentials.home\"", Value::Int(2)),
        text.replace("essentials.home: 1", "essentials.home: 2")
    );
    assert_eq!(set(text, "worlds[2]", s("d")), text.replace("- c", "- d"));
    assert_eq!(
        set(text, "flow[1]", Value::Int(5)),
        text.replace("[1, 2, 3]", "[1, 5, 3]")
    );
    assert_eq!(
        set(text, "flow[3]", Value::Int(4)),
        text.replace("[1, 2, 3]", "[1, 2, 3, 4]")
    );
    assert_eq!(
        set(text, "worlds[3]", s("e")),
        text.replace("- c\n", "- c\n- e\n")
    );
    let mut d = doc(text);
    assert!(matches!(
        d.set(&p("worlds[5]"), &s("x")),
        Err(EditError::IndexOutOfRange { len: 3, .. })
    ));
}

#[test]
fn set_a_missing_nested_key_uses_the_file_indentation() {
    let text = "# top\nsettings:\n    allow-end: true # comment\n\nother: 1\n";
    assert_eq!(
        set(text, "settings.limits.monsters", Value::Int(70)),
        "# top\nsettings:\n    allow-end: true # comment\n    limits:\n        monsters: 70\n\nother: 1\n"
    );
    assert_eq!(set("a: 1", "b.c", Value::Bool(true)), "a: 1\nb:\n  c: true");
    assert_eq!(
        set("list:\n  - name: x\n", "list[0].id", Value::Int(1)),
        "list:\n  - name: x\n    id: 1\n"
    );
    assert_eq!(set("a:\n", "a.b", Value::Int(1)), "a:\n  b: 1\n");
    assert_eq!(
        set("a: {x: 1}\n", "a.y", Value::Int(2)),
        "a: {x: 1, y: 2}\n"
    );
    assert_eq!(set("", "a.b", Value::Int(1)), "a:\n  b: 1\n");
}

#[test]
fn set_a_whole_list_or_map_keeps_its_style_and_comments() {
    let text = "worlds:\n  # the main one\n  - world\n  - nether\nflow: [a, b]\nmap:\n  a: 1 # one\n  b: 2\n";
    let list = Value::List(vec![s("world"), s("end"), s("extra")]);
    assert_eq!(
        set(text, "worlds", list),
        "worlds:\n  # the main one\n  - world\n  - end\n  - extra\nflow: [a, b]\nmap:\n  a: 1 # one\n  b: 2\n"
    );
    assert_eq!(
        set(text, "flow", Value::List(vec![s("c")])),
        text.replace("[a, b]", "[c]")
    );
    let map: Value = serde_json::from_str(r#"{"a": 1, "c": 3}"#).unwrap();
    assert_eq!(set(text, "map", map), text.replace("  b: 2\n", "  c: 3\n"));
    let nested: Value = serde_json::from_str(r#"{"k": [1, 2]}"#).unwrap();
    assert_eq!(
        set("a: 1 # note\nb: 2\n", "a", nested),
        "a: # note\n  k:\n    - 1\n    - 2\nb: 2\n"
    );
    assert_eq!(
        set("a:\n  x: 1\nb: 2\n", "a", Value::Int(3)),
        "a: 3\nb: 2\n"
    );
}

#[test]
fn block_scalars_stay_block_scalars() {
    let text = "motd: |\n  line one\n  line two\nnext: 1\n";
    assert_eq!(
        set(text, "motd", s("new one\nnew two\n")),
        "motd: |\n  new one\n  new two\nnext: 1\n"
    );
    assert_eq!(
        set(text, "motd", s("a\nb")),
        "motd: |-\n  a\n  b\nnext: 1\n"
    );
}

#[test]
fn remove_keys_and_items() {
    let text = "# c\na: 1\nb:\n  x: 1\n  y: 2\nc: [1, 2]\nd:\n  - 1\n  - 2\n";
    assert_eq!(
        remove(text, "a"),
        "# c\nb:\n  x: 1\n  y: 2\nc: [1, 2]\nd:\n  - 1\n  - 2\n"
    );
    assert_eq!(
        remove(text, "b.y"),
        "# c\na: 1\nb:\n  x: 1\nc: [1, 2]\nd:\n  - 1\n  - 2\n"
    );
    assert_eq!(remove(text, "c[0]"), text.replace("[1, 2]", "[2]"));
    assert_eq!(remove(text, "d[1]"), text.replace("  - 2\n", ""));
    assert_eq!(remove("a:\n  x: 1\nb: 2\n", "a.x"), "a: {}\nb: 2\n");
    assert_eq!(remove("a: 1\nb: 2", "b"), "a: 1");
    assert_eq!(remove("- a: 1\n  b: 2\n", "[0].a"), "- b: 2\n");
    assert!(!doc("a: 1\n").remove(&p("zzz")).unwrap());
}

#[test]
fn crlf_bom_and_a_missing_final_newline_are_kept() {
    let text = "\u{feff}a: 1\r\nb:\r\n  c: 2\r\n";
    assert_eq!(
        set(text, "b.d", Value::Int(3)),
        "\u{feff}a: 1\r\nb:\r\n  c: 2\r\n  d: 3\r\n"
    );
    assert_eq!(remove(text, "a"), "\u{feff}b:\r\n  c: 2\r\n");
    assert_eq!(
        set("a: 1\r\nb: 2", "c", Value::Int(3)),
        "a: 1\r\nb: 2\r\nc: 3"
    );
}

#[test]
fn zero_indented_lists_are_followed_for_new_lists() {
    let text = "a:\n- x\nb: 1\n";
    assert_eq!(
        set(text, "c", Value::List(vec![s("y")])),
        "a:\n- x\nb: 1\nc:\n- y\n"
    );
}

#[test]
fn invalid_yaml_is_refused_with_line_and_column() {
    for (text, line, column) in [
        ("a: 1\n\tb: 2\n", 2, 1),
        ("a: 'open\n", 1, 4),
        ("a: 1\n---\nb: 2\n", 2, 1),
        ("? complex\n: v\n", 1, 1),
        ("a: 1\n  b: 2\n", 2, 4),
        ("a: [1, 2\n", 1, 4),
        ("a: *nope\n", 1, 4),
        ("a: b: c\n", 1, 5),
        ("key: {{ VAR }}\n", 1, 6),
        (">> config.yml\n", 1, 2),
        ("- a\nb: 1\n", 2, 1),
    ] {
        let err = Document::parse(Format::Yaml, text).expect_err(text);
        assert_eq!((err.line, err.column), (line, column), "{text:?}: {err}");
    }
}

#[test]
fn a_refused_edit_leaves_the_document_unchanged() {
    let text = "a: 5\nb: *x\n".replace("*x", "1");
    let mut d = doc(&text);
    let err = d.set(&p("a.b"), &Value::Int(1)).unwrap_err();
    assert!(matches!(err, EditError::NotAContainer { .. }), "{err}");
    assert!(matches!(
        d.set(&p("a[0]"), &Value::Int(1)),
        Err(EditError::NotAContainer { .. })
    ));
    assert_eq!(d.to_string(), text);
    let mut d = doc("l:\n  - 1\n");
    assert!(matches!(
        d.set(&p("l.x"), &Value::Int(1)),
        Err(EditError::KeyIntoList { .. })
    ));
    assert!(matches!(
        d.set(&p(""), &Value::Int(1)),
        Err(EditError::Root)
    ));
}
