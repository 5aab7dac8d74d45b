#!/usr/bin/env python3
"""Signs many requests at once with Huawei's OFFICIAL Python signer (the oracle of our signer).

Nothing of the algorithm is re-implemented here: every output comes from
``huaweicloudsdkcore.signer.signer.Signer`` (pinned in ``requirements.txt``), its stages taken by
recording the return values of the signer's own stage methods while ``Signer.sign`` runs.

Usage (with the venv python made by ``cargo xtask oracle``):

    batch_sign.py CASES.json
        CASES.json is {"cases": [case, ...]}; a case has method, host, path, query (list of raw
        [key, value] pairs), headers (list of [name, value], exact names unique, as in the
        official SdkRequest's dict), body_hex (or body_text, UTF-8), ak, sk. Prints one JSON line per case, in order:
        {"index", "canonical_request", "string_to_sign", "signature", "signed_headers",
         "authorization", "canonical_query", "final_headers"}, or {"index", "error"} when the
        official signer raises (e.g. an X-Sdk-Date it cannot parse). Used by
        tests/signer_properties/ (official.rs).

    batch_sign.py --bench [INPUTS.json] [--number N] [--repeat R]
        Times the official Signer.sign on each input of INPUTS.json (default:
        crates/dbss/benches/signing_inputs.json, the inputs of our Criterion bench) with timeit.
        Each timed call signs a fresh SdkRequest (the signer mutates it); building that request
        is timed separately and subtracted. Prints a Markdown table row per input.
"""

import json
import os
import statistics
import sys
import timeit

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer


# The same recording signer as the vectors script: one definition of what is compared.
from sign_vectors import RecordingSigner  # noqa: E402  (a sibling file, found through sys.path[0])


def header_dict(pairs):
    headers = {}
    for name, value in pairs:
        # SdkRequest holds headers in a dict: a repeated exact name would silently be lost, so
        # such a case is a mistake of the generator, not something to compare.
        if name in headers:
            raise SystemExit("batch_sign.py: repeated exact header name %r" % name)
        headers[name] = value
    return headers


def sdk_request(case):
    if "body_text" in case:
        body = case["body_text"].encode("utf-8")
    else:
        body = bytes.fromhex(case.get("body_hex", ""))
    return SdkRequest(
        method=case["method"],
        schema="https",
        host=case["host"],
        resource_path=case["path"],
        query_params=[tuple(q) for q in case["query"]],
        header_params=header_dict(case["headers"]),
        # The official client passes no body (None) when there is none.
        body=body if body else None,
    )


def wire_text(value):
    # The signer stores each signed value as its UTF-8 bytes decoded as ISO-8859-1 (the bytes
    # `requests` puts on the wire); give them back as the UTF-8 text they are. Authorization is
    # added afterwards, as plain text.
    try:
        return value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def sign_one(index, case):
    request = sdk_request(case)
    signer = RecordingSigner(BasicCredentials(case["ak"], case["sk"]))
    try:
        signer.sign(request)
    except Exception as error:  # the official signer refusing the input is an outcome too
        return {"index": index, "error": "%s: %s" % (type(error).__name__, error)}
    stages = signer.stages
    return {
        "index": index,
        "canonical_request": stages["canonical_request"],
        "string_to_sign": stages["string_to_sign"],
        "signature": stages["signature"],
        "signed_headers": stages["signed_headers"],
        "authorization": request.header_params["Authorization"],
        "canonical_query": Signer.process_canonical_query_string(request),
        "final_headers": [[n, wire_text(v)] for n, v in request.header_params.items()],
    }


def batch(path):
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    out = sys.stdout
    for index, case in enumerate(cases):
        out.write(json.dumps(sign_one(index, case), ensure_ascii=False))
        out.write("\n")
    return 0


def bench(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    inputs_path = os.path.join(here, "..", "..", "crates", "dbss", "benches", "signing_inputs.json")
    number, repeat = 20000, 7
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--number":
            number = int(args.pop(0))
        elif arg == "--repeat":
            repeat = int(args.pop(0))
        else:
            inputs_path = arg
    with open(inputs_path, encoding="utf-8") as f:
        inputs = json.load(f)

    print("official signer: huaweicloudsdkcore %s, Python %s" % (sdk_version(), sys.version.split()[0]))
    print("timeit: %d repeats of %d calls; per call: median of the repeats (min)" % (repeat, number))
    print()
    print("| input | build SdkRequest | build + Signer.sign | Signer.sign (net) |")
    print("|---|---|---|---|")
    for item in inputs:
        case = item["request"]
        signer = Signer(BasicCredentials(case["ak"], case["sk"]))
        # Checked once outside the timing: the input signs.
        signer.sign(sdk_request(case))
        env = {"sdk_request": sdk_request, "case": case, "signer": signer}
        build = [t / number for t in timeit.repeat("sdk_request(case)", globals=env, number=number, repeat=repeat)]
        full = [t / number for t in timeit.repeat("signer.sign(sdk_request(case))", globals=env,
                                                  number=number, repeat=repeat)]
        net_median = statistics.median(full) - statistics.median(build)
        net_min = min(full) - min(build)
        print("| %s | %s (%s) | %s (%s) | **%s** (%s) |" % (
            item["name"],
            us(statistics.median(build)), us(min(build)),
            us(statistics.median(full)), us(min(full)),
            us(net_median), us(net_min),
        ))
    return 0


def us(seconds):
    return "%.2f µs" % (seconds * 1e6)


def sdk_version():
    try:
        from importlib.metadata import version
        return version("huaweicloudsdkcore")
    except Exception:  # pragma: no cover - informational only
        return "?"


def main(argv):
    if argv[1:2] == ["--bench"]:
        return bench(argv[2:])
    if len(argv) == 2 and not argv[1].startswith("-"):
        return batch(argv[1])
    sys.stderr.write("usage: batch_sign.py CASES.json | batch_sign.py --bench [INPUTS.json] [--number N] [--repeat R]\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
