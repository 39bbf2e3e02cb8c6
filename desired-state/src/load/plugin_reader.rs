//! A plugin file's tree → the raw [`PluginFile`] plus where each part was written.
//!
//! Plugin files are the bulk of a repository (the real fleet: 2 MB, one plugin
//! alone 30,000 lines), so they are read in one pass of the YAML parser (see
//! [`crate::yaml_tree`]) instead of once by serde and again for positions. The
//! raw type stays the contract: this reader accepts exactly what `PluginFile`'s
//! serde derive accepts (a test checks both on the same files), and its JSON
//! Schema is generated from that type.

use homeamp_schemas::desired::{FileFormat, FileSpec, PluginFile};
use indexmap::IndexMap;

use crate::diagnostic::Mark;
use crate::yaml_tree::{Key, Kind, Node, YamlError};

/// Where a key was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyMark {
    pub at: Mark,
    /// The key was quoted in YAML (columns inside it shift by one).
    pub quoted: bool,
}

impl From<&Key> for KeyMark {
    fn from(k: &Key) -> Self {
        Self {
            at: k.at,
            quoted: k.quoted,
        }
    }
}

/// A scoped key's mark and one mark per scope, in file order.
pub type ScopedKeyMarks = (KeyMark, Vec<Mark>);

/// Marks aligned by position with the maps of the [`PluginFile`] read alongside.
#[derive(Debug, Clone, Default)]
pub struct PluginMarks {
    pub folder: Mark,
    pub reload: Mark,
    /// One per `files` entry.
    pub files: Vec<Mark>,
    /// Per `universal` file: its key's mark and one mark per setting key.
    pub universal: Vec<(Mark, Vec<KeyMark>)>,
    /// Per `variable` file: its mark, and per setting key its mark and one per scope.
    pub variable: Vec<(Mark, Vec<ScopedKeyMarks>)>,
}

const FIELDS: &str = "name, folder, files, reload, universal, variable";

fn invalid(node: &Node, expected: &str) -> YamlError {
    let found = match &node.kind {
        Kind::Scalar { .. } => "a value",
        Kind::Seq(_) => "a list",
        Kind::Map(_) => "a map",
    };
    YamlError {
        at: node.at,
        message: format!("invalid type: {found}, expected {expected}"),
    }
}

fn map<'a>(node: &'a Node, expected: &str) -> Result<&'a [(Key, Node)], YamlError> {
    match &node.kind {
        Kind::Map(entries) => Ok(entries),
        // `key:` with nothing after it is an empty map, as serde reads null into a map.
        Kind::Scalar {
            text, plain: true, ..
        } if text.is_empty() || matches!(text.as_str(), "~" | "null") => Ok(&[]),
        _ => Err(invalid(node, expected)),
    }
}

fn string(node: &Node, expected: &str) -> Result<String, YamlError> {
    match &node.kind {
        Kind::Scalar { text, .. } => Ok(text.clone()),
        _ => Err(invalid(node, expected)),
    }
}

fn unknown_field(key: &Key, field: &str, expected: &str) -> YamlError {
    YamlError {
        at: key.at,
        message: format!("unknown field `{field}`, expected one of {expected}"),
    }
}

fn file_spec(node: &Node) -> Result<FileSpec, YamlError> {
    let mut spec = FileSpec::default();
    for (key, value) in map(node, "a file spec { format, owned }")? {
        match key.text.as_str() {
            "format" => {
                let text = string(value, "a format")?;
                spec.format = match text.as_str() {
                    "yaml" => FileFormat::Yaml,
                    "properties" => FileFormat::Properties,
                    "toml" => FileFormat::Toml,
                    "json" => FileFormat::Json,
                    "hocon" => FileFormat::Hocon,
                    other => {
                        return Err(YamlError {
                            at: value.at,
                            message: format!(
                                "unknown variant `{other}`, expected one of `yaml`, `properties`, `toml`, `json`, `hocon`"
                            ),
                        });
                    }
                };
            }
            "owned" => {
                spec.owned = match value.to_value()? {
                    homeamp_schemas::Value::Bool(b) => b,
                    _ => return Err(invalid(value, "a boolean")),
                };
            }
            other => return Err(unknown_field(key, other, "format, owned")),
        }
    }
    Ok(spec)
}

/// Reads a plugin file's tree. Stops at the first structural problem, like serde.
pub fn read(root: &Node) -> Result<(PluginFile, PluginMarks), YamlError> {
    let mut raw = PluginFile::default();
    let mut marks = PluginMarks::default();
    for (key, value) in map(root, "a plugin file (a map)")? {
        match key.text.as_str() {
            "name" => raw.name = Some(string(value, "a string")?),
            "folder" => {
                raw.folder = Some(string(value, "a string")?);
                marks.folder = value.at;
            }
            "reload" => {
                raw.reload = Some(string(value, "a string")?);
                marks.reload = value.at;
            }
            "files" => {
                for (path, spec) in map(value, "a map of file → { format, owned }")? {
                    raw.files.insert(path.text.clone(), file_spec(spec)?);
                    marks.files.push(path.at);
                }
            }
            "universal" => {
                for (file, settings) in map(value, "a map of file → key → value")? {
                    let mut values = IndexMap::new();
                    let mut key_marks = Vec::new();
                    for (k, v) in map(settings, "a map of key → value")? {
                        values.insert(k.text.clone(), v.to_value()?);
                        key_marks.push(KeyMark::from(k));
                    }
                    raw.universal.insert(file.text.clone(), values);
                    marks.universal.push((file.at, key_marks));
                }
            }
            "variable" => {
                for (file, keys) in map(value, "a map of file → key → scope → value")? {
                    let mut values = IndexMap::new();
                    let mut key_marks = Vec::new();
                    for (k, scopes) in map(keys, "a map of key → scope → value")? {
                        let mut by_scope = IndexMap::new();
                        let mut scope_marks = Vec::new();
                        for (scope, v) in map(scopes, "a map of scope → value")? {
                            by_scope.insert(scope.text.clone(), v.to_value()?);
                            scope_marks.push(scope.at);
                        }
                        values.insert(k.text.clone(), by_scope);
                        key_marks.push((KeyMark::from(k), scope_marks));
                    }
                    raw.variable.insert(file.text.clone(), values);
                    marks.variable.push((file.at, key_marks));
                }
            }
            other => return Err(unknown_field(key, other, FIELDS)),
        }
    }
    Ok((raw, marks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml_tree::parse;

    fn both(
        text: &str,
    ) -> (
        Result<PluginFile, YamlError>,
        Result<PluginFile, serde_yaml::Error>,
    ) {
        let ours = read(&parse(text).unwrap().root).map(|(raw, _)| raw);
        (ours, serde_yaml::from_str::<PluginFile>(text))
    }

    /// The reader and the serde derive agree on what a plugin file says.
    #[test]
    fn reads_what_serde_reads() {
        let text = "\
name: Core Protect
folder: CoreProtect
files:
  config.yml: { format: yaml }
  lang/en.json: { format: json, owned: true }
reload: \"command:co reload\"
universal:
  config.yml:
    verbose: true
    groups.\"essentials.home\": [1, 2.5, null, '3']
    nested: { a: { b: ~ } }
variable:
  config.yml:
    table-prefix: { BENT01: co_bent01_, \"tag:creative\": 7 }
";
        let (ours, theirs) = both(text);
        let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
        assert_eq!(
            serde_json::to_value(&ours).unwrap(),
            serde_json::to_value(&theirs).unwrap()
        );
        // And what serde writes (as the import does), the reader reads back.
        let written = serde_yaml::to_string(&theirs).unwrap();
        let (again, _) = both(&written);
        assert_eq!(
            serde_json::to_value(again.unwrap()).unwrap(),
            serde_json::to_value(&theirs).unwrap()
        );
    }

    #[test]
    fn refuses_what_serde_refuses() {
        for text in [
            "reloda: restart\n",
            "files: { a.yml: { format: xml } }\n",
            "files: { a.yml: { formt: yaml } }\n",
            "universal: [1]\n",
            "universal: { config.yml: 3 }\n",
            "variable: { config.yml: { k: 1 } }\n",
            "name: [x]\n",
        ] {
            let (ours, theirs) = both(text);
            assert!(theirs.is_err(), "serde accepts {text:?}");
            assert!(ours.is_err(), "reader accepts {text:?}");
        }
    }

    #[test]
    fn marks_follow_the_keys() {
        let text = "universal:\n  config.yml:\n    a: 1\n    \"b.c\": 2\nvariable:\n  config.yml:\n    x: { S1: 1, S2: 2 }\n";
        let (_, marks) = read(&parse(text).unwrap().root).unwrap();
        assert_eq!(marks.universal[0].0, Mark::new(2, 3));
        assert_eq!(marks.universal[0].1[1].at, Mark::new(4, 5));
        assert!(marks.universal[0].1[1].quoted);
        assert_eq!(
            marks.variable[0].1[0].1,
            [Mark::new(7, 10), Mark::new(7, 17)]
        );
    }
}
