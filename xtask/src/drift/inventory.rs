//! The official SDK's inventory, read from `openapi/upstream/`: its operations
//! (`operations.tsv`, one row each) and its models (`models.json`, fields with types and enums).
//!
//! A parameter's enum and an integer of unknown width are not in `operations.tsv`: they come
//! from the operation's request wrapper model, `<OperationId>Request`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::types::Ty;
use crate::Result;

pub const OPERATIONS: &str = "openapi/upstream/operations.tsv";
pub const MODELS: &str = "openapi/upstream/models.json";

/// The official SDK's operations and models.
pub struct Inventory {
    /// In the order of `operations.tsv`.
    pub ops: Vec<InvOp>,
    pub models: BTreeMap<String, Model>,
}

/// One row of `operations.tsv`.
pub struct InvOp {
    pub id: String,
    pub method: String,
    pub path: String,
    /// Path, query and header parameters.
    pub params: Vec<InvParam>,
    pub body_model: Option<String>,
    pub response_model: String,
    /// `json object`, `json array`, `binary file`, `empty` or `raw body (str)`.
    pub response_kind: String,
    pub deprecated: bool,
    pub content_type: String,
}

pub struct InvParam {
    pub name: String,
    pub location: &'static str,
    pub required: bool,
    pub ty: Ty,
    pub enum_values: Option<Vec<Value>>,
}

pub struct Model {
    pub fields: Vec<Field>,
}

pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub required: bool,
    pub enum_values: Option<Vec<Value>>,
    /// Where a field of a `<OperationId>Request` wrapper goes: `path`, `query`, `header`, `body`.
    pub location: Option<String>,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::drift::fixture::{TSV, inventory_with, models};

    fn tsv() -> String {
        TSV.replace('|', "\t")
    }

    #[test]
    fn rows_become_operations_with_their_parameters_body_and_response() {
        let inventory = inventory_with(|_| {});
        let ids: Vec<&str> = inventory.ops.iter().map(|op| op.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ListThings",
                "CreateThing",
                "CountThings",
                "DeleteThing",
                "DownloadThing"
            ]
        );
        let list = &inventory.ops[0];
        assert_eq!(
            (list.method.as_str(), list.path.as_str()),
            ("GET", "/v1/{project_id}/things")
        );
        assert_eq!(list.body_model, None);
        assert!(!list.deprecated);
        let params: Vec<(&str, &str, bool, String)> = list
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.location, p.required, p.ty.to_string()))
            .collect();
        assert_eq!(
            params,
            [
                ("project_id", "path", true, "string".to_owned()),
                ("limit", "query", false, "integer (int32)".to_owned()),
                ("kind", "query", true, "string".to_owned()),
            ]
        );
        // The enum of `kind` comes from the request wrapper, ListThingsRequest.
        assert_eq!(list.params[2].enum_values, Some(vec![json!("a"), json!("b")]));

        let create = &inventory.ops[1];
        assert_eq!(create.body_model.as_deref(), Some("ThingRequest"));
        assert!(create.deprecated);
        assert_eq!(create.content_type, "application/json;charset=UTF-8");
        assert_eq!(inventory.ops[2].response_kind, "json array");
        let thing = &inventory.models["Thing"];
        assert_eq!(thing.fields[1].ty, Ty::Int64);
        assert!(thing.fields[0].required);
    }

    #[test]
    fn the_wrapper_tells_an_unknown_integer_width_and_the_enum_of_its_location_only() {
        let inventory = inventory_with(|models| {
            let limit = &mut models["models"]["ListThingsRequest"]["fields"][0];
            limit["int_width"] = json!("unknown");
            limit["enum"] = json!([10, 100]);
            limit["in"] = json!("header");
        });
        let limit = &inventory.ops[0].params[1];
        assert_eq!(limit.ty, Ty::IntUnknown);
        assert_eq!(
            limit.enum_values, None,
            "the wrapper's field is a header, the parameter a query"
        );
    }

    #[test]
    fn a_malformed_inventory_is_refused_with_the_file_and_the_place() {
        let models = models().to_string();
        let refused = |tsv: &str, models: &str| match Inventory::parse(tsv, models) {
            Ok(_) => panic!("accepted {tsv:?}"),
            Err(message) => message,
        };
        assert_eq!(refused("\n\n", &models), format!("{OPERATIONS}: empty"));
        let without_method = tsv().replacen("method", "verb", 1);
        assert_eq!(
            refused(&without_method, &models),
            format!("{OPERATIONS}: no column method")
        );
        let short_row = format!("{}ShortRow\tGET\n", tsv());
        assert_eq!(refused(&short_row, &models), format!("{OPERATIONS}: row 7 has 2 cells"));
        let bad_param = tsv().replacen("limit:integer:optional", "limit:integer", 1);
        assert_eq!(
            refused(&bad_param, &models),
            format!("{OPERATIONS}: ListThings: bad parameter \"limit:integer\"")
        );
        assert!(refused(&tsv(), "{\"models\": []}").starts_with(MODELS));
    }
}
