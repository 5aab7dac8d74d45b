//! Reading `openapi/dbss.yaml` into the facts the generators need.

use std::{fs, path::Path};

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::Result;

/// The faithful spec, relative to the project root: the source of every generated artifact.
pub const SPEC: &str = "openapi/dbss.yaml";

/// How a `$ref` to a component schema begins.
pub const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The media type of a file download.
pub const BINARY_MEDIA_TYPE: &str = "application/octet-stream";

/// The media type of JSON bodies; the spec's may carry parameters (`;charset=UTF-8`).
pub const JSON_MEDIA_TYPE: &str = "application/json";

/// The keywords that hold examples: documentation, never a constraint or a reference to follow.
pub const EXAMPLE_KEYS: [&str; 2] = ["example", "examples"];

/// The spec as loaded: its raw text (for hashing) and its JSON tree.
pub struct Spec {
    pub text: String,
    pub root: Value,
}

pub const HTTP_METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// An operation object where it stands in the spec, not yet interpreted.
pub struct Located<'a> {
    pub path: &'a str,
    /// Lower case, as a key of the path item.
    pub method: &'static str,
    /// The path item, for the parameters it gives every operation under it.
    pub item: &'a Value,
    pub op: &'a Value,
}

impl Spec {
    pub fn load(path: &Path) -> Result<Spec> {
        let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root: Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Spec { text, root })
    }

    /// SHA-256 of the spec text; derived artifacts carry it so staleness is visible.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }

    /// Follows a local `$ref` (`#/components/...`); other values are returned as they are.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> Result<&'a Value> {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference
                    .strip_prefix('#')
                    .ok_or_else(|| format!("non-local $ref {reference}"))?;
                let target = self
                    .root
                    .pointer(pointer)
                    .ok_or_else(|| format!("dangling $ref {reference}"))?;
                self.resolve(target)
            }
            None => Ok(value),
        }
    }

    /// Every operation object under `paths`, in the order of the spec's `paths`, then in the
    /// order of [`HTTP_METHODS`].
    pub fn located_operations(&self) -> Result<Vec<Located<'_>>> {
        let paths: &Map<String, Value> = self
            .root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("spec has no paths")?;
        Ok(paths
            .iter()
            .flat_map(|(path, item)| {
                HTTP_METHODS
                    .into_iter()
                    .filter_map(move |method| item.get(method).map(|op| Located { path, method, item, op }))
            })
            .collect())
    }

    /// Every operation, sorted by operation id.
    pub fn operations(&self) -> Result<Vec<Operation>> {
        let mut ops = Vec::new();
        for located in self.located_operations()? {
            ops.push(self.operation(located.path, located.method, located.op)?);
        }
        ops.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(ops)
    }

    fn operation(&self, path: &str, method: &str, op: &Value) -> Result<Operation> {
        let id = str_field(op, "operationId").ok_or_else(|| format!("{method} {path}: no operationId"))?;
        let mut params = Vec::new();
        for raw in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let p = self.resolve(raw)?;
            if is_credential(p) {
                continue;
            }
            let schema = self.resolve(
                p.get("schema")
                    .ok_or_else(|| format!("{id}: parameter without schema"))?,
            )?;
            params.push(Param {
                name: str_field(p, "name").ok_or_else(|| format!("{id}: parameter without name"))?,
                location: str_field(p, "in").unwrap_or_default(),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                ty: ParamType::of(schema),
                example: p.get("example").cloned(),
                minimum: schema.get("minimum").and_then(Value::as_i64),
                maximum: schema.get("maximum").and_then(Value::as_i64),
                description: str_field(p, "description").unwrap_or_default(),
                enum_values: schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().map(scalar_text).collect())
                    .unwrap_or_default(),
            });
        }
        let body = match op.get("requestBody") {
            Some(rb) => {
                let rb = self.resolve(rb)?;
                let (_, content) = rb
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.iter().next())
                    .ok_or_else(|| format!("{id}: request body without content"))?;
                Some(Body {
                    type_name: ref_type_name(content.get("schema"))
                        .unwrap_or_else(|| format!("{}Body", id.to_upper_camel_case())),
                    example: content.get("example").cloned(),
                })
            }
            None => None,
        };
        let success = self.success_response(&id, op)?;
        let paging = self.paging(&id, op, &params, body.as_ref(), &success)?;
        Ok(Operation {
            snake: id.to_snake_case(),
            kebab: id.to_kebab_case(),
            pascal: id.to_upper_camel_case(),
            method: method.to_uppercase(),
            path: path.to_owned(),
            summary: str_field(op, "summary").unwrap_or_default(),
            description: str_field(op, "description").unwrap_or_default(),
            deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
            replaced_by: str_field(op, "x-replaced-by"),
            idempotent: op
                .get("x-idempotent")
                .and_then(Value::as_bool)
                .unwrap_or(method == "get"),
            content_type: str_field(op, "x-content-type").unwrap_or_else(|| JSON_MEDIA_TYPE.into()),
            params,
            body,
            success,
            paging,
            id,
        })
    }

    /// The `x-paging` extension, with the Rust types the generated pager needs.
    fn paging(
        &self,
        id: &str,
        op: &Value,
        params: &[Param],
        body: Option<&Body>,
        success: &Success,
    ) -> Result<Option<Paging>> {
        let Some(ext) = op.get("x-paging") else { return Ok(None) };
        let items = str_field(ext, "items").ok_or_else(|| format!("{id}: x-paging without items"))?;
        let total = str_field(ext, "total");
        let ResponseKind::Json(response) = &success.kind else {
            return Err(format!("{id}: x-paging on an operation without a JSON response"));
        };
        let schemas = self
            .root
            .pointer("/components/schemas")
            .ok_or("no components.schemas")?;
        let schema = schemas
            .as_object()
            .and_then(|m| m.iter().find(|(name, _)| name.to_upper_camel_case() == *response))
            .map(|(_, s)| s)
            .ok_or_else(|| format!("{id}: response schema {response} not found"))?;
        let item_type = ref_type_name(schema.pointer(&format!("/properties/{items}/items")))
            .ok_or_else(|| format!("{id}: x-paging items {items} is not an array of a named schema"))?;
        let style = match str_field(ext, "style").as_deref() {
            Some("offset-limit") => {
                let ty = |name: &str| {
                    params
                        .iter()
                        .find(|p| p.name == name && p.location == "query")
                        .map(|p| p.ty)
                        .ok_or_else(|| format!("{id}: x-paging needs a query parameter {name}"))
                };
                PagingStyle::OffsetLimit {
                    offset: ty("offset")?,
                    limit: ty("limit")?,
                }
            }
            Some("page-size") => {
                let body = body.ok_or_else(|| format!("{id}: page-size paging needs a body"))?;
                let schema = schemas
                    .as_object()
                    .and_then(|m| m.iter().find(|(name, _)| name.to_upper_camel_case() == body.type_name))
                    .map(|(_, s)| s)
                    .ok_or_else(|| format!("{id}: body schema {} not found", body.type_name))?;
                let field = |key: &str| -> Result<BodyField> {
                    let name = str_field(ext, key).unwrap_or_else(|| key.into());
                    let prop = schema
                        .pointer(&format!("/properties/{name}"))
                        .ok_or_else(|| format!("{id}: x-paging {key} field {name} is not in the body"))?;
                    let required = schema
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name.as_str())));
                    Ok(BodyField {
                        ty: ParamType::of(prop),
                        required,
                        name,
                    })
                };
                let first = ext.get("first-page").and_then(Value::as_u64).unwrap_or(1);
                PagingStyle::PageSize {
                    page: field("page")?,
                    size: field("size")?,
                    first,
                }
            }
            other => return Err(format!("{id}: unknown x-paging style {other:?}")),
        };
        Ok(Some(Paging {
            style,
            items,
            item_type,
            total,
        }))
    }

    fn success_response(&self, id: &str, op: &Value) -> Result<Success> {
        let (status, response) = success_response(id, op.get("responses"))?;
        let response = self.resolve(response)?;
        let status: u16 = status.parse().map_err(|_| format!("{id}: bad status {status}"))?;
        let kind = match response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().next())
        {
            None => ResponseKind::Empty,
            Some((media, _)) if media == BINARY_MEDIA_TYPE => ResponseKind::Binary,
            Some((_, content)) => ResponseKind::Json(
                ref_type_name(content.get("schema")).unwrap_or_else(|| format!("{}Response", id.to_upper_camel_case())),
            ),
        };
        let example = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|media| media.get("example"))
            .cloned();
        Ok(Success { status, kind, example })
    }
}

/// One operation, as the generators see it.
pub struct Operation {
    pub id: String,
    pub snake: String,
    pub kebab: String,
    pub pascal: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub deprecated: bool,
    pub replaced_by: Option<String>,
    pub idempotent: bool,
    pub content_type: String,
    /// Parameters the caller supplies (credential headers excluded).
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub success: Success,
    pub paging: Option<Paging>,
}

/// How a list operation pages (`x-paging`).
pub struct Paging {
    pub style: PagingStyle,
    /// The response field holding the page's items.
    pub items: String,
    /// The Rust type of one item.
    pub item_type: String,
    /// The response field holding the total over all pages, if any.
    pub total: Option<String>,
}

pub enum PagingStyle {
    /// `offset` and `limit` query parameters.
    OffsetLimit { offset: ParamType, limit: ParamType },
    /// Page number and page size in the request body.
    PageSize {
        page: BodyField,
        size: BodyField,
        first: u64,
    },
}

/// A scalar field of a request body.
pub struct BodyField {
    pub name: String,
    pub ty: ParamType,
    pub required: bool,
}

pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub ty: ParamType,
    pub example: Option<Value>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub description: String,
    pub enum_values: Vec<String>,
}

impl Param {
    /// Parameters the client fills from its configuration instead of asking the caller.
    pub fn is_from_config(&self) -> bool {
        self.location == "path" && self.name == "project_id"
    }
    pub fn snake(&self) -> String {
        self.name.to_snake_case()
    }
    pub fn kebab(&self) -> String {
        self.name.to_kebab_case()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    I32,
    I64,
    Bool,
    F64,
    StringList,
}

impl ParamType {
    fn of(schema: &Value) -> ParamType {
        match (
            str_field(schema, "type").as_deref(),
            str_field(schema, "format").as_deref(),
        ) {
            (Some("integer"), Some("int32")) => ParamType::I32,
            (Some("integer"), _) => ParamType::I64,
            (Some("boolean"), _) => ParamType::Bool,
            (Some("number"), _) => ParamType::F64,
            (Some("array"), _) => ParamType::StringList,
            _ => ParamType::String,
        }
    }
}

pub struct Body {
    pub type_name: String,
    pub example: Option<Value>,
}

pub struct Success {
    pub status: u16,
    pub kind: ResponseKind,
    /// The documented example body of the success response.
    pub example: Option<Value>,
}

pub enum ResponseKind {
    /// A JSON body decoded into the named type of `dbss_api::types`.
    Json(String),
    /// No body (204, or a 2xx the spec documents without content).
    Empty,
    /// A file download, streamed.
    Binary,
}

/// The success response of an operation, given its `responses`: the first 2xx, with its
/// status. The client decodes this one; every other status is an error.
pub fn success_response<'a>(id: &str, responses: Option<&'a Value>) -> Result<(&'a String, &'a Value)> {
    responses
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{id}: no responses"))?
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .ok_or_else(|| format!("{id}: no 2xx response"))
}

/// Whether a parameter carries a credential (`x-credential: true`): the client sets it from its
/// configuration, so no generated API asks the caller for it.
pub fn is_credential(param: &Value) -> bool {
    param.get("x-credential").and_then(Value::as_bool) == Some(true)
}

pub fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The Rust type name typify gives the component a schema `$ref`s, if it is a `$ref`.
pub fn ref_type_name(schema: Option<&Value>) -> Option<String> {
    let reference = schema?.get("$ref")?.as_str()?;
    reference.rsplit('/').next().map(|name| name.to_upper_camel_case())
}
