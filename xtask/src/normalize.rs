//! Derives the progenitor-ready form of the spec from the faithful one.
//!
//! progenitor 0.15 panics on several legal shapes the faithful spec uses, and its decoding
//! would be stricter than the API deserves. The derived form differs in exactly these ways:
//!
//! * only the success (2xx) response of each operation is kept: error statuses are decoded by
//!   the `dbss` crate itself, which reads both documented error shapes, the status and the
//!   request id, so every error reaches it as an undeclared status with its body unread;
//! * `$ref`ed parameters and responses are inlined, and credential headers (`X-Auth-Token`),
//!   which the client sets from its configuration, are dropped;
//! * request media types such as `application/json;charset=UTF-8` become `application/json`
//!   (the client puts the exact documented content type back on the wire, from `x-content-type`);
//! * inline request/response schemas are hoisted into named components, so the Rust type
//!   names are predictable (`<OperationId>Body`, `<OperationId>Response`);
//! * schemas reached only from responses lose `required`, `enum` and value limits: a response
//!   field that is missing, null or unexpected must never fail a call. Request schemas keep
//!   every constraint: requests are strict. A schema used on both sides is copied as
//!   `<Name>Read` for the response side;
//! * numeric ranges of parameters are dropped (they would make the builders take `NonZeroU32`
//!   and the like); the CLI checks them from the faithful spec;
//! * examples are dropped (they live in the faithful spec for tests and docs).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use crate::{
    Result,
    spec::{
        BINARY_MEDIA_TYPE, EXAMPLE_KEYS, HTTP_METHODS, JSON_MEDIA_TYPE, SCHEMA_PREFIX, Spec, is_credential,
        success_response,
    },
};

/// Keywords that constrain values: meaningful for requests, harmful for tolerant responses.
const VALUE_LIMITS: [&str; 10] = [
    "required",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "format",
];

pub fn progenitor_form(spec: &Spec) -> Result<Value> {
    let mut root = spec.root.clone();
    let mut hoisted: BTreeMap<String, Value> = BTreeMap::new();
    let mut request_roots = BTreeSet::new();
    let mut response_roots = BTreeSet::new();

    let paths = root
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("spec has no paths")?;
    for (path, item) in paths.iter_mut() {
        for method in HTTP_METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{method} {path}: no operationId"))?
                .to_owned();
            let pascal = id.to_upper_camel_case();

            let mut params = Vec::new();
            for raw in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                let p = spec.resolve(raw)?;
                if !is_credential(p) {
                    let mut p = p.clone();
                    strip_keys(&mut p, &EXAMPLE_KEYS);
                    // Numeric ranges would turn parameters into NonZero/newtype integers; the
                    // CLI checks them from the faithful spec, and the service enforces them.
                    if let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) {
                        schema.remove("minimum");
                        schema.remove("maximum");
                    }
                    params.push(p);
                }
            }
            op.insert("parameters".into(), Value::Array(params));

            if let Some(rb) = op.get("requestBody").cloned() {
                let rb = spec.resolve(&rb)?;
                let content = rb
                    .get("content")
                    .and_then(Value::as_object)
                    .ok_or_else(|| format!("{id}: body without content"))?;
                let (_, media) = content
                    .iter()
                    .next()
                    .ok_or_else(|| format!("{id}: body without media type"))?;
                let schema = media.get("schema").cloned().unwrap_or(json!({}));
                let schema = name_schema(schema, &format!("{pascal}Body"), &mut hoisted, &mut request_roots);
                op.insert(
                    "requestBody".into(),
                    json!({ "required": true, "content": { JSON_MEDIA_TYPE: { "schema": schema } } }),
                );
            }

            let (status, response) = success_response(&id, op.get("responses"))?;
            let response = spec.resolve(response)?;
            let description = response.get("description").cloned().unwrap_or(json!("success"));
            let mut kept = json!({ "description": description });
            if let Some((media_type, media)) = response
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().next())
            {
                let schema = media.get("schema").cloned().unwrap_or(json!({}));
                let schema = if media_type == BINARY_MEDIA_TYPE {
                    json!({ "type": "string", "format": "binary" })
                } else {
                    name_schema(schema, &format!("{pascal}Response"), &mut hoisted, &mut response_roots)
                };
                let media_type = if media_type.starts_with(JSON_MEDIA_TYPE) {
                    JSON_MEDIA_TYPE
                } else {
                    media_type.as_str()
                };
                kept["content"] = json!({ media_type: { "schema": schema } });
            }
            op.insert("responses".into(), json!({ status.clone(): kept }));
        }
    }

    let components = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .ok_or("spec has no components")?;
    components.remove("parameters");
    components.remove("responses");
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or("components.schemas is not a map")?;
    for (name, schema) in hoisted {
        schemas.insert(name, schema);
    }

    let reach_request = reachable(schemas, &request_roots);
    let reach_response = reachable(schemas, &response_roots);
    // A schema used by both requests and responses gets a tolerant copy, `<Name>Read`, that
    // the response side refers to instead, so requests stay strict and responses tolerant.
    let shared: BTreeSet<String> = reach_request.intersection(&reach_response).cloned().collect();
    for name in &shared {
        if let Some(schema) = schemas.get(name).cloned() {
            schemas.insert(format!("{name}Read"), schema);
        }
    }
    let read_side: BTreeSet<String> = reach_response
        .difference(&reach_request)
        .cloned()
        .chain(shared.iter().map(|name| format!("{name}Read")))
        .collect();
    for (name, schema) in schemas.iter_mut() {
        strip_keys(schema, &EXAMPLE_KEYS);
        if read_side.contains(name) {
            loosen(schema);
            rename_refs(schema, &shared);
        }
    }
    Ok(root)
}

/// Returns a `$ref` for `schema`, hoisting it under `name` when it is inline.
fn name_schema(
    schema: Value,
    name: &str,
    hoisted: &mut BTreeMap<String, Value>,
    roots: &mut BTreeSet<String>,
) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if let Some(target) = reference.rsplit('/').next() {
            roots.insert(target.to_owned());
        }
        return schema;
    }
    hoisted.insert(name.to_owned(), schema);
    roots.insert(name.to_owned());
    json!({ "$ref": format!("{SCHEMA_PREFIX}{name}") })
}

/// Names of the schemas reachable from `roots` through `$ref`s.
fn reachable(schemas: &Map<String, Value>, roots: &BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            collect_refs(schema, &mut todo);
        }
    }
    seen
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(target) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
            {
                out.push(target.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Points `$ref`s to a shared schema at its tolerant `<Name>Read` copy.
fn rename_refs(value: &mut Value, shared: &BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some(target) = reference.rsplit('/').next().filter(|t| shared.contains(*t))
            {
                *reference = format!("{SCHEMA_PREFIX}{target}Read");
            }
            map.values_mut().for_each(|v| rename_refs(v, shared));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, shared)),
        _ => {}
    }
}

/// Removes value constraints from a response schema, keeping integer widths.
fn loosen(schema: &mut Value) {
    if let Value::Object(map) = schema {
        let keep_format = map.get("type").and_then(Value::as_str) == Some("integer");
        for key in VALUE_LIMITS {
            if key == "format" && keep_format {
                continue;
            }
            map.remove(key);
        }
        for (key, child) in map.iter_mut() {
            if key == "properties" {
                if let Value::Object(props) = child {
                    props.values_mut().for_each(loosen);
                }
            } else {
                loosen(child);
            }
        }
    } else if let Value::Array(items) = schema {
        items.iter_mut().for_each(loosen);
    }
}

fn strip_keys(value: &mut Value, keys: &[&str]) {
    match value {
        Value::Object(map) => {
            for key in keys {
                map.remove(*key);
            }
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    // Property names are data, not keywords: only descend into their schemas.
                    ("properties", Value::Object(props)) => props.values_mut().for_each(|v| strip_keys(v, keys)),
                    (_, child) => strip_keys(child, keys),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip_keys(v, keys)),
        _ => {}
    }
}
