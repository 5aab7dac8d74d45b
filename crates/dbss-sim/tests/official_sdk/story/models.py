"""SDK request objects built from JSON-shaped values, and what the SDK made of an answer."""

import datetime
import decimal
import json
import re

import huaweicloudsdkdbss.v1 as dbss


PRIMITIVES = {"str", "int", "float", "bool", "object", "date", "datetime"}


def sdk_model(name):
    return getattr(dbss, name, None)


def build(declared, value, where, dropped):
    """The SDK object of type `declared` for the JSON value `value`."""
    if value is None:
        return None
    if declared.startswith("list["):
        inner = declared[len("list["):-1]
        return [build(inner, item, f"{where}[{i}]", dropped) for i, item in enumerate(value)]
    if declared.startswith("dict("):
        inner = re.match(r"dict\(([^,]*), (.*)\)", declared).group(2)
        return {k: build(inner, v, f"{where}.{k}", dropped) for k, v in value.items()}
    if declared in PRIMITIVES:
        return value
    model = sdk_model(declared)
    if model is None:
        raise TypeError(f"{where}: the SDK has no model {declared}")
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    kwargs = {}
    for key, item in value.items():
        attr = by_json.get(key)
        if attr is None:
            dropped.append(f"{where}.{key}")
            continue
        kwargs[attr] = build(model.openapi_types[attr], item, f"{where}.{key}", dropped)
    return model(**kwargs)


def build_request(operation, params, body, dropped):
    """`<operation>Request` with path/query parameters `params` and JSON body `body`."""
    model = sdk_model(f"{operation}Request")
    if model is None:
        raise TypeError(f"the SDK has no {operation}Request")
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    kwargs = {}
    for name, value in params.items():
        if value is None:
            continue
        attr = by_json.get(name)
        if attr is None:
            dropped.append(f"param {name}")
            continue
        kwargs[attr] = value
    if body is not None:
        if "body" not in model.openapi_types:
            raise TypeError(f"{operation}Request has no body")
        kwargs["body"] = build(model.openapi_types["body"], body, "body", dropped)
    return model(**kwargs)


# --------------------------------------------------------------------------------------------
# Checking what the SDK made of an answer


def plain(value):
    """A JSON-comparable form of an SDK value (Decimal -> float)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def describe(value):
    return f"a list of {len(value)}" if isinstance(value, list) else type(value).__name__


def compare(raw, value, declared, where, problems, unknown):
    """Every field of `raw` (the JSON sent) that `declared` knows must be in `value` (the SDK's)."""
    if raw is None:
        return
    if value is None:
        problems.append(f"{where}: sent {json.dumps(raw)[:80]}, the SDK object has nothing")
        return
    if declared.startswith("list["):
        inner = declared[len("list["):-1]
        if not isinstance(raw, list) or not isinstance(value, list) or len(raw) != len(value):
            problems.append(f"{where}: sent {describe(raw)}, the SDK read {describe(value)}")
            return
        for i, (r, v) in enumerate(zip(raw, value)):
            compare(r, v, inner, f"{where}[{i}]", problems, unknown)
        return
    if declared.startswith("dict("):
        inner = re.match(r"dict\(([^,]*), (.*)\)", declared).group(2)
        if not isinstance(raw, dict) or not isinstance(value, dict) or set(raw) != set(value):
            problems.append(f"{where}: the SDK read the map as {value!r:.80}")
            return
        for k in raw:
            compare(raw[k], value[k], inner, f"{where}.{k}", problems, unknown)
        return
    if declared in ("date", "datetime"):
        # The SDK parses these with python-dateutil (text + "Z"), or keeps the text when that
        # is not installed; either way it needs text, and ISO-shaped text parses.
        if not isinstance(raw, str):
            problems.append(f"{where}: sent {type(raw).__name__} {raw!r:.40}, the SDK declares {declared} (text)")
        else:
            try:
                datetime.datetime.fromisoformat(raw[:-1] if raw.endswith("Z") else raw)
            except ValueError:
                problems.append(f"{where}: {raw!r:.40} is not a {declared} the SDK can parse")
        return
    if declared == "object":
        if plain(value) != raw:
            problems.append(f"{where}: sent {raw!r:.80}, the SDK read {value!r:.80}")
        return
    if declared in ("str", "int", "float", "bool"):
        wanted = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}[declared]
        sent_ok = isinstance(raw, wanted) and not (declared in ("int", "float") and isinstance(raw, bool))
        if not sent_ok:
            problems.append(f"{where}: sent {type(raw).__name__} {raw!r:.60}, the SDK declares {declared} "
                            f"(read as {value!r:.60})")
        elif plain(value) != raw:
            problems.append(f"{where}: sent {raw!r:.60}, the SDK read {value!r:.60}")
        return
    model = sdk_model(declared)
    if model is None:
        problems.append(f"{where}: the SDK has no model {declared}")
        return
    if not model.openapi_types:
        return  # an enum-like model: the SDK keeps what it recognises
    if not isinstance(raw, dict):
        problems.append(f"{where}: sent {type(raw).__name__}, the SDK declares model {declared}")
        return
    if not isinstance(value, model):
        problems.append(f"{where}: the SDK made a {type(value).__name__}, not a {declared}")
        return
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key, item in raw.items():
        attr = by_json.get(key)
        if attr is None:
            unknown.add(f"{declared}.{key}")
            continue
        compare(item, getattr(value, attr), model.openapi_types[attr], f"{where}.{key}", problems, unknown)
