//! `--query`: a JMESPath expression (the language of the AWS CLI and Huawei's KooCLI) applied
//! to what a command prints. For everyday list commands it applies to the list of items
//! (`'[].id'`); for single objects and for `dbss api` to the object itself (`'servers[0].id'`).
//!
//! Element-wise list queries (`[].x`, `[*].x`, `[?cond].x`) are applied one item at a time, so
//! `--all` with JSON, JSON lines or text output still runs in constant memory; any other
//! query (`sort_by(...)`, `length(@)`, `[0]`) needs the whole list first.

use jmespath::{Context, Expression, Rcvar, Variable, ast::Ast};
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::error::CliError;

/// A compiled `--query`.
#[derive(Clone, Debug)]
pub struct Query {
    expression: Expression<'static>,
}

impl Query {
    /// Compiles `text`; a syntax error says where, with a caret under the spot.
    pub fn parse(text: &str) -> Result<Query, CliError> {
        let text = legacy_literals(text);
        jmespath::compile(&text)
            .map(|expression| Query { expression })
            .map_err(|e| CliError::Usage(syntax_error(&text, &e)))
    }

    /// The query applied to `value` as a whole.
    pub fn apply(&self, value: &Value) -> Result<Value, CliError> {
        let result = self.expression.search(value).map_err(|e| runtime_error(&e))?;
        from_variable(&result)
    }

    /// Whether the query maps each item of a list on its own (see the module docs).
    pub fn is_element_wise(&self) -> bool {
        self.element_wise().is_some()
    }

    /// What one item of a list contributes to the result of an element-wise query: zero or
    /// more values, in order. Only meaningful when [`Query::is_element_wise`].
    pub fn apply_to_item(&self, item: &Value) -> Result<Vec<Value>, CliError> {
        let Some((flatten, rhs)) = self.element_wise() else {
            return Ok(vec![self.apply(item)?]);
        };
        let data = to_variable(item)?;
        // `[]` flattens one level first: an item that is itself a list contributes its elements.
        let elements = match (flatten, data.as_array()) {
            (true, Some(inner)) => inner.clone(),
            _ => vec![data],
        };
        let mut out = Vec::new();
        for element in &elements {
            let mut ctx = Context::new(self.expression.as_str(), &jmespath::DEFAULT_RUNTIME);
            let result = jmespath::interpret(element, rhs, &mut ctx).map_err(|e| runtime_error(&e))?;
            // A projection leaves out what its right-hand side maps to null.
            if !result.is_null() {
                out.push(from_variable(&result)?);
            }
        }
        Ok(out)
    }

    /// The keys of a multi-select hash the query ends in (`[].{id: id, name: name}`), in the
    /// order written: the column order of tables and text (JSON objects keep none).
    pub fn hash_keys(&self) -> Option<Vec<String>> {
        hash_keys(self.expression.as_ast())
    }

    /// The expression as typed.
    pub fn as_str(&self) -> &str {
        self.expression.as_str()
    }

    /// `Some((flatten, rhs))` for `[*].rhs` / `[?c].rhs` (no flatten) and `[].rhs` (flatten).
    fn element_wise(&self) -> Option<(bool, &Ast)> {
        let Ast::Projection { lhs, rhs, .. } = self.expression.as_ast() else {
            return None;
        };
        match lhs.as_ref() {
            Ast::Identity { .. } => Some((false, rhs)),
            Ast::Flatten { node, .. } if matches!(node.as_ref(), Ast::Identity { .. }) => Some((true, rhs)),
            _ => None,
        }
    }
}

/// `text` with every backtick literal that is not JSON turned into a JSON string, as the AWS
/// CLI and the JMESPath specification's compatibility rule allow: ``[?status==`ACTIVE`]``
/// means ``[?status==`"ACTIVE"`]``. Raw strings ('...') and quoted names ("...") are skipped.
fn legacy_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        let close = match c {
            '\'' | '"' => c,
            '`' => '`',
            _ => continue,
        };
        let mut body = String::new();
        let mut closed = false;
        while let Some(d) = chars.next() {
            if d == '\\' {
                body.push(d);
                if let Some(escaped) = chars.next() {
                    body.push(escaped);
                }
                continue;
            }
            if d == close {
                closed = true;
                break;
            }
            body.push(d);
        }
        let json = body.replace("\\`", "`");
        if close == '`' && closed && serde_json::from_str::<Value>(&json).is_err() {
            let quoted = Value::String(json.trim().to_owned()).to_string();
            out.push_str(&quoted.replace('`', "\\`"));
        } else {
            out.push_str(&body);
        }
        if closed {
            out.push(close);
        }
    }
    out
}

fn hash_keys(ast: &Ast) -> Option<Vec<String>> {
    match ast {
        Ast::MultiHash { elements, .. } => Some(elements.iter().map(|kv| kv.key.clone()).collect()),
        Ast::Projection { rhs, .. } | Ast::Subexpr { rhs, .. } => hash_keys(rhs),
        Ast::Condition { then, .. } => hash_keys(then),
        _ => None,
    }
}

fn to_variable(value: &Value) -> Result<Rcvar, CliError> {
    Variable::from_serializable(value)
        .map(Rcvar::new)
        .map_err(|e| CliError::Usage(format!("--query: cannot search this output: {}", e.reason)))
}

fn from_variable(value: &Rcvar) -> Result<Value, CliError> {
    serde_json::to_value(value.as_ref()).map_err(|e| CliError::Usage(format!("--query: cannot render the result: {e}")))
}

/// A mistake only visible when the query runs (an unknown function, a wrong argument type).
fn runtime_error(e: &jmespath::JmespathError) -> CliError {
    CliError::Usage(format!(
        "--query failed: {}\n{}",
        e.reason,
        caret(&e.expression, e.line, e.column)
    ))
}

fn syntax_error(text: &str, e: &jmespath::JmespathError) -> String {
    let reason = match &e.reason {
        jmespath::ErrorReason::Parse(message) => message.clone(),
        other => other.to_string(),
    };
    let mut message = format!(
        "--query is not valid JMESPath: {reason} (column {})\n{}",
        e.column + 1,
        caret(text, e.line, e.column)
    );
    // The old home-made syntax (`id,name`, `servers.0.id`) is the likeliest mistake.
    let old_list = text.contains(',') && !text.contains(['[', '{']);
    let old_index = text.split('.').any(|s| s.parse::<u64>().is_ok());
    if old_list || old_index {
        message.push_str(
            "\nhint: pick fields with a multi-select list, e.g. '[].[id,name]' for a list or \
             '[id,name]' for one object; index arrays with brackets: 'servers[0].id'",
        );
    }
    message
}

/// The expression's line `line` and a caret under its character `column`, indented by two.
fn caret(text: &str, line: usize, column: usize) -> String {
    let source = text.lines().nth(line).unwrap_or(text);
    let before: String = source.chars().take(column).collect();
    format!("  {source}\n  {}^", " ".repeat(before.width()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(text: &str) -> Query {
        Query::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn projections_filters_and_multi_selects_work_on_lists() {
        let list = json!([
            {"id": "a", "name": "prod", "status": "ACTIVE"},
            {"id": "b", "name": "test", "status": "SHUTOFF"}
        ]);
        assert_eq!(query("[].id").apply(&list).ok(), Some(json!(["a", "b"])));
        assert_eq!(
            query("[?status==`ACTIVE`].[id,name]").apply(&list).ok(),
            Some(json!([["a", "prod"]]))
        );
        assert_eq!(query("length(@)").apply(&list).ok(), Some(json!(2)));
    }

    #[test]
    fn element_wise_queries_give_the_same_result_item_by_item() {
        let list = json!([{"id": "a", "s": 1}, {"id": "b"}, [{"id": "c", "s": 2}], 7]);
        for text in ["[].id", "[*].id", "[?s].id", "[].{id: id, s: s}", "[*]", "[].[id, s]"] {
            let q = query(text);
            assert!(q.is_element_wise(), "{text}");
            let mut streamed = Vec::new();
            for item in list.as_array().into_iter().flatten() {
                streamed.extend(q.apply_to_item(item).unwrap_or_else(|e| panic!("{e}")));
            }
            assert_eq!(Some(Value::Array(streamed)), q.apply(&list).ok(), "{text}");
        }
        for text in ["[0]", "sort_by(@, &id)", "length(@)", "[].id | [0]", "servers[].id"] {
            assert!(!query(text).is_element_wise(), "{text}");
        }
    }

    #[test]
    fn a_syntax_error_shows_where_and_hints_at_the_old_syntax() {
        let Err(CliError::Usage(message)) = Query::parse("instances.id,instances.status") else {
            panic!("accepted")
        };
        assert!(message.contains("not valid JMESPath"), "{message}");
        assert!(
            message.contains("  instances.id,instances.status\n              ^"),
            "{message}"
        );
        assert!(message.contains("hint: "), "{message}");
        let Err(CliError::Usage(message)) = Query::parse("[?name=='负责人' &&]") else {
            panic!("accepted")
        };
        // The caret is placed by display width: each of the three CJK characters before it
        // takes two columns (counting characters would put it three columns too far left).
        let lines: Vec<&str> = message.lines().collect();
        assert_eq!(lines.len(), 3, "{message}");
        assert_eq!(lines[2].width(), 2 + 17 + 3 + 1, "{message}");
    }

    #[test]
    fn bare_words_in_backticks_are_strings_and_json_literals_stay_json() {
        assert_eq!(legacy_literals("[?s==`ACTIVE`]"), r#"[?s==`"ACTIVE"`]"#);
        assert_eq!(
            legacy_literals("[?n==`3`] | [?s==`\"x\"`]"),
            "[?n==`3`] | [?s==`\"x\"`]"
        );
        assert_eq!(legacy_literals("['`a`'] | \"`b`\""), "['`a`'] | \"`b`\"");
        assert_eq!(legacy_literals("`unterminated"), "`unterminated");
        let list = json!([{"s": "ACTIVE", "n": 3}, {"s": "OFF", "n": 4}]);
        assert_eq!(query("[?s==`ACTIVE`].n").apply(&list).ok(), Some(json!([3])));
        assert_eq!(query("[?n==`4`].s").apply(&list).ok(), Some(json!(["OFF"])));
    }

    #[test]
    fn runtime_errors_are_usage_errors() {
        let error = query("[].foo(id)").apply(&json!([{"id": 1}]));
        assert!(matches!(error, Err(CliError::Usage(m)) if m.contains("foo")));
    }

    #[test]
    fn hash_keys_keep_the_written_order() {
        assert_eq!(
            query("[?a].{Zed: z, Alpha: a}").hash_keys(),
            Some(vec!["Zed".to_owned(), "Alpha".to_owned()])
        );
        assert_eq!(query("[].[z, a]").hash_keys(), None);
    }
}
