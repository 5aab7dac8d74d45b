//! The DBSS API as `openapi/dbss.yaml` describes it, embedded in the binary and read once.
//!
//! The simulator is driven by the spec: the router is built from its paths, requests are
//! checked against its parameter and body schemas, and answers are checked against (or, for
//! operations without state, synthesised from) its response schemas.

mod router;
mod validate;

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use axum::http::Method;
use serde_json::Value;

pub use router::Match;
pub use validate::Violation;

/// The spec text, as committed.
const SPEC_YAML: &str = include_str!("../../../../openapi/dbss.yaml");

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
}

impl Location {
    /// How error messages name the location (`path.instance_id`).
    pub fn prefix(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// One parameter of an operation.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Where it travels.
    pub location: Location,
    /// Whether a request must carry it.
    pub required: bool,
    /// Its schema.
    pub schema: Value,
    /// Its documented description (bounds of integers carried as strings live there).
    pub description: String,
    /// The spec's example value.
    pub example: Option<Value>,
    /// A credential header (`X-Auth-Token`) the gateway, not the operation, reads.
    pub credential: bool,
}

/// The request body of an operation.
#[derive(Clone, Debug)]
pub struct RequestBody {
    /// Its schema.
    pub schema: Value,
    /// Whether a request must carry one.
    pub required: bool,
    /// The documented content type.
    pub content_type: String,
    /// The spec's example body.
    pub example: Option<Value>,
}

/// What a successful answer carries.
#[derive(Clone, Debug)]
pub enum SuccessBody {
    /// JSON matching this schema.
    Json(Value),
    /// Nothing (204).
    Empty,
    /// A file (`application/octet-stream`).
    Binary,
}

/// One operation of the spec.
#[derive(Clone, Debug)]
pub struct Operation {
    /// `operationId`, as the official SDKs name it.
    pub id: String,
    /// HTTP method.
    pub method: Method,
    /// Path template (`/v1/{project_id}/...`).
    pub path: String,
    /// Its tags (`instance`, `rule-risk`, ...).
    pub tags: Vec<String>,
    /// Parameters, `$ref`s resolved.
    pub params: Vec<Param>,
    /// The request body, if the operation takes one.
    pub body: Option<RequestBody>,
    /// The documented success status.
    pub success_status: u16,
    /// The documented success body.
    pub success: SuccessBody,
    /// The service is retiring the operation.
    pub deprecated: bool,
}

impl Operation {
    /// The parameter `name` at `location`.
    pub fn param(&self, location: Location, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.location == location && p.name == name)
    }
}

/// Why the spec could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("openapi/dbss.yaml: {0}")]
pub struct SpecError(String);

/// The loaded spec.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
    operations: Vec<Operation>,
    by_id: HashMap<String, usize>,
    router: router::Router,
    patterns: HashMap<String, Arc<regress::Regex>>,
}

impl Spec {
    /// The spec embedded in this binary, parsed on first use.
    pub fn embedded() -> Result<&'static Spec, SpecError> {
        static SPEC: OnceLock<Result<Spec, SpecError>> = OnceLock::new();
        SPEC.get_or_init(|| Spec::parse(SPEC_YAML))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses a spec from its YAML text.
    pub fn parse(yaml: &str) -> Result<Spec, SpecError> {
        let doc: Value = serde_yaml::from_str(yaml).map_err(|e| SpecError(format!("not YAML: {e}")))?;
        let mut operations = Vec::new();
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| SpecError("no paths".into()))?;
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            for (method, op) in item {
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                operations.push(parse_operation(&doc, path, method, op)?);
            }
        }
        operations.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op.id.clone(), i))
            .collect();
        let router = router::Router::new(&operations);
        let mut patterns = HashMap::new();
        collect_patterns(&doc, &mut patterns)?;
        Ok(Spec {
            doc,
            operations,
            by_id,
            router,
            patterns,
        })
    }

    /// Every operation, in `operationId` order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).and_then(|&i| self.operations.get(i))
    }

    /// The operation a request is for, and its path parameters (percent-decoded).
    pub fn route(&self, method: &Method, path: &str) -> Option<Match<'_>> {
        let (index, params) = self.router.find(method, path)?;
        Some(Match {
            operation: self.operations.get(index)?,
            params,
        })
    }

    /// The methods the spec serves at `path` (empty when no operation has that path).
    pub fn methods(&self, path: &str) -> Vec<Method> {
        self.router.methods(path)
    }

    /// Follows `$ref`s to the schema they name (a schema that is not a `$ref` is itself).
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        // Bounded: a `$ref` cycle must not hang a request.
        for _ in 0..32 {
            match current.get("$ref").and_then(Value::as_str) {
                Some(reference) => match self.pointer(reference) {
                    Some(target) => current = target,
                    None => return &Value::Null,
                },
                None => return current,
            }
        }
        &Value::Null
    }

    /// The value a local `$ref` (`#/components/...`) points to.
    pub fn pointer(&self, reference: &str) -> Option<&Value> {
        self.doc.pointer(reference.strip_prefix('#')?)
    }

    /// Checks `value` against `schema`; `path` names the value in messages (`body`).
    pub fn validate(&self, schema: &Value, value: &Value, path: &str) -> Result<(), Vec<Violation>> {
        let mut violations = Vec::new();
        validate::check(self, schema, value, path, &mut violations);
        if violations.is_empty() { Ok(()) } else { Err(violations) }
    }

    /// Checks a raw parameter value against its declaration, returning it typed.
    pub fn check_param(&self, param: &Param, raw: &str) -> Result<Value, Vec<Violation>> {
        validate::check_param(self, param, raw)
    }

    /// The compiled form of a `pattern` of the spec.
    pub(crate) fn pattern(&self, pattern: &str) -> Option<&regress::Regex> {
        self.patterns.get(pattern).map(AsRef::as_ref)
    }
}

fn parse_operation(doc: &Value, path: &str, method: Method, op: &Value) -> Result<Operation, SpecError> {
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| SpecError(format!("{method} {path} has no operationId")))?
        .to_owned();
    let mut params = Vec::new();
    for raw in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let param = match raw.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix('#')
                .and_then(|p| doc.pointer(p))
                .ok_or_else(|| SpecError(format!("{id}: unresolved parameter {reference}")))?,
            None => raw,
        };
        let location = match param.get("in").and_then(Value::as_str) {
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            Some("header") => Location::Header,
            other => return Err(SpecError(format!("{id}: parameter location {other:?}"))),
        };
        params.push(Param {
            name: str_field(param, "name").to_owned(),
            location,
            required: param.get("required").and_then(Value::as_bool).unwrap_or(false),
            schema: param.get("schema").cloned().unwrap_or(Value::Null),
            description: str_field(param, "description").to_owned(),
            example: param.get("example").cloned(),
            credential: param.get("x-credential").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    let body = op.get("requestBody").and_then(|b| {
        let (content_type, media) = b.get("content")?.as_object()?.iter().next()?;
        Some(RequestBody {
            schema: media.get("schema").cloned().unwrap_or(Value::Null),
            required: b.get("required").and_then(Value::as_bool).unwrap_or(false),
            content_type: content_type.clone(),
            example: media.get("example").cloned(),
        })
    });
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| SpecError(format!("{id}: no responses")))?;
    let (status, response) = responses
        .iter()
        .filter_map(|(code, r)| Some((code.parse::<u16>().ok()?, r)))
        .filter(|(code, _)| (200..300).contains(code))
        .min_by_key(|(code, _)| *code)
        .ok_or_else(|| SpecError(format!("{id}: no success response")))?;
    let success = match response.get("content").and_then(Value::as_object) {
        None => SuccessBody::Empty,
        Some(content) => match content.get("application/json") {
            Some(media) => SuccessBody::Json(media.get("schema").cloned().unwrap_or(Value::Null)),
            None if content.contains_key("application/octet-stream") => SuccessBody::Binary,
            None => return Err(SpecError(format!("{id}: unsupported success content"))),
        },
    };
    Ok(Operation {
        id,
        method,
        path: path.to_owned(),
        tags: op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        params,
        body,
        success_status: status,
        success,
        deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn str_field<'a>(value: &'a Value, name: &str) -> &'a str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// Compiles every `pattern` of the document once, so requests never compile regexes.
fn collect_patterns(value: &Value, out: &mut HashMap<String, Arc<regress::Regex>>) -> Result<(), SpecError> {
    match value {
        Value::Object(map) => {
            if let Some(pattern) = map.get("pattern").and_then(Value::as_str)
                && !out.contains_key(pattern)
            {
                let regex = regress::Regex::new(pattern)
                    .map_err(|e| SpecError(format!("pattern {pattern:?} does not compile: {e}")))?;
                out.insert(pattern.to_owned(), Arc::new(regex));
            }
            map.values().try_for_each(|v| collect_patterns(v, out))
        }
        Value::Array(items) => items.iter().try_for_each(|v| collect_patterns(v, out)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_spec_has_every_operation_with_a_success_response() {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.operations().len(), 173);
        let empty = spec
            .operations()
            .iter()
            .filter(|op| matches!(op.success, SuccessBody::Empty))
            .map(|op| (op.id.as_str(), op.success_status))
            .collect::<Vec<_>>();
        assert_eq!(
            empty,
            [
                ("BatchAddResourceTag", 204),
                ("BatchDeleteResourceTag", 204),
                ("UpdateAuditTaskStatus", 200)
            ]
        );
        let downloads = spec
            .operations()
            .iter()
            .filter(|op| matches!(op.success, SuccessBody::Binary))
            .count();
        assert_eq!(downloads, 2);
    }

    #[test]
    fn refs_resolve_to_component_schemas() {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        let reference = serde_json::json!({"$ref": "#/components/schemas/SecurityGroupRequest"});
        assert_eq!(spec.resolve(&reference)["type"], "object");
        let missing = serde_json::json!({"$ref": "#/components/schemas/Nope"});
        assert!(spec.resolve(&missing).is_null());
    }
}
