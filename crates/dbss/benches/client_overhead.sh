#!/usr/bin/env bash
# Client overhead, the whole protocol of BENCHMARKS.md in one command: `dbss` against the raw
# signed reqwest floor (and the floor with the client's 60 s timeout) and Huawei's official
# Python SDK, all against the bench example's local responder. Prints every run, then a table
# of medians.
#   bash crates/dbss/benches/client_overhead.sh [ROUNDS] [REQUESTS]     (default 5 rounds, 40000)
# The official SDK is run from the oracle venv (`cargo xtask oracle` builds it); without it that
# column is skipped. Run on an otherwise idle machine.
#
# Two placements, because on a small VM the wake-up of an idle second vCPU costs more than the
# client itself:
#   * "shared": client and responder on one CPU (taskset -c 0), for the sequential runs: the
#     time per call is then the two programs' own work;
#   * "free":   no pinning, for every concurrency.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
rounds=${1:-5}
requests=${2:-40000}
port=18180
cd "$root"
# The bench takes its keys from the SDK's usual variables; the local responder accepts any.
# A run with a failed request exits non-zero, which stops this script (pipefail).
export HUAWEICLOUD_SDK_AK="${HUAWEICLOUD_SDK_AK:-BENCHAK0000000000000}"
export HUAWEICLOUD_SDK_SK="${HUAWEICLOUD_SDK_SK:-bench-secret-key-000000000000000000000000}"
export HUAWEICLOUD_SDK_PROJECT_ID="${HUAWEICLOUD_SDK_PROJECT_ID:-0123456789abcdef0123456789abcdef}"
cargo build -q --release -p dbss --example bench
bench=target/release/examples/bench
python=target/oracle-venv/bin/python
log="$(mktemp)"
trap 'kill "$responder" 2>/dev/null || true; rm -f "$log"' EXIT

start_responder() {
  kill "${responder:-}" 2>/dev/null || true
  $1 "$bench" --serve "127.0.0.1:$port" > /dev/null &
  responder=$!
  sleep 0.3
}

run() { # placement, then the bench's flags
  local placement=$1; shift
  local pin=()
  [ "$placement" = shared ] && pin=(taskset -c 0)
  "${pin[@]}" "$@" | sed "s/^/placement=$placement /" | tee -a "$log"
}

endpoint=(--endpoint "http://127.0.0.1:$port" --requests "$requests" --warmup 1000)
for placement in shared free; do
  if [ "$placement" = shared ]; then start_responder "taskset -c 0"; else start_responder ""; fi
  configs=("--runtime current-thread" "--runtime multi-thread")
  [ "$placement" = free ] && configs+=("--concurrency 8" "--concurrency 64")
  for round in $(seq "$rounds"); do
    for config in "${configs[@]}"; do
      # shellcheck disable=SC2086
      run "$placement" "$bench" "${endpoint[@]}" $config
      # shellcheck disable=SC2086
      run "$placement" "$bench" "${endpoint[@]}" $config --raw
      # shellcheck disable=SC2086
      run "$placement" "$bench" "${endpoint[@]}" $config --raw --raw-timeout 60
    done
    if [ -x "$python" ]; then
      run "$placement" "$python" tests/oracle/bench_official.py --endpoint "http://127.0.0.1:$port" --requests 3000
    fi
  done
done

python3 - "$log" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    fields = dict(part.split("=", 1) for part in line.split())
    runtime = fields.get("runtime", "python")
    runs[(fields["placement"], runtime, int(fields["concurrency"]), fields["mode"])].append(fields)
def median(rows, key):
    return statistics.median(float(r[key]) for r in rows)
def cell(rows):
    if not rows:
        return "-"
    return "%.0f (%.0f/%.0f; cpu %.1f)" % (median(rows, "rps"), median(rows, "p50_us"), median(rows, "p99_us"),
                                          median(rows, "cpu_us_per_call"))
print("\nmedians: req/s (p50/p99 us; client CPU us per call); dbss/raw = req/s ratio per round, then its median")
for placement, runtime, concurrency in sorted({k[:3] for k in runs if k[3] == "dbss"}):
    get = lambda mode: runs.get((placement, runtime, concurrency, mode), [])
    dbss, raw, timed = get("dbss"), get("raw-reqwest"), get("raw-reqwest+timeout")
    ratios = [float(a["rps"]) / float(b["rps"]) for a, b in zip(dbss, raw)]
    print(f"{placement:6} {runtime:14} c={concurrency:<3} dbss {cell(dbss):32} raw {cell(raw):32} "
          f"raw+timeout {cell(timed):32} dbss/raw {statistics.median(ratios):.3f} {[round(r, 2) for r in ratios]}")
for placement in ("shared", "free"):
    official = runs.get((placement, "python", 1, "official-python"), [])
    if not official:
        continue
    print(f"{placement:6} official Python SDK, sequential: {cell(official)}")
    for runtime in ("current-thread", "multi-thread"):
        dbss = runs.get((placement, runtime, 1, "dbss"), [])
        raw = runs.get((placement, runtime, 1, "raw-reqwest"), [])
        if dbss:
            print(f"{placement:6}   dbss {runtime} / official: {median(dbss, 'rps') / median(official, 'rps'):.1f}x req/s, "
                  f"{median(official, 'cpu_us_per_call') / median(dbss, 'cpu_us_per_call'):.1f}x less CPU per call")
        if raw:
            # The most any client built on reqwest can reach here: no overhead at all.
            print(f"{placement:6}   ceiling, raw floor {runtime} / official: {median(raw, 'rps') / median(official, 'rps'):.1f}x req/s")
PY
