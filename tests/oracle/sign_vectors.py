#!/usr/bin/env python3
"""Signing vectors produced by Huawei's OFFICIAL Python signer, the oracle for our Rust signer.

Every output value comes from ``huaweicloudsdkcore.signer.signer.Signer`` (pinned in
``requirements.txt``): nothing of the algorithm is re-implemented here, so the vectors cannot
inherit a mistake of ``crates/dbss-signing/src/lib.rs``. The stages are taken by recording the
return values of the official signer's own stage methods while ``Signer.sign`` runs.

Usage (with the venv python made by ``cargo xtask oracle``):

    sign_vectors.py            print the vectors of CASES as JSON (the content of vectors.json)
    sign_vectors.py --folders DIR
                               write the same vectors as one folder per case, one file per
                               stage (see vector_folders.py; the committed copy is
                               crates/dbss-signing/tests/vectors)
    sign_vectors.py --verify   read captured requests (JSON list) on stdin, re-sign each with the
                               official signer and compare with its Authorization header; print
                               {"results": [...]}; exit 0 only if there is at least one
                               request and every one matches

A case / captured request is an object with: name, method, host, path, query (list of raw
[key, value] pairs), headers (list of [name, value]; cases pin X-Sdk-Date), body (base64) or
body_bytes (list of byte values), ak, sk.
"""

import base64
import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AK = "AKEXAMPLE0123456789"
SK = "SKEXAMPLEsecretKey0123456789abcdefghijkl"
PROJECT = "0123456789abcdef0123456789abcdef"
HOST = "dbss.cn-north-4.myhuaweicloud.com"
DATE = "20240101T000000Z"
JSON_CT = "application/json;charset=UTF-8"

# The seed operation's body (UpdateAuditSecurityGroup), compact as our client serialises it.
SEED_BODY = (
    b'{"instance_id":"062212d8-8e30-4783-9671-43f3f1f3bb1e",'
    b'"securitygroup_ids":["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"]}'
)
# Every byte class a binary body can hold: NUL, ASCII, invalid UTF-8, 0xFF.
BINARY_BODY = bytes(range(0, 256, 5)) + b"\x00\xff\xfe\xc3\x28"


def case(name, note, method, path, query=(), headers=(), body=b"", host=HOST, date=DATE):
    """One input; X-Sdk-Date is pinned (appended unless the case sets its own spelling)."""
    headers = [list(h) for h in headers]
    if date is not None and not any(n.lower() == "x-sdk-date" for n, _ in headers):
        headers.append(["X-Sdk-Date", date])
    return {
        "name": name,
        "note": note,
        "method": method,
        "host": host,
        "path": path,
        "query": [list(q) for q in query],
        "headers": headers,
        "body": base64.b64encode(body).decode("ascii"),
        "body_bytes": list(body),
        "ak": AK,
        "sk": SK,
    }


P = "/v1/%s" % PROJECT

CASES = [
    case(
        "dbss_update_audit_security_group",
        "DBSS seed request: JSON body, X-Project-Id",
        "POST", P + "/dbss/audit/security-group",
        headers=[("Content-Type", JSON_CT), ("X-Project-Id", PROJECT)],
        body=SEED_BODY,
    ),
    case(
        "signing_md_worked_example",
        "the worked example of signing.md section 2 (signature d6af97a0...)",
        "POST", P + "/dbss/audit/security-group",
        headers=[("Content-Type", "application/json;charset=utf-8")],
        body=SEED_BODY,
    ),
    case(
        "dbss_list_audit_instances",
        "GET with offset/limit (sorted to limit, offset) and a JSON content type, no body",
        "GET", P + "/dbss/audit/instances",
        query=[("offset", "0"), ("limit", "10")],
        headers=[("Content-Type", JSON_CT), ("X-Project-Id", PROJECT)],
    ),
    case(
        "twenty_query_parameters",
        "20 query parameters given out of order",
        "GET", P + "/dbss/audit/instances",
        query=[("param%02d" % i, "value-%d" % (i * 7 % 20)) for i in (13, 2, 19, 7, 0, 11, 5, 17, 3, 9,
                                                                       15, 1, 18, 6, 12, 4, 16, 8, 14, 10)],
        headers=[("X-Project-Id", PROJECT)],
    ),
    case(
        "unicode_path",
        "non-ASCII and space in path segments: UTF-8 %XX upper-case",
        "GET", P + "/tags/\u00fc b/\u6570\u636e\u5e93",
    ),
    case(
        "pre_escaped_path",
        "path decoded then re-encoded: %2F splits the segment, %7E becomes ~, %zz becomes %25zz",
        "GET", P + "/a%2Fb/c%7E/%zz/%E6%95%B0%20x",
    ),
    case(
        "pre_escaped_invalid_utf8_path",
        "percent-escapes that decode to invalid UTF-8 (replacement character)",
        "GET", P + "/%FF%FE/x%E2%82",
    ),
    case(
        "trailing_slash_kept_not_doubled",
        "path already ending with / keeps a single trailing slash",
        "GET", "/v1/tags/",
    ),
    case(
        "root_path",
        "root path stays /",
        "GET", "/",
    ),
    case(
        "empty_segments_kept",
        "double slashes are not collapsed",
        "GET", "/v1//double//slash",
    ),
    case(
        "repeated_query_keys",
        "repeated keys all kept, ordered by raw value string (10 < 2), exact duplicates kept",
        "GET", P + "/dbss/audit/instances",
        query=[("k", "2"), ("k", "10"), ("k", "1"), ("k", "10"), ("a", "z")],
    ),
    case(
        "query_sorted_before_encoding",
        "raw code-point order before encoding: B < a, a- < a/, k0 < k:, non-ASCII last",
        "GET", "/v1/sort",
        query=[("k:", "1"), ("a/", "1"), ("\u00e9", "1"), ("a-", "1"), ("k0", "1"), ("a", "1"), ("B", "1")],
    ),
    case(
        "query_special_characters",
        "space %20, + %2B, ~ kept, * %2A, / = & % and unicode escaped, in keys and values",
        "GET", "/v1/query",
        query=[("v", "a b+c~d*e"), ("w", "x/y=z&u%v"), ("u", "\u00fc\u6570"), ("sp ace", "1"), ("t~*", "-_.")],
    ),
    case(
        "query_empty_values",
        "empty value and bare key give key=",
        "GET", "/v1/query",
        query=[("empty", ""), ("bare", ""), ("x", "1")],
    ),
    case(
        "header_surrounding_whitespace",
        "values trimmed (spaces, tabs, newlines, NBSP, ideographic space), inner runs kept",
        "GET", "/v1/headers",
        headers=[("X-Spaces", "  inner   spaces  kept \t"), ("X-Tabs", "\t\nvalue\r\n"),
                 ("X-Unicode-Space", "\u00a0\u3000wide\u3000\u00a0"), ("X-Empty", "   ")],
    ),
    case(
        "header_name_case",
        "names lower-cased in the signed list and lines, original case on the wire",
        "GET", "/v1/headers",
        headers=[("X-CUSTOM-Header", "A"), ("x-lower", "b"), ("X-Mixed-CASE", "C")],
    ),
    case(
        "header_name_with_underscore",
        "a name with _ is sent but not signed",
        "GET", "/v1/headers",
        headers=[("X_Custom_Underscore", "sent"), ("X-Dash", "signed")],
    ),
    case(
        "header_names_differing_only_in_case",
        "X-A and x-a both listed, both lines carry the last value",
        "GET", "/v1/headers",
        headers=[("X-A", "first"), ("x-a", "second")],
    ),
    case(
        "non_ascii_header_value",
        "non-ASCII value signed as UTF-8, sent as raw UTF-8 bytes",
        "GET", "/v1/headers",
        headers=[("X-Description", "Donn\u00e9es \u6570\u636e\u5e93 \u2713")],
    ),
    case(
        "binary_body_octet_stream",
        "octet-stream: X-Sdk-Content-Sha256 UNSIGNED-PAYLOAD added and used as payload hash",
        "PUT", "/v1/upload",
        headers=[("Content-Type", "application/octet-stream")],
        body=BINARY_BODY,
    ),
    case(
        "binary_body_without_content_type",
        "no content type: the raw bytes are hashed",
        "PUT", "/v1/upload",
        body=BINARY_BODY,
    ),
    case(
        "caller_content_sha256_with_json",
        "caller-set X-Sdk-Content-Sha256 used verbatim as payload hash (JSON content type)",
        "POST", "/v1/upload",
        headers=[("Content-Type", "application/json"), ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")],
        body=b'{"a":1}',
    ),
    case(
        "caller_content_sha256_without_content_type",
        "caller-set X-Sdk-Content-Sha256, no content type",
        "PUT", "/v1/upload",
        headers=[("X-Sdk-Content-Sha256", "caller-chosen-hash")],
        body=BINARY_BODY,
    ),
    case(
        "caller_content_sha256_with_octet_stream",
        "caller-set X-Sdk-Content-Sha256 and a non-JSON content type: the signer's own value wins",
        "PUT", "/v1/upload",
        headers=[("Content-Type", "application/octet-stream"), ("X-Sdk-Content-Sha256", "caller-chosen-hash")],
        body=BINARY_BODY,
    ),
    case(
        "caller_content_sha256_empty_value_with_body",
        "caller-set empty X-Sdk-Content-Sha256 counts as absent: the body is hashed",
        "POST", "/v1/upload",
        headers=[("X-Sdk-Content-Sha256", "")],
        body=b"abc",
    ),
    case(
        "caller_content_sha256_empty_body",
        "caller-set X-Sdk-Content-Sha256 but empty body: hash of the empty string",
        "POST", "/v1/upload",
        headers=[("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")],
    ),
    case(
        "caller_host_header",
        "caller-set lower-case host header wins over the endpoint host and keeps its case",
        "GET", "/v1/host",
        headers=[("host", "api.example.com:9443")],
    ),
    case(
        "non_json_content_type_without_body",
        "text/plain, no body: unsigned header added and signed, payload hash of empty string",
        "POST", "/v1/text",
        headers=[("Content-Type", "text/plain")],
    ),
    case(
        "form_urlencoded_body",
        "x-www-form-urlencoded body: UNSIGNED-PAYLOAD",
        "POST", "/v1/form",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
        body=b"a=1&b=two+words",
    ),
    case(
        "bson_content_type_hashed",
        "application/bson counts as hashed like JSON",
        "POST", "/v1/bson",
        headers=[("Content-Type", "application/bson")],
        body=b"\x05\x00\x00\x00\x00",
    ),
    case(
        "json_content_type_wrong_case",
        "Application/JSON is not JSON to the case-sensitive prefix test: unsigned payload",
        "POST", "/v1/json",
        headers=[("Content-Type", "Application/JSON")],
        body=b'{"a":1}',
    ),
    case(
        "content_type_surrounding_whitespace",
        "the JSON prefix test sees the untrimmed value: ' application/json' is unsigned payload",
        "POST", "/v1/json",
        headers=[("Content-Type", " application/json ")],
        body=b'{"a":1}',
    ),
    case(
        "empty_content_type_value",
        "an empty Content-Type adds no unsigned-payload header: the body is hashed",
        "POST", "/v1/json",
        headers=[("Content-Type", "")],
        body=b"abc",
    ),
    case(
        "lower_case_content_type_key",
        "content-type (lower-case key) is not seen by the unsigned-payload check: body hashed",
        "POST", "/v1/text",
        headers=[("content-type", "text/plain")],
        body=b"plain text body",
    ),
    case(
        "host_with_port",
        "endpoint host with a port is signed as host:port",
        "GET", "/v1/port",
        host="127.0.0.1:8443",
    ),
    case(
        "security_token",
        "temporary credentials: X-Security-Token is signed",
        "GET", P + "/dbss/audit/instances",
        query=[("offset", "0"), ("limit", "10")],
        headers=[("X-Project-Id", PROJECT), ("X-Security-Token", "gQpjbi1ub3J0aC00ixTOKEN/with+slash==")],
    ),
    case(
        "lower_case_method",
        "method upper-cased in the canonical request",
        "post", P + "/dbss/audit/security-group",
        headers=[("Content-Type", JSON_CT), ("X-Project-Id", PROJECT)],
        body=SEED_BODY,
    ),
    case(
        "x_project_id_and_domain_id",
        "X-Project-Id and X-Domain-Id are signed like any header",
        "GET", "/v1/ids",
        headers=[("X-Project-Id", PROJECT), ("X-Domain-Id", "fedcba9876543210fedcba9876543210")],
    ),
    case(
        "lower_case_date_header",
        "x-sdk-date found case-insensitively and kept in its spelling",
        "GET", "/v1/date",
        headers=[("x-sdk-date", "20231231T235959Z")],
    ),
    case(
        "sloppy_date",
        "2024111T000000Z parses; string to sign re-formats it (20241101T000000Z)",
        "GET", "/v1/date",
        headers=[("X-Sdk-Date", "2024111T000000Z")],
    ),
    case(
        "official_client_like_request",
        "what the official DbssClient sends: User-Agent and spaced JSON also signed",
        "POST", P + "/dbss/audit/security-group",
        headers=[("User-Agent", "huaweicloud-usdk-python/3.0"), ("Content-Type", JSON_CT), ("X-Project-Id", PROJECT)],
        body=b'{"instance_id": "062212d8-8e30-4783-9671-43f3f1f3bb1e", '
             b'"securitygroup_ids": ["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"]}',
    ),
]


class RecordingSigner(Signer):
    """The official signer, unchanged, with the return value of each stage recorded."""

    def __init__(self, credentials):
        super().__init__(credentials)
        self.stages = {}

    def _process_canonical_request(self, request, signed_headers):
        result = super()._process_canonical_request(request, signed_headers)
        self.stages["canonical_request"] = result
        self.stages["signed_headers"] = ";".join(signed_headers)
        return result

    def _process_string_to_sign(self, canonical_request, time):
        result = super()._process_string_to_sign(canonical_request, time)
        self.stages["string_to_sign"] = result
        return result

    def _sign_string_to_sign(self, string_to_sign, key):
        result = super()._sign_string_to_sign(string_to_sign, key)
        self.stages["signature"] = result
        return result


def body_of(item):
    if "body_bytes" in item:
        return bytes(item["body_bytes"])
    return base64.b64decode(item.get("body") or "")


def official_sign(item, headers=None):
    """Signs `item` with the official signer; returns (stages, signed SdkRequest)."""
    pairs = item["headers"] if headers is None else headers
    header_params = {}
    for name, value in pairs:
        # SdkRequest holds headers in a dict: an exact duplicate name would be silently lost.
        if name in header_params:
            raise ValueError("%s: duplicate header %r" % (item.get("name"), name))
        header_params[name] = value
    body = body_of(item)
    request = SdkRequest(
        method=item["method"],
        schema="https",
        host=item["host"],
        resource_path=item["path"],
        query_params=[tuple(q) for q in item["query"]],
        header_params=header_params,
        # The official client passes no body (None) when there is none.
        body=body if body else None,
    )
    signer = RecordingSigner(BasicCredentials(item["ak"], item["sk"]))
    signer.sign(request)
    return signer.stages, request


def wire_text(value):
    # The signer stores each value as its UTF-8 bytes decoded as ISO-8859-1 (what `requests`
    # puts on the wire byte for byte); show those wire bytes as the UTF-8 text they are.
    return value.encode("iso-8859-1").decode("utf-8")


def vector(item):
    stages, request = official_sign(item)
    return {
        "name": item["name"],
        "input": item,
        "canonical_request": stages["canonical_request"],
        "string_to_sign": stages["string_to_sign"],
        "signature": stages["signature"],
        "authorization": request.header_params["Authorization"],
        "signed_headers": stages["signed_headers"],
        "final_headers": [[name, wire_text(value)] for name, value in request.header_params.items()],
        "canonical_query": Signer.process_canonical_query_string(request),
        "uri": request.uri,
    }


# Header names whose exact spelling changes what the official signer does (it looks
# `Content-Type` up case-sensitively and writes `X-Sdk-Content-Sha256` under this spelling).
# HTTP/1 servers see names lower-cased, so captured names are given back the SDK's spelling.
SDK_SPELLING = {
    "content-type": "Content-Type",
    "x-sdk-content-sha256": "X-Sdk-Content-Sha256",
    "x-sdk-date": "X-Sdk-Date",
    "host": "Host",
}


def parse_authorization(value):
    algorithm, _, rest = value.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(", ") if "=" in part)
    return algorithm, fields


def verify_one(item):
    name = item.get("name", item["method"] + " " + item["path"])
    ours = [v for n, v in item["headers"] if n.lower() == "authorization"]
    if len(ours) != 1:
        return {"name": name, "ok": False, "expected": None, "got": "no single Authorization header"}
    got = ours[0]
    _, fields = parse_authorization(got)
    wanted = set(fields.get("SignedHeaders", "").split(";"))
    # Re-sign with exactly the headers our client signed (same X-Sdk-Date among them); any
    # header the official signer adds on top shows up as a SignedHeaders difference.
    headers = [[SDK_SPELLING.get(n.lower(), n), v] for n, v in item["headers"] if n.lower() in wanted]
    missing = wanted - {n.lower() for n, _ in headers}
    if missing:
        return {"name": name, "ok": False, "expected": None, "got": "signed but not sent: %s" % sorted(missing)}
    _, request = official_sign(item, headers)
    expected = request.header_params["Authorization"]
    return {"name": name, "ok": expected == got, "expected": expected, "got": got}


def main(argv):
    if argv[1:] == ["--verify"]:
        results = [verify_one(item) for item in json.load(sys.stdin)]
        json.dump({"results": results}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0 if results and all(r["ok"] for r in results) else 1
    if len(argv) == 3 and argv[1] == "--folders":
        from vector_folders import write_folders

        write_folders([vector(item) for item in CASES], argv[2])
        return 0
    if argv[1:]:
        sys.stderr.write("usage: sign_vectors.py [--verify | --folders DIR]\n")
        return 2
    json.dump([vector(item) for item in CASES], sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
