#!/usr/bin/env python3
"""Bootstrap transcription of the DBSS spec from the upstream inventory.

openapi/dbss.yaml was first produced by this script from:
  * openapi/upstream/operations.tsv and models.json (the official SDK's inventory: names,
    methods, paths, parameters, field types, widths, required flags, enums), and
  * openapi/upstream/descriptions/*.yaml (our own words for each operation, read from the API
    reference pages, with the limits, success codes and examples those pages document).

It is kept so the transcription can be reviewed and redone, not as a second source of truth:
after bootstrapping, openapi/dbss.yaml is edited by hand and `cargo xtask drift` keeps it
honest against the inventory. Usage: python3 openapi/upstream/tools/transcribe.py > openapi/dbss.yaml
"""

import csv
import glob
import hashlib
import json
import os
import re
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
UPSTREAM = os.environ.get("DBSS_UPSTREAM", os.path.join(ROOT, "openapi", "upstream"))

PROJECT_EXAMPLE = "0123456789abcdef0123456789abcdef"

GROUP_TAGS = {
    "instance": "Audit, database-encryption and O&M instances: lifecycle, network settings.",
    "agent": "Audit agents installed on database or application hosts.",
    "database": "Databases attached to an audit instance.",
    "rule-risk": "Risk rules: which operations raise alarms, and how severe they are.",
    "rule-scope": "Audit scope rules: which traffic is audited.",
    "rule-sql": "SQL-injection detection rules.",
    "sensitive-mask": "Sensitive-data discovery and masking rules.",
    "whitelist": "Whitelists of SQL statements that never raise alarms.",
    "alarm": "Alarm records and alarm-notification settings.",
    "sql-log": "Audited SQL statements.",
    "operation-log": "Operation logs of the audit instance itself.",
    "report": "Audit reports: templates, generation, download, schedules.",
    "backup": "Backups of audit data and risk data to OBS.",
    "statistics": "Audit statistics, sessions and trends.",
    "settings": "Instance-wide settings: time zone, log retention.",
    "tag": "Resource tags (TMS).",
    "quota": "Quotas of instances and resources.",
    "order": "Yearly/monthly orders that create instances.",
    "az": "Availability zones.",
    "spec": "Instance specifications (ECS flavors).",
    "job": "Asynchronous jobs of an instance.",
    "upgrade": "Instance version upgrades.",
    "version": "Service version.",
    "monitor": "Instance monitoring.",
    "group": "Resource groups.",
    "resource": "Account-wide resource inventory (resource manager).",
}

# Read-only operations the API models as POST, and state-setting writes: safe to repeat.
READ_PREFIXES = ("List", "Count", "Show", "Download")
SETTING_PREFIXES = ("Update", "Set", "Switch")


def load_inventory():
    with open(os.path.join(UPSTREAM, "operations.tsv"), newline="") as f:
        ops = list(csv.DictReader(f, delimiter="\t"))
    with open(os.path.join(UPSTREAM, "models.json")) as f:
        models = json.load(f)["models"]
    return ops, models


def load_descriptions():
    merged = {}
    paths = sorted(glob.glob(os.path.join(UPSTREAM, "descriptions", "*.yaml")))
    # The hand-written seed entries win over the bulk transcription.
    paths.sort(key=lambda p: os.path.basename(p) == "seed.yaml")
    for path in paths:
        with open(path) as f:
            merged.update(yaml.safe_load(f) or {})
    return merged


def schema_of(type_text):
    """The schema of an inventory type ('string', 'long', 'array of object X', ...)."""
    if type_text.startswith("array of "):
        return {"type": "array", "items": schema_of(type_text[len("array of "):])}
    if type_text == "object (no schema)":
        return {"type": "object", "description": "Free-form object; its content is not specified."}
    if type_text.startswith("object "):
        return {"$ref": "#/components/schemas/" + type_text[len("object "):]}
    if type_text.startswith("map of string to "):
        return {"type": "object", "additionalProperties": schema_of(type_text[len("map of string to "):])}
    return {
        "string": {"type": "string"},
        "integer": {"type": "integer", "format": "int32"},
        "long": {"type": "integer", "format": "int64"},
        "number": {"type": "number"},
        "boolean": {"type": "boolean"},
    }[type_text]


LIMIT_KEYS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "default", "format")


def apply_limits(schema, info, name):
    """Adds the documented limits of `info` to `schema`, where they make sense for its type."""
    if not isinstance(info, dict):
        return
    kind = schema.get("type")
    for key in LIMIT_KEYS:
        if key not in info or info[key] is None:
            continue
        value = info[key]
        if key in ("minimum", "maximum") and kind not in ("integer", "number"):
            continue
        if key in ("minLength", "maxLength", "pattern") and kind != "string":
            continue
        if key in ("minItems", "maxItems") and kind != "array":
            continue
        if key == "format" and not (kind == "string" and value == "date-time"):
            continue
        if key == "default" and not matches_type(value, schema):
            continue
        if key == "pattern":
            try:
                re.compile(value)
            except re.error:
                continue
        schema[key] = value
    if "enum" in info and "enum" not in schema and isinstance(info["enum"], list):
        values = [v for v in info["enum"] if matches_type(v, schema)]
        if values and kind in ("string", "integer"):
            schema["enum"] = values


def matches_type(value, schema):
    kind = schema.get("type")
    return {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }.get(kind, False)


def uuid_for(text):
    h = hashlib.md5(text.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class Examples:
    """Deterministic example values, shaped by the schema and the field name."""

    def __init__(self, schemas):
        self.schemas = schemas

    def value(self, schema, name, depth=0):
        if "$ref" in schema:
            target = schema["$ref"].rsplit("/", 1)[-1]
            if depth > 4:
                return {}
            return self.value(self.schemas[target], target, depth + 1)
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "array":
            count = max(1, schema.get("minItems", 1))
            return [self.value(schema["items"], name, depth + 1) for _ in range(count)]
        if kind == "object":
            props = schema.get("properties")
            if props is None:
                if "additionalProperties" in schema:
                    return {"key": self.value(schema["additionalProperties"], name, depth + 1)}
                return {"key": "value"}
            return {k: self.value(v, k, depth + 1) for k, v in props.items()}
        if kind == "integer":
            return max(schema.get("minimum", 1), 1) if schema.get("maximum", 1) >= 1 else schema.get("minimum", 0)
        if kind == "number":
            return 1.5
        if kind == "boolean":
            return True
        return self.string(schema, name)

    def string(self, schema, name):
        n = (name or "").lower()
        if schema.get("format") == "date-time":
            return "2025-06-01T08:00:00Z"
        if n == "project_id":
            return PROJECT_EXAMPLE
        if n.endswith("_id") or n == "id" or n.endswith("_ids"):
            return uuid_for(n)
        if "time" in n or "date" in n or n in ("created", "expired", "updated"):
            return "2025-06-01 08:00:00"
        if n.endswith("ip") or "_ip" in n:
            return "192.168.0.10"
        if n in ("offset", "page"):
            return "0" if n == "offset" else "1"
        if n in ("limit", "size"):
            return "10"
        if n == "region":
            return "cn-north-4"
        if n in ("status", "result"):
            return "SUCCESS" if n == "result" else "ACTIVE"
        if "name" in n:
            return "example-" + n.replace("_", "-")
        value = "example-" + n.replace("_", "-") if n else "example"
        if "minLength" in schema and len(value) < schema["minLength"]:
            value = value.ljust(schema["minLength"], "x")
        if "maxLength" in schema:
            value = value[: schema["maxLength"]]
        return value


def conforms(value, schema, schemas, depth=0):
    """Whether a documented example fits the schema (so it survives a typed round trip)."""
    if depth > 8:
        return True
    if "$ref" in schema:
        return conforms(value, schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, depth + 1)
    kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        return False
    if kind == "array":
        return isinstance(value, list) and all(conforms(v, schema["items"], schemas, depth + 1) for v in value)
    if kind == "object":
        if not isinstance(value, dict):
            return False
        props = schema.get("properties")
        if props is None:
            return True
        required = schema.get("required", [])
        return all(k in value for k in required) and all(k in props and conforms(v, props[k], schemas, depth + 1) for k, v in value.items())
    if kind in ("string", "integer", "number", "boolean"):
        return matches_type(value, schema)
    return True


def clean_text(text):
    if not text:
        return None
    return " ".join(str(text).split())


def main():
    ops, models = load_inventory()
    desc = load_descriptions()
    op_ids = {o["operation_id"] for o in ops}

    # Which models are reached from request bodies, and which from responses.
    def closure(roots):
        seen, todo = set(), list(roots)
        while todo:
            name = todo.pop()
            if name in seen or name not in models:
                continue
            seen.add(name)
            for field in models[name]["fields"]:
                m = re.search(r"object (\w+)$", field["type"])
                if m:
                    todo.append(m.group(1))
        return seen

    request_roots = {o["request_body_model"] for o in ops if o["request_body_model"] != "-"}
    response_roots = {o["response_model"] for o in ops}
    request_side = closure(request_roots)
    response_side = closure(response_roots)

    field_info = {}
    for entry in desc.values():
        for key, info in ((entry or {}).get("fields") or {}).items():
            field_info.setdefault(key, info)

    schemas = {}
    for name in sorted(request_side | response_side):
        model = models[name]
        if name in response_roots and any(f["name"] == "body" and model["role"] == "response" for f in model["fields"]):
            # A response whose whole body is one value (a top-level array or raw text).
            body_field = next(f for f in model["fields"] if f["name"] == "body")
            schemas[name] = schema_of(body_field["type"])
            continue
        props = {}
        for field in model["fields"]:
            prop = schema_of(field["type"])
            if "enum" in field:
                target = prop["items"] if prop.get("type") == "array" else prop
                if "$ref" not in target:
                    target["enum"] = field["enum"]
            info = field_info.get(f"{name}.{field['name']}") or {}
            limit_target = prop["items"] if prop.get("type") == "array" and any(k in info for k in ("minLength", "maxLength", "pattern")) else prop
            apply_limits(prop, info, field["name"])
            if limit_target is not prop:
                apply_limits(limit_target, {k: v for k, v in info.items() if k in ("minLength", "maxLength", "pattern")}, field["name"])
            text = clean_text(info.get("description"))
            if text and "$ref" not in prop:
                prop["description"] = text
            props[field["name"]] = prop
        schema = {"type": "object", "properties": props}
        required = [f["name"] for f in model["fields"] if f["required"]]
        if name in request_side:
            if required:
                schema["required"] = required
        elif required:
            schema["x-sdk-required"] = required
        schemas[name] = schema

    examples = Examples(schemas)
    paths = {}
    tags_used = set()
    for o in ops:
        oid = o["operation_id"]
        d = desc.get(oid) or {}
        method = o["method"].lower()
        tags_used.add(o["group"])
        summary = clean_text(d.get("summary")) or re.sub(r"(?<!^)(?=[A-Z])", " ", oid).capitalize()
        operation = {"operationId": oid, "tags": [o["group"]], "summary": summary}
        if clean_text(d.get("description")):
            operation["description"] = clean_text(d.get("description"))
        if o["deprecated"] == "yes":
            operation["deprecated"] = True
            replaced = d.get("replaced_by")
            if not replaced:
                for candidate in (oid + "New", re.sub(r"New$", "Last", oid)):
                    if candidate != oid and candidate in op_ids:
                        replaced = candidate
                        break
            if replaced and replaced in op_ids:
                operation["x-replaced-by"] = replaced
        read_only = method == "get" or (method == "post" and oid.startswith(READ_PREFIXES))
        setting = method == "put" or (method == "post" and oid.startswith(SETTING_PREFIXES))
        operation["x-idempotent"] = bool(read_only or setting)
        operation["x-content-type"] = o["content_type"]
        if d.get("doc_url"):
            operation["externalDocs"] = {"url": d["doc_url"]}
        if clean_text(d.get("notes")):
            operation["x-transcription-notes"] = clean_text(d.get("notes"))

        params = []
        param_info = d.get("params") or {}
        for p in [x for x in o["path_params"].split(",") if x and x != "-"]:
            if p == "project_id":
                params.append({"$ref": "#/components/parameters/ProjectId"})
                continue
            info = param_info.get(p) or {}
            param = {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            if clean_text(info.get("description")):
                param["description"] = clean_text(info["description"])
            apply_limits(param["schema"], info, p)
            param["example"] = examples.value(param["schema"], p)
            params.append(param)
        params.append({"$ref": "#/components/parameters/AuthToken"})
        query_names = []
        for q in [x for x in o["query_params"].split(",") if x and x != "-"]:
            qname, qtype, qreq = q.split(":")
            query_names.append(qname)
            info = param_info.get(qname) or {}
            schema = schema_of(qtype)
            wrapper = models.get(oid + "Request", {"fields": []})
            for f in wrapper["fields"]:
                if f["name"] == qname and "enum" in f:
                    schema["enum"] = f["enum"]
            apply_limits(schema, info, qname)
            if schema["type"] == "string" and qname in ("offset", "limit") and "enum" not in schema:
                schema["pattern"] = "^[0-9]+$"
            param = {"name": qname, "in": "query", "required": qreq == "required", "schema": schema}
            text = clean_text(info.get("description"))
            limits = [f"{k} {info[k]}" for k in ("minimum", "maximum", "default") if k in info and info[k] is not None]
            if limits and schema["type"] == "string":
                text = ((text + ". ") if text else "") + "An integer carried as a string; " + ", ".join(limits) + "."
            if text:
                param["description"] = text
            param["example"] = examples.value(schema, qname)
            params.append(param)
        operation["parameters"] = params
        if "offset" in query_names and "limit" in query_names:
            response = models.get(o["response_model"], {"fields": []})
            items = next((f["name"] for f in response["fields"] if f["type"].startswith("array of object")), None)
            if items:
                paging = {"style": "offset-limit", "items": items}
                if any(f["name"] == "total" for f in response["fields"]):
                    paging["total"] = "total"
                operation["x-paging"] = paging

        if o["request_body_model"] != "-":
            body_model = o["request_body_model"]
            ref = {"$ref": "#/components/schemas/" + body_model}
            documented = d.get("example_request")
            if documented is not None and conforms(documented, ref, schemas):
                example = documented
            else:
                example = examples.value(ref, body_model)
            operation["requestBody"] = {"required": True, "content": {o["content_type"]: {"schema": ref, "example": example}}}

        status = str(d.get("success_status") or 200)
        kind = o["response_body_kind"]
        if kind in ("json object", "json array"):
            ref = {"$ref": "#/components/schemas/" + o["response_model"]}
            documented = d.get("example_response")
            if documented is not None and conforms(documented, ref, schemas):
                example = documented
            else:
                example = examples.value(ref, o["response_model"])
            success = {"description": "Success.", "content": {"application/json": {"schema": ref, "example": example}}}
        elif kind == "binary file":
            success = {"description": "The file, streamed.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
        else:
            success = {"description": "Success; no body."}
            if status == "200" and kind == "raw body (str)":
                status = "204"
        responses = {status: success}
        for code, ref in (("400", "BadRequest"), ("401", "Unauthorized"), ("403", "Forbidden"), ("500", "ServerError")):
            responses[code] = {"$ref": "#/components/responses/" + ref}
        operation["responses"] = responses
        paths.setdefault(o["path"], {})[method] = operation

    spec = {
        "openapi": "3.0.3",
        "info": {
            "title": "Huawei Cloud Database Security Service (DBSS)",
            "version": "v1",
            "description": (
                "Database Security Service (DBSS) audits database traffic: it manages audit instances, the databases "
                "and agents attached to them, audit rules, and the SQL and alarm records they produce; its sibling "
                "product lines (database encryption, O&M) share the API. This document is the single source of "
                "truth of dbss-rs. It is transcribed from the DBSS API reference pages and from the operation "
                "inventory of Huawei's official SDK (openapi/upstream/); every description is written by the "
                "dbss-rs authors."
            ),
            "license": {"name": "Apache-2.0"},
            "x-sources": ["https://support.huaweicloud.com/intl/en-us/api-dbss/", "https://support.huaweicloud.com/eu/api-dbss/", "huaweicloudsdkdbss==3.1.219 (PyPI)"],
        },
        "servers": [{"url": "https://dbss.{region}.myhuaweicloud.com", "variables": {"region": {"default": "cn-north-4", "description": "Region id; see the client's region table."}}}],
        "security": [{"aksk": []}, {"token": []}],
        "tags": [{"name": t, "description": GROUP_TAGS.get(t, t)} for t in sorted(tags_used)],
        "paths": {p: paths[p] for p in sorted(paths)},
        "components": components(schemas),
    }
    yaml.safe_dump(spec, sys.stdout, sort_keys=False, allow_unicode=True, width=110)


def components(schemas):
    error_example = lambda code, msg: {"error": {"error_code": code, "error_msg": msg}}
    def error_response(text, code, msg):
        return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}, "example": error_example(code, msg)}}}
    own = {
        "ErrorResponse": {
            "type": "object",
            "description": (
                "Error body. Older pages (the eu edition) nest the code and message in an `error` object; newer pages "
                "put them at the top level with optional `details`. The service may answer either shape, so both are "
                "modelled and every field is optional."
            ),
            "x-error-shapes": ["nested", "flat"],
            "properties": {
                "error": {"$ref": "#/components/schemas/ErrorDetail"},
                "error_code": {"type": "string"},
                "error_msg": {"type": "string"},
                "details": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}},
                "encoded_authorization_message": {"type": "string", "description": "Encoded explanation of a policy (authorization) refusal."},
            },
        },
        "ErrorDetail": {
            "type": "object",
            "properties": {
                "error_code": {"type": "string", "description": "DBSS error code, such as `DBSS.10000001`, or an `APIGW.*` gateway code."},
                "error_msg": {"type": "string", "description": "Human-readable explanation of the failure."},
            },
        },
    }
    return {
        "securitySchemes": {
            "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token", "description": "An IAM token, obtained from `POST /v3/auth/tokens` (the value of the `X-Subject-Token` response header). Valid for 24 hours."},
            "aksk": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Access key / secret key request signing, algorithm `SDK-HMAC-SHA256`, as Huawei's official SDKs sign: `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...` with `X-Sdk-Date`, `X-Project-Id` and, for temporary keys, `X-Security-Token`."},
        },
        "parameters": {
            "ProjectId": {"name": "project_id", "in": "path", "required": True, "description": "Id of the project the resources belong to (the region's IAM project).", "schema": {"type": "string"}, "example": PROJECT_EXAMPLE},
            "AuthToken": {"name": "X-Auth-Token", "in": "header", "required": False, "x-credential": True, "description": "IAM token. Required when the call is authenticated by token rather than by an AK/SK signature; the client sets it from its credentials, so callers never pass it by hand.", "schema": {"type": "string"}},
        },
        "responses": {
            "BadRequest": error_response("The request was refused (invalid parameter, unknown resource, quota, ...).", "DBSS.10000001", "The request is malformed."),
            "Unauthorized": {"description": "The credentials were not accepted by the API gateway (flat error shape).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}, "example": {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information."}}}},
            "Forbidden": error_response("Authentication or authorization failed.", "DBSS.10020100", "Token authentication failed."),
            "ServerError": error_response("The service failed internally.", "DBSS.11000000", "Internal system error."),
        },
        "schemas": {**own, **{k: schemas[k] for k in sorted(schemas)}},
    }


if __name__ == "__main__":
    main()
