//! Cases, generated from the spec: each operation's request-body example and path ids, changed
//! one field at a time by walking the schema.

use std::fmt;

use dbss_sim::spec::{Location, Spec};
use serde_json::{Value, json};

use crate::targets::Params;
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Category {
    MissingRequired,
    WrongType,
    Oversize,
    PathId,
    SecurityGroupCount,
}

impl Category {
    pub(crate) const ALL: [Category; 5] = [
        Category::MissingRequired,
        Category::WrongType,
        Category::Oversize,
        Category::PathId,
        Category::SecurityGroupCount,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Category::MissingRequired => "required field missing/null",
            Category::WrongType => "field of the wrong JSON type",
            Category::Oversize => "string beyond maxLength",
            Category::PathId => "path id outside its length",
            Category::SecurityGroupCount => "securitygroup_ids of 0 or 2",
        }
    }
}

/// A step into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// One bad input.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) operation: &'static str,
    pub(crate) category: Category,
    /// The field as the simulator names it: `body.nics[0].subnet_id`, `path.instance_id`.
    pub(crate) field: String,
    /// What was done to it.
    pub(crate) change: String,
    pub(crate) body: Value,
    /// Path parameters; one is bad for [`Category::PathId`].
    pub(crate) params: Params,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.operation, self.field, self.change)
    }
}

pub(crate) fn field_name(location: &str, steps: &[Step]) -> String {
    let mut name = location.to_owned();
    for step in steps {
        match step {
            Step::Key(key) => {
                name.push('.');
                name.push_str(key);
            }
            Step::Index(i) => name.push_str(&format!("[{i}]")),
        }
    }
    name
}

/// The value at `steps`, mutable.
pub(crate) fn at<'v>(value: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get_mut(key.as_str()),
        Step::Index(i) => current.get_mut(*i),
    })
}

/// `example` with the value at `steps` replaced by `new` (or removed when `None`).
pub(crate) fn changed(example: &Value, steps: &[Step], new: Option<Value>) -> Value {
    let mut body = example.clone();
    let Some((last, parent)) = steps.split_last() else {
        return new.unwrap_or(Value::Null);
    };
    let Some(parent) = at(&mut body, parent) else {
        panic!("no {parent:?} in the example");
    };
    match (last, new) {
        (Step::Key(key), Some(new)) => {
            if let Some(map) = parent.as_object_mut() {
                map.insert(key.clone(), new);
            }
        }
        (Step::Key(key), None) => {
            if let Some(map) = parent.as_object_mut() {
                map.remove(key);
            }
        }
        (Step::Index(i), Some(new)) => {
            if let Some(slot) = parent.get_mut(*i) {
                *slot = new;
            }
        }
        (Step::Index(i), None) => {
            if let Some(items) = parent.as_array_mut() {
                items.remove(*i);
            }
        }
    }
    body
}

/// The kind a schema declares (`object` when it only lists properties).
pub(crate) fn kind(schema: &Value) -> Option<&str> {
    schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"))
}

/// Two values of other JSON types than `schema` declares.
pub(crate) fn wrong_types(schema: &Value) -> Vec<(Value, &'static str)> {
    match kind(schema) {
        Some("string") => vec![
            (json!(12345), "an integer instead of a string"),
            (json!(true), "a boolean instead of a string"),
        ],
        Some("integer") => vec![
            (json!("12"), "a string instead of an integer"),
            (json!(1.5), "a fraction instead of an integer"),
        ],
        Some("number") => vec![
            (json!("1.5"), "a string instead of a number"),
            (json!(true), "a boolean instead of a number"),
        ],
        Some("boolean") => vec![
            (json!("yes"), "a string instead of a boolean"),
            (json!(1), "an integer instead of a boolean"),
        ],
        Some("array") => vec![
            (json!("not-an-array"), "a string instead of an array"),
            (json!({}), "an object instead of an array"),
        ],
        Some("object") => vec![
            (json!("not-an-object"), "a string instead of an object"),
            (json!([]), "an array instead of an object"),
        ],
        _ => vec![],
    }
}

/// A string one character beyond the schema's `maxLength`, for strings that document one
/// (and no `enum`, which would refuse it for another reason).
pub(crate) fn oversize(schema: &Value) -> Option<(Value, String)> {
    if kind(schema) != Some("string") || schema.get("enum").is_some() {
        return None;
    }
    let max = schema.get("maxLength").and_then(Value::as_u64)?;
    let length = usize::try_from(max).ok()? + 1;
    Some((
        Value::String("o".repeat(length)),
        format!("{length} characters (maxLength {max})"),
    ))
}

pub(crate) struct Walk<'a> {
    pub(crate) spec: &'a Spec,
    pub(crate) operation: &'static str,
    pub(crate) example: &'a Value,
    pub(crate) params: &'a Params,
    pub(crate) cases: Vec<Case>,
}

impl Walk<'_> {
    pub(crate) fn push(&mut self, category: Category, steps: &[Step], new: Option<Value>, change: String) {
        self.cases.push(Case {
            operation: self.operation,
            category,
            field: field_name("body", steps),
            change,
            body: changed(self.example, steps, new),
            params: self.params.clone(),
        });
    }

    /// Every case inside `value` (the example's value at `steps`), described by `schema`.
    pub(crate) fn walk(&mut self, schema: &Value, value: &Value, steps: &[Step]) {
        let spec = self.spec;
        let schema = spec.resolve(schema);
        match kind(schema) {
            Some("object") => {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for name in &required {
                    let inner = [steps, &[Step::Key((*name).to_owned())]].concat();
                    assert!(
                        value.get(*name).is_some(),
                        "{}: the example lacks the required {}",
                        self.operation,
                        field_name("body", &inner)
                    );
                    self.push(Category::MissingRequired, &inner, None, "removed".into());
                    self.push(Category::MissingRequired, &inner, Some(Value::Null), "null".into());
                }
                let properties = schema.get("properties").and_then(Value::as_object);
                for (name, property) in properties.into_iter().flatten() {
                    let inner = [steps, &[Step::Key(name.clone())]].concat();
                    match value.get(name) {
                        Some(present) => self.property(property, present, &inner),
                        // Not in the example: a documented length limit is still tried.
                        None => {
                            if let Some((long, change)) = oversize(spec.resolve(property)) {
                                self.push(Category::Oversize, &inner, Some(long), change);
                            }
                        }
                    }
                }
            }
            Some("array") => {
                if let (Some(items), Some(first)) = (schema.get("items"), value.get(0)) {
                    let inner = [steps, &[Step::Index(0)]].concat();
                    self.property(items, first, &inner);
                }
            }
            _ => {}
        }
    }

    /// The cases of one property (or array item) present in the example.
    pub(crate) fn property(&mut self, schema: &Value, value: &Value, steps: &[Step]) {
        let resolved = self.spec.resolve(schema);
        for (wrong, change) in wrong_types(resolved) {
            self.push(Category::WrongType, steps, Some(wrong), change.to_owned());
        }
        if let Some((long, change)) = oversize(resolved) {
            self.push(Category::Oversize, steps, Some(long), change);
        }
        self.walk(schema, value, steps);
    }
}

/// Valid path parameters for the operation, naming things that exist in a seeded simulator.
pub(crate) fn valid_params(spec: &Spec, operation: &str, fixtures: &Fixtures) -> Params {
    let op = spec
        .operation(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the spec"));
    op.params
        .iter()
        .filter(|p| p.location == Location::Path && p.name != "project_id")
        .map(|p| {
            let value = match p.name.as_str() {
                "instance_id" => fixtures.instance_id.clone(),
                "resource_id" => fixtures.resource_id.clone(),
                "resource_type" => "auditInstance".to_owned(),
                other => panic!("{operation}: no fixture for path parameter {other}"),
            };
            (p.name.clone(), value)
        })
        .collect()
}

pub(crate) struct Fixtures {
    pub(crate) instance_id: String,
    pub(crate) resource_id: String,
}

pub(crate) fn cases_of(spec: &Spec, operation: &'static str, fixtures: &Fixtures) -> Vec<Case> {
    let op = spec
        .operation(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the spec"));
    let body = op.body.as_ref().unwrap_or_else(|| panic!("{operation} takes no body"));
    let example = body
        .example
        .as_ref()
        .unwrap_or_else(|| panic!("{operation} has no body example"));
    let params = valid_params(spec, operation, fixtures);
    let mut walk = Walk {
        spec,
        operation,
        example,
        params: &params,
        cases: Vec::new(),
    };
    walk.walk(&body.schema, example, &[]);
    let mut cases = walk.cases;

    // securitygroup_ids of zero and two items.
    let schema = spec.resolve(&body.schema);
    if schema.pointer("/properties/securitygroup_ids").is_some() {
        let first = example.pointer("/securitygroup_ids/0").cloned().unwrap_or(json!("sg"));
        for (ids, change) in [
            (json!([]), "no id"),
            (json!([first, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"]), "two ids"),
        ] {
            cases.push(Case {
                operation,
                category: Category::SecurityGroupCount,
                field: "body.securitygroup_ids".into(),
                change: change.into(),
                body: changed(example, &[Step::Key("securitygroup_ids".into())], Some(ids)),
                params: params.clone(),
            });
        }
    }

    // Path ids one character outside their documented lengths. The project id is not a
    // parameter of the calls (the client fills it from its configuration): tests/page_constraints.rs
    // covers it.
    for p in op
        .params
        .iter()
        .filter(|p| p.location == Location::Path && p.name != "project_id")
    {
        let schema = spec.resolve(&p.schema);
        let bound = |key: &str| {
            schema
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let lengths = [
            bound("minLength")
                .filter(|&min| min > 1)
                .map(|min| (min - 1, format!("minLength {min}"))),
            bound("maxLength").map(|max| (max + 1, format!("maxLength {max}"))),
        ];
        for (length, limit) in lengths.into_iter().flatten() {
            let id: String = "0123456789abcdef".chars().cycle().take(length).collect();
            let mut bad = params.clone();
            bad.insert(p.name.clone(), id);
            cases.push(Case {
                operation,
                category: Category::PathId,
                field: format!("path.{}", p.name),
                change: format!("{length} characters ({limit})"),
                body: example.clone(),
                params: bad,
            });
        }
    }
    cases
}
