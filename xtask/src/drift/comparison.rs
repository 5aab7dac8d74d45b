//! The comparison of the spec with the inventory, operation by operation: presence, method,
//! path, deprecation, content type, request body, parameters and the success response. The
//! schemas those reach are compared field by field in `schemas.rs`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    diff::{Diff, Kind},
    inventory::{InvOp, Inventory},
    types::{SpecTypes, enum_difference},
};
use crate::spec::{BINARY_MEDIA_TYPE, JSON_MEDIA_TYPE, Located, SCHEMA_PREFIX, Spec, is_credential, success_response};

/// Walks the spec and the inventory side by side, collecting differences.
pub(super) struct Checker<'a> {
    spec: &'a Spec,
    pub(super) inventory: &'a Inventory,
    pub(super) types: SpecTypes<'a>,
    diffs: Vec<Diff>,
}

/// Every difference between the spec and the inventory, sorted.
pub fn compare(spec: &Spec, inventory: &Inventory) -> Vec<Diff> {
    let mut checker = Checker {
        spec,
        inventory,
        types: SpecTypes::new(spec, inventory.models.keys().map(String::as_str)),
        diffs: Vec::new(),
    };
    checker.run();
    let mut diffs = checker.diffs;
    diffs.sort();
    diffs.dedup();
    diffs
}

impl<'a> Checker<'a> {
    pub(super) fn report(&mut self, kind: Kind, target: impl Into<String>, detail: impl Into<String>) {
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
            if let Ok((_, response)) = success_response(id, op.op.get("responses")) {
                response_roots.push(self.resolved(response));
            }
        }
        self.schemas(&request_roots, &response_roots);
    }

    pub(super) fn resolved(&self, value: &'a Value) -> &'a Value {
        self.types.resolved(value)
    }

    /// The spec's operations by id (ops without an id, or with a repeated one, are reported).
    fn spec_operations(&mut self) -> BTreeMap<&'a str, Located<'a>> {
        let mut ops = BTreeMap::new();
        // A spec without `paths` has no operation: every operation of the SDK is then missing.
        for located in self.spec.located_operations().unwrap_or_default() {
            let where_ = format!("{} {}", located.method.to_uppercase(), located.path);
            match located.op.get("operationId").and_then(Value::as_str) {
                None => self.report(Kind::ExtraOperation, &where_, "operation without operationId"),
                Some(id) => {
                    if ops.contains_key(id) {
                        self.report(Kind::ExtraOperation, id, format!("operationId repeated at {where_}"));
                    } else {
                        ops.insert(id, located);
                    }
                }
            }
        }
        ops
    }

    fn operation(&mut self, inv: &InvOp, op: &Located<'a>) {
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

    fn parameters(&mut self, inv: &InvOp, op: &Located<'a>) {
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
            let token = p.get("in").and_then(Value::as_str) == Some("header")
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("X-Auth-Token"));
            !is_credential(p) && !token
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
                    let ty = self.types.of(schema);
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
        let Ok((status, response)) = success_response(id, op.get("responses")) else {
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
                let Some(json) = content.get(JSON_MEDIA_TYPE) else {
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
                    let component = self.types.component(model);
                    let expected = self.inventory.models.get(model).and_then(|m| m.fields.first());
                    match (component, expected) {
                        (None, _) => {} // reported as schema-missing
                        (Some(component), Some(body)) if body.name == "body" => {
                            let ty = self.types.of_component(model, component);
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
                if media != [BINARY_MEDIA_TYPE] {
                    shape(format!("content is {media:?}, expected {BINARY_MEDIA_TYPE}"));
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
    /// Compares the enum the spec gives `schema` with the SDK's.
    pub(super) fn enums(&mut self, target: &str, schema: &'a Value, expected: Option<&[Value]>) {
        let actual = self.types.enum_holder(schema).get("enum").and_then(Value::as_array);
        if let Some((kind, detail)) = enum_difference(expected, actual.map(Vec::as_slice)) {
            self.report(kind, target, detail);
        }
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::drift::fixture::*;

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
}
