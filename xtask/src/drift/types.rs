//! Types and enums, in the inventory's vocabulary: parsed from the inventory's type text, read
//! from a spec schema, and compared.

use std::{collections::BTreeSet, fmt};

use serde_json::Value;

use super::diff::Kind;
use crate::spec::{SCHEMA_PREFIX, Spec};

/// How many `$ref`s, `allOf`s and `items` a type is followed through before it is called
/// recursive.
const MAX_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
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
    pub fn parse(text: &str, unknown_width: bool) -> Ty {
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
    pub fn accepts(&self, spec: &Ty) -> bool {
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

/// Reads the types of spec schemas. A `$ref` to an object component, or to a component the SDK
/// has a model of, is that model; a `$ref` to a scalar or array component (an alias) is followed.
pub struct SpecTypes<'a> {
    spec: &'a Spec,
    sdk_models: BTreeSet<&'a str>,
}

impl<'a> SpecTypes<'a> {
    pub fn new(spec: &'a Spec, sdk_models: impl IntoIterator<Item = &'a str>) -> SpecTypes<'a> {
        SpecTypes {
            spec,
            sdk_models: sdk_models.into_iter().collect(),
        }
    }

    /// The component schema `name`, if the spec defines it.
    pub fn component(&self, name: &str) -> Option<&'a Value> {
        self.spec.root.get("components")?.get("schemas")?.get(name)
    }

    /// Follows a `$ref`; a dangling one is left as it is (the comparison reports what it finds).
    pub fn resolved(&self, value: &'a Value) -> &'a Value {
        self.spec.resolve(value).unwrap_or(value)
    }

    /// The type a spec schema denotes.
    pub fn of(&self, schema: &'a Value) -> Ty {
        self.of_depth(schema, 0)
    }

    /// The type of the component `name` itself: its model if it is an object.
    pub fn of_component(&self, name: &str, component: &'a Value) -> Ty {
        if is_object_schema(component) {
            Ty::Model(name.to_owned())
        } else {
            self.of(component)
        }
    }

    /// Whether a component stands for a model (a `$ref` to it means "object <name>").
    fn is_model(&self, name: &str, component: &Value) -> bool {
        is_object_schema(component) || self.sdk_models.contains(name)
    }

    fn of_depth(&self, schema: &'a Value, depth: usize) -> Ty {
        if depth > MAX_DEPTH {
            return Ty::Other("recursive $ref".into());
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let Some(name) = reference.strip_prefix(SCHEMA_PREFIX) else {
                return Ty::Other(format!("$ref {reference}"));
            };
            return match self.component(name) {
                Some(target) if !self.is_model(name, target) => self.of_depth(target, depth + 1),
                _ => Ty::Model(name.to_owned()),
            };
        }
        if let Some(single) = single_all_of(schema) {
            return self.of_depth(single, depth + 1);
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
                Some(items) => Ty::Array(Box::new(self.of_depth(items, depth + 1))),
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
                        Ty::Map(Box::new(self.of_depth(extra, depth + 1)))
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
    pub fn enum_holder(&self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        for _ in 0..MAX_DEPTH {
            if schema.get("$ref").is_some() {
                schema = self.resolved(schema);
            } else if let Some(single) = single_all_of(schema) {
                schema = single;
            } else if let Some(items) = schema.get("items") {
                schema = items;
            } else {
                break;
            }
        }
        schema
    }
}

/// The one schema of an untyped `allOf: [schema]` (a `$ref` with siblings, in OpenAPI 3.0).
fn single_all_of(schema: &Value) -> Option<&Value> {
    if schema.get("type").is_some() {
        return None;
    }
    match schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        Some([single]) => Some(single),
        _ => None,
    }
}

/// Whether a schema describes an object with named properties (a model), rather than a scalar,
/// an array, a map or a free-form object.
pub fn is_object_schema(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && ["properties", "allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| schema.get(k).is_some())
}

/// How the spec's enum (`actual`) differs from the SDK's (`expected`), if it does. The order of
/// the values does not matter.
pub fn enum_difference(expected: Option<&[Value]>, actual: Option<&[Value]>) -> Option<(Kind, String)> {
    match (expected, actual) {
        (None, None) => None,
        (None, Some(actual)) => Some((
            Kind::EnumExtra,
            format!("spec enum {}, the SDK has none", values(actual)),
        )),
        (Some(expected), None) => Some((Kind::Enum, format!("spec has no enum, SDK {}", values(expected)))),
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
            (!problems.is_empty()).then(|| (Kind::Enum, problems.join("; ")))
        }
    }
}

fn values(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(Value::to_string).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_inventory_type_text_parses_and_prints_back() {
        let cases = [
            ("string", Ty::String),
            ("integer", Ty::Int32),
            ("long", Ty::Int64),
            ("number", Ty::Number),
            ("boolean", Ty::Boolean),
            ("object (no schema)", Ty::FreeObject),
            ("object Thing", Ty::Model("Thing".into())),
            ("array of object Thing", Ty::Array(Box::new(Ty::Model("Thing".into())))),
            ("map of string to long", Ty::Map(Box::new(Ty::Int64))),
            ("datetime", Ty::Other("datetime".into())),
        ];
        for (text, ty) in cases {
            assert_eq!(Ty::parse(text, false), ty, "{text}");
        }
        assert_eq!(Ty::parse("array of integer", true), Ty::Array(Box::new(Ty::IntUnknown)));
        assert_eq!(
            Ty::parse("array of object Thing", false).to_string(),
            "array of object Thing"
        );
        assert_eq!(Ty::parse("long", false).to_string(), "long (int64)");
    }

    #[test]
    fn an_unknown_integer_width_accepts_either_width_even_inside_arrays_and_maps() {
        for width in [Ty::Int32, Ty::Int64] {
            assert!(Ty::IntUnknown.accepts(&width));
            assert!(Ty::Array(Box::new(Ty::IntUnknown)).accepts(&Ty::Array(Box::new(width.clone()))));
            assert!(Ty::Map(Box::new(Ty::IntUnknown)).accepts(&Ty::Map(Box::new(width))));
        }
        assert!(!Ty::IntUnknown.accepts(&Ty::Number));
        assert!(!Ty::Int32.accepts(&Ty::Int64));
        assert!(!Ty::Array(Box::new(Ty::String)).accepts(&Ty::Map(Box::new(Ty::String))));
    }

    fn spec(schemas: Value) -> Spec {
        Spec {
            text: String::new(),
            root: json!({"components": {"schemas": schemas}}),
        }
    }

    #[test]
    fn spec_schemas_read_as_inventory_types() {
        let spec = spec(json!({
            "Thing": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Alias": {"type": "string", "enum": ["x"]},
            "Known": {"type": "string"},
            "Loop": {"$ref": "#/components/schemas/Loop"},
        }));
        let types = SpecTypes::new(&spec, ["Known"]);
        let cases = [
            (json!({"type": "string", "format": "date-time"}), "string"),
            (json!({"type": "string", "format": "uuid"}), "string (format uuid)"),
            (json!({"type": "integer", "format": "int32"}), "integer (int32)"),
            (json!({"type": "integer"}), "integer without format"),
            (json!({"type": "object"}), "object (no schema)"),
            (
                json!({"type": "object", "additionalProperties": {"type": "boolean"}}),
                "map of string to boolean",
            ),
            (json!({"type": "object", "properties": {"a": {}}}), "inline object"),
            (
                json!({"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}),
                "array of object Thing",
            ),
            (json!({"type": "array"}), "array without items"),
            (json!({"allOf": [{"$ref": "#/components/schemas/Alias"}]}), "string"),
            (json!({"$ref": "#/components/schemas/Known"}), "object Known"),
            (json!({"$ref": "#/components/schemas/Missing"}), "object Missing"),
            (json!({"$ref": "other.yaml#/X"}), "$ref other.yaml#/X"),
            (json!({"$ref": "#/components/schemas/Loop"}), "recursive $ref"),
            (json!({"description": "nothing"}), "untyped schema"),
        ];
        for (schema, expected) in cases {
            assert_eq!(types.of(&schema).to_string(), expected, "{schema}");
        }
        let thing = types.component("Thing").expect("defined");
        assert_eq!(types.of_component("Thing", thing), Ty::Model("Thing".into()));
        let alias = types.component("Alias").expect("defined");
        assert_eq!(types.of_component("Alias", alias), Ty::String);
    }

    #[test]
    fn the_enum_is_found_through_refs_all_of_and_items() {
        let spec = spec(json!({"Alias": {"type": "string", "enum": ["x", "y"]}}));
        let types = SpecTypes::new(&spec, []);
        let schema = json!({"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Alias"}]}});
        assert_eq!(types.enum_holder(&schema)["enum"], json!(["x", "y"]));
    }

    #[test]
    fn enums_compare_as_sets_and_name_what_is_lacking_or_added() {
        let ab = [json!("a"), json!("b")];
        let ba = [json!("b"), json!("a")];
        let bc = [json!("b"), json!("c")];
        assert_eq!(enum_difference(None, None), None);
        assert_eq!(enum_difference(Some(&ab), Some(&ba)), None);
        assert_eq!(
            enum_difference(Some(&ab), Some(&bc)),
            Some((Kind::Enum, r#"spec lacks ["a"]; spec adds ["c"]"#.into()))
        );
        assert_eq!(
            enum_difference(Some(&ab), None),
            Some((Kind::Enum, r#"spec has no enum, SDK ["a", "b"]"#.into()))
        );
        assert_eq!(
            enum_difference(None, Some(&ab)),
            Some((Kind::EnumExtra, r#"spec enum ["a", "b"], the SDK has none"#.into()))
        );
    }
}
