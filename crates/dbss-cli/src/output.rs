//! Rendering results: JSON, or an aligned table for people.

use serde_json::Value;

/// Output formats of `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Pretty-printed JSON.
    Json,
    /// An aligned table of the listed items (or of the fields of a single object).
    Table,
}

/// Longest cell shown in a table before it is cut with `…`.
const MAX_CELL: usize = 40;

/// Renders `value` in `format`.
pub fn render(value: &Value, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
        Format::Table => table(value),
    }
}

fn table(value: &Value) -> String {
    // A list response is an object with one array of objects (`servers`, `instances`, ...).
    let rows: Vec<&serde_json::Map<String, Value>> = match value {
        Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
        Value::Object(map) => match map
            .values()
            .find_map(|v| v.as_array().filter(|a| a.iter().all(Value::is_object)))
        {
            Some(items) if !items.is_empty() => items.iter().filter_map(Value::as_object).collect(),
            _ => return key_values(map),
        },
        other => return cell(other),
    };
    let mut columns: Vec<&str> = Vec::new();
    for row in &rows {
        for key in row.keys() {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    // Ids and names first: what people look for.
    columns.sort_by_key(|c| match *c {
        "id" => 0,
        "name" => 1,
        "status" => 2,
        _ => 3,
    });
    let grid: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| row.get(*c).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            grid.iter()
                .map(|r| r[i].chars().count())
                .chain([c.len()])
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
    let width = map.keys().map(String::len).max().unwrap_or(0);
    map.iter()
        .map(|(k, v)| format!("{k:<width$}  {}", cell(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
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
        let value = json!({"total": 2, "servers": [{"status": "ACTIVE", "id": "a", "name": "prod"}, {"id": "bb", "name": "x", "status": "SHUTOFF"}]});
        assert_eq!(
            render(&value, Format::Table),
            "ID  NAME  STATUS\na   prod  ACTIVE\nbb  x     SHUTOFF"
        );
    }

    #[test]
    fn objects_become_key_values_and_long_cells_are_cut() {
        let long = "x".repeat(60);
        let text = render(&json!({"result": "SUCCESS", "note": long}), Format::Table);
        assert!(text.contains("result  SUCCESS"));
        assert!(text.contains('…') && !text.contains(&long));
    }
}
