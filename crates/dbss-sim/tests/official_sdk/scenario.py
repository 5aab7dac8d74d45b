"""Huawei's official Python SDK drives a DBSS endpoint (the simulator) through a realistic story.

Usage: python scenario.py --endpoint http://127.0.0.1:PORT --ak AK --sk SK --project-id PROJECT
       [--region cn-north-4] [--domain-id DOMAIN]

Everything goes through the SDK as a user of it would write: `DbssClient` built with
`BasicCredentials` (AK/SK signing), request objects of the SDK's model classes, the SDK's
methods, and the SDK's deserialised response objects (values the story needs, such as the id of
the instance it ordered, are read from those objects, not from the raw JSON).

The story orders an audit instance and waits until it is ACTIVE, then works through every
resource group (see `STAGES`). Operations the story does not need are then called generically:
each request object is built from the spec's examples (`openapi/dbss.yaml`) by walking the SDK
models' `openapi_types` and `attribute_map`, with the example ids replaced by real ones from the
state the story created. The story ends by deleting what it ordered.

Every call must succeed: no exception, no conversion warning from the SDK, and every field the
endpoint sent that the SDK's model declares must come out of the SDK's response object with the
same value (a JSON answer that the SDK reads as empty, or reads with a field lost or converted,
is a failure). Binary answers must be non-empty files. The last line is
`official-sdk: N/173 operations called, M failed`; the exit status is non-zero on any failure.
"""

import argparse
import csv
import datetime
import decimal
import json
import re
import sys
import time
import traceback
import urllib.parse
import warnings
from pathlib import Path

import yaml
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions as sdk_exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse
from huaweicloudsdkcore.warning.warning import SdkWarning

import huaweicloudsdkdbss.v1 as dbss
from huaweicloudsdkdbss.v1 import DbssClient

ROOT = Path(__file__).resolve().parents[4]
SPEC = ROOT / "openapi" / "dbss.yaml"
OPERATIONS_TSV = ROOT / "openapi" / "upstream" / "operations.tsv"
OPERATION_COUNT = 173

PRIMITIVES = {"str", "int", "float", "bool", "object", "date", "datetime"}
POLL = 0.05
WAIT_LIMIT = 20.0


# --------------------------------------------------------------------------------------------
# The spec and the SDK's operation table


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


# --------------------------------------------------------------------------------------------
# Building SDK request objects from JSON-shaped values


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


# --------------------------------------------------------------------------------------------
# The runner: every SDK call goes through `Runner.call`


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


# --------------------------------------------------------------------------------------------
# The story


def utc_text(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class Story:
    def __init__(self, runner, args):
        self.r = runner
        self.args = args
        self.region = args.region
        self.zone = f"{args.region}a"
        now = datetime.datetime.now(datetime.timezone.utc)
        # Audit data covers the month before the endpoint started.
        self.window = {"start_time": utc_text(now - datetime.timedelta(days=31)),
                       "end_time": utc_text(now + datetime.timedelta(minutes=5))}
        self.instance = None
        self.resource = None
        self.old_instance = None
        self.databases = {}
        self.agent = None
        runner.ids["domain"] = args.domain_id
        runner.ids["region"] = args.region

    def call(self, operation, params=None, body=None, merge=True):
        return self.r.call(operation, params, body, merge)

    # Waiting ----------------------------------------------------------------------------------

    def audit_instances(self):
        listed = self.call("ListAuditInstancesLast", {"offset": "0", "limit": "100"})
        return listed.instances or []

    def wait_instance(self, instance_id, status):
        """Polls the instance list until the instance is `status` with no task (or gone)."""
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            found = [i for i in self.audit_instances() if i.id == instance_id]
            if status is None and not found:
                return None
            if found and found[0].status == status and found[0].task == "NO_TASK":
                return found[0]
            if time.monotonic() > deadline:
                seen = (found[0].status, found[0].task) if found else "gone"
                raise AssertionError(f"instance {instance_id} is {seen}, not {status or 'gone'}")
            time.sleep(POLL)

    def clusters(self, line):
        operation = "ListDbEncryptInstances" if line == "encrypt" else "ListInstances"
        return self.call(operation).clusters or []

    def wait_cluster(self, line, cluster_id, status):
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            found = [c for c in self.clusters(line) if c.instance_id == cluster_id]
            if status is None and not found:
                return None
            if found:
                server = found[0].detail.server[0]
                if server.status == status and server.task_status == "NO_TASK":
                    return found[0]
            if time.monotonic() > deadline:
                seen = (found[0].detail.server[0].status, found[0].detail.server[0].task_status) if found else "gone"
                raise AssertionError(f"{line} instance {cluster_id} is {seen}, not {status or 'gone'}")
            time.sleep(POLL)

    # Stages -----------------------------------------------------------------------------------

    def wrong_key(self):
        """The control: the endpoint checks the SDK's signatures (a wrong secret key is refused)."""
        client = (DbssClient.new_builder()
                  .with_http_config(HttpConfig(timeout=(5, 30)))
                  .with_credentials(BasicCredentials(self.args.ak, self.args.sk + "-wrong", self.args.project_id))
                  .with_endpoints([self.args.endpoint])
                  .build())
        try:
            client.show_server_version(dbss.ShowServerVersionRequest())
        except sdk_exceptions.ServiceResponseException as error:
            expect(error.status_code in (401, 403), f"a wrong signature got HTTP {error.status_code}")
            return
        raise AssertionError("a request signed with the wrong secret key was accepted")

    def discover(self):
        version = self.call("ShowServerVersion")
        expect(version.to_dict(), "the version answer is empty")
        zones = self.call("ListAvailabilityZoneInfosNew").azs or []
        expect(zones, "no availability zones")
        specs = self.call("ListEcsSpecificationNew", {"image_business_type": 1}).specifications or []
        expect(specs, "no specifications")
        self.quota_before = self.call("ShowAuditQuotaNew").audit_quota
        expect(self.quota_before >= 2, f"audit quota {self.quota_before}")

    def order(self):
        common = {
            "vpc_id": "a2b4c6d8-0000-4000-8000-00000000c0de",
            "availability_zone": self.zone,
            "enterprise_project_id": "0",
            "nics": [{"subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de", "ip_address": "192.168.0.60"}],
            "security_groups": [{"id": "sg-sdk-0000-4000-8000-000000000001"}],
            "region": self.region,
            "charging_mode": 0,
            "period_type": 2,
            "period_num": 1,
            "subscription_num": 1,
            "tags": [{"key": "env", "value": "ci"}],
        }
        def product(spec_code):
            return [{"product_id": "00301-225396-0--0", "cloud_service_type": "hws.service.type.dbss",
                     "resource_type": "hws.resource.type.dbss", "resource_spec_code": spec_code,
                     "product_spec_desc": "{\"specDesc\":{\"zh-cn\":{},\"en-us\":{}}}"}]

        # Medium: it audits up to 6 databases, and the story adds 5.
        order = self.call("CreateInstancesPeriodOrderNew", body=dict(common, **{
            "name": "sdk-audit", "comment": "ordered by the official SDK",
            "product_infos": product("dbss.bypassaudit.medium"),
        }))
        expect(order.order_id, "the order has no order_id")
        old = self.call("CreateInstancesPeriodOrder", body=dict(common, **{
            "name": "sdk-audit-legacy", "comment": "ordered through the legacy path",
            "nics": [{"subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de", "ip_address": "192.168.0.61"}],
            "product_infos": product("dbss.bypassaudit.low"),
        }))
        expect(old.order_id and old.order_id != order.order_id, "the two orders share an order_id")
        by_name = {i.name: i for i in self.audit_instances()}
        expect({"sdk-audit", "sdk-audit-legacy"} <= set(by_name), f"ordered instances missing: {sorted(by_name)}")
        mine = by_name["sdk-audit"]
        # BUILD until the build task ends (ACTIVE already if this runs slower than that task).
        expect(mine.status in ("BUILD", "ACTIVE"), f"a new instance is {mine.status}")
        self.instance, self.resource = mine.id, mine.resource_id
        self.old_instance = by_name["sdk-audit-legacy"].id
        self.r.ids.update(instance=self.instance, resource=self.resource)
        active = self.wait_instance(self.instance, "ACTIVE")
        expect(active.resource_spec_code == "dbss.bypassaudit.medium", "the ordered specification")
        self.wait_instance(self.old_instance, "ACTIVE")
        # The older list operations see the same instances.
        new_list = self.call("ListAuditInstancesNew", {"offset": "0", "limit": "100"})
        expect(any(i.instance_id == self.instance for i in new_list.instances or []), "ListAuditInstancesNew")
        v1_list = self.call("ListAuditInstances", {"offset": "0", "limit": "100"})
        expect(any(s.id == self.old_instance for s in v1_list.servers or []), "ListAuditInstances")
        jobs = self.call("ListAuditInstanceJobsNew", {"resource_id": self.resource})
        expect(any(j.job_type == "createAuditInstance" for j in jobs.jobs or []), "no createAuditInstance job")
        self.call("ListAuditInstanceJobs", {"resource_id": self.resource})
        quota = self.call("ShowAuditQuotaNew")
        expect(quota.audit_quota == self.quota_before - 2, f"quota {self.quota_before} -> {quota.audit_quota}")

    def configure_instance(self):
        self.call("UpdateAuditInstanceNew", {"instance_id": self.instance},
                  {"name": "sdk-audit-prod", "comment": "audits the shop databases"})
        self.call("UpdateAuditInstance", {"instance_id": self.old_instance},
                  {"name": "sdk-audit-legacy", "comment": "legacy path"})
        self.call("UpdateAuditSecurityGroupNew",
                  body={"instance_id": self.instance, "securitygroup_ids": ["sg-sdk-0000-4000-8000-000000000002"]})
        self.call("UpdateAuditSecurityGroup",
                  body={"instance_id": self.old_instance, "securitygroup_ids": ["sg-sdk-0000-4000-8000-000000000003"]})
        self.call("SetAuditInstanceTimeZone", {"instance_id": self.instance}, {"timezone": "UTC+01:00"})
        mine = [i for i in self.audit_instances() if i.id == self.instance][0]
        expect(mine.name == "sdk-audit-prod", f"renamed to {mine.name}")
        expect(mine.security_group_id == "sg-sdk-0000-4000-8000-000000000002", "security group change")

    def lifecycle(self):
        for instance, generation in ((self.instance, "New"), (self.old_instance, "")):
            body = {"instance_id": instance}
            self.call(f"StopAuditInstance{generation}", body=body)
            self.wait_instance(instance, "SHUTOFF")
            self.call(f"StartAuditInstance{generation}", body=body)
            self.wait_instance(instance, "ACTIVE")
            self.call(f"RebootAuditInstance{generation}", body=body)
            self.wait_instance(instance, "ACTIVE")
        jobs = self.call("ListAuditInstanceJobsNew", {"resource_id": self.resource}).jobs or []
        kinds = {j.job_type for j in jobs}
        expect({"stopAuditInstance", "startAuditInstance", "rebootAuditInstance"} <= kinds, f"jobs {kinds}")

    def add_databases(self):
        i = {"instance_id": self.instance}
        shop = self.call("AddAuditDatabaseNew", i, {"database": {
            "db_classification": "ECS", "name": "shop", "type": "MYSQL", "version": "8.0", "charset": "UTF8",
            "ip": "192.168.1.31", "port": "3306", "os": "LINUX64", "instance_name": "shop-ecs"}}).id
        ledger = self.call("AddAuditDatabase", i, {"database": {
            "db_classification": "ECS", "name": "ledger", "type": "POSTGRESQL", "version": "14", "charset": "UTF8",
            "ip": "192.168.1.32", "port": "5432", "os": "LINUX64", "instance_name": "ledger-ecs"}}).id
        expect(shop and ledger and shop != ledger, "database ids")
        self.databases.update(shop=shop, ledger=ledger)
        self.r.ids["database"] = shop
        added = self.call("AddRdsDatabaseNew", i, {"databases": [
            {"id": "7f3e0a8b-rds1-4000-8000-0000000000a1", "type": "MYSQL"}]}, merge=False)
        expect([r.ret_status for r in added.ret_list] == ["SUCCESS"], "AddRdsDatabaseNew")
        self.call("AddRdsDatabase", i, {"databases": [
            {"id": "7f3e0a8b-rds2-4000-8000-0000000000a2", "type": "POSTGRESQL"}]}, merge=False)
        no_agent = self.call("AddRdsNoAgentDatabase", i, {"databases": [{
            "id": "7f3e0a8b-rds3-4000-8000-0000000000a3", "db_name": "reports", "status": "OFF", "port": "3306",
            "ip": "192.168.1.33", "instance_name": "reports-rds", "version": "8.0", "type": "MYSQL",
            "enterprise_id": "0", "enterprise_name": "default"}],
            "total_count": 1}, merge=False)
        expect(no_agent.legal_db_id == ["7f3e0a8b-rds3-4000-8000-0000000000a3"], "AddRdsNoAgentDatabase")
        listed = self.call("ListAuditDatabasesNew", {"instance_id": self.instance, "status": None,
                                                     "offset": "0", "limit": "10"})
        expect(listed.total == 5, f"{listed.total} databases, not 5")
        names = {d.database.name: d.database.id for d in listed.databases}
        self.databases.update(rds=names.get("reports"))
        self.call("SwitchAuditDatabaseNew", i, {"id": shop, "status": "ON", "lts_audit_switch": 0})
        self.call("SwitchAuditDatabase", i, {"id": ledger, "status": "ON"})
        on = self.call("ListAuditDatabases", {"instance_id": self.instance, "status": "ON",
                                              "offset": "0", "limit": "10"})
        expect({d.database.id for d in on.databases} == {shop, ledger}, "switched-on databases")

    def agents(self):
        i = {"instance_id": self.instance}
        shop, ledger = self.databases["shop"], self.databases["ledger"]
        self.call("AddAuditAgentNew", i, {"db_id": shop, "mode": 0, "agent_id": None, "agent_type": "DB",
                                          "agent_os": "LINUX64_X86", "agent_ip": "192.168.1.31",
                                          "agent_nic": "eth0", "cpu_threshold": 80, "mem_threshold": 80})
        agents = self.call("ListAuditAgentNew", {"instance_id": self.instance, "db_id": shop}).agents
        expect(len(agents) == 1, f"{len(agents)} agents on shop")
        self.agent = agents[0].agent_id
        self.r.ids["agent"] = self.agent
        # The same agent also captures the ledger database (mode 1 reuses an agent).
        self.call("AddAuditAgent", i, {"db_id": ledger, "mode": 1, "agent_id": self.agent, "agent_type": "DB",
                                       "agent_os": "LINUX64_X86", "agent_ip": "192.168.1.31", "agent_nic": "eth0",
                                       "cpu_threshold": 80, "mem_threshold": 80})
        shared = self.call("ListAuditAgent", {"instance_id": self.instance, "db_id": ledger,
                                              "offset": "0", "limit": "10"}).agents
        expect([a.agent_id for a in shared] == [self.agent], "the reused agent")
        self.call("SwitchAgentNew", i, {"agent_id": self.agent, "status": 0})
        self.call("SwitchAgent", i, {"agent_id": self.agent, "status": 1})
        self.call("CreateAuditDbAgent", {"instance_id": self.instance, "agent_id": self.agent},
                  {"cpu_threshold": 70, "mem_threshold": 75})
        agent = self.call("ListAuditAgentNew", {"instance_id": self.instance, "db_id": shop}).agents[0]
        expect((agent.status, agent.cpu_threshold, agent.mem_threshold) == (1, 70, 75), "agent settings")
        package = self.call("DownloadAuditAgentNew", {"instance_id": self.instance, "agent_id": self.agent})
        expect(package.downloaded[:2] == b"\x1f\x8b", "the agent package is not gzip")
        self.call("DeleteAuditAgent", {"instance_id": self.instance, "agent_id": self.agent, "db_id": ledger})

    def risk_rules(self):
        i = {"instance_id": self.instance}
        rule = {"action": "DROP_TABLE", "affect_rows": 0, "affect_symbol": "GREATER",
                "client_ips": "192.168.1.0/24", "db_ids": self.databases["shop"], "exception_ips": "",
                "execution_symbol": "GREATER", "execution_time": 0, "ignore_case": True, "risk_level": "HIGH",
                "schemas": [{"schema": "shop", "table": "orders", "column": ""}], "status": "ON"}
        self.call("CreateAuditRiskRule", i, dict(rule, rule_name="sdk-drop-orders"), merge=False)
        self.call("CreateAuditRiskRule", i, dict(rule, rule_name="sdk-slow-delete", action="DELETE",
                                                 risk_level="MEDIUM", execution_time=5), merge=False)
        listed = self.call("ListAuditRuleRisksNew", {"instance_id": self.instance, "name": "sdk-",
                                                     "risk_levels": None, "support_db_classify_rule": None,
                                                     "offset": "0", "limit": "100"})
        by_name = {r.name: r.id for r in listed.rules}
        expect({"sdk-drop-orders", "sdk-slow-delete"} <= set(by_name), f"risk rules {sorted(by_name)}")
        drop, slow = by_name["sdk-drop-orders"], by_name["sdk-slow-delete"]
        self.r.ids["rule-risk"] = drop
        self.call("ListAuditRuleRisks", {"instance_id": self.instance, "name": "sdk-drop", "risk_levels": "HIGH"})
        shown = self.call("ShowAuditRuleRiskNew", {"instance_id": self.instance, "id": drop})
        expect(shown.rule_name == "sdk-drop-orders" and shown.risk_level == "HIGH", "ShowAuditRuleRiskNew")
        self.call("ShowAuditRuleRisk", {"instance_id": self.instance, "risk_id": drop})
        self.call("SetRiskOperationPolicy", {"instance_id": self.instance, "id": drop},
                  dict(rule, rule_name="sdk-drop-orders", risk_level="MEDIUM"), merge=False)
        self.call("SwitchRiskRuleNew", i, {"ids": f"{drop},{slow}", "status": "OFF"}, merge=False)
        self.call("SwitchRiskRule", i, {"ids": drop, "status": "ON"}, merge=False)
        self.call("SetRiskRuleRank", i, {"id": drop, "new_rank": 1}, merge=False)
        shown = self.call("ShowAuditRuleRiskNew", {"instance_id": self.instance, "id": drop})
        expect((shown.risk_level, shown.status, shown.rank) == ("MEDIUM", "ON", 1), "risk rule after changes")
        self.call("DeleteAuditRuleRisk", {"instance_id": self.instance, "id": slow})

    def scope_rules(self):
        i = {"instance_id": self.instance}
        scope = {"action": "ALL", "db_ids": self.databases["shop"], "db_names": "shop", "db_users": "app",
                 "exception_ips": "", "source_ips": "192.168.1.0/24", "source_ports": "3306"}
        self.call("CreateAuditScopeRule", i, dict(scope, rule_name="sdk-shop-app"), merge=False)
        self.call("CreateAuditScopeRule", i, dict(scope, rule_name="sdk-shop-admin", db_users="admin"), merge=False)
        self.call("CreateAuditScopeRule", i, dict(scope, rule_name="sdk-shop-batch", db_users="batch"), merge=False)
        listed = self.call("ListAuditRuleScopesNew", {"instance_id": self.instance, "offset": "0", "limit": "100"})
        by_name = {s.name: s.id for s in listed.scopes}
        app, admin, batch = by_name["sdk-shop-app"], by_name["sdk-shop-admin"], by_name["sdk-shop-batch"]
        self.r.ids["rule-scope"] = app
        self.call("UpdateAuditScopeRule", {"instance_id": self.instance, "id": app},
                  dict(scope, rule_name="sdk-shop-app", db_users="app,report"), merge=False)
        self.call("SetAuditScopeRuleSwitch", i, {"ids": [admin, batch], "status": "OFF"}, merge=False)
        after = {s.id: s for s in self.call("ListAuditRuleScopesNew", {"instance_id": self.instance,
                                                                       "offset": "0", "limit": "100"}).scopes}
        expect(after[app].db_users == "app,report" and after[admin].status == "OFF", "scope rules after changes")
        self.call("DeleteAuditScope", {"instance_id": self.instance, "id": admin})
        self.call("BatchDeleteAuditScope", i, {"ids": [batch]}, merge=False)

    def sql_rules(self):
        i = {"instance_id": self.instance}
        self.call("CreateAuditSqlRule", i, {"risk_level": "HIGH", "rule_name": "sdk-union-select",
                                            "sql_regex": "(?i)union\\s+select", "status": "ON"}, merge=False)
        self.call("CreateAuditSqlRule", i, {"risk_level": "LOW", "rule_name": "sdk-sleep",
                                            "sql_regex": "(?i)sleep\\(\\d+\\)", "status": "ON"}, merge=False)
        listed = self.call("ListSqlInjectionRulesNew", i, {"page": 1, "size": 100, "risk_levels": None})
        by_name = {r.name: r.id for r in listed.rules}
        union, sleep = by_name["sdk-union-select"], by_name["sdk-sleep"]
        self.r.ids["rule-sql"] = union
        high = self.call("ListSqlInjectionRules", i, {"risk_levels": "HIGH"}, merge=False)
        expect(union in {r.id for r in high.rules}, "the HIGH rule is listed")
        self.call("UpdateAuditSqlRule", {"instance_id": self.instance, "id": union},
                  {"risk_level": "MEDIUM", "rule_name": "sdk-union-select",
                   "sql_regex": "(?i)union\\s+(all\\s+)?select", "status": "ON"}, merge=False)
        self.call("SetAuditSqlRuleSwitch", i, {"id": sleep, "status": "OFF"}, merge=False)
        self.call("SetSqlRuleRank", i, {"ids": [sleep, union]}, merge=False)
        ranked = self.call("ListSqlInjectionRulesNew", i, {"page": 1, "size": 2, "risk_levels": None}).rules
        expect([r.id for r in ranked] == [sleep, union], "SetSqlRuleRank puts the listed rules first")
        self.call("DeleteAuditRuleSql", {"instance_id": self.instance, "id": sleep})

    def masking(self):
        i = {"instance_id": self.instance}
        self.call("CreateSensitiveMaskRule", i, {"mask_regex": "\\d{16}", "mask_value": "****",
                                                 "rule_name": "sdk-card-number"}, merge=False)
        self.call("CreateSensitiveMaskRule", i, {"mask_regex": "[\\w.]+@[\\w.]+", "mask_value": "***@***",
                                                 "rule_name": "sdk-email"}, merge=False)
        rules = self.call("ListAuditSensitiveMasksNew", {"instance_id": self.instance,
                                                         "offset": "0", "limit": "100"}).rules
        by_name = {r.name: r.id for r in rules}
        card, email = by_name["sdk-card-number"], by_name["sdk-email"]
        self.r.ids["sensitive-mask"] = card
        self.call("UpdateSensitiveMaskRule", {"instance_id": self.instance, "id": card},
                  {"mask_regex": "\\d{13,19}", "mask_value": "####", "rule_name": "sdk-card-number"}, merge=False)
        self.call("SetSensitiveMaskRuleSwitch", i, {"ids": [email], "status": "OFF"}, merge=False)
        self.call("SetSensitiveSwitch", i, {"status": "ON"}, merge=False)
        expect(self.call("ShowSensitiveMaskSwitch", i).status == "ON", "the masking switch")
        self.call("SetSensitiveResultSwitch", i, {"status": "OFF"}, merge=False)
        expect(self.call("ShowSensitiveResultSwitch", i).status == "OFF", "the result switch")
        self.call("DeleteSensitiveRules", {"instance_id": self.instance, "id": email})

    def whitelists(self):
        i = {"instance_id": self.instance}
        shop = self.databases["shop"]
        self.call("BatchAddAuditWhitelist", i, {"whitelists": [
            {"sql": "SELECT 1", "desc": "health check", "enabled": True, "db_ids": [shop]},
            {"sql": "SHOW VARIABLES", "desc": "monitoring", "enabled": True, "db_ids": [shop]}]}, merge=False)
        listed = self.call("ListWhitelists", {"instance_id": self.instance, "offset": 0, "limit": 100})
        by_sql = {w.sql: w.id for w in listed.whitelists}
        health, monitoring = by_sql["SELECT 1"], by_sql["SHOW VARIABLES"]
        self.r.ids["whitelist"] = health
        self.call("UpdateAuditWhitelist", {"instance_id": self.instance, "id": health},
                  {"enabled": False, "desc": "health check (paused)", "db_ids": [shop]}, merge=False)
        self.call("DeleteAuditWhitelist", i, {"whitelists": [monitoring]}, merge=False)
        left = self.call("ListWhitelists", {"instance_id": self.instance, "offset": 0, "limit": 100}).whitelists
        expect([(w.id, w.enabled) for w in left] == [(health, False)], "whitelists after changes")

    def settings(self):
        i = {"instance_id": self.instance}
        topic = "urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dbss-alarms"
        self.call("SetAlarmTopicConfigInfoNew", i, {
            "alarm_cpu": 80, "alarm_disk": 85, "alarm_memory": 90, "alarm_num": 50, "alarm_risk": ["high", "medium"],
            "alarm_switch": "ON", "alarm_topic_urn": topic}, merge=False)
        shown = self.call("ListAlarmTopicConfigInfoNew", i)
        expect((shown.alarm_cpu, shown.alarm_topic_urn, shown.alarm_switch) == ("80", topic, "ON"), "alarm topic")
        self.call("SetAlarmTopicConfigInfo", i, {
            "alarm_cpu": 75, "alarm_disk": 85, "alarm_memory": 90, "alarm_num": 50, "alarm_risk": ["high"],
            "alarm_switch": "ON", "alarm_topic_urn": topic}, merge=False)
        expect(self.call("ListAlarmTopicConfigInfo", i).alarm_cpu == "75", "the legacy read of the alarm topic")
        self.call("UpdateLogRetentionCommonSettings", i, {"retention_days": 180}, merge=False)
        retention = self.call("ShowLogRetentionCommonSettings", i).log_retention
        expect(retention.retention_days == 180, f"retention {retention.retention_days}")

    def audit_data(self):
        i = {"instance_id": self.instance}
        query = {"time": dict(self.window), "page": 1, "size": 20, "time_order": "DESC"}
        first = self.call("ListAuditSqlsNew", i, query, merge=False)
        expect(first.total and first.total > 20 and len(first.sqls) == 20, f"SQL page of {first.total}")
        second = self.call("ListAuditSqlsNew", i, dict(query, page=2), merge=False)
        expect(not {s.sql.id for s in first.sqls} & {s.sql.id for s in second.sqls}, "pages overlap")
        sql_id = first.sqls[0].sql.id
        self.r.ids["sql-log"] = sql_id
        detail = self.call("ShowSqlDetail", {"instance_id": self.instance, "id": sql_id})
        expect(detail.sql.id == sql_id, "ShowSqlDetail")
        self.call("ListAuditSqls", i, {"time": {"time_range": "MONTH"}, "page": 1, "size": 10,
                                       "time_order": "ASC"}, merge=False)
        alarms = self.call("ListAuditAlarmLogNew", i, {"time": dict(self.window), "page": 1, "size": 10}, merge=False)
        expect(alarms.total_num and len(alarms.alarm_log) >= 3, f"alarms: {alarms.total_num}")
        ids = [a.id for a in alarms.alarm_log]
        self.r.ids["alarm"] = ids[0]
        self.call("ListAuditAlarmLog", i, {"time": {"time_range": "MONTH"}, "page": 2, "size": 5}, merge=False)
        self.call("SetAuditAlarmLogStatus", {"instance_id": self.instance, "id": ids[0]})
        self.call("BatchSetAuditAlarmLogStatus", i, {"ids": ids[1:3]}, merge=False)
        self.call("DeleteAuditAlarmLog", {"instance_id": self.instance, "id": ids[2]})
        after = self.call("ListAuditAlarmLogNew", i, {"time": dict(self.window), "page": 1, "size": 10},
                          merge=False)
        expect(after.total_num == alarms.total_num - 1, "the deleted alarm is gone")
        self.call("ListAuditOperateLogsNew", i, {"time": dict(self.window), "page": "1", "size": "10"}, merge=False)
        self.call("ListAuditOperateLogs", i, {"time": {"time_range": "WEEK"}, "page": "1", "size": "10"}, merge=False)

    def statistics(self):
        i = {"instance_id": self.instance}
        shop = self.databases["shop"]
        trend = {"db_id": shop, "regenerate": 0, "time": dict(self.window)}
        for operation in ("CountSqlStatistics", "CountRiskTrendStatistics", "CountOperationStatistics",
                          "CountSessionStatistics", "CountSqlTrendStatistics", "CountInjectionStatistics"):
            self.call(operation, i, trend, merge=False)
        sessions = {"db_id": [shop], "time": {"time_range": "WEEK"}}
        self.call("CountDbAccountSession", i, sessions, merge=False)
        self.call("CountDbClientSession", i, sessions, merge=False)

    def reports(self):
        i = {"instance_id": self.instance}
        templates = self.call("ListAuditReportTemplates", i).templates or []
        listed = [t.template.id for t in templates if t.template and t.template.id]
        template = listed[0] if listed else "b8a4f8c6-0000-4000-8000-00000000a001"
        self.call("CreateReport", i, {"db_ids": self.databases["shop"], "template_id": template,
                                      "start_time": self.window["start_time"], "end_time": self.window["end_time"],
                                      "start_date": None, "end_date": None})
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            listed = self.call("ListAuditReports", i, {"name": None, "page": 1, "size": 10}, merge=False)
            expect(listed.total == 1, f"{listed.total} reports")
            report = listed.reports[0].report
            if report.percentum == 100:
                break
            expect(time.monotonic() < deadline, f"report still at {report.percentum}%")
            time.sleep(POLL)
        self.r.ids["report"] = report.id
        pdf = self.call("DownloadAuditReport", {"instance_id": self.instance, "id": report.id, "local": "en-us"})
        expect(pdf.downloaded.startswith(b"%PDF"), "the report is not a PDF")
        self.call("UpdateAuditTopicReportSchedulerConfig", i, {"scheduler": {
            "db_ids": self.databases["shop"], "format": "pdf", "frequency": "WEEK", "id": template,
            "mode": "PERIOD", "notice": "OFF", "start_time": "2025-06-01 08:00:00", "status": "ACTIVE",
            "topic_urn": "urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dbss-reports"}})
        self.call("ShowAuditTopicReportSchedulerConfig", {"instance_id": self.instance, "id": template})
        self.call("DeleteAuditReport", {"instance_id": self.instance, "id": report.id})

    def backups(self):
        i = {"instance_id": self.instance}
        domain = {"domain_id": self.args.domain_id, "instance_id": self.instance}
        self.call("SetAuditBackupSwitch", domain, {"bucket_name": "dbss-backup", "bucket_root_path": "audit/",
                                                   "cycle": "PER_DAY", "mode": "AUTO", "status": 1,
                                                   "trigger_time": "2025-06-01 02:00:00"}, merge=False)
        self.call("ShowAuditBackupStatus", i)
        backups = self.call("ListAuditBackupInfo", i, {"start_time": self.window["start_time"],
                                                       "end_time": self.window["end_time"], "page": 1, "size": 10},
                            merge=False).data_list or []
        # Backups are not kept by the endpoint: a listed one if any, else a made-up id.
        backup = backups[0].id if backups and backups[0].id else "0b3d5f70-0000-4000-8000-00000000b001"
        self.r.ids["backup"] = backup
        self.call("RetryAuditBackupTask", {"instance_id": self.instance, "id": backup})
        self.call("RestoreAuditBackup", {"instance_id": self.instance, "id": backup})
        self.call("DeleteAuditBackupTask", {"instance_id": self.instance, "id": backup})
        self.call("UpdateAuditRiskBucketPath", domain, {"backup_domain_id": self.args.domain_id,
                                                        "bucket_name": "dbss-risk", "bucket_root_path": "risk/"},
                  merge=False)
        self.call("SetAuditBackupRiskSwitch", domain, {"cycle": "PER_DAY", "db_id": self.databases["shop"],
                                                       "status": 1}, merge=False)

    def tags(self):
        where = {"resource_type": "auditInstance", "resource_id": self.resource}
        self.call("BatchAddResourceTag", where, {"tags": [{"key": "team", "value": "dbss"},
                                                          {"key": "cost-center", "value": "cc-42"}]}, merge=False)
        tags = {t.key: t.value for t in self.call("ListAuditTags", where).tags}
        expect(tags == {"env": "ci", "team": "dbss", "cost-center": "cc-42"}, f"tags {tags}")
        project = self.call("ListProjectResourceTags", {"resource_type": "auditInstance"})
        expect("team" in {t.key for t in project.tags}, "project tags")
        wanted = {"tags": [{"key": "team", "values": ["dbss"]}]}
        found = self.call("ListResourceInstanceByTag", {"resource_type": "auditInstance", "offset": "0",
                                                        "limit": "10"}, wanted, merge=False)
        expect([r.resource_id for r in found.resources] == [self.resource], "instances tagged team=dbss")
        count = self.call("CountResourceInstanceByTag", {"resource_type": "auditInstance"},
                          {"tags": [{"key": "env", "values": ["ci"]}]}, merge=False)
        expect(count.total_count == 2, f"{count.total_count} instances tagged env=ci")
        self.call("BatchDeleteResourceTag", where, {"tags": [{"key": "cost-center", "value": "cc-42"}]}, merge=False)
        tags = {t.key for t in self.call("ListAuditTags", where).tags}
        expect(tags == {"env", "team"}, f"tags after delete {tags}")

    def upgrades(self):
        self.call("ShowAuditUpgradeStatus")
        self.call("ConfirmUpgradeAudit", {"resource_id": self.resource})

    def product_line(self, line):
        """Orders an encryption or O&M instance and takes it through its whole life."""
        prefix = "DbEncrypt" if line == "encrypt" else "DbOm"
        order_op = "CreateDbEncryptInstancePeriod" if line == "encrypt" else "CreateDbOmInstancePeriod"
        name = f"sdk-{line}"
        self.call(order_op, body={
            "name": name, "availability_zone": self.zone, "charging_mode": 0, "comment": f"{line} by the SDK",
            "enterprise_project_id": "0", "region_id": self.region, "tags": [{"key": "env", "value": "ci"}],
            "nics": [{"ip_address": "192.168.3.40" if line == "encrypt" else "192.168.3.41",
                      "subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de"}],
            "security_groups": [{"id": "sg-sdk-0000-4000-8000-000000000004"}],
            "vpc_id": "a2b4c6d8-0000-4000-8000-00000000c0de"})
        created = [c for c in self.clusters(line) if c.name == name]
        expect(len(created) == 1, f"{len(created)} {line} instances named {name}")
        cluster = created[0].instance_id
        self.r.ids[line] = cluster
        self.wait_cluster(line, cluster, "ACTIVE")
        where = {"instance_id": cluster}
        self.call(f"Update{prefix}InstanceName", where, {"new_name": f"{name}-prod"}, merge=False)
        self.call(f"Reset{prefix}Password", where, {"new_password": "Sdk-Passw0rd!", "user_name": "admin"},
                  merge=False)
        self.call(f"Change{prefix}SecurityGroup", where, {"security_group_ids": ["sg-sdk-0000-4000-8000-000000000005"]},
                  merge=False)
        self.call(f"Bind{prefix}Eip", where, {"eip": "100.85.10.20", "eip_id": "e1f2a3b4-0000-4000-8000-00000000e001"},
                  merge=False)
        bound = [c for c in self.clusters(line) if c.instance_id == cluster][0]
        expect((bound.name, bound.public_ip) == (f"{name}-prod", "100.85.10.20"), f"{line} after changes")
        self.call(f"Unbind{prefix}Eip", where)
        self.call(f"Stop{prefix}Instance", where)
        self.wait_cluster(line, cluster, "SHUTOFF")
        self.call(f"Start{prefix}Instance", where)
        self.wait_cluster(line, cluster, "ACTIVE")
        self.call(f"Reboot{prefix}Instance", where)
        self.wait_cluster(line, cluster, "ACTIVE")
        self.call(f"Delete{prefix}Instance", where)
        self.wait_cluster(line, cluster, None)

    def db_encrypt(self):
        self.product_line("encrypt")

    def db_om(self):
        self.product_line("om")

    def resource_manager(self):
        for kind in ("cloudservers", "dbEncrypt", "dbOm"):
            where = {"domain_id": self.args.domain_id, "region_id": self.region, "resource_type": kind}
            self.call("ListDomainAllResource", dict(where, limit=10, marker=None), merge=False)
            self.call("ShowDomainAllResourceCount", where, merge=False)

    def teardown(self):
        shop, ledger = self.databases["shop"], self.databases["ledger"]
        self.call("DeleteAuditAgentNew", {"instance_id": self.instance, "agent_id": self.agent, "db_id": shop})
        self.call("DeleteAuditDatabaseNew", {"instance_id": self.instance, "id": ledger})
        self.call("DeleteAuditDatabase", {"instance_id": self.instance, "db_id": self.databases["rds"]})
        left = self.call("ListAuditDatabasesNew", {"instance_id": self.instance, "status": None,
                                                   "offset": "0", "limit": "10"})
        expect(listed_ids(left) >= {shop} and ledger not in listed_ids(left), "databases after delete")
        self.call("DeleteInstances", body={"id": self.old_instance, "delete_publicip": True, "delete_volume": True})
        self.call("DeleteInstancesNew", body={"id": self.instance, "delete_publicip": True, "delete_volume": True})
        self.wait_instance(self.old_instance, None)
        self.wait_instance(self.instance, None)
        quota = self.call("ShowAuditQuotaNew")
        expect(quota.audit_quota == self.quota_before, "the quota is back")


def listed_ids(answer):
    return {d.database.id for d in answer.databases or []}


# The story, in order; `generic` runs the operations the story did not call, before teardown.
STAGES = [
    "wrong_key", "discover", "order", "configure_instance", "lifecycle", "add_databases", "agents", "risk_rules",
    "scope_rules", "sql_rules", "masking", "whitelists", "settings", "audit_data", "statistics", "reports",
    "backups", "tags", "upgrades", "db_encrypt", "db_om", "resource_manager", "generic", "teardown",
]

# Operations only the teardown calls (the generic pass leaves them to it).
TEARDOWN = {"DeleteAuditAgentNew", "DeleteAuditDatabaseNew", "DeleteAuditDatabase", "DeleteInstances",
            "DeleteInstancesNew"}


def generic(runner):
    """Calls every operation not called yet with the spec's examples, ids replaced."""
    runner.in_generic = True
    try:
        for operation in sorted(set(runner.table) - runner.called - TEARDOWN):
            try:
                runner.call(operation)
            except CallFailed:
                pass
    finally:
        runner.in_generic = False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--ak", required=True)
    parser.add_argument("--sk", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--region", default="cn-north-4")
    parser.add_argument("--domain-id", default="0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    args = parser.parse_args()

    host = urllib.parse.urlparse(args.endpoint).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing to run against {args.endpoint}: this scenario creates and deletes resources, "
                 "it is meant for a local simulator")

    table = load_operations()
    spec = load_spec()
    if set(table) != set(spec) or len(table) != OPERATION_COUNT:
        sys.exit(f"operations.tsv ({len(table)}) and dbss.yaml ({len(spec)}) disagree: "
                 f"{sorted(set(table) ^ set(spec))}")

    # Plain HTTP works as is: `ClientBuilder.build` (huaweicloudsdkcore/client.py) keeps an
    # endpoint that starts with "http" and prefixes "https://" only to bare host names.
    client = (DbssClient.new_builder()
              .with_http_config(HttpConfig(timeout=(5, 30)))
              .with_credentials(BasicCredentials(args.ak, args.sk, args.project_id))
              .with_endpoints([args.endpoint])
              .build())
    runner = Runner(client, spec, table)
    story = Story(runner, args)

    started = time.monotonic()
    for stage in STAGES:
        before = len(runner.called)
        stage_started = time.monotonic()
        try:
            if stage == "generic":
                generic(runner)
            else:
                getattr(story, stage)()
            outcome = "ok"
        except CallFailed as failed:
            outcome = f"stopped at {failed}"
        except Exception as error:
            outcome = f"stopped: {type(error).__name__}: {error}"
            runner.fail(f"(stage {stage})", f"{type(error).__name__}: {error}")
            if not isinstance(error, AssertionError):
                traceback.print_exc()
        print(f"stage {stage}: {len(runner.called) - before} new operations, "
              f"{time.monotonic() - stage_started:.2f} s, {outcome}", flush=True)

    elapsed = time.monotonic() - started
    missing = sorted(set(table) - runner.called)
    generic_only = sorted(runner.generic - runner.by_story)
    print(f"{runner.calls} SDK calls in {elapsed:.1f} s; {len(runner.by_story)} operations called by the story, "
          f"{len(generic_only)} generically from the spec's examples")
    if generic_only:
        print(f"generic: {', '.join(generic_only)}")
    if runner.dropped:
        print(f"example fields the SDK models cannot carry: {runner.dropped}")
    if runner.unknown:
        print(f"fields sent that the SDK models do not declare (ignored by the SDK): {sorted(runner.unknown)}")
    for operation in missing:
        print(f"  NOT CALLED {operation}")
    failed_operations = {op for op, _ in runner.failures if op in table}
    story_checks = [op for op, _ in runner.failures if op not in table]
    succeeded = runner.called - failed_operations
    print(f"official-sdk: {len(succeeded)}/{OPERATION_COUNT} operations called, "
          f"{len(failed_operations) + len(story_checks)} failed")
    if runner.failures:
        print("failures:")
        for operation, problem in runner.failures:
            print(f"  {operation}: {problem}")
    sys.exit(1 if runner.failures or missing else 0)


if __name__ == "__main__":
    main()
