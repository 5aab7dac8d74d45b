"""Sequential throughput of Huawei's official Python SDK (huaweicloudsdkdbss) against an endpoint.

Same call as `cargo run --release -p dbss --example bench`: ListAuditInstances(offset=0, limit=10),
AK/SK-signed by the official signer. Usage:
    python tests/oracle/bench_official.py --endpoint http://127.0.0.1:18080 --requests 2000
"""

import argparse
import time
import warnings

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkdbss.v1 import DbssClient, ListAuditInstancesRequest

warnings.simplefilter("ignore")  # the operation is deprecated upstream; that is not what we measure

PROJECT = "0123456789abcdef0123456789abcdef"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    credentials = BasicCredentials("BENCHAK0000000000000", "bench-secret-key-000000000000000000000000", PROJECT)
    client = DbssClient.new_builder().with_credentials(credentials).with_endpoints([args.endpoint]).build()
    request = ListAuditInstancesRequest(offset="0", limit="10")
    client.list_audit_instances(request)  # warm up the session
    latencies = []
    cpu_before = time.process_time()
    started = time.perf_counter()
    for _ in range(args.requests):
        begun = time.perf_counter()
        client.list_audit_instances(request)
        latencies.append(time.perf_counter() - begun)
    seconds = time.perf_counter() - started
    cpu_per_call = (time.process_time() - cpu_before) / args.requests
    latencies.sort()
    pct = lambda p: latencies[min(int(len(latencies) * p), len(latencies) - 1)]
    print(
        f"mode=official-python requests={args.requests} concurrency=1 seconds={seconds:.3f} "
        f"rps={args.requests / seconds:.0f} p50_us={pct(0.5) * 1e6:.0f} p99_us={pct(0.99) * 1e6:.0f} "
        f"cpu_us_per_call={cpu_per_call * 1e6:.1f}"
    )


if __name__ == "__main__":
    main()
