//! `instances.sql`: the prototype's inventory of instances, read from its
//! `INSERT INTO instances (...) VALUES (...), (...);` statements.
//!
//! A small tokenizer rather than a SQL crate: the file is a seed script, and all the
//! import needs is the rows of one table, with `file:line:col` errors for anything
//! it cannot read. Other statements (`USE`, `SELECT`, inserts into other tables) are
//! skipped token by token, so a `;` inside a string never ends a statement early.

use homeamp_schemas::desired::Platform;

use super::error::ImportError;

/// One row of the `instances` table.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryInstance {
    pub id: String,
    pub name: Option<String>,
    pub server: String,
    pub port: Option<u16>,
    pub platform: Platform,
    pub minecraft_version: Option<String>,
    pub description: Option<String>,
    pub is_production: Option<bool>,
    /// 1-based line of the row's opening parenthesis.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    column: usize,
}

/// Parses the inventory. `display` names the file in errors.
pub fn parse(display: &str, text: &str) -> Result<Vec<InventoryInstance>, ImportError> {
    let tokens = tokenize(display, text)?;
    let mut rows = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let start = i;
        // Find the end of this statement.
        let mut end = i;
        while end < tokens.len() && tokens[end].tok != Tok::Punct(';') {
            end += 1;
        }
        let statement = &tokens[start..end];
        if is_insert_into_instances(statement) {
            rows.extend(parse_insert(
                display,
                statement,
                end_position(&tokens, end, text),
            )?);
        }
        i = end + 1;
    }
    check_unique(display, &rows)?;
    if rows.is_empty() {
        return Err(ImportError::source(
            display,
            1,
            1,
            "no `INSERT INTO instances (...) VALUES (...)` rows found; the import needs the inventory of instances",
        ));
    }
    Ok(rows)
}

fn end_position(tokens: &[Token], end: usize, text: &str) -> (usize, usize) {
    match tokens.get(end).or(tokens.last()) {
        Some(t) => (t.line, t.column),
        None => (text.lines().count().max(1), 1),
    }
}

fn word_is(token: Option<&Token>, word: &str) -> bool {
    matches!(token, Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(word))
}

fn is_insert_into_instances(statement: &[Token]) -> bool {
    word_is(statement.first(), "insert")
        && word_is(statement.get(1), "into")
        && matches!(statement.get(2), Some(Token { tok: Tok::Word(w), .. })
            if w.trim_matches('`').rsplit('.').next().is_some_and(|t| t.eq_ignore_ascii_case("instances")))
}

#[derive(Debug, Clone)]
enum Literal {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
}

fn parse_insert(
    display: &str,
    statement: &[Token],
    end: (usize, usize),
) -> Result<Vec<InventoryInstance>, ImportError> {
    let mut cursor = Cursor {
        display,
        tokens: statement,
        pos: 3,
        end,
    };
    let columns = cursor.column_list()?;
    cursor.expect_word("values")?;
    let mut rows = Vec::new();
    loop {
        let (line, column) = cursor.position();
        let values = cursor.value_list()?;
        if values.len() != columns.len() {
            return Err(ImportError::source(
                display,
                line,
                column,
                format!(
                    "this row has {} values but the column list names {}",
                    values.len(),
                    columns.len()
                ),
            ));
        }
        rows.push(row(display, line, column, &columns, values)?);
        if cursor.peek_punct(',') {
            cursor.pos += 1;
            continue;
        }
        if cursor.pos < statement.len() {
            let (line, column) = cursor.position();
            return Err(ImportError::source(
                display,
                line,
                column,
                "expected ',' or ';' after a row",
            ));
        }
        return Ok(rows);
    }
}

struct Cursor<'a> {
    display: &'a str,
    tokens: &'a [Token],
    pos: usize,
    end: (usize, usize),
}

impl Cursor<'_> {
    fn position(&self) -> (usize, usize) {
        self.tokens
            .get(self.pos)
            .map(|t| (t.line, t.column))
            .unwrap_or(self.end)
    }

    fn fail(&self, message: &str) -> ImportError {
        let (line, column) = self.position();
        ImportError::source(self.display, line, column, message)
    }

    fn peek_punct(&self, c: char) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token { tok: Tok::Punct(p), .. }) if *p == c)
    }

    fn expect_punct(&mut self, c: char) -> Result<(), ImportError> {
        if self.peek_punct(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.fail(&format!("expected '{c}'")))
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ImportError> {
        if word_is(self.tokens.get(self.pos), word) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.fail(&format!("expected {}", word.to_uppercase())))
        }
    }

    fn column_list(&mut self) -> Result<Vec<String>, ImportError> {
        self.expect_punct('(')?;
        let mut columns = Vec::new();
        loop {
            match self.tokens.get(self.pos).map(|t| &t.tok) {
                Some(Tok::Word(w)) => {
                    columns.push(w.trim_matches('`').to_ascii_lowercase());
                    self.pos += 1;
                }
                _ => return Err(self.fail("expected a column name")),
            }
            if self.peek_punct(',') {
                self.pos += 1;
            } else {
                self.expect_punct(')')?;
                return Ok(columns);
            }
        }
    }

    fn value_list(&mut self) -> Result<Vec<(Literal, usize, usize)>, ImportError> {
        self.expect_punct('(')?;
        let mut values = Vec::new();
        loop {
            let (line, column) = self.position();
            let literal = match self.tokens.get(self.pos).map(|t| &t.tok) {
                Some(Tok::Str(s)) => Literal::Str(s.clone()),
                Some(Tok::Num(n)) => Literal::Num(n.clone()),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
                _ => {
                    return Err(self.fail(
                        "expected a value: a 'quoted string', a number, TRUE, FALSE or NULL",
                    ));
                }
            };
            self.pos += 1;
            values.push((literal, line, column));
            if self.peek_punct(',') {
                self.pos += 1;
            } else {
                self.expect_punct(')')?;
                return Ok(values);
            }
        }
    }
}

fn row(
    display: &str,
    line: usize,
    column: usize,
    columns: &[String],
    values: Vec<(Literal, usize, usize)>,
) -> Result<InventoryInstance, ImportError> {
    let field = |name: &str| {
        columns
            .iter()
            .position(|c| c == name)
            .map(|i| values[i].clone())
    };
    let text = |name: &str| -> Result<Option<String>, ImportError> {
        match field(name) {
            None | Some((Literal::Null, ..)) => Ok(None),
            Some((Literal::Str(s), ..)) => Ok(Some(s)),
            Some((Literal::Num(n), ..)) => Ok(Some(n)),
            Some((Literal::Bool(_), l, c)) => Err(ImportError::source(
                display,
                l,
                c,
                format!("{name} must be a string"),
            )),
        }
    };
    let required = |name: &str| -> Result<String, ImportError> {
        match text(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => {
                let (l, c) = field(name)
                    .map(|(_, l, c)| (l, c))
                    .unwrap_or((line, column));
                Err(ImportError::source(
                    display,
                    l,
                    c,
                    format!("every instance needs a {name}; add the column and a value"),
                ))
            }
        }
    };
    let id = required("instance_id")?;
    let server = required("server_name")?;
    let platform_text = required("platform")?;
    let platform = Platform::parse(&platform_text.to_ascii_lowercase()).ok_or_else(|| {
        let (l, c) = field("platform")
            .map(|(_, l, c)| (l, c))
            .unwrap_or((line, column));
        ImportError::source(
            display,
            l,
            c,
            format!("unknown platform {platform_text:?}; expected paper, velocity or geyser"),
        )
    })?;
    let port = match field("port") {
        None | Some((Literal::Null, ..)) => None,
        Some((Literal::Num(n), l, c)) => Some(n.parse::<u16>().map_err(|_| {
            ImportError::source(
                display,
                l,
                c,
                format!("port {n} is not a TCP port (0-65535)"),
            )
        })?),
        Some((_, l, c)) => {
            return Err(ImportError::source(display, l, c, "port must be a number"));
        }
    };
    let is_production = match field("is_production") {
        Some((Literal::Bool(b), ..)) => Some(b),
        Some((Literal::Num(n), ..)) if n == "0" || n == "1" => Some(n == "1"),
        _ => None,
    };
    Ok(InventoryInstance {
        id,
        name: text("instance_name")?,
        server,
        port,
        platform,
        minecraft_version: text("minecraft_version")?,
        description: text("description")?,
        is_production,
        line,
    })
}

fn check_unique(display: &str, rows: &[InventoryInstance]) -> Result<(), ImportError> {
    for (i, row) in rows.iter().enumerate() {
        if let Some(first) = rows[..i].iter().find(|r| r.id == row.id) {
            return Err(ImportError::source(
                display,
                row.line,
                1,
                format!(
                    "instance {} is listed twice (first on line {}); keep one row",
                    row.id, first.line
                ),
            ));
        }
    }
    Ok(())
}

fn tokenize(display: &str, text: &str) -> Result<Vec<Token>, ImportError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0, 1, 1);
    let advance = |c: char, line: &mut usize, column: &mut usize| {
        if c == '\n' {
            *line += 1;
            *column = 1;
        } else {
            *column += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let (start_line, start_column) = (line, column);
        if c.is_whitespace() {
            advance(c, &mut line, &mut column);
            i += 1;
        } else if (c == '-' && chars.get(i + 1) == Some(&'-')) || c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                advance(chars[i], &mut line, &mut column);
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            loop {
                if i >= chars.len() {
                    return Err(ImportError::source(
                        display,
                        start_line,
                        start_column,
                        "unterminated /* comment",
                    ));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    column += 2;
                    i += 2;
                    break;
                }
                advance(chars[i], &mut line, &mut column);
                i += 1;
            }
        } else if c == '\'' || c == '"' {
            let quote = c;
            let mut value = String::new();
            advance(c, &mut line, &mut column);
            i += 1;
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err(ImportError::source(
                        display,
                        start_line,
                        start_column,
                        "unterminated string: add the closing quote",
                    ));
                };
                advance(d, &mut line, &mut column);
                i += 1;
                if d == quote {
                    if chars.get(i) == Some(&quote) {
                        value.push(quote);
                        advance(quote, &mut line, &mut column);
                        i += 1;
                        continue;
                    }
                    break;
                }
                if d == '\\' {
                    let Some(&e) = chars.get(i) else { continue };
                    advance(e, &mut line, &mut column);
                    i += 1;
                    value.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        other => other,
                    });
                    continue;
                }
                value.push(d);
            }
            let tok = if quote == '\'' {
                Tok::Str(value)
            } else {
                Tok::Word(value)
            };
            tokens.push(Token {
                tok,
                line: start_line,
                column: start_column,
            });
        } else if c.is_ascii_digit()
            || (c == '-' || c == '+') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
        {
            let mut value = String::from(c);
            advance(c, &mut line, &mut column);
            i += 1;
            while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit() || **d == '.') {
                value.push(d);
                advance(d, &mut line, &mut column);
                i += 1;
            }
            tokens.push(Token {
                tok: Tok::Num(value),
                line: start_line,
                column: start_column,
            });
        } else if c.is_alphanumeric() || c == '_' || c == '`' {
            let mut value = String::new();
            while let Some(&d) = chars.get(i).filter(|d| {
                d.is_alphanumeric() || **d == '_' || **d == '`' || **d == '.' || **d == '$'
            }) {
                value.push(d);
                advance(d, &mut line, &mut column);
                i += 1;
            }
            tokens.push(Token {
                tok: Tok::Word(value),
                line: start_line,
                column: start_column,
            });
        } else {
            advance(c, &mut line, &mut column);
            i += 1;
            tokens.push(Token {
                tok: Tok::Punct(c),
                line: start_line,
                column: start_column,
            });
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQL: &str = "-- seed\nUSE db;\nINSERT INTO instances (instance_id, instance_name, server_name, server_host, port, platform, minecraft_version, is_active, is_production, description) VALUES\n    ('SMP201', 'Archive SMP; Season 2', 'ovh-ryzen', '10.0.0.1', 1184, 'paper', '1.21.8', true, true, 'It''s primary'),\n    ('VEL01', 'Velocity', 'ovh-ryzen', '10.0.0.1', 25565, 'velocity', NULL, true, false, NULL);\nSELECT 'x;y' AS status;\n";

    #[test]
    fn rows_are_read_with_their_columns() {
        let rows = parse("instances.sql", SQL).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, "SMP201");
        assert_eq!(rows[0].name.as_deref(), Some("Archive SMP; Season 2"));
        assert_eq!(rows[0].description.as_deref(), Some("It's primary"));
        assert_eq!(rows[0].port, Some(1184));
        assert_eq!(rows[0].line, 4);
        assert_eq!(rows[1].platform, Platform::Velocity);
        assert_eq!(rows[1].minecraft_version, None);
        assert_eq!(rows[1].is_production, Some(false));
    }

    #[test]
    fn an_unterminated_string_names_where_it_starts() {
        let err = parse(
            "i.sql",
            "INSERT INTO instances (instance_id) VALUES\n  ('A);",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "i.sql:2:4: unterminated string: add the closing quote"
        );
    }

    #[test]
    fn a_short_row_is_refused() {
        let err = parse(
            "i.sql",
            "INSERT INTO instances (instance_id, server_name, platform) VALUES\n ('A', 's');",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("i.sql:2:2: this row has 2 values"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_platform_is_refused_at_its_value() {
        let err = parse(
            "i.sql",
            "INSERT INTO instances (instance_id, server_name, platform) VALUES ('A', 's', 'forge');",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("i.sql:1:78: unknown platform \"forge\""),
            "{err}"
        );
    }

    #[test]
    fn duplicate_instances_are_refused() {
        let err = parse(
            "i.sql",
            "INSERT INTO instances (instance_id, server_name, platform) VALUES\n ('A', 's', 'paper'),\n ('A', 's', 'paper');",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("instance A is listed twice (first on line 2)"),
            "{err}"
        );
    }
}
