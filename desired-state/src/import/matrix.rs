//! `deployment_matrix.csv`: reading the user's spreadsheet export and writing the
//! imported one.
//!
//! Columns: `plugin_name, plugin_type, auto_update, update_source`, then one
//! `server_<INSTANCE>` column per instance. A cell is `True`, `False`, or a version to pin.

use homeamp_schemas::desired::Platform;

use super::error::ImportError;

pub const FIXED_COLUMNS: [&str; 4] = ["plugin_name", "plugin_type", "auto_update", "update_source"];
pub const SERVER_PREFIX: &str = "server_";

/// The matrix as read: instance columns by their name in the file.
#[derive(Debug, Clone)]
pub struct SourceMatrix {
    /// Instance names of the `server_<NAME>` columns, in file order.
    pub columns: Vec<String>,
    pub rows: Vec<SourceRow>,
}

#[derive(Debug, Clone)]
pub struct SourceRow {
    /// 1-based line in the file.
    pub line: usize,
    pub plugin_name: String,
    pub plugin_type: String,
    pub platform: Platform,
    pub auto_update: String,
    pub update_source: String,
    /// One cell per column, as written.
    pub cells: Vec<String>,
}

/// What a cell says about one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Absent,
    Present,
    /// Deployed, pinned to this version.
    Pinned(String),
}

impl Cell {
    pub fn parse(text: &str) -> Cell {
        let t = text.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("false") {
            Cell::Absent
        } else if t.eq_ignore_ascii_case("true") {
            Cell::Present
        } else {
            Cell::Pinned(t.to_string())
        }
    }

    pub fn deployed(&self) -> bool {
        !matches!(self, Cell::Absent)
    }
}

/// The platform a `plugin_type` names (`bukkit/paper`, `paper`, `spigot`, `velocity`, `geyser`).
pub fn platform_of_type(plugin_type: &str) -> Option<Platform> {
    let t = plugin_type.trim().to_ascii_lowercase();
    match t.as_str() {
        "bukkit/paper" | "paper" | "bukkit" | "spigot" | "spigot/paper" | "purpur" => {
            Some(Platform::Paper)
        }
        "velocity" => Some(Platform::Velocity),
        "geyser" | "geyser/extension" => Some(Platform::Geyser),
        _ => None,
    }
}

/// The `plugin_type` written for a platform.
pub fn type_of_platform(platform: Platform) -> &'static str {
    match platform {
        Platform::Paper => "bukkit/paper",
        Platform::Velocity => "velocity",
        Platform::Geyser => "geyser",
    }
}

/// The 1-based character column of field `index` in one CSV line (quotes honoured).
fn field_column(line: &str, index: usize) -> usize {
    let mut field = 0;
    let mut quoted = false;
    for (col, c) in line.chars().enumerate() {
        if field == index {
            return col + 1;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => field += 1,
            _ => {}
        }
    }
    if field == index {
        line.chars().count() + 1
    } else {
        1
    }
}

pub fn parse(display: &str, text: &str) -> Result<SourceMatrix, ImportError> {
    let lines: Vec<&str> = text.lines().collect();
    let line_text = |n: usize| lines.get(n.saturating_sub(1)).copied().unwrap_or("");
    let csv_error = |err: csv::Error| {
        let line = err.position().map(|p| p.line() as usize).unwrap_or(1);
        let message = match err.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "this row has {len} fields but the header has {expected_len}; every row needs one cell per column"
            ),
            csv::ErrorKind::Utf8 { .. } => "not valid UTF-8; save the file as UTF-8".to_string(),
            _ => err.to_string(),
        };
        ImportError::source(display, line.max(1), 1, message)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(record) => record.map_err(csv_error)?,
        None => {
            return Err(ImportError::source(
                display,
                1,
                1,
                "empty file: expected a header row",
            ));
        }
    };
    let header_line = header.position().map(|p| p.line() as usize).unwrap_or(1);
    for (i, expected) in FIXED_COLUMNS.iter().enumerate() {
        if header.get(i).map(str::trim) != Some(*expected) {
            return Err(ImportError::source(
                display,
                header_line,
                field_column(line_text(header_line), i),
                format!(
                    "column {} must be `{expected}` (header: {})",
                    i + 1,
                    FIXED_COLUMNS.join(",")
                ),
            ));
        }
    }
    let mut columns = Vec::new();
    for (i, name) in header.iter().enumerate().skip(FIXED_COLUMNS.len()) {
        let Some(instance) = name
            .trim()
            .strip_prefix(SERVER_PREFIX)
            .filter(|n| !n.is_empty())
        else {
            return Err(ImportError::source(
                display,
                header_line,
                field_column(line_text(header_line), i),
                format!("column {name:?} must be named server_<INSTANCE>"),
            ));
        };
        if columns.iter().any(|c| c == instance) {
            return Err(ImportError::source(
                display,
                header_line,
                field_column(line_text(header_line), i),
                format!("column {name:?} appears twice; keep one"),
            ));
        }
        columns.push(instance.to_string());
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(1);
        let field = |i: usize| record.get(i).unwrap_or("").to_string();
        let plugin_name = field(0).trim().to_string();
        if plugin_name.is_empty() {
            return Err(ImportError::source(
                display,
                line,
                1,
                "empty plugin_name; name the plugin or delete the row",
            ));
        }
        let plugin_type = field(1);
        let platform = platform_of_type(&plugin_type).ok_or_else(|| {
            ImportError::source(
                display,
                line,
                field_column(line_text(line), 1),
                format!(
                    "unknown plugin_type {plugin_type:?}; expected bukkit/paper, velocity or geyser"
                ),
            )
        })?;
        rows.push(SourceRow {
            line,
            plugin_name,
            plugin_type,
            platform,
            auto_update: field(2),
            update_source: field(3),
            cells: (FIXED_COLUMNS.len()..record.len()).map(field).collect(),
        });
    }
    Ok(SourceMatrix { columns, rows })
}

/// One row of the written matrix.
#[derive(Debug, Clone)]
pub struct OutRow {
    pub plugin_name: String,
    pub platform: Platform,
    pub auto_update: String,
    pub update_source: String,
    pub cells: Vec<String>,
}

/// Writes the matrix; `columns` are instance names.
pub fn write(columns: &[String], rows: &[OutRow]) -> Result<Vec<u8>, ImportError> {
    let fail = |err: csv::Error| ImportError::Serialize {
        what: "deployment_matrix.csv".into(),
        message: err.to_string(),
    };
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(columns.iter().map(|c| format!("{SERVER_PREFIX}{c}")));
    writer.write_record(&header).map_err(fail)?;
    for row in rows {
        let mut record = vec![
            row.plugin_name.clone(),
            type_of_platform(row.platform).to_string(),
            row.auto_update.clone(),
            row.update_source.clone(),
        ];
        record.extend(row.cells.iter().cloned());
        writer.write_record(&record).map_err(fail)?;
    }
    writer.into_inner().map_err(|err| ImportError::Serialize {
        what: "deployment_matrix.csv".into(),
        message: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_rows_and_cells() {
        let m = parse(
            "m.csv",
            "plugin_name,plugin_type,auto_update,update_source,server_A,server_B\n\"1p death, all death\",bukkit/paper,False,manual,True,2.3.1\nVelocitab,velocity,False,manual,False,False\n",
        )
        .unwrap();
        assert_eq!(m.columns, ["A", "B"]);
        assert_eq!(m.rows[0].plugin_name, "1p death, all death");
        assert_eq!(m.rows[0].line, 2);
        assert_eq!(Cell::parse(&m.rows[0].cells[0]), Cell::Present);
        assert_eq!(
            Cell::parse(&m.rows[0].cells[1]),
            Cell::Pinned("2.3.1".into())
        );
        assert_eq!(m.rows[1].platform, Platform::Velocity);
    }

    #[test]
    fn a_short_row_names_its_line() {
        let err = parse(
            "m.csv",
            "plugin_name,plugin_type,auto_update,update_source,server_A\nX,bukkit/paper,False\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.csv:2:1: this row has 3 fields"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_column_name_names_its_column() {
        let err = parse(
            "m.csv",
            "plugin_name,plugin_type,auto_update,update_source,A\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("m.csv:1:51: column \"A\""),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_plugin_type_names_its_cell() {
        let err = parse(
            "m.csv",
            "plugin_name,plugin_type,auto_update,update_source\nX,forge,False,manual\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.csv:2:3: unknown plugin_type"),
            "{err}"
        );
    }

    #[test]
    fn written_matrix_reads_back() {
        let bytes = write(
            &["A".into()],
            &[OutRow {
                plugin_name: "a, b".into(),
                platform: Platform::Velocity,
                auto_update: "False".into(),
                update_source: "manual".into(),
                cells: vec!["True".into()],
            }],
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "plugin_name,plugin_type,auto_update,update_source,server_A\n\"a, b\",velocity,False,manual,True\n"
        );
        assert_eq!(parse("m.csv", &text).unwrap().rows[0].plugin_name, "a, b");
    }
}
