"""Reads the simulator's answers as Huawei's official Python SDK reads them.

Input (stdin): a JSON list of {"operation": "<OperationId>", "body": <JSON answer>}.
Output (stdout): a JSON object {"checked": n, "failures": [...], "unknown": [...]}.

For each answer, the SDK's own deserializer builds the operation's response model
(`<OperationId>Response`); a failure is an exception, or a value whose JSON type is not the
type the model declares for it (str, int, bool, float, list, dict, or a nested model).
Fields the model does not know are reported separately: the SDK ignores them.
"""

import json
import sys

from huaweicloudsdkdbss.v1 import DbssClient

PRIMITIVES = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "float": (int, float),
    "object": (object,),
}


def check(value, declared, path, failures, unknown, models):
    if value is None:
        return
    if declared.startswith("list["):
        if not isinstance(value, list):
            failures.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        inner = declared[len("list["):-1]
        for i, item in enumerate(value):
            check(item, inner, f"{path}[{i}]", failures, unknown, models)
        return
    if declared.startswith("dict("):
        if not isinstance(value, dict):
            failures.append(f"{path}: expected an object, got {type(value).__name__}")
        return
    if declared in PRIMITIVES:
        wanted = PRIMITIVES[declared]
        wrong = not isinstance(value, wanted) or (declared in ("int", "float") and isinstance(value, bool))
        if wrong:
            failures.append(f"{path}: the SDK declares {declared}, got {type(value).__name__} {value!r}")
        return
    model = getattr(models, declared, None)
    if model is None:
        return
    if not isinstance(value, dict):
        failures.append(f"{path}: the SDK declares model {declared}, got {type(value).__name__}")
        return
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key, item in value.items():
        attr = by_json.get(key)
        if attr is None:
            unknown.append(f"{path}.{key} (not in {declared})")
            continue
        check(item, model.openapi_types[attr], f"{path}.{key}", failures, unknown, models)


def main():
    answers = json.load(sys.stdin)
    client = DbssClient()
    models = client.model_package
    failures, unknown = [], []
    for answer in answers:
        operation, body = answer["operation"], answer["body"]
        name = f"{operation}Response"
        model = getattr(models, name, None)
        if model is None:
            failures.append(f"{operation}: the SDK has no {name}")
            continue
        try:
            client._deserialize(body, name)
        except Exception as error:  # the SDK's own reader failed: that is the finding
            failures.append(f"{operation}: the SDK cannot read the answer: {error!r}")
            continue
        if "body" in model.attribute_map and isinstance(body, list):
            check(body, model.openapi_types["body"], operation, failures, unknown, models)
        else:
            check(body, name, operation, failures, unknown, models)
    json.dump({"checked": len(answers), "failures": failures, "unknown": unknown}, sys.stdout)


main()
