"""The spec (`openapi/dbss.yaml`) and the SDK's operation table (`operations.tsv`)."""

import csv
from pathlib import Path

import yaml


ROOT = Path(__file__).resolve().parents[5]
SPEC = ROOT / "openapi" / "dbss.yaml"
OPERATIONS_TSV = ROOT / "openapi" / "upstream" / "operations.tsv"
OPERATION_COUNT = 173


def load_operations():
    """operationId -> {sdk_method, kind, deprecated} from operations.tsv."""
    with OPERATIONS_TSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {
        r["operation_id"]: {
            "sdk_method": r["sdk_method"],
            "kind": r["response_body_kind"],
            "deprecated": r["deprecated"] == "yes",
        }
        for r in rows
    }


def load_spec():
    """operationId -> {method, path, tag, params: [(name, in, example)], body: example}."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))

    def resolve(node):
        while isinstance(node, dict) and "$ref" in node:
            target = spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    operations = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            params = []
            for param in op.get("parameters", []):
                param = resolve(param)
                if param["in"] in ("path", "query"):
                    params.append((param["name"], param["in"], param.get("example")))
            body = None
            if op.get("requestBody"):
                content = resolve(op["requestBody"])["content"]
                body = next(iter(content.values())).get("example")
            operations[op["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "tag": (op.get("tags") or [""])[0],
                "params": params,
                "body": body,
            }
    return operations
