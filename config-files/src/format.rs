//! The config file formats homeamp reads, and how a file name maps to one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Yaml,
    Properties,
    Toml,
    Json,
    /// Read-only: HOCON (`.conf`, used by Velocity-era plugins such as CarbonChat).
    Hocon,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Yaml,
        Format::Properties,
        Format::Toml,
        Format::Json,
        Format::Hocon,
    ];

    /// The format of a file, from its extension: `.yml`, `.yaml` and `.txt` (dynmap's
    /// `configuration.txt`) are YAML, `.properties`, `.toml`, `.json`, and `.conf` is HOCON.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yml" | "yaml" | "txt" => Some(Format::Yaml),
            "properties" => Some(Format::Properties),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "conf" | "hocon" => Some(Format::Hocon),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Properties => "properties",
            Format::Toml => "toml",
            Format::Json => "json",
            Format::Hocon => "hocon",
        }
    }

    /// False for formats homeamp reads but does not edit (HOCON).
    pub fn is_editable(self) -> bool {
        !matches!(self, Format::Hocon)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name is not one of `yaml`, `properties`, `toml`, `json`, `hocon`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}: expected yaml, properties, toml, json or hocon")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Ok(Format::Yaml),
            "properties" => Ok(Format::Properties),
            "toml" => Ok(Format::Toml),
            "json" => Ok(Format::Json),
            "hocon" | "conf" => Ok(Format::Hocon),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// The format a desired-state file spec names.
impl From<homeamp_schemas::desired::FileFormat> for Format {
    fn from(format: homeamp_schemas::desired::FileFormat) -> Self {
        use homeamp_schemas::desired::FileFormat;
        match format {
            FileFormat::Yaml => Format::Yaml,
            FileFormat::Properties => Format::Properties,
            FileFormat::Toml => Format::Toml,
            FileFormat::Json => Format::Json,
            FileFormat::Hocon => Format::Hocon,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_formats() {
        for (name, format) in [
            ("config.yml", Some(Format::Yaml)),
            ("a/b/docker.YAML", Some(Format::Yaml)),
            ("configuration.txt", Some(Format::Yaml)),
            ("server.properties", Some(Format::Properties)),
            ("velocity.toml", Some(Format::Toml)),
            ("config.json", Some(Format::Json)),
            ("global.conf", Some(Format::Hocon)),
            ("plugin.jar", None),
            ("README", None),
        ] {
            assert_eq!(Format::from_path(Path::new(name)), format, "{name}");
        }
    }

    #[test]
    fn names_parse_back() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
        }
        assert!("xml".parse::<Format>().is_err());
    }
}
