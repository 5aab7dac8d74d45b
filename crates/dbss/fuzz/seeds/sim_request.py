#!/usr/bin/env python3
"""Writes the seeds of the sim_request target into seeds/sim_request/: requests that the
simulator answers from deep inside (signed, with real ids or the spec's examples), and a few
refusals. The layout is documented in crates/dbss-fuzz-checks/src/sim_request/input.rs; routes
are numbered in operationId order, as the spec is, so rerun this when operations change:

    python3 crates/dbss/fuzz/seeds/sim_request.py
"""
import os
import re

here = os.path.dirname(os.path.abspath(__file__))
spec = os.path.join(here, "..", "..", "..", "..", "openapi", "dbss.yaml")
out = os.path.join(here, "sim_request")
with open(spec, encoding="utf-8") as f:
    ops = sorted(re.findall(r"^      operationId: (\S+)$", f.read(), re.M))
IAM_TOKEN, IAM_PROJECTS = len(ops), len(ops) + 1
OWN_METHOD, PUT = 0xFF, 2
SIGNED, WRONG_KEY, TOKEN, AS_GIVEN, EXAMPLE = 0, 1, 2, 3, 4


def seed(name, route, flags, resource=0, path=b"", query=b"", headers=(), body=b"", method=OWN_METHOD):
    number = ops.index(route) if isinstance(route, str) else route
    head = bytes([method]) + number.to_bytes(2, "big") + bytes([flags, resource])
    text = path + b"\n" + query + b"\n" + b"".join(h + b"\n" for h in headers) + b"\n" + body
    with open(os.path.join(out, name), "wb") as f:
        f.write(head + text)


os.makedirs(out, exist_ok=True)
seed("list-instances-signed", "ListAuditInstancesNew", SIGNED, query=b"offset=0&limit=2")
seed("list-sqls-signed-example", "ListAuditSqlsNew", SIGNED | EXAMPLE)
seed("list-sqls-signed-body", "ListAuditSqlsNew", SIGNED, query=b"offset=0&limit=5",
     body=b'{"time":{"time_range":"HALF_HOUR"},"risk_levels":"HIGH,LOW","page":"1","size":"10",'
          b'"time_order":"DESC","db_names":["orders"]}')
seed("create-risk-rule-example", "CreateAuditRiskRule", SIGNED | EXAMPLE)
seed("update-instance-token-example", "UpdateAuditInstanceNew", TOKEN | EXAMPLE, resource=1)
seed("add-database-example", "AddAuditDatabaseNew", SIGNED | EXAMPLE, resource=1)
seed("encrypt-security-group-example", "ChangeDbEncryptSecurityGroup", SIGNED | EXAMPLE, resource=4)
seed("tags-example", "BatchAddResourceTag", SIGNED | EXAMPLE)
seed("time-zone-example", "SetAuditInstanceTimeZone", SIGNED | EXAMPLE, resource=2)
seed("alarms-query-example", "ListAuditAlarmLogNew", SIGNED | EXAMPLE)
seed("delete-risk-rule", "DeleteAuditRuleRisk", SIGNED, resource=10)
seed("quota-wrong-key", "ShowAuditQuota", WRONG_KEY)
seed("quota-unknown-token", "ShowAuditQuota", AS_GIVEN, headers=[b"X-Auth-Token: MIIsim-guess"])
seed("iam-token", IAM_TOKEN, AS_GIVEN | EXAMPLE)
seed("iam-projects-signed", IAM_PROJECTS, SIGNED, query=b"name=cn-north-4")
seed("raw-path", "ListAuditInstancesNew", TOKEN,
     path=b"/v2/0123456789abcdef0123456789abcdef/audit/instances/%zz/..")
seed("put-on-a-get-route", "ListAuditInstancesNew", SIGNED, method=PUT,
     headers=[b"Content-Type: text/plain"], body=b"x")
print("%d seeds in %s" % (len(os.listdir(out)), out))
