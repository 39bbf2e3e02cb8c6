//! Edits: a scalar is a splice of its own bytes, a new key goes where the file would have
//! it with the file's indentation, comments, includes and substitutions stay as written,
//! and an edit that would not read back is refused with the document unchanged.

use homeamp_configfiles::{EditError, Value};

use super::{differing_lines, flat_map, inserted_lines, parse, path, s, set};

#[test]
fn a_scalar_edit_is_a_splice_of_that_value_only() {
    let text = "a=1\nb = \"x\" # keep me\nc : plain\nd = [1, 2]\n";
    assert_eq!(
        set(text, "a", Value::Int(5)),
        "a=5\nb = \"x\" # keep me\nc : plain\nd = [1, 2]\n"
    );
    assert_eq!(
        set(text, "b", s("y\"z")),
        "a=1\nb = \"y\\\"z\" # keep me\nc : plain\nd = [1, 2]\n"
    );
    // Unquoted stays unquoted while it reads back the same; else it is quoted.
    assert_eq!(
        set(text, "c", s("other")),
        "a=1\nb = \"x\" # keep me\nc : other\nd = [1, 2]\n"
    );
    assert_eq!(
        set(text, "c", s("two words")),
        "a=1\nb = \"x\" # keep me\nc : \"two words\"\nd = [1, 2]\n"
    );
    assert_eq!(
        set(text, "c", s("42")),
        "a=1\nb = \"x\" # keep me\nc : \"42\"\nd = [1, 2]\n"
    );
    assert_eq!(
        set(text, "d[1]", Value::Float(2.5)),
        "a=1\nb = \"x\" # keep me\nc : plain\nd = [1, 2.5]\n"
    );
}

#[test]
fn an_edit_next_to_a_comment_keeps_the_comment() {
    let text = "# above\nkey = old // trailing\n# below\n";
    let new = set(text, "key", s("new value"));
    assert_eq!(new, "# above\nkey = \"new value\" // trailing\n# below\n");
    let text = "list = [\n    a, # first\n    b  # second\n]\n";
    let new = set(text, "list[1]", s("c"));
    assert_eq!(new, "list = [\n    a, # first\n    c  # second\n]\n");
}

#[test]
fn triple_quoted_strings_stay_triple_quoted() {
    let text = "motd = \"\"\"line one\nline two\"\"\"\nnext = 1\n";
    let new = set(text, "motd", s("first\nsecond"));
    assert_eq!(new, "motd = \"\"\"first\nsecond\"\"\"\nnext = 1\n");
}

#[test]
fn edits_inside_a_dotted_key_object() {
    let text = "server.net.port = 25565\nserver.net.host = \"0.0.0.0\"\nother = 1\n";
    let new = set(text, "server.net.port", Value::Int(25566));
    assert_eq!(differing_lines(text, &new), vec![0]);
    // A new key under a dotted-key object follows the field that names its parent.
    let new = set(text, "server.net.motd", s("hi"));
    assert_eq!(
        new,
        "server.net.port = 25565\nserver.net.host = \"0.0.0.0\"\nserver.net.motd = hi\nother = 1\n"
    );
    let new = set(text, "server.name", s("lobby"));
    assert_eq!(inserted_lines(text, &new), vec![2]);
    assert!(new.contains("\nserver.name = lobby\n"), "{new}");
}

#[test]
fn adding_a_key_into_an_existing_object_uses_its_indentation() {
    // Four spaces, Configurate's `key=value` and `key {`.
    let text = "a {\n    b=1\n    c {\n        d=2\n    }\n}\ntail=0\n";
    assert_eq!(
        set(text, "a.c.e", s("x")),
        "a {\n    b=1\n    c {\n        d=2\n        e=x\n    }\n}\ntail=0\n"
    );
    // A new nested object, in the file's `key {` style.
    assert_eq!(
        set(text, "a.n.m", Value::Bool(true)),
        "a {\n    b=1\n    c {\n        d=2\n    }\n    n {\n        m=true\n    }\n}\ntail=0\n"
    );
    // Tabs and `: ` separators.
    let text = "a {\n\tb: 1\n}\n";
    assert_eq!(set(text, "a.c", Value::Int(2)), "a {\n\tb: 1\n\tc: 2\n}\n");
    // An empty object, and a one-line one.
    let text = "outer {\n  inner {}\n  one { x = 1 }\n}\n";
    assert_eq!(
        set(text, "outer.inner.k", Value::Int(1)),
        "outer {\n  inner {\n    k = 1\n  }\n  one { x = 1 }\n}\n"
    );
    assert_eq!(
        set(text, "outer.one.y", Value::Int(2)),
        "outer {\n  inner {}\n  one { x = 1, y = 2 }\n}\n"
    );
}

#[test]
fn adding_keys_at_the_root_keeps_the_final_newline_as_it_was() {
    assert_eq!(set("a = 1\n", "b", Value::Int(2)), "a = 1\nb = 2\n");
    assert_eq!(set("a = 1", "b", Value::Int(2)), "a = 1\nb = 2");
    assert_eq!(set("a = 1\r\n", "b", Value::Int(2)), "a = 1\r\nb = 2\r\n");
    assert_eq!(set("", "b", Value::Int(2)), "b=2");
    assert_eq!(set("# c\n", "b", Value::Int(2)), "# c\nb=2\n");
    assert_eq!(
        set("{\n  a = 1\n}\n", "b", Value::Int(2)),
        "{\n  a = 1\n  b = 2\n}\n"
    );
}

#[test]
fn appending_to_a_list_follows_its_layout() {
    assert_eq!(
        set("l = [1, 2]\n", "l[2]", Value::Int(3)),
        "l = [1, 2, 3]\n"
    );
    assert_eq!(set("l = []\n", "l[0]", s("x")), "l = [x]\n");
    assert_eq!(
        set("l=[\n    a,\n    b\n]\n", "l[2]", s("c")),
        "l=[\n    a,\n    b,\n    c\n]\n"
    );
    let mut doc = parse("l = [1]\n");
    let err = doc.set(&path("l[5]"), &Value::Int(1)).unwrap_err();
    assert!(
        matches!(err, EditError::IndexOutOfRange { len: 1, .. }),
        "{err}"
    );
}

#[test]
fn include_and_substitution_lines_are_kept_after_edits() {
    let text =
        "include \"defaults.conf\"\nbase = /srv\npath = ${base}/bin\nopt = ${?HOME}\nport = 1\n";
    let mut doc = parse(text);
    doc.set(&path("port"), &Value::Int(2)).unwrap();
    doc.set(&path("added"), &s("x")).unwrap();
    doc.remove(&path("base")).unwrap();
    assert_eq!(
        doc.to_string(),
        "include \"defaults.conf\"\npath = ${base}/bin\nopt = ${?HOME}\nport = 2\nadded = x\n"
    );
    // Setting the raw text a substitution reads as changes nothing.
    let mut doc = parse(text);
    doc.set(&path("path"), &s("${base}/bin")).unwrap();
    assert_eq!(doc.to_string(), text);
    // A path through a substitution is refused, not resolved.
    let err = parse(text).set(&path("opt.x"), &Value::Int(1)).unwrap_err();
    assert!(matches!(err, EditError::Unrepresentable { .. }), "{err}");
}

#[test]
fn a_value_replaced_by_an_object_or_an_object_by_a_value() {
    let text = "a {\n  x = 1\n}\nb = 1\n";
    assert_eq!(
        set(text, "a", Value::Int(3)),
        "a=3\nb = 1\n".replace("a=3", "a = 3")
    );
    let mut map = indexmap::IndexMap::new();
    map.insert("k".to_string(), Value::Int(1));
    assert_eq!(
        set(text, "b", Value::Map(map)),
        "a {\n  x = 1\n}\nb = {\n  k = 1\n}\n"
    );
    assert_eq!(
        set("a = null\n", "a.b", Value::Int(1)),
        "a = {\n    b = 1\n}\n"
    );
}

#[test]
fn removing_fields_and_items() {
    let mut doc = parse("a = 1\n# about b\nb = 2 # b\nc { d = 1, e = 2 }\nl = [1, 2, 3]\n");
    assert!(doc.remove(&path("b")).unwrap());
    assert!(doc.remove(&path("c.d")).unwrap());
    assert!(doc.remove(&path("l[1]")).unwrap());
    assert!(!doc.remove(&path("missing")).unwrap());
    assert_eq!(
        doc.to_string(),
        "a = 1\n# about b\nc { e = 2 }\nl = [1, 3]\n"
    );
    let mut doc = parse("a = 1\nb = 2");
    assert!(doc.remove(&path("b")).unwrap());
    assert_eq!(doc.to_string(), "a = 1");
}

#[test]
fn an_edit_that_would_not_read_back_is_refused_and_changes_nothing() {
    // `a` is also given by the dotted key before it, which a new `{ … }` merges with.
    let text = "a.b = 1\na { c = 2 }\n";
    let mut doc = parse(text);
    let mut map = indexmap::IndexMap::new();
    map.insert("z".to_string(), Value::Int(1));
    let err = doc.set(&path("a"), &Value::Map(map)).unwrap_err();
    assert!(matches!(err, EditError::NotKept { .. }), "{err}");
    assert!(err.to_string().contains("unchanged"), "{err}");
    assert_eq!(doc.to_string(), text);
    // An object written only through dotted keys has no text of its own to replace.
    let err = parse("x.y = 1\n")
        .set(&path("x"), &Value::Int(1))
        .unwrap_err();
    assert!(matches!(err, EditError::Unrepresentable { .. }), "{err}");
    assert_eq!(flat_map(&doc).len(), 2);
}

#[test]
fn type_errors_name_the_path() {
    let mut doc = parse("a = 1\nl = [1]\no { k = 1 }\n");
    assert!(matches!(
        doc.set(&path("a.b"), &Value::Int(1)),
        Err(EditError::NotAContainer { .. })
    ));
    assert!(matches!(
        doc.set(&path("l.k"), &Value::Int(1)),
        Err(EditError::KeyIntoList { .. })
    ));
    assert!(matches!(
        doc.set(&path("o[0]"), &Value::Int(1)),
        Err(EditError::IndexIntoMap { .. })
    ));
    assert!(matches!(
        doc.set(&path("a"), &Value::Float(f64::NAN)),
        Err(EditError::Unrepresentable { .. })
    ));
    assert!(matches!(
        doc.set(&path(""), &Value::Int(1)),
        Err(EditError::Root)
    ));
}

#[test]
fn crlf_files_keep_crlf_in_new_lines() {
    let text = "a {\r\n    b=1\r\n}\r\n";
    assert_eq!(
        set(text, "a.c", Value::Int(2)),
        "a {\r\n    b=1\r\n    c=2\r\n}\r\n"
    );
    assert_eq!(set(text, "a.b", Value::Int(5)), "a {\r\n    b=5\r\n}\r\n");
    let mut doc = parse(text);
    assert!(doc.remove(&path("a.b")).unwrap());
    assert_eq!(doc.to_string(), "a {\r\n}\r\n");
}

#[test]
fn lines_of_names_the_key_through_the_end_of_its_value() {
    let doc = parse("a = 1\nb {\n  c = [\n    x\n  ]\n}\nd.e = 2\n");
    assert_eq!(doc.lines_of(&path("a")), Some((1, 1)));
    assert_eq!(doc.lines_of(&path("b")), Some((2, 6)));
    assert_eq!(doc.lines_of(&path("b.c")), Some((3, 5)));
    assert_eq!(doc.lines_of(&path("b.c[0]")), Some((4, 4)));
    assert_eq!(doc.lines_of(&path("d.e")), Some((7, 7)));
    assert_eq!(doc.lines_of(&path("d")), None);
    assert_eq!(doc.lines_of(&path("missing")), None);
}

#[test]
fn new_keys_and_strings_are_quoted_as_configurate_writes_them() {
    let new = set("a=1\n", "default_format", s("plain-word"));
    assert_eq!(new, "a=1\n\"default_format\"=plain-word\n");
    let new = set("a=1\n", "carbon:help", s("two words"));
    assert_eq!(new, "a=1\n\"carbon:help\"=\"two words\"\n");
    for (value, text) in [
        ("true", "\"true\""),
        ("10", "\"10\""),
        ("-x", "\"-x\""),
        ("", "\"\""),
    ] {
        assert_eq!(set("a=1\n", "b", s(value)), format!("a=1\nb={text}\n"));
    }
}
