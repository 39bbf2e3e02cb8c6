//! How the commands that show a host's answers print them: aligned columns as
//! `kubectl get` prints them, or the answer as JSON (`--format json`).

use std::process::ExitCode;

use serde::Serialize;

/// `--format table|json`, flattened into each command that prints a table.
#[derive(clap::Args)]
pub struct FormatArg {
    /// `table` or `json` (the API's answer as it is).
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

impl FormatArg {
    /// Prints `answer` as pretty JSON, or the table `table` makes of it.
    pub fn print<T: Serialize>(
        &self,
        answer: &T,
        table: impl FnOnce(&T) -> String,
    ) -> anyhow::Result<ExitCode> {
        if self.format == "json" {
            println!("{}", serde_json::to_string_pretty(answer)?);
        } else {
            print!("{}", table(answer));
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `rows` (the first one is the header) as left-aligned columns two spaces apart, one line
/// each, with no trailing spaces.
pub fn columns<R: AsRef<[String]>>(rows: &[R]) -> String {
    let count = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.as_ref().get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .as_ref()
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
