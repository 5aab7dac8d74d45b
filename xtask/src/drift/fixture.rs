//! The test fixture of the drift checks: a small inventory and a spec that matches it exactly,
//! and the helpers that edit the spec and list the differences found.

use serde_json::{Value, json};

use super::{comparison::compare, inventory::Inventory};
use crate::spec::Spec;

/// A small inventory: a list with query parameters, a deprecated create with a body, a JSON
/// array, a download and an empty answer.
pub const TSV: &str = "\
operation_id|method|path|path_params|query_params|header_params|request_body_model|response_model|response_body_kind|deprecated|product_line|group|sdk_method|content_type|auto_filled_path_params|offline_marker_in_summary
ListThings|GET|/v1/{project_id}/things|project_id|limit:integer:optional,kind:string:required|-|-|ListThingsResponse|json object|no|audit|thing|list_things|application/json|project_id|no
CreateThing|POST|/v1/{project_id}/things|project_id|-|-|ThingRequest|CreateThingResponse|json object|yes|audit|thing|create_thing|application/json;charset=UTF-8|project_id|yes
CountThings|GET|/v1/{project_id}/things/count|project_id|-|-|-|CountThingsResponse|json array|no|audit|thing|count_things|application/json|project_id|no
DeleteThing|DELETE|/v1/{project_id}/things/{thing_id}|project_id,thing_id|-|-|-|DeleteThingResponse|empty|no|audit|thing|delete_thing|application/json|project_id|no
DownloadThing|GET|/v1/{project_id}/things/{thing_id}/file|project_id,thing_id|-|-|-|DownloadThingResponse|binary file|no|audit|thing|download_thing|application/json|project_id|no
";

pub fn models() -> Value {
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

pub const SPEC_YAML: &str = r##"
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

pub const THINGS: &str = "/paths/~1v1~1{project_id}~1things";
pub const ITEM: &str = "/paths/~1v1~1{project_id}~1things~1{thing_id}";
pub const FILE: &str = "/paths/~1v1~1{project_id}~1things~1{thing_id}~1file";
pub const COUNT: &str = "/paths/~1v1~1{project_id}~1things~1count";
pub const SCHEMAS: &str = "/components/schemas";

pub fn spec_root() -> Value {
    serde_yaml::from_str(SPEC_YAML).expect("test spec parses")
}

pub fn inventory_with(edit: impl FnOnce(&mut Value)) -> Inventory {
    let mut models = models();
    edit(&mut models);
    Inventory::parse(&TSV.replace('|', "\t"), &models.to_string()).expect("test inventory parses")
}

pub fn drift(root: Value, inventory: &Inventory) -> Vec<(String, String)> {
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
pub fn after(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    let mut root = spec_root();
    edit(&mut root);
    drift(root, &inventory_with(|_| {}))
}

pub fn at<'v>(root: &'v mut Value, pointer: &str) -> &'v mut Value {
    root.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("test spec has {pointer}"))
}

pub fn remove(root: &mut Value, pointer: &str, key: &str) {
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
pub fn assert_exactly(found: Vec<(String, String)>, expected: &[(&str, &str)]) {
    let mut expected: Vec<(String, String)> = expected.iter().map(|(k, t)| pair(k, t)).collect();
    expected.sort();
    let mut found = found;
    found.sort();
    assert_eq!(found, expected);
}
