#!/usr/bin/env bash
# Runs every example of crates/dbss against a dbss-sim started here (issue: examples run in CI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --quiet --locked -p dbss-sim --bin dbss-sim -p dbss --examples
port=18181
log="$(mktemp)"
target/debug/dbss-sim --listen "127.0.0.1:$port" --ak EXAMPLEAK --sk example-secret --project-id 0123456789abcdef0123456789abcdef \
  --transition-ms 200 > "$log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
grep -q "listening on" "$log" || { cat "$log"; exit 1; }

export DBSS_ENDPOINT="http://127.0.0.1:$port" HUAWEICLOUD_SDK_AK=EXAMPLEAK HUAWEICLOUD_SDK_SK=example-secret \
  HUAWEICLOUD_SDK_PROJECT_ID=0123456789abcdef0123456789abcdef
for example in list_instances change_security_group export_audit_sqls tag_instance order_and_wait; do
  echo "--- example $example"
  out="$(target/debug/examples/$example 2>&1 > /dev/null)" || { echo "$out"; echo "example $example failed"; exit 1; }
done
echo "all examples ran against dbss-sim"
