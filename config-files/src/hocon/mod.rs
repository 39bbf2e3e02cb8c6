//! HOCON (`.conf`, `.hocon`), as Configurate (the library Sponge- and Velocity-era plugins
//! such as CarbonChat use, over Typesafe Config) reads and writes it: read, flattened and
//! edited losslessly.
//!
//! Read: `#` and `//` comments; `=`, `:` or no separator before `{`; the root object with or
//! without braces; unquoted, quoted and triple-quoted strings; numbers, `true`, `false`,
//! `null`; dotted keys (`a.b.c = 1` is `a { b { c = 1 } }`) and quoted key parts
//! (`"a.b" = 1`); an object given twice merges; arrays with ',' or line breaks between items;
//! values side by side concatenate (`10 seconds` is one string, `{a=1} {b=2}` one object);
//! `include` lines and `${…}` / `${?…}` substitutions.
//!
//! Kept as written, never resolved: a value holding a substitution flattens to its raw
//! text as a string (`b = ${a}` reads as `b: "${a}"`, `${base} x` as `"${base} x"`); an
//! `include` line adds nothing (no other file is read). `key += value` appends to the list
//! at `key` when read; such a list is not edited (a typed error says to write it out).
//! Refused with line and column: a list at the top level. As in Typesafe Config, line breaks and comments may stand
//! between a key, its separator and its value.
//!
//! Deliberately more lenient than Typesafe Config: an unquoted value may hold `:`, `=`,
//! `!`, `@`, `*`, `&`, `?`, `^`, `+`, `` ` `` and `\` (`jdbc:mysql` is one string; `//`
//! still starts a comment, as in the spec).
//!
//! Written: an edit is a splice. A scalar's own bytes are replaced (a string keeps its
//! quoting style when it can: unquoted stays unquoted when it still reads back as the same
//! text, else quoted as Configurate writes it); a new key goes on a new line after the
//! last field of the object that gets it (or after the dotted-key field `a.b.c = …` that
//! names its parent, as `a.b.d = …`), with the file's indentation, separator and line
//! ending; a removed field takes its own lines. The result is read again and kept only if
//! the edited key reads as asked and every other flattened key is unchanged, else
//! [`EditError::NotKept`](crate::EditError::NotKept) and the document is unchanged.
//!
//! Files: `lexer.rs` (characters: comments, strings, substitutions), `parse.rs`
//! (structure, into the span tree of `tree.rs`), `flatten.rs` (the value), `locate.rs`
//! (where a key path is written), `render.rs` (values in the file's style), `edit.rs`
//! (splices and their check).

mod edit;
mod flatten;
mod lexer;
mod locate;
mod parse;
mod render;
mod tree;

use homeamp_schemas::Value;

use crate::error::ParseError;

#[derive(Debug)]
pub struct HoconDocument {
    text: String,
    tree: tree::Tree,
    value: Value,
    layout: render::Layout,
}

impl HoconDocument {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let tree = parse::parse(text)?;
        let value = flatten::value(&tree, text, tree.root);
        let layout = render::Layout::of(&tree, text);
        Ok(Self {
            text: text.to_string(),
            tree,
            value,
            layout,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn root_value(&self) -> Value {
        self.value.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeamp_schemas::KeyPath;

    fn get(text: &str, path: &str) -> Option<Value> {
        let doc = HoconDocument::parse(text).unwrap();
        crate::navigate::get(&doc.root_value(), &KeyPath::parse(path).unwrap())
    }

    #[test]
    fn configurate_style_objects_and_arrays() {
        let text = "# c\nsettings {\n    \"carbon:help\" {\n        aliases=[\n            a,\n            b\n        ]\n        enabled=true\n    }\n}\nversion=1\n";
        assert_eq!(
            get(text, "settings.\"carbon:help\".enabled"),
            Some(Value::Bool(true))
        );
        assert_eq!(
            get(text, "settings.\"carbon:help\".aliases[1]"),
            Some(Value::String("b".into()))
        );
        assert_eq!(get(text, "version"), Some(Value::Int(1)));
    }

    #[test]
    fn dotted_keys_nest_and_repeated_objects_merge() {
        let text = "a.b = 1\na { c = \"x\" }\n";
        assert_eq!(get(text, "a.b"), Some(Value::Int(1)));
        assert_eq!(get(text, "a.c"), Some(Value::String("x".into())));
    }

    #[test]
    fn unquoted_strings_run_to_the_end_of_the_line() {
        assert_eq!(
            get("name = Chat has been cleared # c\n", "name"),
            Some(Value::String("Chat has been cleared".into()))
        );
        // As in the HOCON spec, `//` starts a comment even inside an unquoted value.
        assert_eq!(
            get("url = jdbc:mysql://h:3306/db\n", "url"),
            Some(Value::String("jdbc:mysql:".into()))
        );
        assert_eq!(get("ratio = 0.5\n", "ratio"), Some(Value::Float(0.5)));
    }

    #[test]
    fn substitutions_read_as_their_raw_text() {
        let text = "a = 1\nb = ${a}\nc = ${?HOME}/bin\n";
        assert_eq!(get(text, "b"), Some(Value::String("${a}".into())));
        assert_eq!(get(text, "c"), Some(Value::String("${?HOME}/bin".into())));
    }
}
