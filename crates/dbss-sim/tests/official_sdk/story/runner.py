"""The runner: every SDK call goes through `Runner.call`, which checks the answer."""

import json
import warnings

from huaweicloudsdkcore.exceptions import exceptions as sdk_exceptions
from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse
from huaweicloudsdkcore.warning.warning import SdkWarning

from .models import build_request, compare


class CallFailed(Exception):
    """A call that failed; already recorded."""


class Runner:
    def __init__(self, client, spec, table):
        self.client = client
        self.spec = spec
        self.table = table
        self.called = set()
        self.failures = []  # (operation, problem)
        self.by_story = set()
        self.generic = set()
        self.unknown = set()
        self.dropped = []
        self.calls = 0
        self.ids = {}
        self.in_generic = False

    def fail(self, operation, problem):
        self.failures.append((operation, problem))
        print(f"  FAIL {operation}: {problem}", flush=True)

    # Example values, with example ids replaced by real ones -----------------------------------

    def real_id(self, operation, name):
        """The real value for a parameter or field called `name`, if it names a resource."""
        op = self.spec[operation]
        ids = self.ids
        if name == "instance_id":
            if "/db-encrypt/" in op["path"]:
                return ids.get("encrypt")
            if "/db-om/" in op["path"]:
                return ids.get("om")
            return ids.get("instance")
        if name == "resource_id":
            return ids.get("resource")
        if name == "db_id":
            return ids.get("database")
        if name == "agent_id":
            return ids.get("agent")
        if name == "risk_id":
            return ids.get("rule-risk")
        if name == "domain_id":
            return ids.get("domain")
        if name == "region_id":
            return ids.get("region")
        if name in ("id", "ids", "whitelists"):
            tag = op["tag"]
            if tag == "instance":
                return self.real_id(operation, "instance_id")
            return ids.get(tag)
        return None

    def rewrite(self, operation, value):
        """`value` (an example body) with its example ids replaced."""
        if isinstance(value, dict):
            out = {}
            for name, item in value.items():
                real = self.real_id(operation, name)
                if real is not None and isinstance(item, str):
                    out[name] = real
                elif real is not None and isinstance(item, list) and all(isinstance(i, str) for i in item):
                    out[name] = [real for _ in item]
                else:
                    out[name] = self.rewrite(operation, item)
            return out
        if isinstance(value, list):
            return [self.rewrite(operation, item) for item in value]
        return value

    def example(self, operation):
        """(params, body) of the spec's examples, ids replaced."""
        op = self.spec[operation]
        params = {}
        for name, _, example in op["params"]:
            if name == "project_id" or example is None:
                continue
            real = self.real_id(operation, name)
            if name == "resource_type" and example == "example-resource-type":
                real = "auditInstance"
            params[name] = real if real is not None else example
        body = self.rewrite(operation, op["body"]) if op["body"] is not None else None
        return params, body

    # The call ---------------------------------------------------------------------------------

    def call(self, operation, params=None, body=None, merge=True):
        """Calls `operation` through the SDK and checks the answer; returns the SDK's response.

        Without `merge`, `params` and `body` are the whole request; with it (the default), they
        are laid over the spec's example (a `None` value removes a parameter or field)."""
        if operation not in self.table:
            raise KeyError(operation)
        self.called.add(operation)
        (self.generic if self.in_generic else self.by_story).add(operation)
        self.calls += 1
        if merge:
            base_params, base_body = self.example(operation)
            base_params.update(params or {})
            params = {k: v for k, v in base_params.items() if v is not None}
            if body is not None or base_body is not None:
                body = overlay(base_body, body)
        else:
            params = dict(params or {})
        dropped = []
        try:
            request = build_request(operation, params, body, dropped)
        except Exception as error:  # the request cannot be expressed with the SDK's models
            self.fail(operation, f"cannot build the request: {error!r}")
            raise CallFailed(operation)
        if dropped:
            self.dropped.append(f"{operation}: {', '.join(dropped)}")
        method = getattr(self.client, self.table[operation]["sdk_method"], None)
        if method is None:
            self.fail(operation, f"DbssClient has no method {self.table[operation]['sdk_method']}")
            raise CallFailed(operation)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                response = method(request)
            except sdk_exceptions.ServiceResponseException as error:
                self.fail(operation, f"HTTP {error.status_code} {error.error_code}: {error.error_msg} "
                                     f"(request {json.dumps(plain_request(request))[:300]})")
                raise CallFailed(operation)
            except Exception as error:
                self.fail(operation, f"{type(error).__name__}: {error}")
                raise CallFailed(operation)
            problems = self.check(operation, response)
        for warning in caught:
            if issubclass(warning.category, SdkWarning):
                problems.append(f"SDK warning: {warning.message}")
        if problems:
            more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
            self.fail(operation, "; ".join(problems[:5]) + more)
            raise CallFailed(operation)
        return response

    def check(self, operation, response):
        """What is wrong with the SDK's reading of the answer."""
        kind = self.table[operation]["kind"]
        problems = []
        status = getattr(response, "status_code", None)
        if kind == "binary file":
            if not isinstance(response, SdkStreamResponse):
                return [f"expected a stream response, got {type(response).__name__}"]
            got = {}

            def read(stream):
                got["status"] = stream.status_code
                got["type"] = stream.headers.get("Content-Type", "")
                got["bytes"] = stream.content

            response.consume_download_stream(read)
            response.downloaded = got.get("bytes", b"")
            if got.get("status") != 200:
                problems.append(f"HTTP {got.get('status')}")
            if not response.downloaded:
                problems.append("an empty file")
            if not got.get("type", "").startswith("application/octet-stream"):
                problems.append(f"Content-Type {got.get('type')!r}")
            return problems
        if status is None or not 200 <= status < 300:
            problems.append(f"HTTP status {status}")
        raw_bytes = response.raw_content or b""
        if kind == "empty":
            if raw_bytes:
                problems.append(f"expected no body, got {raw_bytes[:80]!r}")
            return problems
        if kind == "raw body (str)":
            text = raw_bytes.decode("utf-8")
            # The SDK reads an empty body as no body at all.
            if response.body != text and not (text == "" and response.body is None):
                problems.append(f"the body {text!r:.80} was read as {response.body!r:.80}")
            return problems
        try:
            raw = json.loads(raw_bytes.decode("utf-8"))
        except ValueError as error:
            return problems + [f"not JSON ({error}): {raw_bytes[:80]!r}"]
        name = f"{operation}Response"
        if kind == "json array":
            if not isinstance(raw, list):
                return problems + [f"expected a JSON array, got {type(raw).__name__}"]
            compare(raw, response.body, type(response).openapi_types["body"], operation, problems, self.unknown)
            return problems
        if not isinstance(raw, dict):
            return problems + [f"expected a JSON object, got {type(raw).__name__}"]
        compare(raw, response, name, operation, problems, self.unknown)
        declared = set(type(response).attribute_map.values())
        if any(key in declared and raw[key] is not None for key in raw):
            as_dict = response.to_dict()
            if not any(v is not None for v in as_dict.values()):
                problems.append(f"to_dict() is empty for {json.dumps(raw)[:80]}")
        return problems


def plain_request(request):
    """The request as JSON-ish data, for failure messages."""
    from huaweicloudsdkcore.utils import http_utils

    return http_utils.sanitize_for_serialization(request)


def overlay(base, patch):
    """`patch` laid over `base`: objects merge, a `None` in `patch` removes the field."""
    if patch is None:
        return base
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = overlay(out[key], value)
            else:
                out[key] = value
        return out
    return patch


def expect(condition, what):
    """A fact of the story that the SDK's response objects must show."""
    if not condition:
        raise AssertionError(what)
