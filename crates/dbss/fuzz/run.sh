#!/usr/bin/env bash
# Runs every fuzz target of the dbss crate and of dbss-sim for N seconds each (default 30), one
# after the other, and fails if any of them found a crash.
#
#   crates/dbss/fuzz/run.sh [SECONDS] [TARGET...]   targets: signer error_body responses sim_request
#
# CI:        crates/dbss/fuzz/run.sh 20               (.ci/run; 80 s of fuzzing once built)
# Long run:  crates/dbss/fuzz/run.sh 3600             (1 hour per target; before a release, or
#            weekly). The corpora persist between runs under $DBSS_FUZZ_WORK, so a long run
#            carries on where the previous one stopped.
#
# Needs cargo-fuzz, installed from crates.io when missing. No nightly toolchain: the stable one
# accepts cargo-fuzz's -Z flags (sanitizer, coverage) under RUSTC_BOOTSTRAP=1, set here.
# Builds with address sanitizer and debug assertions (integer overflow checks) into
# $DBSS_FUZZ_TARGET_DIR (default target/fuzz of the repository), from the committed Cargo.lock
# of this directory (checked first: a stale one fails the run). Corpora, crash artifacts and
# logs go to $DBSS_FUZZ_WORK (default $DBSS_FUZZ_TARGET_DIR/work). Each corpus starts from
# seeds/TARGET/ and regressions/TARGET/ of this directory and, for `responses`, the example
# response of every operation (tests/generated/operations.rs).
#
# What each target checks is a function of crates/dbss-fuzz-checks (main workspace); the
# targets here only feed it libFuzzer's inputs. `cargo test` replays every file of
# regressions/TARGET/ through the same function (crates/dbss-fuzz-checks/tests/regressions.rs).
#
# A crash leaves its input in $DBSS_FUZZ_WORK/artifacts/TARGET/crash-<sha1>. To keep it as a
# regression test:
#   1. replay it (the panic message names the property and the input):
#        RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir crates/dbss/fuzz --target-dir target/fuzz -a TARGET FILE
#      and, if it is large, shrink it: the same with `cargo fuzz tmin` instead of `run`;
#   2. copy it to regressions/TARGET/<what-it-exercises> (no extension needed): now
#        cargo test -p dbss-fuzz-checks --test regressions
#      fails on it, through the same check, without libFuzzer;
#   3. fix the bug, see the test pass, and commit the file with the fix.
# A corpus entry that reaches an edge case worth pinning down is kept the same way.
set -euo pipefail

seconds=${1:-30}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(signer error_body responses sim_request)

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
target_dir=${DBSS_FUZZ_TARGET_DIR:-$repo/target/fuzz}
work=${DBSS_FUZZ_WORK:-$target_dir/work}
export RUSTC_BOOTSTRAP=1

"$here/gen_response_types.sh" --check
# cargo fuzz has no --locked: ask cargo whether the committed lock file still resolves as is.
cargo metadata --locked --format-version 1 --manifest-path "$here/Cargo.toml" >/dev/null

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz (crates.io)"
    cargo install --locked cargo-fuzz --version 0.13.2
fi

fuzz=(cargo fuzz)
flags=(--fuzz-dir "$here" --target-dir "$target_dir" --debug-assertions)
echo "== building ${targets[*]} (cargo-fuzz $(cargo fuzz --version | awk '{print $2}'), $(rustc --version))"
for target in "${targets[@]}"; do
    "${fuzz[@]}" build "${flags[@]}" "$target"
done

# The example response body of every operation, from the generated contract cases.
seed_responses() {
    python3 - "$repo/tests/generated/operations.rs" "$1" <<'PY' || echo "(no response seeds: $?)"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
count = 0
for i, literal in enumerate(re.findall(r'ResponseKind::Json\(\s*"((?:[^"\\]|\\.)*)"', text)):
    body = re.sub(r'\\u\{([0-9a-fA-F]+)\}|\\(.)',
                  lambda m: chr(int(m.group(1), 16)) if m.group(1) else
                  {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(m.group(2), m.group(2)), literal)
    with open("%s/example-%03d.json" % (sys.argv[2], i), "w", encoding="utf-8") as f:
        f.write(body)
    count += 1
print("%d example responses as seeds" % count)
PY
}

status=0
summary=()
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    log="$work/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    for kept in "$here/seeds/$target" "$here/regressions/$target"; do
        if [ -d "$kept" ]; then
            cp -n "$kept"/* "$corpus"/ 2>/dev/null || true
        fi
    done
    if [ "$target" = responses ]; then
        seed_responses "$corpus"
    fi
    echo "== fuzzing $target for ${seconds}s (corpus $corpus, log $log)"
    crashed=no
    if ! "${fuzz[@]}" run "${flags[@]}" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1; then
        crashed=yes
        status=1
        tail -n 40 "$log"
    fi
    # (A crashed run prints no final stats: its last status line tells how far it got.)
    runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | awk '{print $2}' || true)
    [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}' || true)
    summary+=("$(printf '%-11s %8ss %12s executions  coverage %6s  corpus %6s files  crash: %s' \
        "$target" "$seconds" "${runs:-?}" "${cov:-?}" "$(ls "$corpus" | wc -l)" "$crashed")")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "$status" -ne 0 ]; then
    echo "crash inputs:"
    find "$work/artifacts" -type f -print 2>/dev/null || true
fi
exit "$status"
