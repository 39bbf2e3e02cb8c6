//! TOML files (`velocity.toml`), through `toml_edit`, which keeps every comment, blank line
//! and formatting detail of what an edit does not touch. A replaced value keeps its
//! surrounding whitespace and comment (its "decor") and, for strings, its quote style.

use homeamp_schemas::{KeyPath, Segment, Value};
use indexmap::IndexMap;
use toml_edit::{DocumentMut, Item, Table};

use crate::error::{EditError, ParseError};
use crate::format::Format;
use crate::position::line_column;

#[derive(Debug)]
pub struct TomlDocument {
    text: String,
    doc: DocumentMut,
}

fn parse_error(text: &str, e: &toml_edit::TomlError) -> ParseError {
    let offset = e.span().map_or(0, |s| s.start);
    ParseError::at(text, offset, e.message().trim().to_string())
}

impl TomlDocument {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| parse_error(text, &e))?;
        Ok(Self {
            text: text.to_string(),
            doc,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn root_value(&self) -> Value {
        item_value(self.doc.as_item()).unwrap_or(Value::Null)
    }

    pub fn lines_of(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let spanned = toml_edit::Document::parse(self.text.clone()).ok()?;
        let mut item = spanned.as_item();
        let mut start = None;
        for segment in path.segments() {
            item = match segment {
                Segment::Key(k) => {
                    let (key, next) = item.as_table_like()?.get_key_value(k)?;
                    start = key.span().map(|s| s.start);
                    next
                }
                Segment::Index(i) => {
                    let next = item.get(*i)?;
                    start = next.span().map(|s| s.start);
                    next
                }
            };
        }
        let span = item.span()?;
        let start = start.unwrap_or(span.start).min(span.start);
        Some((
            line_column(&self.text, start).0,
            line_column(&self.text, span.end).0,
        ))
    }

    pub fn set(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        let (last, parents) = path.segments().split_last().ok_or(EditError::Root)?;
        check_representable(path, value)?;
        let mut item = self.doc.as_item_mut();
        for (depth, segment) in parents.iter().enumerate() {
            let missing_here = match segment {
                Segment::Key(k) => match item.as_table_like() {
                    Some(t) => !t.contains_key(k),
                    None => return Err(not_a_container(path, depth, item)),
                },
                Segment::Index(i) => match item {
                    Item::ArrayOfTables(a) => *i >= a.len(),
                    Item::Value(toml_edit::Value::Array(a)) => *i >= a.len(),
                    _ => return Err(not_a_container(path, depth, item)),
                },
            };
            if missing_here {
                // Create the rest of the path as one new value under this container.
                let nested = crate::navigate::nest(path, &path.segments()[depth..], value)?;
                let Value::Map(map) = nested else {
                    return Err(EditError::Unrepresentable {
                        path: path.clone(),
                        reason: "a missing list can only be created by setting the whole list"
                            .into(),
                    });
                };
                let (k, v) = map.into_iter().next().ok_or(EditError::Root)?;
                let as_table = matches!(item, Item::Table(_));
                if let Some(t) = item.as_table_like_mut() {
                    t.insert(&k, to_item(&v, as_table)?);
                }
                return self.finish(path, value);
            }
            item = match segment {
                Segment::Key(k) => item
                    .as_table_like_mut()
                    .and_then(|t| t.get_mut(k))
                    .ok_or(EditError::Root)?,
                Segment::Index(i) => item.get_mut(*i).ok_or(EditError::Root)?,
            };
        }
        match last {
            Segment::Key(k) => {
                let as_table = matches!(item, Item::Table(_));
                let Some(table) = item.as_table_like_mut() else {
                    return Err(not_a_container(path, parents.len(), item));
                };
                match table.get_mut(k) {
                    Some(existing) => replace_item(existing, value)?,
                    None => {
                        table.insert(k, to_item(value, as_table)?);
                    }
                }
            }
            Segment::Index(i) => match item {
                Item::ArrayOfTables(aot) => {
                    let Value::Map(map) = value else {
                        return Err(EditError::Unrepresentable {
                            path: path.clone(),
                            reason: "an array of tables ([[...]]) holds only tables".into(),
                        });
                    };
                    let table = to_table(map)?;
                    let len = aot.len();
                    match aot.get_mut(*i) {
                        Some(t) => *t = table,
                        None if *i == len => aot.push(table),
                        None => {
                            return Err(EditError::IndexOutOfRange {
                                path: path.clone(),
                                len,
                            });
                        }
                    }
                }
                Item::Value(toml_edit::Value::Array(array)) => {
                    let len = array.len();
                    match array.get_mut(*i) {
                        Some(existing) => replace_value(existing, value)?,
                        None if *i == len => array.push_formatted(to_value(value)?),
                        None => {
                            return Err(EditError::IndexOutOfRange {
                                path: path.clone(),
                                len,
                            });
                        }
                    }
                }
                other => return Err(not_a_container(path, parents.len(), other)),
            },
        }
        self.finish(path, value)
    }

    /// Renders the edited document and checks that it reads back as intended.
    fn finish(&mut self, path: &KeyPath, value: &Value) -> Result<(), EditError> {
        let text = self.doc.to_string();
        let reread = TomlDocument::parse(&text).map_err(|e| EditError::Unrepresentable {
            path: path.clone(),
            reason: format!("the edited file would not parse ({e})"),
        })?;
        if crate::navigate::get(&reread.root_value(), path).as_ref() != Some(value) {
            // Put the document back as it was.
            if let Ok(doc) = self.text.parse::<DocumentMut>() {
                self.doc = doc;
            }
            return Err(EditError::Unrepresentable {
                path: path.clone(),
                reason: "the edit did not read back as the value asked for; nothing was changed"
                    .into(),
            });
        }
        self.text = text;
        Ok(())
    }

    pub fn remove(&mut self, path: &KeyPath) -> Result<bool, EditError> {
        let (last, parents) = path.segments().split_last().ok_or(EditError::Root)?;
        let mut item = self.doc.as_item_mut();
        for segment in parents {
            let next = match segment {
                Segment::Key(k) => item.as_table_like_mut().and_then(|t| t.get_mut(k)),
                Segment::Index(i) => item.get_mut(*i),
            };
            match next {
                Some(next) => item = next,
                None => return Ok(false),
            }
        }
        let removed = match (last, item) {
            (Segment::Key(k), item) => item.as_table_like_mut().and_then(|t| t.remove(k)).is_some(),
            (Segment::Index(i), Item::ArrayOfTables(aot)) if *i < aot.len() => {
                aot.remove(*i);
                true
            }
            (Segment::Index(i), Item::Value(toml_edit::Value::Array(a))) if *i < a.len() => {
                a.remove(*i);
                true
            }
            _ => false,
        };
        if removed {
            self.text = self.doc.to_string();
        }
        Ok(removed)
    }
}

fn not_a_container(path: &KeyPath, depth: usize, item: &Item) -> EditError {
    EditError::NotAContainer {
        path: path.clone(),
        parent: KeyPath::from_segments(path.segments()[..depth].to_vec()),
        found: item_value(item).map_or(homeamp_schemas::ValueKind::Null, |v| v.kind()),
        segment: path.segments()[depth].to_string_lossy(),
    }
}

trait SegmentName {
    fn to_string_lossy(&self) -> String;
}

impl SegmentName for Segment {
    fn to_string_lossy(&self) -> String {
        match self {
            Segment::Key(k) => format!("key {k:?}"),
            Segment::Index(i) => format!("item [{i}]"),
        }
    }
}

/// TOML has no null: refuse it anywhere inside the value.
fn check_representable(path: &KeyPath, value: &Value) -> Result<(), EditError> {
    match value {
        Value::Null => Err(EditError::Unsupported {
            path: path.clone(),
            format: Format::Toml,
            kind: homeamp_schemas::ValueKind::Null,
        }),
        Value::List(items) => items.iter().try_for_each(|v| check_representable(path, v)),
        Value::Map(map) => map.values().try_for_each(|v| check_representable(path, v)),
        _ => Ok(()),
    }
}

fn item_value(item: &Item) -> Option<Value> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(value_of(v)),
        Item::Table(t) => Some(Value::Map(
            t.iter()
                .filter_map(|(k, v)| Some((k.to_string(), item_value(v)?)))
                .collect(),
        )),
        Item::ArrayOfTables(a) => Some(Value::List(
            a.iter()
                .map(|t| {
                    Value::Map(
                        t.iter()
                            .filter_map(|(k, v)| Some((k.to_string(), item_value(v)?)))
                            .collect(),
                    )
                })
                .collect(),
        )),
    }
}

fn value_of(v: &toml_edit::Value) -> Value {
    match v {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::Int(*i.value()),
        toml_edit::Value::Float(f) => Value::Float(*f.value()),
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::List(a.iter().map(value_of).collect()),
        toml_edit::Value::InlineTable(t) => Value::Map(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_of(v)))
                .collect::<IndexMap<_, _>>(),
        ),
    }
}

fn to_value(value: &Value) -> Result<toml_edit::Value, EditError> {
    Ok(match value {
        Value::Null => {
            return Err(EditError::Unsupported {
                path: KeyPath::root(),
                format: Format::Toml,
                kind: homeamp_schemas::ValueKind::Null,
            });
        }
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => (*f).into(),
        Value::String(s) => s.as_str().into(),
        Value::List(items) => {
            let mut array = toml_edit::Array::new();
            for item in items {
                array.push_formatted(to_value(item)?);
            }
            array.fmt();
            toml_edit::Value::Array(array)
        }
        Value::Map(map) => {
            let mut table = toml_edit::InlineTable::new();
            for (k, v) in map {
                table.insert(k, to_value(v)?);
            }
            table.fmt();
            toml_edit::Value::InlineTable(table)
        }
    })
}

fn to_table(map: &IndexMap<String, Value>) -> Result<Table, EditError> {
    let mut table = Table::new();
    for (k, v) in map {
        table.insert(k, to_item(v, true)?);
    }
    Ok(table)
}

/// A new item: maps under a `[table]` become `[sub.tables]`, everything else inline.
fn to_item(value: &Value, under_table: bool) -> Result<Item, EditError> {
    match value {
        Value::Map(map) if under_table => Ok(Item::Table(to_table(map)?)),
        v => Ok(Item::Value(to_value(v)?)),
    }
}

/// Replaces an existing item, keeping its decor, its string quote style, and for tables
/// the keys that stay.
fn replace_item(item: &mut Item, value: &Value) -> Result<(), EditError> {
    match (item, value) {
        (Item::Value(old), v) => replace_value(old, v),
        (Item::Table(table), Value::Map(map)) => {
            for (k, v) in map {
                match table.get_mut(k) {
                    Some(existing) => replace_item(existing, v)?,
                    None => {
                        table.insert(k, to_item(v, true)?);
                    }
                }
            }
            let stale: Vec<String> = table
                .iter()
                .map(|(k, _)| k.to_string())
                .filter(|k| !map.contains_key(k))
                .collect();
            for k in stale {
                table.remove(&k);
            }
            Ok(())
        }
        (item, v) => {
            *item = to_item(v, false)?;
            Ok(())
        }
    }
}

fn replace_value(old: &mut toml_edit::Value, value: &Value) -> Result<(), EditError> {
    if value_of(old) == *value && value_of(old).kind() == value.kind() {
        return Ok(());
    }
    let mut new = match (&*old, value) {
        // A literal string ('...') stays literal when the new text allows it.
        (toml_edit::Value::String(s), Value::String(text))
            if s.display_repr().starts_with('\'') && !text.contains(['\'', '\n', '\r']) =>
        {
            format!("'{text}'")
                .parse::<toml_edit::Value>()
                .unwrap_or_else(|_| text.as_str().into())
        }
        _ => to_value(value)?,
    };
    *new.decor_mut() = old.decor().clone();
    *old = new;
    Ok(())
}
