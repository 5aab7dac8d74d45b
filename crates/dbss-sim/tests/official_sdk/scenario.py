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
import sys
import time
import traceback
import urllib.parse

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdbss.v1 import DbssClient

from story.audited import AuditedStory
from story.instance import InstanceStory
from story.records import RecordsStory
from story.runner import CallFailed, Runner
from story.spec import OPERATION_COUNT, load_operations, load_spec


class Story(InstanceStory, AuditedStory, RecordsStory):
    """The whole story: its stages are the methods named in `STAGES`."""


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
