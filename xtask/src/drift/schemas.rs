//! The comparison of the schemas the spec's operations reach (from request bodies and success
//! responses) with the SDK's models, field by field: presence, type, enum and required-ness.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{comparison::Checker, diff::Kind, inventory::Model, types::is_object_schema};
use crate::spec::{EXAMPLE_KEYS, SCHEMA_PREFIX};

impl<'a> Checker<'a> {
    /// Every component reached from a request body or a success response, against its model.
    pub(super) fn schemas(&mut self, request_roots: &[&'a Value], response_roots: &[&'a Value]) {
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
            let Some(component) = self.types.component(name) else {
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
                    if EXAMPLE_KEYS.contains(&key.as_str()) {
                        continue;
                    }
                    if key == "$ref"
                        && let Some(name) = child.as_str().and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
                        && seen.insert(name.to_owned())
                        && let Some(target) = self.types.component(name)
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
            let ty = self.types.of(property);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::drift::fixture::*;

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
}
