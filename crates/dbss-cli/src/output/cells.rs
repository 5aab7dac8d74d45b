//! One value as the text of a table cell or a text-output field: always a single line, with
//! no control characters (a value from the service cannot move the cursor or recolour the
//! terminal, nor split a record of `-o text` in two).

use serde_json::Value;

/// How a JSON `null` is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Null {
    /// An empty cell (tables).
    Blank,
    /// The word `null`, as `jq -r` prints it: an empty field would shift the columns that a
    /// shell's `read` splits (text output).
    Word,
}

/// `value` on one line: strings as they are, nested lists and objects as compact JSON.
pub fn cell(value: &Value, null: Null) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null if null == Null::Blank => String::new(),
        other => other.to_string(),
    };
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The fields of one record: a list's elements, an object's values under `columns` (missing
/// ones are null), or the value itself.
pub fn fields<'v>(value: &'v Value, columns: &[String]) -> Vec<&'v Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => columns.iter().map(|c| map.get(c).unwrap_or(&Value::Null)).collect(),
        other => vec![other],
    }
}

/// The columns of a list of objects: every key seen, `id`, `name` and `status` first (what
/// people look for), the rest in the order met (alphabetical within one object).
pub fn columns_of<'v>(rows: impl IntoIterator<Item = &'v Value>) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        if let Value::Object(map) = row {
            for key in map.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    columns.sort_by_key(|c| match c.as_str() {
        "id" => 0,
        "name" => 1,
        "status" => 2,
        _ => 3,
    });
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_single_lines_without_control_characters() {
        assert_eq!(cell(&json!("a\tb\nc\u{1b}[31m"), Null::Blank), "a b c [31m");
        assert_eq!(cell(&json!(null), Null::Blank), "");
        assert_eq!(cell(&json!(null), Null::Word), "null");
        assert_eq!(cell(&json!({"k": [1, true]}), Null::Blank), r#"{"k":[1,true]}"#);
    }

    #[test]
    fn records_split_into_fields() {
        let columns = vec!["b".to_owned(), "a".to_owned(), "x".to_owned()];
        let object = json!({"a": 1, "b": 2});
        assert_eq!(fields(&object, &columns), vec![&json!(2), &json!(1), &Value::Null]);
        assert_eq!(fields(&json!([1, "z"]), &[]), vec![&json!(1), &json!("z")]);
        assert_eq!(
            columns_of(&[json!({"status": 1, "a": 2}), json!({"id": 3, "z": 4})]),
            ["id", "status", "a", "z"]
        );
    }
}
