//! `-o text`: one record per line, its fields separated by tabs, no header (the AWS CLI's text
//! output), so `dbss instances list -o text --query '[].[id,name]' | while read id name` works.

use serde_json::Value;

use super::cells::{Null, cell, columns_of, fields};

/// One record as a line (without the newline). An object's fields come in `columns` order
/// when given, else `id`, `name`, `status` first and the rest alphabetically.
pub fn record(value: &Value, columns: Option<&[String]>) -> String {
    let own;
    let columns = match columns {
        Some(columns) => columns,
        None => {
            own = columns_of([value]);
            own.as_slice()
        }
    };
    fields(value, columns)
        .into_iter()
        .map(|v| cell(v, Null::Word))
        .collect::<Vec<_>>()
        .join("\t")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_are_tab_separated_single_lines() {
        assert_eq!(
            record(&json!(["i-1", "负责人 张三", null, 3]), None),
            "i-1\t负责人 张三\tnull\t3"
        );
        assert_eq!(
            record(&json!({"name": "n", "id": "i", "a": {"b": 1}}), None),
            "i\tn\t{\"b\":1}"
        );
        let columns = ["name".to_owned()];
        assert_eq!(
            record(&json!({"name": "two\nlines\tand a tab", "id": "i"}), Some(&columns)),
            "two lines and a tab"
        );
        assert_eq!(record(&json!("plain"), None), "plain");
    }
}
