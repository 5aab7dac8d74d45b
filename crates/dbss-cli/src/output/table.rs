//! Aligned tables for people: columns sized by display width (a CJK character takes two
//! terminal columns), fitted to the terminal by shortening the widest columns with `…`.
//! Layout and truncation are the `tabled` crate's; this module chooses what goes in.

use serde_json::{Map, Value};
use tabled::{
    builder::Builder,
    settings::{Padding, Style, Width, object::Columns, peaker::PriorityMax},
};

use super::cells::{Null, cell, columns_of, fields};

/// A table of `rows`. Objects get a header of their (uppercased) keys — `columns` when given,
/// else every key seen; lists and scalars are rows of their own cells without a header.
/// `width`: the terminal's, to fit; `None` keeps whole values.
pub fn list(rows: &[Value], columns: Option<&[String]>, width: Option<usize>) -> String {
    let all_objects = rows.iter().all(Value::is_object);
    let found;
    let (columns, header) = match columns {
        Some(columns) => (columns, true),
        None => {
            found = columns_of(rows);
            (found.as_slice(), all_objects)
        }
    };
    let mut grid = Vec::with_capacity(rows.len() + 1);
    if header {
        grid.push(columns.iter().map(|c| c.to_uppercase()).collect());
    }
    grid.extend(
        rows.iter()
            .map(|row| fields(row, columns).into_iter().map(|v| cell(v, Null::Blank)).collect()),
    );
    layout(grid, width)
}

/// Just the header of a table of `columns` (an empty list).
pub fn header(columns: &[String]) -> String {
    layout(vec![columns.iter().map(|c| c.to_uppercase()).collect()], None)
}

/// One object as `key  value` lines.
pub fn object(map: &Map<String, Value>, width: Option<usize>) -> String {
    let grid = map
        .iter()
        .map(|(k, v)| vec![cell(&Value::String(k.clone()), Null::Blank), cell(v, Null::Blank)])
        .collect();
    layout(grid, width)
}

/// Lays `grid` out: two spaces between columns, none at the ends, no trailing blanks.
fn layout(grid: Vec<Vec<String>>, width: Option<usize>) -> String {
    let count = grid.iter().map(Vec::len).max().unwrap_or(0);
    if count == 0 {
        return String::new();
    }
    let mut builder = Builder::default();
    for mut row in grid {
        // Rows of a list of lists may differ in length; the table needs them even.
        row.resize(count, String::new());
        builder.push_record(row);
    }
    let mut table = builder.build();
    table
        .with(Style::empty())
        .with(Padding::new(0, 2, 0, 0))
        .modify(Columns::last(), Padding::zero());
    if let Some(width) = width {
        table.with(Width::truncate(width).priority(PriorityMax::right()).suffix("…"));
    }
    table
        .to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use unicode_width::UnicodeWidthStr;

    fn owned(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn lists_become_aligned_tables_with_ids_first() {
        let rows = [
            json!({"status": "ACTIVE", "id": "a", "name": "prod"}),
            json!({"id": "bb", "name": "x", "status": "SHUTOFF"}),
        ];
        assert_eq!(
            list(&rows, None, None),
            "ID  NAME  STATUS\na   prod  ACTIVE\nbb  x     SHUTOFF"
        );
    }

    #[test]
    fn given_columns_keep_their_order_and_lists_of_lists_have_no_header() {
        let rows = [json!({"id": "a", "status": "ON"})];
        assert_eq!(
            list(&rows, Some(&owned(&["status", "id"])), None),
            "STATUS  ID\nON      a"
        );
        assert_eq!(list(&[json!(["a", 1]), json!(["bb"])], None, None), "a   1\nbb");
    }

    #[test]
    fn wide_characters_are_aligned_by_display_width() {
        let rows = [json!({"k": "负责人", "v": "张三"}), json!({"k": "owner", "v": "li"})];
        let text = list(&rows, None, None);
        let starts: Vec<usize> = text
            .lines()
            .map(|line| {
                let at = line.rfind(['张', 'l', 'V']).unwrap_or(0);
                line[..at].width()
            })
            .collect();
        assert!(starts.iter().all(|s| *s == starts[0]), "{text}");
    }

    #[test]
    fn fitting_shortens_the_widest_column_and_never_exceeds_the_width() {
        let rows = [json!({"id": "i-1", "sql": "x".repeat(200), "status": "ACTIVE"})];
        for width in [20, 40, 80] {
            let text = list(&rows, None, Some(width));
            assert!(text.lines().all(|l| l.width() <= width), "{width}:\n{text}");
            assert!(text.contains('…') && text.contains("ACTIVE"), "{text}");
        }
        assert!(list(&rows, None, None).contains(&"x".repeat(200)));
        // Too narrow for anything: still no panic, still within the width.
        assert!(list(&rows, None, Some(3)).lines().all(|l| l.width() <= 3));
    }

    #[test]
    fn objects_are_key_value_lines() {
        assert_eq!(
            object(json!({"b": null, "a": 1}).as_object().unwrap_or(&Map::new()), None),
            "a  1\nb"
        );
        assert_eq!(header(&owned(&["id", "sql"])), "ID  SQL");
    }
}
