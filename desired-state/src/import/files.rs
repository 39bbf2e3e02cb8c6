//! Which config file of a plugin a source key belongs to, and at which key path.
//!
//! The prototype wrote keys as unquoted dotted paths into the plugin's `config.yml`,
//! except that:
//! - a key with `/` names another file: the part before the first `.` after the last
//!   `/` is the file (`configs/libsdisguises.MineSkinAPIKey`), the rest the key path;
//!   with no `.` after the last `/` and a map as value, the key is a whole file
//!   (`addons/Challenges/default`); with a scalar value the `/` is part of the key;
//! - a key without `/` whose value is a non-empty map is a whole file (`config`,
//!   `flags` of HuskTowns): the prototype flattened every nested map into dotted keys,
//!   so a map left whole is a file;
//! - in some plugins every key starts with its file's name (`config.metrics.uuid` of
//!   floodgate, `battlepass.Levels…` of ExcellentQuests): when any key of a plugin
//!   starts with `config.` (no real `config.yml` nests everything under `config:`),
//!   the first segment of each key without `/` is its file.
//!
//! No extension is given anywhere; [`choose_file`] assumes one and says why.

use homeamp_schemas::desired::{FileFormat, Platform};
use homeamp_schemas::{KeyPath, Segment, Value};

/// Where one source key goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// One setting at `path` in the file `stem` (no extension yet).
    Setting { stem: String, path: KeyPath },
    /// The value is the whole file `stem`; its keys are dotted paths.
    Document { stem: String },
    /// The file cannot be told; not imported, reported.
    Ambiguous(String),
    /// The key path cannot be written faithfully; not imported, reported.
    Unrepresentable(String),
}

/// How a plugin's keys name their files (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PluginShape {
    /// Every key without `/` starts with its file's name.
    pub file_prefixed: bool,
    /// `config` is given as a whole file.
    pub whole_config: bool,
}

impl PluginShape {
    /// `keys`: every source key of the plugin on one platform, with whether its value is a
    /// document (a non-empty map in a universal file).
    pub fn of<'a>(keys: impl IntoIterator<Item = (&'a str, bool)>) -> Self {
        let mut shape = PluginShape::default();
        for (key, is_doc) in keys {
            if key.contains('/') {
                continue;
            }
            if key == "config" && is_doc {
                shape.whole_config = true;
            }
            if key.starts_with("config.") && !is_doc {
                shape.file_prefixed = true;
            }
        }
        shape
    }
}

/// True for a value the prototype left as a whole file.
pub fn is_document(value: &Value) -> bool {
    matches!(value, Value::Map(m) if !m.is_empty())
}

/// Places one source key of a plugin.
pub fn place(key: &str, is_doc: bool, shape: PluginShape) -> Placement {
    if let Some(slash) = key.rfind('/') {
        match key[slash..].find('.') {
            Some(dot) => {
                let (stem, rest) = (&key[..slash + dot], &key[slash + dot + 1..]);
                if let Some(reason) = bad_file_path(stem) {
                    return Placement::Ambiguous(reason);
                }
                return match dotted(rest) {
                    Ok(path) => Placement::Setting {
                        stem: stem.to_string(),
                        path,
                    },
                    Err(reason) => Placement::Unrepresentable(reason),
                };
            }
            None if is_doc => {
                return match bad_file_path(key) {
                    Some(reason) => Placement::Ambiguous(reason),
                    None => Placement::Document {
                        stem: key.to_string(),
                    },
                };
            }
            // A scalar under a name with '/' and no '.': the '/' is part of a plain key.
            None => {}
        }
    }
    if is_doc {
        if key.contains('.') {
            return Placement::Ambiguous(format!(
                "a whole file under the dotted name {key:?}: it could be the file {:?} or a folder of another plugin",
                key.replace('.', "/")
            ));
        }
        return Placement::Document {
            stem: key.to_string(),
        };
    }
    if shape.file_prefixed {
        return match key.split_once('.') {
            Some((stem, rest)) => match dotted(rest) {
                Ok(path) => Placement::Setting { stem: stem.to_string(), path },
                Err(reason) => Placement::Unrepresentable(reason),
            },
            None => Placement::Ambiguous(
                "every other key of this plugin starts with its file's name, this one names no file".into(),
            ),
        };
    }
    if shape.whole_config {
        return Placement::Ambiguous(
            "the plugin's config is given as a whole file (key `config`), so this key beside it belongs to no known file (it looks like a file of another plugin)".into(),
        );
    }
    match dotted(key) {
        Ok(path) => Placement::Setting {
            stem: "config".into(),
            path,
        },
        Err(reason) => Placement::Unrepresentable(reason),
    }
}

/// Splits an unquoted dotted key into a key path: every `.` separates segments, and
/// segments with characters the key path grammar reserves are kept as they are (they
/// print quoted). An empty segment (`a..b`, `a.`) cannot be told from a key containing
/// a dot, so it is refused.
pub fn dotted(key: &str) -> Result<KeyPath, String> {
    if key.is_empty() {
        return Err("an empty key".into());
    }
    let mut segments = Vec::new();
    for segment in key.split('.') {
        if segment.is_empty() {
            return Err(format!(
                "the key {key:?} has an empty segment: written unquoted by the source, it cannot be told whether a '.' belongs to a key"
            ));
        }
        segments.push(Segment::Key(segment.to_string()));
    }
    Ok(KeyPath::from_segments(segments))
}

fn bad_file_path(stem: &str) -> Option<String> {
    let bad = stem.starts_with('/')
        || stem.contains('\\')
        || stem
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    bad.then(|| format!("{stem:?} is not a relative file path inside the plugin's folder"))
}

/// A file of a plugin with its format.
#[derive(Debug, Clone, PartialEq)]
pub struct FileChoice {
    /// Path relative to the plugin's folder, with its extension.
    pub name: String,
    pub format: FileFormat,
    /// Why this extension was assumed (`None` when the source gave it).
    pub assumed: Option<String>,
}

const KNOWN_EXTENSIONS: [(&str, FileFormat); 7] = [
    (".yml", FileFormat::Yaml),
    (".yaml", FileFormat::Yaml),
    (".json", FileFormat::Json),
    (".toml", FileFormat::Toml),
    (".properties", FileFormat::Properties),
    (".conf", FileFormat::Hocon),
    (".hocon", FileFormat::Hocon),
];

/// Velocity plugins whose config format is known: they write YAML.
const VELOCITY_YAML: [&str; 4] = ["velocitab", "autoviaupdater", "viarewind", "floodgate"];

/// Chooses the file name and format for `stem` of `plugin` on `platform`. `values` are
/// the file's string values, looked at for evidence of the format.
pub fn choose_file<'a>(
    platform: Platform,
    plugin: &str,
    stem: &str,
    values: impl IntoIterator<Item = &'a Value>,
) -> FileChoice {
    let lower = stem.to_ascii_lowercase();
    for (ext, format) in KNOWN_EXTENSIONS {
        if lower.ends_with(ext) {
            return FileChoice {
                name: stem.to_string(),
                format,
                assumed: None,
            };
        }
    }
    let (ext, format, reason): (&str, FileFormat, String) = match platform {
        Platform::Paper if plugin == "BentoBox" && (lower.starts_with("database/") || lower.starts_with("database_backup/")) => (
            ".json",
            FileFormat::Json,
            "BentoBox keeps its database objects as JSON files".into(),
        ),
        Platform::Paper if plugin == "BentoBox" && lower.contains("/blueprints/") => (
            ".json",
            FileFormat::Json,
            "BentoBox blueprint bundles are JSON files".into(),
        ),
        Platform::Paper => (".yml", FileFormat::Yaml, "paper plugins keep their configs as YAML (.yml)".into()),
        Platform::Geyser => (".yml", FileFormat::Yaml, "Geyser extensions keep their configs as YAML (.yml)".into()),
        Platform::Velocity if VELOCITY_YAML.contains(&plugin.to_ascii_lowercase().as_str()) => (
            ".yml",
            FileFormat::Yaml,
            format!("{plugin} writes its config files as YAML"),
        ),
        Platform::Velocity if values.into_iter().any(looks_like_raw_toml) => (
            ".toml",
            FileFormat::Toml,
            "its values still carry TOML quoting (\"\\\"…\\\"\" or a lone \"[\"), read line by line from a TOML file".into(),
        ),
        Platform::Velocity => (
            ".yml",
            FileFormat::Yaml,
            "nothing tells this velocity plugin's format; YAML assumed".into(),
        ),
    };
    FileChoice {
        name: format!("{stem}{ext}"),
        format,
        assumed: Some(reason),
    }
}

/// A string that kept its surrounding double quotes, or a lone `[` (an array's first line).
pub fn looks_like_raw_toml(value: &Value) -> bool {
    match value {
        Value::String(s) => s == "[" || quoted_literal(s),
        _ => false,
    }
}

/// A string value that still holds its own surrounding double quotes.
pub fn quoted_literal(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('"') && s.ends_with('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(stem: &str, path: &str) -> Placement {
        Placement::Setting {
            stem: stem.into(),
            path: KeyPath::parse(path).unwrap(),
        }
    }

    #[test]
    fn a_slash_names_the_file_before_the_first_dot_after_it() {
        let shape = PluginShape::default();
        assert_eq!(
            place("config/general.database.password", false, shape),
            setting("config/general", "database.password")
        );
        assert_eq!(
            place("configs/libsdisguises.MineSkinAPIKey", false, shape),
            setting("configs/libsdisguises", "MineSkinAPIKey")
        );
        assert_eq!(
            place("addons/Challenges/default", true, shape),
            Placement::Document {
                stem: "addons/Challenges/default".into()
            }
        );
    }

    #[test]
    fn a_slash_without_a_file_is_part_of_a_plain_key() {
        assert_eq!(
            place(
                "Enable high compatibility / low security mode",
                false,
                PluginShape::default()
            ),
            setting("config", "Enable high compatibility / low security mode")
        );
    }

    #[test]
    fn plain_keys_go_to_config_and_maps_are_whole_files() {
        let shape = PluginShape::default();
        assert_eq!(
            place("ReSpawn.Enabled", false, shape),
            setting("config", "ReSpawn.Enabled")
        );
        assert_eq!(
            place("flags", true, shape),
            Placement::Document {
                stem: "flags".into()
            }
        );
        assert!(matches!(
            place("BoxedEyes.config", true, shape),
            Placement::Ambiguous(_)
        ));
    }

    #[test]
    fn file_prefixed_plugins_take_the_file_from_the_first_segment() {
        let shape = PluginShape::of([
            ("config.metrics.uuid", false),
            ("battlepass.Levels.10", false),
        ]);
        assert!(shape.file_prefixed);
        assert_eq!(
            place("config.metrics.uuid", false, shape),
            setting("config", "metrics.uuid")
        );
        assert_eq!(
            place("battlepass.Levels.10", false, shape),
            setting("battlepass", "Levels.10")
        );
    }

    #[test]
    fn keys_beside_a_whole_config_are_ambiguous() {
        let shape = PluginShape::of([("config", true), ("PhantomWorlds.settings.x", false)]);
        assert!(matches!(
            place("PhantomWorlds.settings.x", false, shape),
            Placement::Ambiguous(_)
        ));
    }

    #[test]
    fn dotted_keys_keep_reserved_characters_as_quoted_segments() {
        let path = dotted("groups.we\"ird[0].x").unwrap();
        assert_eq!(path.to_string(), "groups.\"we\\\"ird[0]\".x");
        assert_eq!(KeyPath::parse(&path.to_string()).unwrap(), path);
        assert!(dotted("a..b").is_err());
        assert!(matches!(
            place("a.", false, PluginShape::default()),
            Placement::Unrepresentable(_)
        ));
    }

    #[test]
    fn extensions_are_assumed_with_a_reason() {
        let none: [&Value; 0] = [];
        let c = choose_file(Platform::Paper, "CMI", "config", none);
        assert_eq!(
            (c.name.as_str(), c.format),
            ("config.yml", FileFormat::Yaml)
        );
        assert!(c.assumed.is_some());
        let c = choose_file(
            Platform::Paper,
            "BentoBox",
            "database/Ranks/BentoBox-Ranks",
            none,
        );
        assert_eq!(c.format, FileFormat::Json);
        let c = choose_file(Platform::Paper, "X", "lang/en.yml", none);
        assert_eq!((c.name.as_str(), c.assumed), ("lang/en.yml", None));
        let quoted = Value::String("\"<gray>NONE\"".into());
        let c = choose_file(Platform::Velocity, "vserverinfo", "config", [&quoted]);
        assert_eq!(
            (c.name.as_str(), c.format),
            ("config.toml", FileFormat::Toml)
        );
        let c = choose_file(Platform::Velocity, "velocitab", "tab_groups", none);
        assert_eq!(c.name, "tab_groups.yml");
    }
}
