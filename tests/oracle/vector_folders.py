#!/usr/bin/env python3
"""Writes signing vectors as one folder per case, one file per stage.

The vectors themselves come from the official signer (``sign_vectors.py``); this only lays them
out, so it needs no Huawei SDK. Used two ways:

    sign_vectors.py --folders DIR            sign CASES with the official signer, write DIR/<case>/
    vector_folders.py VECTORS.json DIR       lay out vectors already produced (vectors.json)

Each folder holds:

    request.json           method, host, path, query, headers (X-Sdk-Date pinned), ak, sk, note
    body.bin               the exact body bytes (absent when the body is empty)
    canonical-request.txt  stage 1
    string-to-sign.txt     stage 2
    signature.txt          stage 3 (lower-case hex)
    authorization.txt      the Authorization header value
    signed-headers.txt     the SignedHeaders list
    canonical-query.txt    the query as signed and sent
    sent-headers.json      every header sent, Authorization included, as [name, value] pairs

Text files hold the exact stage, without a trailing newline added. DIR is emptied of case
folders first so that a removed case does not linger.
"""

import base64
import json
import os
import shutil
import sys


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def write_folders(vectors, directory):
    os.makedirs(directory, exist_ok=True)
    for entry in os.listdir(directory):
        if os.path.isfile(os.path.join(directory, entry, "request.json")):
            shutil.rmtree(os.path.join(directory, entry))
    for vector in vectors:
        item = vector["input"]
        folder = os.path.join(directory, vector["name"])
        os.makedirs(folder)
        request = {key: item[key] for key in ("note", "method", "host", "path", "query", "headers", "ak", "sk")}
        write_text(os.path.join(folder, "request.json"), json.dumps(request, indent=2, ensure_ascii=False) + "\n")
        body = bytes(item["body_bytes"]) if "body_bytes" in item else base64.b64decode(item.get("body") or "")
        if body:
            with open(os.path.join(folder, "body.bin"), "wb") as f:
                f.write(body)
        for stage, file in (
            ("canonical_request", "canonical-request.txt"),
            ("string_to_sign", "string-to-sign.txt"),
            ("signature", "signature.txt"),
            ("authorization", "authorization.txt"),
            ("signed_headers", "signed-headers.txt"),
            ("canonical_query", "canonical-query.txt"),
        ):
            write_text(os.path.join(folder, file), vector[stage])
        sent = json.dumps(vector["final_headers"], indent=2, ensure_ascii=False) + "\n"
        write_text(os.path.join(folder, "sent-headers.json"), sent)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: vector_folders.py VECTORS.json DIR\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        write_folders(json.load(f), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
