//! `--query a.b,c`: picking fields out of results, and the ordered rows that result.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Field paths picked by `--query` (or a command's default table columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    paths: Vec<String>,
}

impl Query {
    /// Parses `a.b,c`: comma-separated paths, segments separated by dots (a number indexes
    /// into an array).
    pub fn parse(text: &str) -> Result<Query, String> {
        let paths: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        if paths.is_empty() {
            return Err(format!("--query {text:?} names no field; use e.g. --query id,name"));
        }
        if let Some(bad) = paths.iter().find(|p| p.split('.').any(str::is_empty)) {
            return Err(format!("--query: {bad:?} has an empty segment"));
        }
        Ok(Query { paths })
    }

    /// A query of fixed columns.
    pub fn columns(columns: &[&str]) -> Query {
        Query {
            paths: columns.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    /// The picked fields of `value`, in the order asked for; missing ones are `null`.
    pub fn pick(&self, value: &Value) -> Row {
        Row(self
            .paths
            .iter()
            .map(|path| (path.clone(), lookup(value, path).cloned().unwrap_or(Value::Null)))
            .collect())
    }
}

fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |current, segment| match current {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// An object whose fields keep the order they were picked in (serde_json's own map sorts).
#[derive(Clone, Debug, PartialEq)]
pub struct Row(pub Vec<(String, Value)>);

impl Row {
    /// The fields of an object, as they are; anything else is one `value` field.
    pub fn of(value: &Value) -> Row {
        match value {
            Value::Object(map) => Row(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            other => Row(vec![("value".to_owned(), other.clone())]),
        }
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_nested_fields_in_order_and_nulls_the_missing() {
        let query = Query::parse("sql.id, name,tags.1,nope.deeper").unwrap_or_else(|e| panic!("{e}"));
        let row = query.pick(&json!({"name": "n", "sql": {"id": 7}, "tags": ["a", "b"]}));
        assert_eq!(
            serde_json::to_string(&row).unwrap_or_default(),
            r#"{"sql.id":7,"name":"n","tags.1":"b","nope.deeper":null}"#
        );
    }

    #[test]
    fn bad_queries_are_refused() {
        assert!(Query::parse(" , ").is_err());
        assert!(Query::parse("a..b").is_err());
    }
}
