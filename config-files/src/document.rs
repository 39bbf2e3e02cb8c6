//! [`Document`]: one parsed config file, whatever its format. Each format keeps its exact
//! text and edits it in place; `get` and `flatten` work on the value it reads.

use homeamp_schemas::{KeyPath, Value};

use crate::error::{EditError, ParseError};
use crate::format::Format;
use crate::hocon::HoconDocument;
use crate::json::JsonDocument;
use crate::navigate;
use crate::properties::{self, PropertiesDocument};
use crate::toml::TomlDocument;
use crate::yaml::YamlDocument;

/// One config file, parsed losslessly: it keeps the exact text it was given.
#[derive(Debug)]
pub struct Document {
    format: Format,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Yaml(YamlDocument),
    Properties(PropertiesDocument),
    Toml(TomlDocument),
    Json(JsonDocument),
    Hocon(HoconDocument),
}

impl Document {
    /// Parses `text` as `format`. Invalid text gives a [`ParseError`] with a 1-based line
    /// and column.
    pub fn parse(format: Format, text: &str) -> Result<Document, ParseError> {
        let inner = match format {
            Format::Yaml => Inner::Yaml(YamlDocument::parse(text)?),
            Format::Properties => Inner::Properties(PropertiesDocument::parse(text)?),
            Format::Toml => Inner::Toml(TomlDocument::parse(text)?),
            Format::Json => Inner::Json(JsonDocument::parse(text)?),
            Format::Hocon => Inner::Hocon(HoconDocument::parse(text)?),
        };
        Ok(Document { format, inner })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The whole document as one value (`Null` for an empty YAML file).
    pub fn value(&self) -> Value {
        match &self.inner {
            Inner::Yaml(d) => d.root_value(),
            Inner::Properties(d) => d.root_value(),
            Inner::Toml(d) => d.root_value(),
            Inner::Json(d) => d.root_value(),
            Inner::Hocon(d) => d.root_value(),
        }
    }

    /// Every leaf with its key path, in file order: scalars, and empty lists and maps.
    pub fn flatten(&self) -> Vec<(KeyPath, Value)> {
        navigate::flatten(self.value())
    }

    /// The value at `path` (a whole list or map for a path that names one).
    pub fn get(&self, path: &KeyPath) -> Option<Value> {
        navigate::get(&self.value(), path)
    }

    /// The 1-based first and last lines that hold the value at `path`, from its key (for
    /// messages, and to check that an edit touched nothing else).
    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        match &self.inner {
            Inner::Yaml(d) => d.lines_of(path),
            Inner::Properties(d) => d.lines_of(path),
            Inner::Toml(d) => d.lines_of(path),
            Inner::Json(d) => d.lines_of(path),
            Inner::Hocon(d) => d.lines_of(path),
        }
    }

    /// Sets the value at `path`, creating missing parent maps. Afterwards `get(path)` equals
    /// `self.as_stored(value)`. On error the document is unchanged.
    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        match &mut self.inner {
            Inner::Yaml(d) => d.set(path, value),
            Inner::Properties(d) => d.set(path, value),
            Inner::Toml(d) => d.set(path, value),
            Inner::Json(d) => d.set(path, value),
            Inner::Hocon(d) => d.set(path, value),
        }
    }

    /// Removes the key or list item at `path`; `false` when there was nothing there.
    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        match &mut self.inner {
            Inner::Yaml(d) => d.remove(path),
            Inner::Properties(d) => d.remove(path),
            Inner::Toml(d) => d.remove(path),
            Inner::Json(d) => d.remove(path),
            Inner::Hocon(d) => d.remove(path),
        }
    }

    /// How `value` reads back from this format once set: itself, except in `.properties`,
    /// where every value is text (`20` reads back as `"20"`). The host compares `get` with
    /// this, not with the raw desired value.
    pub fn as_stored(&self, value: &Value) -> Value {
        match self.format {
            Format::Properties => properties::as_stored(value),
            _ => value.clone(),
        }
    }

    /// The document's text: byte-identical to the parsed text when nothing was edited.
    #[allow(clippy::inherent_to_string_shadow_display)]
    pub fn to_string(&self) -> String {
        self.text().to_string()
    }

    pub fn text(&self) -> &str {
        match &self.inner {
            Inner::Yaml(d) => d.text(),
            Inner::Properties(d) => d.text(),
            Inner::Toml(d) => d.text(),
            Inner::Json(d) => d.text(),
            Inner::Hocon(d) => d.text(),
        }
    }
}

impl std::fmt::Display for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}
