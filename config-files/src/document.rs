//! [`Document`]: one parsed config file, whatever its format.

use homeamp_schemas::{KeyPath, Value};

use crate::error::{EditError, ParseError};
use crate::format::Format;
use crate::navigate;
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
}

impl Document {
    /// Parses `text` as `format`. Invalid text gives a [`ParseError`] with a 1-based line
    /// and column.
    pub fn parse(format: Format, text: &str) -> Result<Document, ParseError> {
        let inner = match format {
            Format::Yaml => Inner::Yaml(YamlDocument::parse(text)?),
            other => {
                return Err(ParseError {
                    line: 1,
                    column: 1,
                    message: format!("{other} is not supported yet"),
                });
            }
        };
        Ok(Document { format, inner })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The whole document as one value (`Null` for an empty file).
    pub fn value(&self) -> Value {
        match &self.inner {
            Inner::Yaml(doc) => doc.root_value(),
        }
    }

    /// Every leaf with its key path, in file order: scalars, and empty lists and maps.
    pub fn flatten(&self) -> Vec<(KeyPath, Value)> {
        navigate::flatten(self.value())
    }

    /// The value at `path` (a whole list or map for a path that names one).
    pub fn get(&self, path: &KeyPath) -> Option<Value> {
        match &self.inner {
            Inner::Yaml(doc) => doc.get(path),
        }
    }

    /// The 1-based first and last lines that hold the value at `path`, from its key (for
    /// messages, and to check that an edit touched nothing else).
    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        match &self.inner {
            Inner::Yaml(doc) => doc.lines_of(path),
        }
    }

    /// Sets the value at `path`, creating missing parent maps. Afterwards `get(path)` reads
    /// `value` (for `.properties`, its text: see [`Document::as_stored`]). On error the
    /// document is unchanged.
    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        match &mut self.inner {
            Inner::Yaml(doc) => doc.set(path, value),
        }
    }

    /// Removes the key or list item at `path`; `false` when there was nothing there.
    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        match &mut self.inner {
            Inner::Yaml(doc) => doc.remove(path),
        }
    }

    /// How `value` reads back from this format once set: itself, except in `.properties`
    /// where every value is text. Compare `get` with this, not with the raw desired value.
    pub fn as_stored(&self, value: &Value) -> Value {
        value.clone()
    }

    /// The document's text: byte-identical to the parsed text when nothing was edited.
    #[allow(clippy::inherent_to_string_shadow_display)]
    pub fn to_string(&self) -> String {
        self.text().to_string()
    }

    pub fn text(&self) -> &str {
        match &self.inner {
            Inner::Yaml(doc) => doc.text(),
        }
    }
}

impl std::fmt::Display for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}
