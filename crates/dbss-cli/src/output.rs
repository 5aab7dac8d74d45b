//! Rendering results on stdout: JSON, YAML, JSON lines, or an aligned table for people.
//! Lists are streamed: JSON and JSON lines print each item as it arrives (constant memory
//! with `--all`), tables and YAML need every row first to lay them out.

use std::io::Write;

use futures::{Stream, TryStreamExt};
use serde_json::Value;

use crate::{
    error::CliError,
    query::{Query, Row},
};

/// Output formats of `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Pretty-printed JSON (a list is an array).
    Json,
    /// YAML.
    Yaml,
    /// An aligned table of the listed items (or of the fields of a single object).
    Table,
    /// One compact JSON document per line (one per item of a list).
    Jsonl,
}

/// Longest cell shown in a table before it is cut with `…`.
const MAX_CELL: usize = 60;

/// How results are printed: the format and the fields picked by `--query`.
#[derive(Clone, Debug)]
pub struct Printer {
    /// The format.
    pub format: Format,
    /// Fields picked by `--query`.
    pub query: Option<Query>,
}

impl Printer {
    /// Prints one result object (shown as key/value lines in a table).
    pub fn object(&self, value: &Value) -> Result<(), CliError> {
        let text = match &self.query {
            Some(query) => render(&query.pick(value), self.format),
            None => render(value, self.format),
        };
        write_stdout(&text)
    }

    /// Prints a list as it arrives; `columns` are the table's columns unless `--query` picks
    /// others (empty: every field). The number of items printed.
    pub async fn list<S>(&self, items: S, columns: &[&str]) -> Result<u64, CliError>
    where
        S: Stream<Item = Result<Value, CliError>>,
    {
        let mut items = std::pin::pin!(items);
        let project = |value: &Value| -> Option<Row> {
            match (&self.query, self.format) {
                (Some(query), _) => Some(query.pick(value)),
                (None, Format::Table) if !columns.is_empty() => Some(Query::columns(columns).pick(value)),
                _ => None,
            }
        };
        let mut count = 0u64;
        match self.format {
            Format::Jsonl | Format::Json => {
                let pretty = self.format == Format::Json;
                while let Some(item) = items.try_next().await? {
                    let text = match project(&item) {
                        Some(row) => json_text(&row, pretty),
                        None => json_text(&item, pretty),
                    };
                    let text = if pretty {
                        let indented = indent(&text);
                        if count == 0 {
                            format!("[\n{indented}")
                        } else {
                            format!(",\n{indented}")
                        }
                    } else {
                        format!("{text}\n")
                    };
                    let mut out = std::io::stdout().lock();
                    out.write_all(text.as_bytes())?;
                    out.flush()?;
                    count += 1;
                }
                if pretty {
                    write_stdout(if count == 0 { "[]" } else { "\n]" })?;
                }
            }
            Format::Yaml | Format::Table => {
                let mut rows = Vec::new();
                let mut values = Vec::new();
                while let Some(item) = items.try_next().await? {
                    match project(&item) {
                        Some(row) => rows.push(row),
                        None if self.format == Format::Table => rows.push(Row::of(&item)),
                        None => values.push(item),
                    }
                    count += 1;
                }
                let text = match self.format {
                    Format::Table => table(&rows, self.query.is_none() && columns.is_empty()),
                    _ if rows.is_empty() => yaml_text(&values),
                    _ => yaml_text(&rows),
                };
                if !text.is_empty() {
                    write_stdout(&text)?;
                }
            }
        }
        Ok(count)
    }
}

/// Writes `text` and a newline to stdout.
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Renders one value in `format`.
pub fn render<T: serde::Serialize>(value: &T, format: Format) -> String {
    match format {
        Format::Json => json_text(value, true),
        Format::Jsonl => json_text(value, false),
        Format::Yaml => yaml_text(value),
        Format::Table => match serde_json::to_value(value) {
            Ok(Value::Object(map)) => key_values(&map),
            Ok(Value::Array(items)) => table(&items.iter().map(Row::of).collect::<Vec<_>>(), true),
            Ok(other) => cell(&other),
            Err(e) => format!("(cannot render: {e})"),
        },
    }
}

fn json_text<T: serde::Serialize>(value: &T, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.unwrap_or_else(|e| format!("\"(cannot render: {e})\""))
}

fn yaml_text<T: serde::Serialize>(value: &T) -> String {
    match serde_yaml::to_string(value) {
        Ok(text) => text.trim_end().to_owned(),
        Err(e) => format!("# cannot render: {e}"),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

/// An aligned table; `ids_first` puts `id`, `name` and `status` first (what people look for)
/// when the columns were not chosen explicitly.
fn table(rows: &[Row], ids_first: bool) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        for (key, _) in &row.0 {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    if ids_first {
        columns.sort_by_key(|c| match *c {
            "id" => 0,
            "name" => 1,
            "status" => 2,
            _ => 3,
        });
    }
    let grid: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| {
                    row.0
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| cell(v))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            grid.iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(columns.iter().map(|c| c.to_uppercase()).collect())];
    out.extend(grid.into_iter().map(line));
    out.join("\n")
}

fn key_values(map: &serde_json::Map<String, Value>) -> String {
    let width = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    map.iter()
        .map(|(k, v)| format!("{k:<width$}  {}", cell(v)).trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    // One line per row, whatever the service put in a field.
    let text = text.replace(['\n', '\r', '\t'], " ");
    if text.chars().count() > MAX_CELL {
        let cut: String = text.chars().take(MAX_CELL - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_become_aligned_tables_with_ids_first() {
        let rows: Vec<Row> = [
            json!({"status": "ACTIVE", "id": "a", "name": "prod"}),
            json!({"id": "bb", "name": "x", "status": "SHUTOFF"}),
        ]
        .iter()
        .map(Row::of)
        .collect();
        assert_eq!(
            table(&rows, true),
            "ID  NAME  STATUS\na   prod  ACTIVE\nbb  x     SHUTOFF"
        );
    }

    #[test]
    fn picked_columns_keep_their_order() {
        let rows = vec![Query::columns(&["status", "id"]).pick(&json!({"id": "a", "status": "ON"}))];
        assert_eq!(table(&rows, false), "STATUS  ID\nON      a");
    }

    #[test]
    fn objects_become_key_values_and_long_cells_are_cut() {
        let long = "x".repeat(80);
        let text = render(&json!({"result": "SUCCESS", "note": long}), Format::Table);
        assert!(text.contains("result  SUCCESS"));
        assert!(text.contains('…') && !text.contains(&long));
    }

    #[test]
    fn every_format_renders_an_object() {
        let value = json!({"a": 1, "b": [true]});
        assert_eq!(render(&value, Format::Jsonl), r#"{"a":1,"b":[true]}"#);
        assert_eq!(render(&value, Format::Yaml), "a: 1\nb:\n- true");
        assert!(render(&value, Format::Json).contains("\n  \"a\": 1"));
    }
}
