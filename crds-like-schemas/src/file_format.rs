//! The config file formats homeamp reads and edits, and the one table that maps a file
//! name to its format. The desired state, the import, the lossless editor and the agent's
//! scan all use this enum and this table, so a file is the same format everywhere.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    #[default]
    Yaml,
    Properties,
    Toml,
    Json,
    /// HOCON (`.conf`, `.hocon`; Configurate's format, used by Velocity- and Sponge-era
    /// plugins such as CarbonChat): read and edited losslessly like the others.
    Hocon,
}

/// File extensions (lower-case) and the format each means. `.txt` is YAML: dynmap keeps
/// its `configuration.txt` in YAML, and no plugin of the corpus keeps another format in
/// a `.txt` file.
pub const EXTENSIONS: [(&str, FileFormat); 8] = [
    ("yml", FileFormat::Yaml),
    ("yaml", FileFormat::Yaml),
    ("txt", FileFormat::Yaml),
    ("properties", FileFormat::Properties),
    ("toml", FileFormat::Toml),
    ("json", FileFormat::Json),
    ("conf", FileFormat::Hocon),
    ("hocon", FileFormat::Hocon),
];

impl FileFormat {
    pub const ALL: [FileFormat; 5] = [
        FileFormat::Yaml,
        FileFormat::Properties,
        FileFormat::Toml,
        FileFormat::Json,
        FileFormat::Hocon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Yaml => "yaml",
            FileFormat::Properties => "properties",
            FileFormat::Toml => "toml",
            FileFormat::Json => "json",
            FileFormat::Hocon => "hocon",
        }
    }

    /// The same as [`FileFormat::as_str`].
    pub fn name(self) -> &'static str {
        self.as_str()
    }

    /// The format an extension (any case, without the dot) means, by [`EXTENSIONS`].
    pub fn from_extension(extension: &str) -> Option<FileFormat> {
        let extension = extension.to_ascii_lowercase();
        EXTENSIONS
            .iter()
            .find(|(e, _)| *e == extension)
            .map(|(_, f)| *f)
    }

    /// The format a file name implies, when it implies one (by its extension).
    pub fn from_path(path: impl AsRef<Path>) -> Option<FileFormat> {
        Self::from_extension(path.as_ref().extension()?.to_str()?)
    }

    /// Whether homeamp edits files of this format: every format it reads (HOCON too, since
    /// the lossless HOCON editor); kept so callers need not change if a read-only format
    /// is added again.
    pub fn is_editable(self) -> bool {
        true
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of `yaml`, `properties`, `toml`, `json`, `hocon`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}: expected yaml, properties, toml, json or hocon")]
pub struct UnknownFormat(pub String);

impl FromStr for FileFormat {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Ok(FileFormat::Yaml),
            "properties" => Ok(FileFormat::Properties),
            "toml" => Ok(FileFormat::Toml),
            "json" => Ok(FileFormat::Json),
            "hocon" | "conf" => Ok(FileFormat::Hocon),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_formats() {
        for (name, format) in [
            ("config.yml", Some(FileFormat::Yaml)),
            ("a/b/docker.YAML", Some(FileFormat::Yaml)),
            ("configuration.txt", Some(FileFormat::Yaml)),
            ("server.properties", Some(FileFormat::Properties)),
            ("velocity.toml", Some(FileFormat::Toml)),
            ("config.json", Some(FileFormat::Json)),
            ("global.conf", Some(FileFormat::Hocon)),
            ("plugin.jar", None),
            ("README", None),
        ] {
            assert_eq!(FileFormat::from_path(name), format, "{name}");
        }
    }

    #[test]
    fn names_parse_back_and_serialise_as_themselves() {
        for f in FileFormat::ALL {
            assert_eq!(f.as_str().parse::<FileFormat>().unwrap(), f);
            assert_eq!(
                serde_json::to_value(f).unwrap(),
                serde_json::Value::String(f.as_str().into())
            );
        }
        assert!("xml".parse::<FileFormat>().is_err());
    }
}
