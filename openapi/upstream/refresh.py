#!/usr/bin/env python3
"""Regenerate operations.tsv and models.json from an installed huaweicloudsdkdbss.

Run it with a Python that has the SDK installed (the oracle venv has the pinned version):

    cargo xtask oracle                      # creates target/oracle-venv if missing
    target/oracle-venv/bin/python openapi/upstream/refresh.py            # rewrite the files
    target/oracle-venv/bin/python openapi/upstream/refresh.py --check    # compare only

Everything is derived by introspecting the SDK (DbssClient / DbssAsyncClient and the model
classes), except the facts the Python SDK cannot tell, which are carried over from the previous
models.json / operations.tsv (see README.md):

* int widths (`integer` = int32 vs `long` = int64) and `go-sdk` enums, from the Go SDK;
* `in_go_sdk` and `go_sdk` notes;
* `product_line` and `group` of each operation (a hand-made classification).

New fields whose width is unknown get `"int_width": "unknown"` (type `integer`); new models get
`"in_go_sdk": "unknown"`; new operations get a guessed product line and group, reported on stderr.
"""

import argparse
import ast
import csv
import inspect
import io
import json
import re
import sys
import textwrap
from collections import deque
from importlib.metadata import version as dist_version
from pathlib import Path

import huaweicloudsdkdbss.v1.model as sdk_models
from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse
from huaweicloudsdkdbss.v1 import DbssAsyncClient, DbssClient

HERE = Path(__file__).resolve().parent
DIST = "huaweicloudsdkdbss"

TSV_COLUMNS = [
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
    "product_line",
    "group",
    "sdk_method",
    "content_type",
    "auto_filled_path_params",
    "offline_marker_in_summary",
]

# Key order of a field entry and of a model entry in models.json.
FIELD_KEYS = ["name", "py_attr", "type", "int_width", "required", "format", "enum", "enum_source", "in", "go_sdk"]
MODEL_KEYS = ["role", "stream", "in_go_sdk", "fields", "operation", "used_by"]

OFFLINE_MARKER = "[待下线]"
INT = "\x00int\x00"  # placeholder for an integer whose width is decided later


def warn(message):
    print(f"refresh.py: {message}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# The previous inventory (carry-over of facts Python cannot tell)
# --------------------------------------------------------------------------------------------


def load_previous(directory):
    models_path = directory / "models.json"
    tsv_path = directory / "operations.tsv"
    previous_models = json.loads(models_path.read_text()) if models_path.exists() else {"_meta": {}, "models": {}}
    previous_ops = {}
    if tsv_path.exists():
        with tsv_path.open(newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                previous_ops[row["operation_id"]] = row
    return previous_models, previous_ops


# --------------------------------------------------------------------------------------------
# Model classes
# --------------------------------------------------------------------------------------------


def model_class(name):
    cls = getattr(sdk_models, name, None)
    if cls is None or not inspect.isclass(cls):
        raise SystemExit(f"refresh.py: the SDK has no model class {name}")
    return cls


def all_model_classes():
    return {
        name: obj
        for name, obj in vars(sdk_models).items()
        if inspect.isclass(obj) and hasattr(obj, "openapi_types") and obj.__module__.startswith(sdk_models.__name__)
    }


def python_type(py_type):
    """The inventory's type vocabulary for an `openapi_types` value; ints get the INT placeholder.

    Returns (type, format or None, referenced model names)."""
    if py_type.startswith("list[") and py_type.endswith("]"):
        inner, fmt, refs = python_type(py_type[5:-1])
        return f"array of {inner}", fmt, refs
    m = re.fullmatch(r"dict\((\w+), (.+)\)", py_type)
    if m:
        inner, fmt, refs = python_type(m.group(2))
        return f"map of string to {inner}", fmt, refs
    scalars = {"str": "string", "int": INT, "float": "number", "bool": "boolean", "object": "object (no schema)"}
    if py_type in scalars:
        return scalars[py_type], None, []
    if py_type == "datetime":
        return "string", "date-time", []
    if py_type == "date":
        return "string", "date", []
    return f"object {py_type}", None, [py_type]


def init_facts(cls):
    """Required attributes and `:param x:` docstring text, read from the model's __init__."""
    try:
        source = textwrap.dedent(inspect.getsource(cls.__init__))
    except (OSError, TypeError):
        return set(), {}
    func = ast.parse(source).body[0]
    required = set()
    for stmt in func.body:
        # `self.x = x` at the top level of __init__ (optional ones sit under `if x is not None:`).
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Attribute)
            and isinstance(stmt.targets[0].value, ast.Name)
            and stmt.targets[0].value.id == "self"
            and isinstance(stmt.value, ast.Name)
            and stmt.value.id == stmt.targets[0].attr
        ):
            required.add(stmt.targets[0].attr)
    docs = {}
    for line in (ast.get_docstring(func, clean=False) or "").splitlines():
        m = re.match(r"\s*:param (\w+):(.*)$", line)
        if m:
            docs[m.group(1)] = m.group(2).strip()
    return required, docs


ENUM_TOKEN = re.compile(r"(?:^|\s)-\s*([A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*[:：]")


def docstring_enum(text, scalar):
    """The python-docstring enum heuristic: a dash list `- TOKEN:` (or `- TOKEN：`), >= 2 tokens,
    converted to the field's scalar type (string, integer / long, boolean)."""
    tokens = []
    for token in ENUM_TOKEN.findall(text):
        if token not in tokens:
            tokens.append(token)
    if len(tokens) < 2:
        return None
    if scalar in ("integer", "long"):
        if not all(re.fullmatch(r"-?[0-9]+", t) for t in tokens):
            return None
        return [int(t) for t in tokens]
    if scalar == "boolean":
        if not all(t in ("true", "false") for t in tokens):
            return None
        return [t == "true" for t in tokens]
    return tokens


def ordered(entry, keys):
    unknown = set(entry) - set(keys)
    if unknown:
        raise SystemExit(f"refresh.py: unexpected keys {sorted(unknown)}")
    return {k: entry[k] for k in keys if k in entry}


def read_model(name, role, previous_entry, field_location=None):
    """One models.json entry (without `operation` / `used_by`) and the model names it references."""
    cls = model_class(name)
    required, docs = init_facts(cls)
    previous_fields = {f["name"]: f for f in (previous_entry or {}).get("fields", [])}
    fields, refs = [], []
    for attr, py_type in cls.openapi_types.items():
        json_name = cls.attribute_map.get(attr, attr)
        ty, fmt, field_refs = python_type(py_type)
        refs.extend(field_refs)
        field = {"name": json_name}
        if attr != json_name:
            field["py_attr"] = attr
        previous = previous_fields.get(json_name)
        if INT in ty:
            pattern = re.escape(ty).replace(re.escape(INT), "(?:integer|long)")
            if previous and re.fullmatch(pattern, previous["type"]) and previous.get("int_width") != "unknown":
                ty = previous["type"]
            else:
                ty = ty.replace(INT, "integer")
                field["int_width"] = "unknown"
        field["type"] = ty
        field["required"] = attr in required
        if fmt:
            field["format"] = fmt
        if previous and previous.get("enum_source") == "go-sdk":
            field["enum"] = previous["enum"]
            field["enum_source"] = "go-sdk"
        else:
            scalar = ty.removeprefix("array of ")
            if scalar in ("string", "integer", "long", "boolean"):
                values = docstring_enum(docs.get(attr, ""), scalar)
                if values:
                    field["enum"] = values
                    field["enum_source"] = "python-docstring"
        if field_location and attr in field_location:
            field["in"] = field_location[attr]
        if previous and "go_sdk" in previous:
            field["go_sdk"] = previous["go_sdk"]
        fields.append(ordered(field, FIELD_KEYS))
    entry = {"role": role}
    if issubclass(cls, SdkStreamResponse):
        entry["stream"] = True
    entry["in_go_sdk"] = previous_entry["in_go_sdk"] if previous_entry else "unknown"
    entry["fields"] = fields
    return entry, refs


# --------------------------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------------------------


class Sentinel:
    """A unique, recognisable request attribute value."""

    def __init__(self, attr):
        self.attr = attr

    def __repr__(self):
        return f"<{self.attr}>"


def sdk_methods():
    """Names of DbssClient's operation methods, in the client's order."""
    names = []
    for name, member in vars(DbssClient).items():
        if name.startswith("_") or not callable(member) or name.endswith("_invoker"):
            continue
        if f"_{name}_http_info" in vars(DbssClient):
            names.append(name)
    async_names = {
        name.removesuffix("_async")
        for name in vars(DbssAsyncClient)
        if name.endswith("_async") and f"_{name.removesuffix('_async')}_http_info" in vars(DbssAsyncClient)
    }
    if async_names != set(names):
        warn(f"DbssClient and DbssAsyncClient disagree: {sorted(async_names ^ set(names))}")
    return names


def read_operation(method_name):
    func = vars(DbssClient)[method_name]
    http_info_func = getattr(DbssClient, f"_{method_name}_http_info")
    doc = inspect.getdoc(func) or ""
    m = re.search(r":param request: Request instance for (\w+)", doc)
    if not m:
        raise SystemExit(f"refresh.py: {method_name}: no 'Request instance for' in its docstring")
    operation_id = m.group(1)
    request_cls = model_class(f"{operation_id}Request")
    method_source = inspect.getsource(func)
    deprecated = bool(re.search(r"warnings\.warn\(.*DeprecationWarning\)", method_source))
    summary = doc.splitlines()[0] if doc else ""

    # Build the request with a sentinel in every attribute, and see where each one lands.
    request = request_cls()
    for attr in request_cls.openapi_types:
        setattr(request, attr, Sentinel(attr))
    info = http_info_func(request)
    location = {}
    for value in info["path_params"].values():
        location[value.attr] = "path"
    query = []
    for key, value in info["query_params"]:
        location[value.attr] = "query"
        query.append((key, value.attr))
    headers = []
    for key, value in info["header_params"].items():
        if isinstance(value, Sentinel):
            location[value.attr] = "header"
            headers.append((key, value.attr))
    body_attr = None
    if isinstance(info["body"], Sentinel):
        body_attr = info["body"].attr
        location[body_attr] = "body"
    for attr in request_cls.openapi_types:
        if attr not in location:
            warn(f"{operation_id}: request attribute {attr} is not sent")

    http_source = inspect.getsource(http_info_func)
    ct = re.search(r"select_header_content_type\(\s*(\[.*?\])\s*\)", http_source, re.S)
    content_type = ",".join(ast.literal_eval(ct.group(1))) if ct else "-"

    placeholders = re.findall(r"\{(\w+)\}", info["resource_path"])
    sent_path = set(info["path_params"])
    auto_filled = [p for p in placeholders if p not in sent_path]
    return {
        "operation_id": operation_id,
        "sdk_method": method_name,
        "method": info["method"],
        "path": info["resource_path"],
        "path_params": placeholders,
        "auto_filled": auto_filled,
        "query": query,
        "headers": headers,
        "body_attr": body_attr,
        "location": location,
        "request_model": request_cls.__name__,
        "response_model": info["response_type"],
        "content_type": content_type,
        "deprecated": deprecated,
        "offline": OFFLINE_MARKER in summary,
    }


def response_body_kind(entry):
    if entry.get("stream"):
        return "binary file"
    fields = entry["fields"]
    if not fields:
        return "empty"
    if len(fields) == 1 and fields[0]["name"] == "body":
        ty = fields[0]["type"]
        if ty.startswith("array of "):
            return "json array"
        if ty == "string":
            return "raw body (str)"
        return f"raw body ({ty})"
    return "json object"


def guess_classification(op, previous_ops):
    """product_line / group for an operation the previous inventory does not know."""
    oid = op["operation_id"]
    for sibling in (oid.removesuffix("New"), oid + "New"):
        if sibling in previous_ops and sibling != oid:
            return previous_ops[sibling]["product_line"], previous_ops[sibling]["group"]
    path = op["path"]
    for line in ("db-encrypt", "db-om", "resource-manager"):
        if f"/{line}/" in path:
            return line, "unclassified"
    if "{resource_type}" in path:
        return "tags", "tag"
    return "audit", "unclassified"


def param_list(pairs, request_entry):
    by_attr = {f.get("py_attr", f["name"]): f for f in request_entry["fields"]}
    items = []
    for key, attr in pairs:
        field = by_attr[attr]
        items.append(f"{key}:{field['type']}:{'required' if field['required'] else 'optional'}")
    return ",".join(items) or "-"


# --------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------


def build(previous_models, previous_ops):
    prev = previous_models.get("models", {})
    ops = [read_operation(name) for name in sdk_methods()]
    ops.sort(key=lambda op: op["operation_id"])

    models = {}
    referenced_by = {}
    queue = deque()

    def note_refs(owner, refs):
        for ref in refs:
            referenced_by.setdefault(ref, set()).add(owner)
            if ref not in models and ref not in queue:
                queue.append(ref)

    rows = []
    for op in ops:
        oid = op["operation_id"]
        req_name, resp_name = op["request_model"], op["response_model"]
        req_entry, req_refs = read_model(req_name, "request-parameters", prev.get(req_name), op["location"])
        req_entry["operation"] = oid
        resp_entry, resp_refs = read_model(resp_name, "response", prev.get(resp_name))
        resp_entry["operation"] = oid
        for name, entry in ((req_name, req_entry), (resp_name, resp_entry)):
            if name in models:
                raise SystemExit(f"refresh.py: {name} used by two operations")
            models[name] = ordered(entry, MODEL_KEYS)
        note_refs(req_name, req_refs)
        note_refs(resp_name, resp_refs)

        body_model = "-"
        if op["body_attr"]:
            body_field = next(f for f in req_entry["fields"] if f.get("py_attr", f["name"]) == op["body_attr"])
            body_model = body_field["type"].removeprefix("object ")
        if oid in previous_ops:
            product_line, group = previous_ops[oid]["product_line"], previous_ops[oid]["group"]
        else:
            product_line, group = guess_classification(op, previous_ops)
            warn(f"new operation {oid}: classified as {product_line}/{group} (guessed; check it)")
        rows.append(
            {
                "operation_id": oid,
                "method": op["method"],
                "path": op["path"],
                "path_params": ",".join(op["path_params"]) or "-",
                "query_params": param_list(op["query"], req_entry),
                "header_params": param_list(op["headers"], req_entry),
                "request_body_model": body_model,
                "response_model": resp_name,
                "response_body_kind": response_body_kind(resp_entry),
                "deprecated": "yes" if op["deprecated"] else "no",
                "product_line": product_line,
                "group": group,
                "sdk_method": op["sdk_method"],
                "content_type": op["content_type"],
                "auto_filled_path_params": ",".join(op["auto_filled"]) or "-",
                "offline_marker_in_summary": "yes" if op["offline"] else "no",
            }
        )

    # Nested models, breadth first in order of discovery.
    schema_names = []
    while queue:
        name = queue.popleft()
        entry, refs = read_model(name, "schema", prev.get(name))
        models[name] = entry
        schema_names.append(name)
        note_refs(name, refs)
    for name in schema_names:
        models[name]["used_by"] = sorted(referenced_by[name])
        models[name] = ordered(models[name], MODEL_KEYS)

    rows.sort(key=lambda r: (r["product_line"], r["group"], r["operation_id"]))

    all_classes = all_model_classes()
    unreferenced = sorted(set(all_classes) - set(models))
    meta = dict(previous_models.get("_meta", {}))
    installed = dist_version(DIST)
    if "source" in meta:
        meta["source"] = re.sub(rf"{DIST} [0-9][0-9.]*", f"{DIST} {installed}", meta["source"])
    else:
        meta["source"] = f"{DIST} {installed} (Python)"
    meta["counts"] = {
        "operations": len(rows),
        "models_total": len(models),
        "request_wrappers": sum(1 for m in models.values() if m["role"] == "request-parameters"),
        "responses": sum(1 for m in models.values() if m["role"] == "response"),
        "schemas": sum(1 for m in models.values() if m["role"] == "schema"),
        "sdk_model_classes": len(all_classes),
        "sdk_model_classes_unreferenced": unreferenced,
    }
    return rows, {"_meta": meta, "models": models}


def render_tsv(rows):
    out = io.StringIO()
    out.write("\t".join(TSV_COLUMNS) + "\n")
    for row in rows:
        out.write("\t".join(row[c] for c in TSV_COLUMNS) + "\n")
    return out.getvalue()


def render_json(models):
    return json.dumps(models, indent=1, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: next to this script)")
    parser.add_argument(
        "--previous", type=Path, default=None, help="inventory to carry Go-SDK facts from (default: --out)"
    )
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing; exit 1 if different")
    args = parser.parse_args()
    previous_models, previous_ops = load_previous(args.previous or args.out)
    rows, models = build(previous_models, previous_ops)
    outputs = {"operations.tsv": render_tsv(rows), "models.json": render_json(models)}
    if args.check:
        stale = [n for n, text in outputs.items() if (args.out / n).read_text() != text] if args.out.exists() else list(outputs)
        for name in stale:
            warn(f"{args.out / name} differs from what the installed SDK gives")
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (args.out / name).write_text(text)
    print(f"wrote {len(rows)} operations and {len(models['models'])} models to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
