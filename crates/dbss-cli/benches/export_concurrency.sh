#!/usr/bin/env bash
# Export speed by --concurrency: `dbss sql export` of every audited SQL record of a simulator
# that answers each request LATENCY ms late (a WAN round trip), at each concurrency, with the
# client's wall time and peak RSS (GNU time), and a byte comparison of the files.
#   bash crates/dbss-cli/benches/export_concurrency.sh [ROWS] [LATENCY_MS] [PAGE_SIZE] [N...]
#   (defaults: 100000 rows, 100 ms, pages of 1000, concurrency 1 4 8)
# Uses the release binaries (`cargo build --release -p dbss-cli -p dbss-sim` first), or those
# of DBSS_BIN_DIR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
rows=${1:-100000}
latency=${2:-100}
page=${3:-1000}
levels=("${@:4}")
[ ${#levels[@]} -eq 0 ] && levels=(1 4 8)
port=18191
instance=06220001-8e30-4783-9671-43f3f1f3bb1e
bin="${DBSS_BIN_DIR:-$root/target/release}"
work="$(mktemp -d)"
"$bin/dbss-sim" --listen "127.0.0.1:$port" --audit-rows "$rows" --latency-ms "$latency" > /dev/null 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
export DBSS_ENDPOINT="http://127.0.0.1:$port" HUAWEICLOUD_SDK_AK=SIMULATORAK0000000000 \
  HUAWEICLOUD_SDK_SK=simulator-secret-key-0000000000000000000 \
  HUAWEICLOUD_SDK_PROJECT_ID=0123456789abcdef0123456789abcdef
# Every row lies in the 30 days before the simulator started; one window for every run.
start="$(date -u -d '31 days ago' +%Y-%m-%dT%H:%M:%SZ)"
end="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "rows=$rows latency_ms=$latency page_size=$page load: $(uptime | sed 's/.*load average: //')"
first=""
for n in "${levels[@]}"; do
  out="$work/sql-$n.jsonl"
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin/dbss" sql export -i "$instance" \
    --start "$start" --end "$end" --page-size "$page" --concurrency "$n" --out "$out" 2> /dev/null
  read -r wall rss < "$work/time"
  records=$(wc -l < "$out")
  same=first
  if [ -z "$first" ]; then first=$out; base=$wall; else
    if cmp -s "$first" "$out"; then same=identical; else same=DIFFERENT; fi
  fi
  speedup=$(python3 -c "print(f'{$base / $wall:.2f}')")
  echo "concurrency=$n records=$records wall_s=$wall speedup=${speedup}x peak_rss_kb=$rss bytes_vs_first=$same"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
