//! `cargo xtask drift`: compares `openapi/dbss.yaml` with the official SDK's inventory
//! (`openapi/upstream/operations.tsv` and `models.json`), prints every difference, and fails unless
//! each one is explained in `openapi/upstream/allowlist.yaml` (and every allow-list entry still
//! explains something).
//!
//! The contract between the spec and the inventory:
//!
//! * operations: same `operationId`, method, path; `deprecated: true` iff the SDK deprecates it;
//!   a request body iff the SDK has a body model, as `$ref` to that model, under the SDK's content
//!   type (compared case-insensitively, as is `x-content-type` when present);
//! * parameters: every path, query and header parameter of the SDK, same `in`, `required`, type
//!   (and enum); credential headers (`x-credential: true`, `X-Auth-Token`) are ours and ignored;
//! * success response (the first 2xx): `json object` → `$ref` to `<OperationId>Response`;
//!   `json array` → that component is `{type: array, items}` matching the SDK's `body` field;
//!   `binary file` → `application/octet-stream`; `empty` → no content; `raw body (str)` → no
//!   content or `text/plain`;
//! * schemas reached from request bodies and success responses: exactly the SDK's fields, with
//!   the same types (string, integer/int32, integer/int64, number, boolean, `$ref`, free-form
//!   object, array, map) and enums; required-ness is `required` for schemas reachable from a
//!   request body, `x-sdk-required` for those reachable only from responses (the SDK's flags are
//!   no guarantee there, but drift must still notice when they change).

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt, fs,
    path::Path,
};

use serde::Deserialize;
use serde_json::Value;

use crate::{
    Result,
    spec::{HTTP_METHODS, Spec},
};

const SPEC: &str = "openapi/dbss.yaml";
const OPERATIONS: &str = "openapi/upstream/operations.tsv";
const MODELS: &str = "openapi/upstream/models.json";
const ALLOWLIST: &str = "openapi/upstream/allowlist.yaml";

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// `cargo xtask drift`.
pub fn run(root: &Path) -> Result<()> {
    let spec = Spec::load(&root.join(SPEC))?;
    let inventory = Inventory::parse(&read(root, OPERATIONS)?, &read(root, MODELS)?)?;
    let allowlist = parse_allowlist(&read(root, ALLOWLIST)?).map_err(|e| format!("{ALLOWLIST}: {e}"))?;
    let report = judge(&compare(&spec, &inventory), &allowlist);
    print!("{}", report.text);
    if report.passes() {
        Ok(())
    } else {
        Err(format!(
            "drift: {} difference(s) not allow-listed, {} stale allow-list entr{} (see {ALLOWLIST})",
            report.unallowed,
            report.stale,
            if report.stale == 1 { "y" } else { "ies" }
        ))
    }
}

fn read(root: &Path, relative: &str) -> Result<String> {
    fs::read_to_string(root.join(relative)).map_err(|e| format!("{relative}: {e}"))
}

// ------------------------------------------------------------------------------------------------
// Differences
// ------------------------------------------------------------------------------------------------

macro_rules! kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// What differs. The order is the order of the report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Kind {
            $($variant,)*
        }

        impl Kind {
            pub const ALL: &[Kind] = &[$(Kind::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }
        }
    };
}

kinds! {
    MissingOperation => "missing-operation",
    ExtraOperation => "extra-operation",
    Method => "method",
    Path => "path",
    Deprecated => "deprecated",
    ContentType => "content-type",
    BodyMediaType => "body-media-type",
    RequestBody => "request-body",
    ParamMissing => "param-missing",
    ParamExtra => "param-extra",
    ParamIn => "param-in",
    ParamRequired => "param-required",
    ParamType => "param-type",
    ResponseShape => "response-shape",
    SchemaMissing => "schema-missing",
    SchemaExtra => "schema-extra",
    FieldMissing => "field-missing",
    FieldExtra => "field-extra",
    FieldType => "field-type",
    Required => "required",
    Enum => "enum",
    EnumExtra => "enum-extra",
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One difference between the spec and the inventory. `target` is an operation id, an
/// `OperationId.parameter`, a `Model` or a `Model.field`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diff {
    pub kind: Kind,
    pub target: String,
    pub detail: String,
}

// ------------------------------------------------------------------------------------------------
// Types, in the inventory's vocabulary
// ------------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum Ty {
    String,
    Int32,
    Int64,
    /// An integer whose width the inventory does not know (`int_width: unknown`).
    IntUnknown,
    Number,
    Boolean,
    Model(String),
    FreeObject,
    Array(Box<Ty>),
    Map(Box<Ty>),
    /// Anything outside the vocabulary, described.
    Other(String),
}

impl Ty {
    /// Parses the inventory's type text (`long`, `array of object Foo`, ...).
    fn parse(text: &str, unknown_width: bool) -> Ty {
        if let Some(inner) = text.strip_prefix("array of ") {
            return Ty::Array(Box::new(Ty::parse(inner, unknown_width)));
        }
        if let Some(inner) = text.strip_prefix("map of string to ") {
            return Ty::Map(Box::new(Ty::parse(inner, unknown_width)));
        }
        match text {
            "string" => Ty::String,
            "integer" if unknown_width => Ty::IntUnknown,
            "integer" => Ty::Int32,
            "long" => Ty::Int64,
            "number" => Ty::Number,
            "boolean" => Ty::Boolean,
            "object (no schema)" => Ty::FreeObject,
            _ => match text.strip_prefix("object ") {
                Some(model) => Ty::Model(model.to_owned()),
                None => Ty::Other(text.to_owned()),
            },
        }
    }

    /// Whether a spec type satisfies this inventory type.
    fn accepts(&self, spec: &Ty) -> bool {
        match (self, spec) {
            (Ty::IntUnknown, Ty::Int32 | Ty::Int64) => true,
            (Ty::Array(a), Ty::Array(b)) | (Ty::Map(a), Ty::Map(b)) => a.accepts(b),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::String => f.write_str("string"),
            Ty::Int32 => f.write_str("integer (int32)"),
            Ty::Int64 => f.write_str("long (int64)"),
            Ty::IntUnknown => f.write_str("integer (width unknown)"),
            Ty::Number => f.write_str("number"),
            Ty::Boolean => f.write_str("boolean"),
            Ty::Model(name) => write!(f, "object {name}"),
            Ty::FreeObject => f.write_str("object (no schema)"),
            Ty::Array(inner) => write!(f, "array of {inner}"),
            Ty::Map(inner) => write!(f, "map of string to {inner}"),
            Ty::Other(text) => f.write_str(text),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// The inventory
// ------------------------------------------------------------------------------------------------

pub struct Inventory {
    ops: Vec<InvOp>,
    models: BTreeMap<String, Model>,
}

struct InvOp {
    id: String,
    method: String,
    path: String,
    /// Path, query and header parameters.
    params: Vec<InvParam>,
    body_model: Option<String>,
    response_model: String,
    response_kind: String,
    deprecated: bool,
    content_type: String,
}

struct InvParam {
    name: String,
    location: &'static str,
    required: bool,
    ty: Ty,
    enum_values: Option<Vec<Value>>,
}

struct Model {
    fields: Vec<Field>,
}

struct Field {
    name: String,
    ty: Ty,
    required: bool,
    enum_values: Option<Vec<Value>>,
    location: Option<String>,
}

#[derive(Deserialize)]
struct RawModels {
    models: BTreeMap<String, RawModel>,
}

#[derive(Deserialize)]
struct RawModel {
    #[serde(default)]
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
struct RawField {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    required: bool,
    #[serde(rename = "enum")]
    enum_values: Option<Vec<Value>>,
    #[serde(rename = "in")]
    location: Option<String>,
    int_width: Option<String>,
}

impl Inventory {
    /// Parses the text of `operations.tsv` and `models.json`.
    pub fn parse(tsv: &str, models_json: &str) -> Result<Inventory> {
        let raw: RawModels = serde_json::from_str(models_json).map_err(|e| format!("{MODELS}: {e}"))?;
        let models: BTreeMap<String, Model> = raw
            .models
            .into_iter()
            .map(|(name, model)| {
                let fields = model
                    .fields
                    .into_iter()
                    .map(|f| Field {
                        ty: Ty::parse(&f.ty, f.int_width.as_deref() == Some("unknown")),
                        name: f.name,
                        required: f.required,
                        enum_values: f.enum_values,
                        location: f.location,
                    })
                    .collect();
                (name, Model { fields })
            })
            .collect();

        let mut lines = tsv.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines
            .next()
            .ok_or(format!("{OPERATIONS}: empty"))?
            .split('\t')
            .collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|c| *c == name)
                .ok_or_else(|| format!("{OPERATIONS}: no column {name}"))
        };
        let columns = [
            "operation_id",
            "method",
            "path",
            "path_params",
            "query_params",
            "header_params",
            "request_body_model",
            "response_model",
            "response_body_kind",
            "deprecated",
            "content_type",
        ]
        .map(column);
        let mut index = [0; 11];
        for (slot, col) in index.iter_mut().zip(columns) {
            *slot = col?;
        }
        let [
            id,
            method,
            path,
            path_params,
            query,
            headers,
            body,
            response,
            kind,
            deprecated,
            content_type,
        ] = index;

        let mut ops = Vec::new();
        for (number, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split('\t').collect();
            if cells.len() != header.len() {
                return Err(format!("{OPERATIONS}: row {} has {} cells", number + 2, cells.len()));
            }
            let id = cells[id].to_owned();
            let wrapper = models.get(&format!("{id}Request"));
            let mut params = Vec::new();
            for name in list(cells[path_params]) {
                let enum_values = wrapper_enum(wrapper, name, "path");
                params.push(InvParam {
                    name: name.to_owned(),
                    location: "path",
                    required: true,
                    ty: Ty::String,
                    enum_values,
                });
            }
            for (location, cell) in [("query", cells[query]), ("header", cells[headers])] {
                for item in list(cell) {
                    params.push(inventory_param(&id, item, location, wrapper)?);
                }
            }
            ops.push(InvOp {
                method: cells[method].to_owned(),
                path: cells[path].to_owned(),
                params,
                body_model: Some(cells[body]).filter(|b| *b != "-").map(str::to_owned),
                response_model: cells[response].to_owned(),
                response_kind: cells[kind].to_owned(),
                deprecated: cells[deprecated] == "yes",
                content_type: cells[content_type].to_owned(),
                id,
            });
        }
        Ok(Inventory { ops, models })
    }
}

/// The items of a comma-separated cell (`-` is none).
fn list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(',').map(str::trim).filter(|s| !s.is_empty() && *s != "-")
}

/// `name:type:required|optional`; the request wrapper tells the enum and an unknown int width.
fn inventory_param(op: &str, item: &str, location: &'static str, wrapper: Option<&Model>) -> Result<InvParam> {
    let mut parts = item.splitn(3, ':');
    let (Some(name), Some(ty), Some(required)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("{OPERATIONS}: {op}: bad parameter {item:?}"));
    };
    let unknown_width = wrapper
        .and_then(|w| w.fields.iter().find(|f| f.name == name))
        .is_some_and(|f| f.ty == Ty::IntUnknown || f.ty == Ty::Array(Box::new(Ty::IntUnknown)));
    Ok(InvParam {
        name: name.to_owned(),
        location,
        required: required == "required",
        ty: Ty::parse(ty, unknown_width),
        enum_values: wrapper_enum(wrapper, name, location),
    })
}

fn wrapper_enum(wrapper: Option<&Model>, name: &str, location: &str) -> Option<Vec<Value>> {
    wrapper?
        .fields
        .iter()
        .find(|f| f.name == name && f.location.as_deref().is_none_or(|l| l == location))?
        .enum_values
        .clone()
}

// ------------------------------------------------------------------------------------------------
// The comparison
// ------------------------------------------------------------------------------------------------

struct SpecOp<'a> {
    method: &'static str,
    path: &'a str,
    item: &'a Value,
    op: &'a Value,
}

struct Checker<'a> {
    spec: &'a Spec,
    inventory: &'a Inventory,
    diffs: Vec<Diff>,
}

/// Every difference between the spec and the inventory, sorted.
pub fn compare(spec: &Spec, inventory: &Inventory) -> Vec<Diff> {
    let mut checker = Checker {
        spec,
        inventory,
        diffs: Vec::new(),
    };
    checker.run();
    let mut diffs = checker.diffs;
    diffs.sort();
    diffs.dedup();
    diffs
}

impl<'a> Checker<'a> {
    fn report(&mut self, kind: Kind, target: impl Into<String>, detail: impl Into<String>) {
        self.diffs.push(Diff {
            kind,
            target: target.into(),
            detail: detail.into(),
        });
    }

    fn run(&mut self) {
        let spec_ops = self.spec_operations();
        let mut request_roots = Vec::new();
        let mut response_roots = Vec::new();
        for inv in &self.inventory.ops {
            match spec_ops.get(inv.id.as_str()) {
                None => self.report(
                    Kind::MissingOperation,
                    &inv.id,
                    format!("{} {} is in operations.tsv, not in the spec", inv.method, inv.path),
                ),
                Some(op) => self.operation(inv, op),
            }
        }
        for (id, op) in &spec_ops {
            if !self.inventory.ops.iter().any(|inv| inv.id == *id) {
                self.report(
                    Kind::ExtraOperation,
                    *id,
                    format!(
                        "{} {} is in the spec, not in operations.tsv",
                        op.method.to_uppercase(),
                        op.path
                    ),
                );
            }
            if let Some(body) = op.op.get("requestBody") {
                request_roots.push(self.resolved(body));
            }
            if let Some((_, response)) = success_response(op.op) {
                response_roots.push(self.resolved(response));
            }
        }
        self.schemas(&request_roots, &response_roots);
    }

    fn resolved(&self, value: &'a Value) -> &'a Value {
        self.spec.resolve(value).unwrap_or(value)
    }

    /// The spec's operations by id (ops without an id, or with a repeated one, are reported).
    fn spec_operations(&mut self) -> BTreeMap<&'a str, SpecOp<'a>> {
        let mut ops = BTreeMap::new();
        let paths = self.spec.root.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            for method in HTTP_METHODS {
                let Some(op) = item.get(method) else { continue };
                let where_ = format!("{} {path}", method.to_uppercase());
                match op.get("operationId").and_then(Value::as_str) {
                    None => self.report(Kind::ExtraOperation, &where_, "operation without operationId"),
                    Some(id) => {
                        if ops.contains_key(id) {
                            self.report(Kind::ExtraOperation, id, format!("operationId repeated at {where_}"));
                        } else {
                            ops.insert(id, SpecOp { method, path, item, op });
                        }
                    }
                }
            }
        }
        ops
    }

    fn operation(&mut self, inv: &InvOp, op: &SpecOp<'a>) {
        let id = inv.id.as_str();
        if !op.method.eq_ignore_ascii_case(&inv.method) {
            self.report(
                Kind::Method,
                id,
                format!("spec {}, SDK {}", op.method.to_uppercase(), inv.method),
            );
        }
        if op.path != inv.path {
            self.report(Kind::Path, id, format!("spec {}, SDK {}", op.path, inv.path));
        }
        let deprecated = op.op.get("deprecated").and_then(Value::as_bool).unwrap_or(false);
        if deprecated != inv.deprecated {
            self.report(
                Kind::Deprecated,
                id,
                format!("spec deprecated: {deprecated}, SDK deprecated: {}", inv.deprecated),
            );
        }
        if let Some(declared) = op.op.get("x-content-type").and_then(Value::as_str)
            && !declared.eq_ignore_ascii_case(&inv.content_type)
        {
            self.report(
                Kind::ContentType,
                id,
                format!("spec x-content-type {declared}, SDK {}", inv.content_type),
            );
        }
        self.request_body(inv, op.op);
        self.parameters(inv, op);
        self.success(inv, op.op);
    }

    fn request_body(&mut self, inv: &InvOp, op: &'a Value) {
        let id = inv.id.as_str();
        let body = op.get("requestBody").map(|b| self.resolved(b));
        let (body, model) = match (body, &inv.body_model) {
            (None, None) => return,
            (Some(_), None) => {
                self.report(Kind::RequestBody, id, "the spec has a request body, the SDK sends none");
                return;
            }
            (None, Some(model)) => {
                self.report(
                    Kind::RequestBody,
                    id,
                    format!("the SDK sends a {model} body, the spec has none"),
                );
                return;
            }
            (Some(body), Some(model)) => (body, model),
        };
        let content: Vec<(&String, &Value)> = body
            .get("content")
            .and_then(Value::as_object)
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        let [(media, media_type)] = content.as_slice() else {
            let media: Vec<&str> = content.iter().map(|(m, _)| m.as_str()).collect();
            self.report(
                Kind::BodyMediaType,
                id,
                format!("spec has media types {media:?}, the SDK sends {}", inv.content_type),
            );
            return;
        };
        if !media.eq_ignore_ascii_case(&inv.content_type) {
            self.report(
                Kind::BodyMediaType,
                id,
                format!("spec {media}, SDK {}", inv.content_type),
            );
        }
        let expected = format!("{SCHEMA_PREFIX}{model}");
        let actual = media_type
            .get("schema")
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str);
        if actual != Some(expected.as_str()) {
            self.report(
                Kind::RequestBody,
                id,
                format!(
                    "body schema is {}, expected $ref {expected}",
                    describe_ref(media_type.get("schema"))
                ),
            );
        }
    }

    fn parameters(&mut self, inv: &InvOp, op: &SpecOp<'a>) {
        let id = inv.id.as_str();
        // Path-item parameters, overridden by the operation's own (same name and `in`).
        let mut params: Vec<&Value> = Vec::new();
        for list in [op.item.get("parameters"), op.op.get("parameters")] {
            for raw in list.and_then(Value::as_array).into_iter().flatten() {
                let p = self.resolved(raw);
                let key = (p.get("name"), p.get("in"));
                params.retain(|q| (q.get("name"), q.get("in")) != key);
                params.push(p);
            }
        }
        params.retain(|p| {
            let credential = p.get("x-credential").and_then(Value::as_bool) == Some(true);
            let token = p.get("in").and_then(Value::as_str) == Some("header")
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("X-Auth-Token"));
            !credential && !token
        });

        for expected in &inv.params {
            let target = format!("{id}.{}", expected.name);
            let same_name: Vec<&Value> = params
                .iter()
                .copied()
                .filter(|p| p.get("name").and_then(Value::as_str) == Some(expected.name.as_str()))
                .collect();
            let Some(actual) = same_name
                .iter()
                .find(|p| p.get("in").and_then(Value::as_str) == Some(expected.location))
                .or(same_name.first())
                .copied()
            else {
                self.report(
                    Kind::ParamMissing,
                    target,
                    format!("{} parameter {} is not in the spec", expected.location, expected.name),
                );
                continue;
            };
            let location = actual.get("in").and_then(Value::as_str).unwrap_or("?");
            if location != expected.location {
                self.report(
                    Kind::ParamIn,
                    &target,
                    format!("spec in: {location}, SDK in: {}", expected.location),
                );
            }
            let required = actual.get("required").and_then(Value::as_bool).unwrap_or(false);
            if required != expected.required {
                self.report(
                    Kind::ParamRequired,
                    &target,
                    format!("spec required: {required}, SDK required: {}", expected.required),
                );
            }
            match actual.get("schema") {
                None => self.report(Kind::ParamType, &target, format!("no schema, SDK {}", expected.ty)),
                Some(schema) => {
                    let ty = self.spec_type(schema);
                    if !expected.ty.accepts(&ty) {
                        self.report(Kind::ParamType, &target, format!("spec {ty}, SDK {}", expected.ty));
                    }
                    self.enums(&target, schema, expected.enum_values.as_deref());
                }
            }
        }
        for actual in params {
            let name = actual.get("name").and_then(Value::as_str).unwrap_or("?");
            if !inv.params.iter().any(|p| p.name == name) {
                let location = actual.get("in").and_then(Value::as_str).unwrap_or("?");
                self.report(
                    Kind::ParamExtra,
                    format!("{id}.{name}"),
                    format!("{location} parameter {name} is not in the SDK"),
                );
            }
        }
    }

    fn success(&mut self, inv: &InvOp, op: &'a Value) {
        let id = inv.id.as_str();
        let Some((status, response)) = success_response(op) else {
            self.report(Kind::ResponseShape, id, "no 2xx response");
            return;
        };
        let response = self.resolved(response);
        let content: BTreeMap<&str, &Value> = response
            .get("content")
            .and_then(Value::as_object)
            .map(|c| c.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default();
        let media: Vec<&str> = content.keys().copied().collect();
        let model = inv.response_model.as_str();
        let expected_ref = format!("{SCHEMA_PREFIX}{model}");
        let mut shape = |problem: String| {
            self.diffs.push(Diff {
                kind: Kind::ResponseShape,
                target: id.to_owned(),
                detail: format!("{status}: {problem} (SDK: {})", inv.response_kind),
            })
        };
        match inv.response_kind.as_str() {
            kind @ ("json object" | "json array") => {
                let Some(json) = content.get("application/json") else {
                    shape(format!("no application/json content (has {media:?})"));
                    return;
                };
                let schema = json.get("schema");
                if schema.and_then(|s| s.get("$ref")).and_then(Value::as_str) != Some(expected_ref.as_str()) {
                    shape(format!(
                        "schema is {}, expected $ref {expected_ref}",
                        describe_ref(schema)
                    ));
                    return;
                }
                if kind == "json array" {
                    let component = self.component(model);
                    let expected = self.inventory.models.get(model).and_then(|m| m.fields.first());
                    match (component, expected) {
                        (None, _) => {} // reported as schema-missing
                        (Some(component), Some(body)) if body.name == "body" => {
                            let ty = self.spec_type_of_component(model, component);
                            if !body.ty.accepts(&ty) {
                                let problem = format!("{model} is {ty}, the SDK body is {}", body.ty);
                                self.report(Kind::ResponseShape, id, format!("{status}: {problem}"));
                            }
                            if let Some(items) = component.get("items") {
                                let target = format!("{model}.body");
                                self.enums(&target, items, body.enum_values.as_deref());
                            }
                        }
                        (Some(_), _) => self.report(
                            Kind::ResponseShape,
                            id,
                            format!("models.json {model} has no single `body` field"),
                        ),
                    }
                }
            }
            "binary file" => {
                if media != ["application/octet-stream"] {
                    shape(format!("content is {media:?}, expected application/octet-stream"));
                }
            }
            "empty" => {
                if !media.is_empty() {
                    shape(format!("content is {media:?}, expected none"));
                }
            }
            "raw body (str)" => {
                if !media.is_empty() && media != ["text/plain"] {
                    shape(format!("content is {media:?}, expected none or text/plain"));
                }
            }
            other => shape(format!("unknown response_body_kind {other:?}")),
        }
    }

    fn component(&self, name: &str) -> Option<&'a Value> {
        self.spec.root.get("components")?.get("schemas")?.get(name)
    }

    /// The type a spec schema denotes. A `$ref` to an object component is that model; a `$ref`
    /// to a scalar or array component (an alias) is followed.
    fn spec_type(&self, schema: &'a Value) -> Ty {
        self.spec_type_depth(schema, 0)
    }

    /// Whether a component stands for a model (a `$ref` to it means "object <name>").
    fn is_model(&self, name: &str, component: &Value) -> bool {
        is_object_schema(component) || self.inventory.models.contains_key(name)
    }

    fn spec_type_of_component(&self, name: &str, component: &'a Value) -> Ty {
        if is_object_schema(component) {
            Ty::Model(name.to_owned())
        } else {
            self.spec_type(component)
        }
    }

    fn spec_type_depth(&self, schema: &'a Value, depth: usize) -> Ty {
        if depth > 32 {
            return Ty::Other("recursive $ref".into());
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let Some(name) = reference.strip_prefix(SCHEMA_PREFIX) else {
                return Ty::Other(format!("$ref {reference}"));
            };
            return match self.component(name) {
                Some(target) if !self.is_model(name, target) => self.spec_type_depth(target, depth + 1),
                _ => Ty::Model(name.to_owned()),
            };
        }
        if schema.get("type").is_none()
            && let Some([single]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
        {
            return self.spec_type_depth(single, depth + 1);
        }
        let format = schema.get("format").and_then(Value::as_str);
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => match format {
                None | Some("date-time") => Ty::String,
                Some(other) => Ty::Other(format!("string (format {other})")),
            },
            Some("integer") => match format {
                Some("int32") => Ty::Int32,
                Some("int64") => Ty::Int64,
                None => Ty::Other("integer without format".into()),
                Some(other) => Ty::Other(format!("integer (format {other})")),
            },
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("array") => match schema.get("items") {
                Some(items) => Ty::Array(Box::new(self.spec_type_depth(items, depth + 1))),
                None => Ty::Other("array without items".into()),
            },
            Some("object") => {
                let has_properties = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty());
                match schema.get("additionalProperties") {
                    _ if has_properties => Ty::Other("inline object".into()),
                    Some(extra) if extra.as_object().is_some_and(|o| !o.is_empty()) => {
                        Ty::Map(Box::new(self.spec_type_depth(extra, depth + 1)))
                    }
                    _ => Ty::FreeObject,
                }
            }
            Some(other) => Ty::Other(format!("type {other}")),
            None if schema.get("properties").is_some() => Ty::Other("inline object".into()),
            None => Ty::Other("untyped schema".into()),
        }
    }

    /// The scalar schema carrying a field's enum: through `$ref`s, single `allOf`s and `items`.
    fn enum_holder(&self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        for _ in 0..32 {
            if schema.get("$ref").is_some() {
                schema = self.resolved(schema);
            } else if let (None, Some([single])) = (
                schema.get("type"),
                schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice),
            ) {
                schema = single;
            } else if let Some(items) = schema.get("items") {
                schema = items;
            } else {
                break;
            }
        }
        schema
    }

    fn enums(&mut self, target: &str, schema: &'a Value, expected: Option<&[Value]>) {
        let actual = self.enum_holder(schema).get("enum").and_then(Value::as_array);
        match (expected, actual) {
            (None, None) => {}
            (None, Some(actual)) => {
                self.report(
                    Kind::EnumExtra,
                    target,
                    format!("spec enum {}, the SDK has none", values(actual)),
                );
            }
            (Some(expected), None) => {
                self.report(
                    Kind::Enum,
                    target,
                    format!("spec has no enum, SDK {}", values(expected)),
                );
            }
            (Some(expected), Some(actual)) => {
                let missing: Vec<Value> = expected.iter().filter(|v| !actual.contains(v)).cloned().collect();
                let extra: Vec<Value> = actual.iter().filter(|v| !expected.contains(v)).cloned().collect();
                let mut problems = Vec::new();
                if !missing.is_empty() {
                    problems.push(format!("spec lacks {}", values(&missing)));
                }
                if !extra.is_empty() {
                    problems.push(format!("spec adds {}", values(&extra)));
                }
                if !problems.is_empty() {
                    self.report(Kind::Enum, target, problems.join("; "));
                }
            }
        }
    }

    /// Every component reached from a request body or a success response, against its model.
    fn schemas(&mut self, request_roots: &[&'a Value], response_roots: &[&'a Value]) {
        let mut from_requests = BTreeSet::new();
        for root in request_roots {
            self.collect_refs(root, &mut from_requests);
        }
        let mut from_responses = BTreeSet::new();
        for root in response_roots {
            self.collect_refs(root, &mut from_responses);
        }
        // Responses whose model is no object: their shape is checked with the operation.
        let non_object: BTreeSet<&str> = self
            .inventory
            .ops
            .iter()
            .filter(|op| op.response_kind != "json object")
            .map(|op| op.response_model.as_str())
            .collect();
        for name in from_requests.union(&from_responses) {
            let name = name.as_str();
            let Some(component) = self.component(name) else {
                self.report(Kind::SchemaMissing, name, "referenced by the spec but not defined");
                continue;
            };
            let component = self.resolved(component);
            match self.inventory.models.get(name) {
                Some(_) if non_object.contains(name) => {}
                Some(model) => self.model(name, model, component, from_requests.contains(name)),
                None if is_object_schema(component) => {
                    self.report(
                        Kind::SchemaExtra,
                        name,
                        "an object schema of the spec that is no SDK model",
                    );
                }
                None => {} // a scalar or array alias, checked where it is used
            }
        }
    }

    fn collect_refs(&self, value: &'a Value, seen: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key == "example" || key == "examples" {
                        continue;
                    }
                    if key == "$ref"
                        && let Some(name) = child.as_str().and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
                        && seen.insert(name.to_owned())
                        && let Some(target) = self.component(name)
                    {
                        self.collect_refs(target, seen);
                    }
                    self.collect_refs(child, seen);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.collect_refs(item, seen);
                }
            }
            _ => {}
        }
    }

    fn model(&mut self, name: &str, model: &Model, component: &'a Value, request_side: bool) {
        let properties = component.get("properties").and_then(Value::as_object);
        for field in &model.fields {
            let target = format!("{name}.{}", field.name);
            let Some(property) = properties.and_then(|p| p.get(&field.name)) else {
                self.report(
                    Kind::FieldMissing,
                    target,
                    format!("the SDK field ({}) is not in the spec", field.ty),
                );
                continue;
            };
            let ty = self.spec_type(property);
            if !field.ty.accepts(&ty) {
                self.report(Kind::FieldType, &target, format!("spec {ty}, SDK {}", field.ty));
            }
            self.enums(&target, property, field.enum_values.as_deref());
        }
        for property in properties.into_iter().flat_map(|p| p.keys()) {
            if !model.fields.iter().any(|f| f.name == *property) {
                self.report(
                    Kind::FieldExtra,
                    format!("{name}.{property}"),
                    "the spec property is not in the SDK",
                );
            }
        }

        let sdk: BTreeSet<&str> = model
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.as_str())
            .collect();
        let key = if request_side { "required" } else { "x-sdk-required" };
        let spec: BTreeSet<&str> = component
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if sdk != spec {
            let lacks: Vec<&str> = sdk.difference(&spec).copied().collect();
            let adds: Vec<&str> = spec.difference(&sdk).copied().collect();
            let mut problems = Vec::new();
            if !lacks.is_empty() {
                problems.push(format!("`{key}` lacks SDK-required {}", lacks.join(", ")));
            }
            if !adds.is_empty() {
                problems.push(format!("`{key}` has {} the SDK does not require", adds.join(", ")));
            }
            let side = if request_side { "request side" } else { "response only" };
            self.report(Kind::Required, name, format!("{} ({side})", problems.join("; ")));
        }
    }
}

/// The first 2xx response of an operation, with its status.
fn success_response(op: &Value) -> Option<(&String, &Value)> {
    op.get("responses")?
        .as_object()?
        .iter()
        .find(|(code, _)| code.starts_with('2'))
}

/// Whether a schema describes an object with named properties (a model), rather than a scalar,
/// an array, a map or a free-form object.
fn is_object_schema(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && ["properties", "allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| schema.get(k).is_some())
}

fn describe_ref(schema: Option<&Value>) -> String {
    match schema {
        None => "absent".into(),
        Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => format!("$ref {reference}"),
            None => "an inline schema".into(),
        },
    }
}

fn values(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(Value::to_string).collect();
    format!("[{}]", items.join(", "))
}

// ------------------------------------------------------------------------------------------------
// The allow-list and the verdict
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    pub kind: String,
    pub target: String,
    pub reason: String,
}

/// Parses `allowlist.yaml`: a YAML list of `{kind, target, reason}` (an empty document is `[]`).
pub fn parse_allowlist(text: &str) -> Result<Vec<AllowEntry>> {
    let entries: Option<Vec<AllowEntry>> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let entries = entries.unwrap_or_default();
    for entry in &entries {
        if !Kind::ALL.iter().any(|k| k.name() == entry.kind) {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
            return Err(format!("unknown kind {:?} (known: {})", entry.kind, known.join(", ")));
        }
        if entry.target.trim().is_empty() || entry.reason.trim().is_empty() {
            return Err(format!("{} entry without target or reason", entry.kind));
        }
    }
    Ok(entries)
}

pub struct Report {
    pub text: String,
    pub unallowed: usize,
    pub stale: usize,
}

impl Report {
    pub fn passes(&self) -> bool {
        self.unallowed == 0 && self.stale == 0
    }
}

/// Marks the allowed differences and the stale allow-list entries, and writes the report.
pub fn judge(diffs: &[Diff], allowlist: &[AllowEntry]) -> Report {
    let matches = |entry: &AllowEntry, diff: &Diff| entry.kind == diff.kind.name() && entry.target == diff.target;
    let mut text = String::new();
    let mut counts: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    let mut unallowed = 0;
    for diff in diffs {
        let allowed = allowlist.iter().find(|entry| matches(entry, diff));
        let line = format!("{} {}: {}", diff.kind, diff.target, diff.detail);
        let count = counts.entry(diff.kind).or_default();
        count.0 += 1;
        match allowed {
            Some(entry) => {
                count.1 += 1;
                text.push_str(&format!("{line} (allowed: {})\n", entry.reason.trim()));
            }
            None => {
                unallowed += 1;
                text.push_str(&format!("{line}\n"));
            }
        }
    }
    let stale: Vec<&AllowEntry> = allowlist
        .iter()
        .filter(|entry| !diffs.iter().any(|diff| matches(entry, diff)))
        .collect();
    for entry in &stale {
        text.push_str(&format!(
            "stale allow-list entry {} {}: matches no difference ({})\n",
            entry.kind,
            entry.target,
            entry.reason.trim()
        ));
    }
    text.push_str(&format!(
        "drift: {} difference(s): {} allowed, {unallowed} not allowed; {} stale allow-list entr{}\n",
        diffs.len(),
        diffs.len() - unallowed,
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" }
    ));
    for (kind, (total, allowed)) in &counts {
        text.push_str(&format!("  {kind}: {total} ({allowed} allowed)\n"));
    }
    Report {
        text,
        unallowed,
        stale: stale.len(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A small inventory: a list with query parameters, a deprecated create with a body, a JSON
    /// array, a download and an empty answer.
    const TSV: &str = "\
operation_id|method|path|path_params|query_params|header_params|request_body_model|response_model|response_body_kind|deprecated|product_line|group|sdk_method|content_type|auto_filled_path_params|offline_marker_in_summary
ListThings|GET|/v1/{project_id}/things|project_id|limit:integer:optional,kind:string:required|-|-|ListThingsResponse|json object|no|audit|thing|list_things|application/json|project_id|no
CreateThing|POST|/v1/{project_id}/things|project_id|-|-|ThingRequest|CreateThingResponse|json object|yes|audit|thing|create_thing|application/json;charset=UTF-8|project_id|yes
CountThings|GET|/v1/{project_id}/things/count|project_id|-|-|-|CountThingsResponse|json array|no|audit|thing|count_things|application/json|project_id|no
DeleteThing|DELETE|/v1/{project_id}/things/{thing_id}|project_id,thing_id|-|-|-|DeleteThingResponse|empty|no|audit|thing|delete_thing|application/json|project_id|no
DownloadThing|GET|/v1/{project_id}/things/{thing_id}/file|project_id,thing_id|-|-|-|DownloadThingResponse|binary file|no|audit|thing|download_thing|application/json|project_id|no
";

    fn models() -> Value {
        let f = |name: &str, ty: &str, required: bool| json!({"name": name, "type": ty, "required": required});
        let p = |name: &str, ty: &str, required: bool, location: &str| json!({"name": name, "type": ty, "required": required, "in": location});
        let e = |mut field: Value, values: Value| {
            field["enum"] = values;
            field["enum_source"] = json!("go-sdk");
            field
        };
        json!({
            "_meta": {},
            "models": {
                "ListThingsRequest": {"role": "request-parameters", "fields": [
                    p("limit", "integer", false, "query"),
                    e(p("kind", "string", true, "query"), json!(["a", "b"])),
                ]},
                "ListThingsResponse": {"role": "response", "fields": [
                    f("things", "array of object Thing", false),
                    f("total", "integer", false),
                ]},
                "Thing": {"role": "schema", "fields": [
                    f("id", "string", true),
                    f("size", "long", false),
                    e(f("state", "string", false), json!(["ON", "OFF"])),
                    e(f("labels", "array of string", false), json!(["x", "y"])),
                    f("meta", "object (no schema)", false),
                    f("created", "string", false),
                    f("attrs", "map of string to string", false),
                ]},
                "CreateThingRequest": {"role": "request-parameters", "fields": [
                    p("body", "object ThingRequest", false, "body"),
                ]},
                "CreateThingResponse": {"role": "response", "fields": [f("id", "string", false)]},
                "ThingRequest": {"role": "schema", "fields": [
                    f("name", "string", true),
                    f("count", "integer", false),
                    f("ratio", "number", false),
                    f("enabled", "boolean", false),
                    f("parts", "array of object Part", false),
                ]},
                "Part": {"role": "schema", "fields": [f("n", "string", true)]},
                "CountThingsRequest": {"role": "request-parameters", "fields": []},
                "CountThingsResponse": {"role": "response", "fields": [f("body", "array of object Thing", false)]},
                "DeleteThingRequest": {"role": "request-parameters", "fields": [p("thing_id", "string", true, "path")]},
                "DeleteThingResponse": {"role": "response", "fields": []},
                "DownloadThingRequest": {"role": "request-parameters", "fields": [
                    p("thing_id", "string", true, "path"),
                ]},
                "DownloadThingResponse": {"role": "response", "stream": true, "fields": []},
            }
        })
    }

    const SPEC_YAML: &str = r##"
openapi: 3.0.3
info: {title: things, version: "1"}
paths:
  /v1/{project_id}/things:
    get:
      operationId: ListThings
      x-content-type: application/json
      parameters:
        - $ref: '#/components/parameters/ProjectId'
        - $ref: '#/components/parameters/AuthToken'
        - {name: limit, in: query, required: false, schema: {type: integer, format: int32}}
        - {name: kind, in: query, required: true, schema: {$ref: '#/components/schemas/Kind'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ListThingsResponse'}
              example: {total: 0, things: [{$ref: not-a-reference}]}
        '400': {$ref: '#/components/responses/Bad'}
    post:
      operationId: CreateThing
      deprecated: true
      x-content-type: application/json;charset=UTF-8
      parameters:
        - $ref: '#/components/parameters/ProjectId'
      requestBody:
        required: true
        content:
          application/json;charset=utf-8:
            schema: {$ref: '#/components/schemas/ThingRequest'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CreateThingResponse'}
  /v1/{project_id}/things/count:
    get:
      operationId: CountThings
      parameters:
        - $ref: '#/components/parameters/ProjectId'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CountThingsResponse'}
  /v1/{project_id}/things/{thing_id}:
    parameters:
      - $ref: '#/components/parameters/ProjectId'
      - {name: thing_id, in: path, required: true, schema: {type: string}}
    delete:
      operationId: DeleteThing
      responses:
        '204': {description: gone}
  /v1/{project_id}/things/{thing_id}/file:
    get:
      operationId: DownloadThing
      parameters:
        - $ref: '#/components/parameters/ProjectId'
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: the file
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
components:
  parameters:
    ProjectId: {name: project_id, in: path, required: true, schema: {type: string}}
    AuthToken: {name: X-Auth-Token, in: header, required: false, x-credential: true, schema: {type: string}}
  responses:
    Bad:
      description: bad
      content:
        application/json:
          schema: {$ref: '#/components/schemas/ErrorResponse'}
  schemas:
    ErrorResponse:
      type: object
      properties:
        error_code: {type: string}
    Kind: {type: string, enum: [b, a]}
    ListThingsResponse:
      type: object
      properties:
        things: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        total: {type: integer, format: int32}
    Thing:
      type: object
      x-sdk-required: [id]
      properties:
        id: {type: string}
        size: {type: integer, format: int64}
        state: {type: string, enum: ['OFF', 'ON']}
        labels: {type: array, items: {type: string, enum: [x, y]}}
        meta: {type: object}
        created: {type: string, format: date-time}
        attrs: {type: object, additionalProperties: {type: string}}
    CreateThingResponse:
      type: object
      properties:
        id: {type: string}
    ThingRequest:
      type: object
      required: [name]
      properties:
        name: {type: string}
        count: {type: integer, format: int32}
        ratio: {type: number}
        enabled: {type: boolean}
        parts: {type: array, items: {$ref: '#/components/schemas/Part'}}
    Part:
      type: object
      required: [n]
      properties:
        n: {type: string}
    CountThingsResponse:
      type: array
      items: {$ref: '#/components/schemas/Thing'}
"##;

    const THINGS: &str = "/paths/~1v1~1{project_id}~1things";
    const ITEM: &str = "/paths/~1v1~1{project_id}~1things~1{thing_id}";
    const FILE: &str = "/paths/~1v1~1{project_id}~1things~1{thing_id}~1file";
    const COUNT: &str = "/paths/~1v1~1{project_id}~1things~1count";
    const SCHEMAS: &str = "/components/schemas";

    fn spec_root() -> Value {
        serde_yaml::from_str(SPEC_YAML).expect("test spec parses")
    }

    fn inventory_with(edit: impl FnOnce(&mut Value)) -> Inventory {
        let mut models = models();
        edit(&mut models);
        Inventory::parse(&TSV.replace('|', "\t"), &models.to_string()).expect("test inventory parses")
    }

    fn drift(root: Value, inventory: &Inventory) -> Vec<(String, String)> {
        let spec = Spec {
            text: String::new(),
            root,
        };
        compare(&spec, inventory)
            .into_iter()
            .map(|d| (d.kind.name().to_owned(), d.target))
            .collect()
    }

    /// The differences after editing the spec (the inventory stays as it is).
    fn after(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
        let mut root = spec_root();
        edit(&mut root);
        drift(root, &inventory_with(|_| {}))
    }

    fn at<'v>(root: &'v mut Value, pointer: &str) -> &'v mut Value {
        root.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("test spec has {pointer}"))
    }

    fn remove(root: &mut Value, pointer: &str, key: &str) {
        at(root, pointer)
            .as_object_mut()
            .expect("an object")
            .remove(key)
            .unwrap_or_else(|| panic!("{pointer} has {key}"));
    }

    fn pair(kind: &str, target: &str) -> (String, String) {
        (kind.to_owned(), target.to_owned())
    }

    #[track_caller]
    fn assert_exactly(found: Vec<(String, String)>, expected: &[(&str, &str)]) {
        let mut expected: Vec<(String, String)> = expected.iter().map(|(k, t)| pair(k, t)).collect();
        expected.sort();
        let mut found = found;
        found.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_faithful_spec_has_no_difference() {
        assert_exactly(after(|_| {}), &[]);
    }

    #[test]
    fn operations_missing_from_the_spec_or_extra_in_it() {
        assert_exactly(
            after(|root| remove(root, ITEM, "delete")),
            &[("missing-operation", "DeleteThing")],
        );
        assert_exactly(
            after(|root| at(root, ITEM)["patch"] = json!({"operationId": "PatchThing", "responses": {}})),
            &[("extra-operation", "PatchThing")],
        );
    }

    #[test]
    fn method_path_and_deprecation() {
        assert_exactly(
            after(|root| {
                let op = at(root, THINGS)["get"].take();
                remove(root, THINGS, "get");
                at(root, THINGS)["put"] = op;
            }),
            &[("method", "ListThings")],
        );
        assert_exactly(
            after(|root| {
                let item = at(root, COUNT).take();
                remove(root, "/paths", "/v1/{project_id}/things/count");
                at(root, "/paths")["/v2/{project_id}/things/count"] = item;
            }),
            &[("path", "CountThings")],
        );
        assert_exactly(
            after(|root| remove(root, &format!("{THINGS}/post"), "deprecated")),
            &[("deprecated", "CreateThing")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{THINGS}/get"))["deprecated"] = json!(true)),
            &[("deprecated", "ListThings")],
        );
    }

    #[test]
    fn request_bodies() {
        let content = format!("{THINGS}/post/requestBody/content");
        assert_exactly(
            after(|root| {
                let media = at(root, &content)["application/json;charset=utf-8"].take();
                *at(root, &content) = json!({"application/xml": media});
            }),
            &[("body-media-type", "CreateThing")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{THINGS}/post"))["x-content-type"] = json!("application/json")),
            &[("content-type", "CreateThing")],
        );
        assert_exactly(
            after(|root| remove(root, &format!("{THINGS}/post"), "requestBody")),
            &[("request-body", "CreateThing")],
        );
        assert_exactly(
            after(|root| {
                at(root, &format!("{content}/application~1json;charset=utf-8/schema"))["$ref"] =
                    json!("#/components/schemas/CreateThingResponse");
            }),
            // ThingRequest and Part are no longer reached, hence not compared.
            &[("request-body", "CreateThing")],
        );
        assert_exactly(
            after(|root| {
                let body = at(root, &format!("{THINGS}/post/requestBody")).clone();
                at(root, &format!("{COUNT}/get"))["requestBody"] = body;
            }),
            &[("request-body", "CountThings")],
        );
    }

    #[test]
    fn parameters() {
        let params = format!("{THINGS}/get/parameters");
        assert_exactly(
            after(|root| {
                at(root, &params).as_array_mut().expect("a list").pop();
            }),
            &[("param-missing", "ListThings.kind")],
        );
        assert_exactly(
            after(|root| {
                let extra = json!({"name": "sort", "in": "query", "schema": {"type": "string"}});
                at(root, &params).as_array_mut().expect("a list").push(extra);
            }),
            &[("param-extra", "ListThings.sort")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{params}/3"))["in"] = json!("header")),
            &[("param-in", "ListThings.kind")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{params}/3"))["required"] = json!(false)),
            &[("param-required", "ListThings.kind")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{params}/2/schema"))["format"] = json!("int64")),
            &[("param-type", "ListThings.limit")],
        );
        // Path-item parameters count; a path parameter the spec forgets is missing.
        assert_exactly(
            after(|root| {
                at(root, &format!("{ITEM}/parameters"))
                    .as_array_mut()
                    .expect("a list")
                    .pop();
            }),
            &[("param-missing", "DeleteThing.thing_id")],
        );
        // The enum of a parameter, through a $ref to a scalar component.
        assert_exactly(
            after(|root| at(root, &format!("{SCHEMAS}/Kind"))["enum"] = json!(["a"])),
            &[("enum", "ListThings.kind")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{params}/2/schema"))["enum"] = json!([10, 100])),
            &[("enum-extra", "ListThings.limit")],
        );
    }

    #[test]
    fn credential_headers_are_ignored() {
        assert_exactly(
            after(|root| {
                let token = json!({"name": "X-Auth-Token", "in": "header", "schema": {"type": "string"}});
                at(root, &format!("{COUNT}/get/parameters"))
                    .as_array_mut()
                    .expect("a list")
                    .push(token);
            }),
            &[],
        );
    }

    #[test]
    fn success_responses() {
        assert_exactly(
            after(|root| {
                at(
                    root,
                    &format!("{THINGS}/post/responses/200/content/application~1json/schema"),
                )["$ref"] = json!("#/components/schemas/ListThingsResponse");
            }),
            &[("response-shape", "CreateThing")],
        );
        assert_exactly(
            after(|root| remove(root, &format!("{THINGS}/get/responses"), "200")),
            &[("response-shape", "ListThings")],
        );
        assert_exactly(
            after(|root| *at(root, &format!("{SCHEMAS}/CountThingsResponse/items")) = json!({"type": "string"})),
            &[("response-shape", "CountThings")],
        );
        assert_exactly(
            after(|root| {
                *at(root, &format!("{FILE}/get/responses/200/content")) =
                    json!({"application/json": {"schema": {"type": "string"}}});
            }),
            &[("response-shape", "DownloadThing")],
        );
        assert_exactly(
            after(|root| {
                at(root, &format!("{ITEM}/delete/responses/204"))["content"] =
                    json!({"application/json": {"schema": {"type": "object"}}});
            }),
            &[("response-shape", "DeleteThing")],
        );
    }

    #[test]
    fn schemas_missing_or_extra() {
        assert_exactly(
            after(|root| remove(root, SCHEMAS, "Part")),
            &[("schema-missing", "Part")],
        );
        assert_exactly(
            after(|root| {
                at(root, &format!("{SCHEMAS}/ThingRequest/properties"))["extra"] =
                    json!({"$ref": "#/components/schemas/Extra"});
                at(root, SCHEMAS)["Extra"] = json!({"type": "object", "properties": {"x": {"type": "string"}}});
            }),
            &[("field-extra", "ThingRequest.extra"), ("schema-extra", "Extra")],
        );
    }

    #[test]
    fn fields_missing_extra_or_of_another_type() {
        let thing = format!("{SCHEMAS}/Thing/properties");
        assert_exactly(
            after(|root| remove(root, &thing, "size")),
            &[("field-missing", "Thing.size")],
        );
        assert_exactly(
            after(|root| at(root, &thing)["color"] = json!({"type": "string"})),
            &[("field-extra", "Thing.color")],
        );
        assert_exactly(
            after(|root| {
                at(root, &format!("{thing}/size"))["format"] = json!("int32");
                at(root, &format!("{thing}/meta"))["properties"] = json!({"k": {"type": "string"}});
                at(root, &format!("{thing}/attrs"))["additionalProperties"] = json!({"type": "boolean"});
                at(root, &format!("{thing}/id"))["format"] = json!("uuid");
                at(root, &format!("{thing}/labels"))["items"] = json!({"type": "integer", "format": "int32"});
                remove(root, &format!("{SCHEMAS}/ThingRequest/properties/count"), "format");
                at(root, &format!("{SCHEMAS}/ThingRequest/properties/parts/items"))["$ref"] =
                    json!("#/components/schemas/Thing");
            }),
            &[
                ("field-type", "Thing.size"),
                ("field-type", "Thing.meta"),
                ("field-type", "Thing.attrs"),
                ("field-type", "Thing.id"),
                ("field-type", "Thing.labels"),
                ("enum", "Thing.labels"),
                ("field-type", "ThingRequest.count"),
                ("field-type", "ThingRequest.parts"),
                // Thing is now reached from a request body (and has no `required`); Part is not reached.
                ("required", "Thing"),
            ],
        );
    }

    #[test]
    fn a_date_time_string_is_a_string_and_an_unknown_int_width_takes_either() {
        let inventory = inventory_with(|models| {
            let size = &mut models["models"]["Thing"]["fields"][1];
            size["type"] = json!("integer");
            size["int_width"] = json!("unknown");
        });
        assert_exactly(drift(spec_root(), &inventory), &[]);
        let mut root = spec_root();
        at(&mut root, &format!("{SCHEMAS}/Thing/properties/size"))["format"] = json!("int32");
        at(&mut root, &format!("{SCHEMAS}/Thing/properties/id"))["format"] = json!("date-time");
        assert_exactly(drift(root, &inventory), &[]);
    }

    #[test]
    fn required_on_the_request_side_and_x_sdk_required_on_the_response_side() {
        assert_exactly(
            after(|root| at(root, &format!("{SCHEMAS}/ThingRequest"))["required"] = json!(["name", "count"])),
            &[("required", "ThingRequest")],
        );
        assert_exactly(
            after(|root| remove(root, &format!("{SCHEMAS}/Thing"), "x-sdk-required")),
            &[("required", "Thing")],
        );
        // A response-only schema is not held to `required`.
        assert_exactly(
            after(|root| at(root, &format!("{SCHEMAS}/Thing"))["required"] = json!([])),
            &[],
        );
        // An upstream change of a response-side flag is noticed.
        let inventory = inventory_with(|models| models["models"]["Thing"]["fields"][2]["required"] = json!(true));
        assert_exactly(drift(spec_root(), &inventory), &[("required", "Thing")]);
    }

    #[test]
    fn enums() {
        let thing = format!("{SCHEMAS}/Thing/properties");
        assert_exactly(
            after(|root| at(root, &format!("{thing}/state"))["enum"] = json!(["ON"])),
            &[("enum", "Thing.state")],
        );
        assert_exactly(
            after(|root| remove(root, &format!("{thing}/labels/items"), "enum")),
            &[("enum", "Thing.labels")],
        );
        assert_exactly(
            after(|root| at(root, &format!("{thing}/id"))["enum"] = json!(["x"])),
            &[("enum-extra", "Thing.id")],
        );
    }

    fn entry(kind: &str, target: &str) -> AllowEntry {
        AllowEntry {
            kind: kind.into(),
            target: target.into(),
            reason: "documented quirk".into(),
        }
    }

    fn some_diffs() -> Vec<Diff> {
        let spec = Spec {
            text: String::new(),
            root: {
                let mut root = spec_root();
                remove(&mut root, ITEM, "delete");
                at(&mut root, &format!("{SCHEMAS}/Thing/properties/id"))["enum"] = json!(["x"]);
                root
            },
        };
        compare(&spec, &inventory_with(|_| {}))
    }

    #[test]
    fn allow_listed_differences_pass_and_are_marked() {
        let diffs = some_diffs();
        assert_eq!(diffs.len(), 2);
        let report = judge(&diffs, &[]);
        assert!(!report.passes());
        assert_eq!(report.unallowed, 2);
        assert!(
            report.text.contains("missing-operation DeleteThing: "),
            "{}",
            report.text
        );

        let allowlist = [
            entry("missing-operation", "DeleteThing"),
            entry("enum-extra", "Thing.id"),
        ];
        let report = judge(&diffs, &allowlist);
        assert!(report.passes(), "{}", report.text);
        assert!(report.text.contains("(allowed: documented quirk)"), "{}", report.text);
        assert!(
            report.text.contains("2 difference(s): 2 allowed, 0 not allowed"),
            "{}",
            report.text
        );

        let report = judge(&diffs, &allowlist[..1]);
        assert!(!report.passes());
        assert_eq!(report.unallowed, 1);
    }

    #[test]
    fn a_stale_allow_list_entry_fails() {
        let diffs = some_diffs();
        let allowlist = [
            entry("missing-operation", "DeleteThing"),
            entry("enum-extra", "Thing.id"),
            entry("field-missing", "Thing.size"),
        ];
        let report = judge(&diffs, &allowlist);
        assert_eq!((report.unallowed, report.stale), (0, 1));
        assert!(!report.passes());
        assert!(
            report.text.contains("stale allow-list entry field-missing Thing.size"),
            "{}",
            report.text
        );
        // Nothing to allow, and an entry: stale too.
        assert!(!judge(&[], &allowlist[..1]).passes());
        assert!(judge(&[], &[]).passes());
    }

    #[test]
    fn the_allow_list_format() {
        assert!(parse_allowlist("# nothing allowed\n[]\n").expect("parses").is_empty());
        assert!(parse_allowlist("# nothing allowed\n").expect("parses").is_empty());
        let entries =
            parse_allowlist("- kind: enum\n  target: Thing.state\n  reason: the docs list more\n").expect("parses");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].kind.as_str(), entries[0].target.as_str()),
            ("enum", "Thing.state")
        );
        let unknown = parse_allowlist("- {kind: enums, target: X, reason: y}").expect_err("unknown kind");
        assert!(unknown.contains("unknown kind"), "{unknown}");
        assert!(parse_allowlist("- {kind: enum, target: X, reason: ' '}").is_err());
        assert!(parse_allowlist("- {kind: enum, target: X, reason: y, note: z}").is_err());
    }

    #[test]
    fn run_reads_the_files_of_a_project() {
        let root = std::env::temp_dir().join(format!("dbss-drift-test-{}", std::process::id()));
        fs::create_dir_all(root.join("openapi/upstream")).expect("scratch dir");
        fs::write(root.join(SPEC), SPEC_YAML).expect("write");
        fs::write(root.join(OPERATIONS), TSV.replace('|', "\t")).expect("write");
        fs::write(root.join(MODELS), models().to_string()).expect("write");
        fs::write(root.join(ALLOWLIST), "[]\n").expect("write");
        assert_eq!(run(&root), Ok(()));
        fs::write(
            root.join(ALLOWLIST),
            "- {kind: enum, target: Thing.state, reason: gone}\n",
        )
        .expect("write");
        let message = run(&root).expect_err("a stale entry fails");
        assert!(message.contains("1 stale allow-list entry"), "{message}");
        let _ = fs::remove_dir_all(&root);
    }
}
