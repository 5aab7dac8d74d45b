//! Checks JSON values, and raw path and query values, against the spec's schemas.
//!
//! It covers the schema vocabulary the spec uses: `type`, `format` (`int32`, `int64`),
//! `properties`, `required`, `items`, `enum`, `minimum`, `maximum`, `minLength`,
//! `maxLength`, `minItems`, `maxItems`, `pattern` and `$ref`. Unknown properties are accepted
//! (the service ignores them). A `null` stands for an absent property, because clients
//! commonly serialise absent options that way; a required property must not be null.

use std::fmt;

use serde_json::{Number, Value};

use super::{Param, Spec};

/// One way a value breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The offending value (`body.securitygroup_ids`, `query.limit`).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Stop collecting after this many: one bad array must not make a megabyte of message.
const MAX_VIOLATIONS: usize = 20;

fn push(out: &mut Vec<Violation>, path: &str, message: String) {
    if out.len() < MAX_VIOLATIONS {
        out.push(Violation {
            path: path.to_owned(),
            message,
        });
    }
}

pub(super) fn check(spec: &Spec, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
    let schema = spec.resolve(schema);
    if out.len() >= MAX_VIOLATIONS || !schema.is_object() {
        return;
    }
    let declared = schema.get("type").and_then(Value::as_str);
    let kind = declared.or_else(|| schema.get("properties").map(|_| "object"));
    let well_typed = match kind {
        Some("object") => check_object(spec, schema, value, path, out),
        Some("array") => check_array(spec, schema, value, path, out),
        Some("string") => check_string(spec, schema, value, path, out),
        Some("integer") => check_integer(schema, value, path, out),
        Some("number") => expect(value.is_number(), "a number", value, path, out),
        Some("boolean") => expect(value.is_boolean(), "a boolean", value, path, out),
        _ => true,
    };
    if well_typed
        && let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list = allowed.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
        push(out, path, format!("{} is not one of {list}", short(value)));
    }
}

fn expect(ok: bool, what: &str, value: &Value, path: &str, out: &mut Vec<Violation>) -> bool {
    if !ok {
        push(out, path, format!("expected {what}, got {}", kind_of(value)));
    }
    ok
}

fn check_object(spec: &Spec, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) -> bool {
    let Some(map) = value.as_object() else {
        return expect(false, "an object", value, path, out);
    };
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = name.as_str() else { continue };
        if map.get(name).is_none_or(Value::is_null) {
            push(out, &join(path, name), "required".to_owned());
        }
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if let Some(item) = map.get(name).filter(|v| !v.is_null()) {
                check(spec, property, item, &join(path, name), out);
            }
        }
    }
    true
}

fn check_array(spec: &Spec, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) -> bool {
    let Some(items) = value.as_array() else {
        return expect(false, "an array", value, path, out);
    };
    let min = schema.get("minItems").and_then(Value::as_u64);
    let max = schema.get("maxItems").and_then(Value::as_u64);
    let len = items.len() as u64;
    let plural = |n: u64| if n == 1 { "item" } else { "items" };
    match (min, max) {
        (Some(lo), Some(hi)) if lo == hi && len != lo => {
            push(out, path, format!("expected {lo} {}, got {len}", plural(lo)));
        }
        (Some(lo), _) if len < lo => push(out, path, format!("expected at least {lo} {}, got {len}", plural(lo))),
        (_, Some(hi)) if len > hi => push(out, path, format!("expected at most {hi} {}, got {len}", plural(hi))),
        _ => {}
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(spec, item_schema, item, &format!("{path}[{i}]"), out);
        }
    }
    true
}

fn check_string(spec: &Spec, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) -> bool {
    let Some(text) = value.as_str() else {
        return expect(false, "a string", value, path, out);
    };
    let chars = text.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && chars < min
    {
        push(out, path, format!("expected at least {min} characters, got {chars}"));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && chars > max
    {
        push(out, path, format!("expected at most {max} characters, got {chars}"));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        match spec.pattern(pattern) {
            Some(regex) if regex.find(text).is_some() => {}
            Some(_) => push(out, path, format!("{} does not match {pattern}", short(value))),
            // Every pattern is compiled when the spec loads; this is unreachable in practice.
            None => push(out, path, format!("pattern {pattern} is unknown")),
        }
    }
    true
}

fn check_integer(schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) -> bool {
    let n = match value.as_number() {
        Some(n) if n.is_i64() => n.as_i64().map(i128::from),
        Some(n) if n.is_u64() => n.as_u64().map(i128::from),
        _ => None,
    };
    let Some(n) = n else {
        return expect(false, "an integer", value, path, out);
    };
    let (lo, hi) = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    if n < lo || n > hi {
        let width = if hi == i128::from(i32::MAX) { "int32" } else { "int64" };
        push(out, path, format!("{n} does not fit in {width}"));
        return false;
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_i64)
        && n < i128::from(min)
    {
        push(out, path, format!("must be at least {min}, got {n}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_i64)
        && n > i128::from(max)
    {
        push(out, path, format!("must be at most {max}, got {n}"));
    }
    true
}

/// Path and query values arrive as text; they are typed by their schema, then checked.
pub(super) fn check_param(spec: &Spec, param: &Param, raw: &str) -> Result<Value, Vec<Violation>> {
    let path = format!("{}.{}", param.location.prefix(), param.name);
    let schema = spec.resolve(&param.schema);
    let typed = match schema.get("type").and_then(Value::as_str) {
        Some("integer") if is_integer_text(raw) && raw.parse::<i64>().is_err() => {
            return Err(vec![Violation {
                path,
                message: format!("{} does not fit in int64", truncate(raw)),
            }]);
        }
        Some("integer") => raw.parse::<i64>().ok().map(Value::from),
        Some("number") => raw.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number),
        Some("boolean") => match raw {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => Some(Value::String(raw.to_owned())),
    };
    let Some(typed) = typed else {
        let what = schema.get("type").and_then(Value::as_str).unwrap_or("value");
        return Err(vec![Violation {
            path,
            message: format!("expected {} {what}, got {:?}", article(what), truncate(raw)),
        }]);
    };
    let mut out = Vec::new();
    check(spec, schema, &typed, &path, &mut out);
    if out.is_empty()
        && let Some((min, max)) = documented_bounds(&param.description)
        && let Some(problem) = outside_documented_bounds(raw, min, max)
    {
        out.push(Violation { path, message: problem });
    }
    if out.is_empty() { Ok(typed) } else { Err(out) }
}

/// Why `raw`, an integer carried as a string with a documented range, is refused, if it is.
/// A number too long for any integer type is outside every range: it is refused, never let
/// through because it cannot be parsed (`limit=99999999999999999999`).
fn outside_documented_bounds(raw: &str, min: Option<i64>, max: Option<i64>) -> Option<String> {
    let range = match (min, max) {
        (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => return None,
    };
    if !is_integer_text(raw) {
        return Some(format!("expected an integer {range}, got {:?}", truncate(raw)));
    }
    let within = match raw.parse::<i64>() {
        Ok(n) => !(min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max)),
        // Beyond i64, so beyond any i64 bound.
        Err(_) => false,
    };
    (!within).then(|| format!("must be {range}, got {}", truncate(raw)))
}

/// An optional sign followed by decimal digits, of any length.
fn is_integer_text(raw: &str) -> bool {
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The documented range of an integer carried as a string. The spec writes it, for every
/// such parameter, as "An integer carried as a string; minimum 1, maximum 1000, default 100."
pub(crate) fn documented_bounds(description: &str) -> Option<(Option<i64>, Option<i64>)> {
    let (_, rest) = description.split_once("An integer carried as a string;")?;
    let clause = rest.split('.').next().unwrap_or_default();
    let number_after = |word: &str| {
        clause
            .split(',')
            .map(str::trim)
            .find_map(|part| part.strip_prefix(word))
            .and_then(|n| n.trim().parse::<i64>().ok())
    };
    Some((number_after("minimum"), number_after("maximum")))
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn kind_of(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(n) if n.is_f64() => format!("the number {n}"),
        Value::Number(n) => format!("the integer {n}"),
        Value::String(s) => format!("the string {:?}", truncate(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn short(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", truncate(s)),
        other => truncate(&other.to_string()).to_owned(),
    }
}

/// At most 64 characters of user text go into a message.
fn truncate(text: &str) -> &str {
    match text.char_indices().nth(64) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::documented_bounds;
    use crate::spec::{Location, Spec};

    fn spec() -> &'static Spec {
        Spec::embedded().unwrap_or_else(|e| panic!("{e}"))
    }

    fn messages(schema: &str, value: serde_json::Value) -> Vec<String> {
        let reference = json!({ "$ref": format!("#/components/schemas/{schema}") });
        match spec().validate(&reference, &value, "body") {
            Ok(()) => vec![],
            Err(v) => v.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn item_counts_name_the_field() {
        assert_eq!(
            messages(
                "SecurityGroupRequest",
                json!({"instance_id": "00000000-0000-4000-8000-000000000000", "securitygroup_ids": ["a", "b"]})
            ),
            ["body.securitygroup_ids: expected 1 item, got 2"]
        );
        assert_eq!(
            messages("SecurityGroupRequest", json!({"securitygroup_ids": [""]})),
            [
                "body.instance_id: required",
                "body.securitygroup_ids[0]: expected at least 1 characters, got 0"
            ]
        );
    }

    #[test]
    fn types_enums_widths_and_ranges() {
        assert_eq!(
            messages("AgentEditRequest", json!({"cpu_threshold": 101, "mem_threshold": "5"})),
            [
                "body.cpu_threshold: must be at most 100, got 101",
                "body.mem_threshold: expected an integer, got the string \"5\""
            ]
        );
        assert_eq!(
            messages("SwitchStatus", json!({"status": "MAYBE"})),
            ["body.status: \"MAYBE\" is not one of \"ON\", \"OFF\""]
        );
        assert_eq!(
            messages("LogRetentionProbe", json!(1)),
            Vec::<String>::new(),
            "an unknown schema accepts anything"
        );
        assert_eq!(
            messages("UpdateLogRetention", json!({"retention_days": 3_000_000_000u64})),
            ["body.retention_days: 3000000000 does not fit in int32"]
        );
        assert_eq!(
            messages("UpdateLogRetention", json!({"retention_days": 1.5})),
            ["body.retention_days: expected an integer, got the number 1.5"]
        );
        assert_eq!(
            messages("UpdateLogRetention", json!({"retention_days": null})),
            Vec::<String>::new()
        );
        assert_eq!(
            messages("UpdateLogRetention", json!([])),
            ["body: expected an object, got an array"]
        );
    }

    #[test]
    fn string_integers_follow_their_pattern_and_documented_bounds() {
        let op = spec()
            .operation("ListAuditInstancesNew")
            .unwrap_or_else(|| panic!("op"));
        let limit = op.param(Location::Query, "limit").unwrap_or_else(|| panic!("limit"));
        assert_eq!(spec().check_param(limit, "10"), Ok(json!("10")));
        let refusal = |raw: &str| match spec().check_param(limit, raw) {
            Err(v) => v[0].to_string(),
            Ok(_) => String::new(),
        };
        assert_eq!(refusal("ten"), "query.limit: \"ten\" does not match ^[0-9]+$");
        assert_eq!(refusal("1001"), "query.limit: must be between 1 and 1000, got 1001");
        assert_eq!(refusal("0"), "query.limit: must be between 1 and 1000, got 0");
        assert_eq!(
            documented_bounds("An integer carried as a string; minimum 1, default 100."),
            Some((Some(1), None))
        );
        assert_eq!(documented_bounds("Page size"), None);
    }

    #[test]
    fn typed_parameters_are_parsed_before_checking() {
        let op = spec().operation("ListWhitelists").unwrap_or_else(|| panic!("op"));
        let limit = op.param(Location::Query, "limit").unwrap_or_else(|| panic!("limit"));
        assert_eq!(spec().check_param(limit, "5"), Ok(json!(5)));
        let err = spec().check_param(limit, "x").err().map(|v| v[0].to_string());
        assert_eq!(err.as_deref(), Some("query.limit: expected an integer, got \"x\""));
        let err = spec().check_param(limit, "0").err().map(|v| v[0].to_string());
        assert_eq!(err.as_deref(), Some("query.limit: must be at least 1, got 0"));
    }
}
