#!/usr/bin/env bash
# What a user of `dbss` pays to build it, against the floor any HTTP+JSON client pays anyway.
#
#   bash crates/dbss/benches/build_times.sh            # floor, consumer (default features), ratio
#   FULL=1 bash crates/dbss/benches/build_times.sh     # ... and the consumer with `dbss/full`
#   BASELINE=<commit> bash crates/dbss/benches/build_times.sh   # ... and a consumer of that commit
#   PATH_DEP=1 bash crates/dbss/benches/build_times.sh # the consumer uses a path dependency
#   ROUNDS=3 bash crates/dbss/benches/build_times.sh   # floor and consumer again, cold, each round;
#                                                      # the ratio of every round and their median
#
# Two throwaway crates are built cold, back to back, so that both see the same machine load:
# * the floor: reqwest (the features `dbss` uses), tokio, serde and serde_json, one JSON call;
# * the consumer: dbss, tokio and futures, one `client.instances().list()` call (of the working
#   tree, copied first; with BASELINE, also of that commit, right after the floor). It depends on
#   dbss the way the README tells users to, as a git dependency (here a local snapshot
#   repository): cargo builds such a dependency like one from a registry. PATH_DEP=1 makes it a
#   path dependency instead, which cargo treats as the user's own code and compiles
#   incrementally: slower for a cold build (dbss-api 17 s instead of 11 s), and not what users
#   of the library get.
# Each is its own workspace (so it gets cargo's default dev profile, not ours) with a fresh
# target directory; the crates.io download cache is kept, so downloads are not measured. Both
# start from the workspace's Cargo.lock, so they compile the same versions. Then main.rs of the
# consumer is touched and rebuilt (incremental), and the README's library example is built in its
# place (default features). Each line gives the load average when it ended.
# `cargo build --timings` reports are summarised as the slowest units of each cold build.
# Everything lives under target/build-times/ and is deleted at the end (kept with KEEP=1, to read
# the `--timings` reports).
set -euo pipefail
# One compound command, read whole before it runs: editing this file during a run is safe.
{
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
scratch="$root/target/build-times"
rm -rf "$scratch"
mkdir -p "$scratch"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$scratch"' EXIT
# A consumer's build uses cargo's defaults, whatever this shell or workspace sets.
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR CARGO_PROFILE_DEV_DEBUG CARGO_INCREMENTAL RUSTFLAGS
# Cargo's home for these builds: the user's registry (downloads are not measured) and config,
# and a throwaway place for the checkouts of the git dependencies below.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
mkdir -p "$scratch/cargo-home"
for kept in registry config.toml config; do
  if [ -e "$cargo_home/$kept" ]; then ln -s "$cargo_home/$kept" "$scratch/cargo-home/$kept"; fi
done
export CARGO_HOME="$scratch/cargo-home"

declare -A seconds

# measure LABEL KEY DIR CARGO-ARGS...: builds in DIR, prints the time and the load average.
measure() {
  local label="$1" key="$2" dir="$3"; shift 3
  local start end cpu
  start=$(date +%s.%N)
  # CPU time (user + system of cargo and every compiler it ran): on 2 CPUs a build is bound by
  # its total work as much as by its longest chain of units.
  (cd "$dir" && /usr/bin/time -f '%U %S' -o "$scratch/cpu" cargo build "$@") > "$scratch/last.log" 2>&1 || {
    echo "FAILED: $label"; tail -30 "$scratch/last.log"; exit 1; }
  end=$(date +%s.%N)
  seconds[$key]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$scratch/cpu")
  printf '%-58s %7s s   (CPU %s s, load %s)\n' "$label" "${seconds[$key]}" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# slowest DIR: the five longest units of the last `--timings` report in DIR/target.
slowest() {
  local report
  report="$(ls -t "$1"/target/cargo-timings/cargo-timing-*.html 2>/dev/null | head -1)"
  [ -n "$report" ] || return 0
  python3 - "$report" <<'PY' || true
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S).group(1))
units.sort(key=lambda u: -u["duration"])
print("    slowest units: " + ", ".join(
    f'{u["name"]}{" (" + u["target"].strip() + ")" if u["target"].strip() else ""} {u["duration"]:.1f} s'
    for u in units[:5]))
PY
}

new_crate() { # new_crate DIR: an empty binary crate (its own workspace), with our Cargo.lock
  mkdir -p "$1/src"
  cp "$root/Cargo.lock" "$1/Cargo.lock"
}

floor="$scratch/floor"
new_crate "$floor"
cat > "$floor/Cargo.toml" <<'TOML'
[package]
name = "floor"
version = "0.1.0"
edition = "2024"

[workspace]

[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream", "rustls", "http2", "charset"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
TOML
cat > "$floor/src/main.rs" <<'RS'
#[derive(serde::Deserialize)]
struct Page {
    total: Option<u64>,
    instances: Vec<serde_json::Value>,
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let page: Page = reqwest::Client::new()
        .get("http://127.0.0.1:8080/v2/p/audit/instances")
        .query(&[("offset", "0"), ("limit", "10")])
        .send()
        .await?
        .json()
        .await?;
    println!("{:?} {}", page.total, page.instances.len());
    Ok(())
}
RS

# consumer DIR SOURCES: a crate using the `dbss` of the workspace copied in SOURCES.
consumer() {
  new_crate "$1"
  cp "$2/Cargo.lock" "$1/Cargo.lock"
  local dependency="path = \"$2/crates/dbss\""
  if [ "${PATH_DEP:-0}" != 1 ]; then
    git -C "$2" init -q
    git -C "$2" add -A
    git -C "$2" -c user.name=bench -c user.email=bench@localhost commit -qm snapshot
    dependency="git = \"file://$2\""
  fi
  cat > "$1/Cargo.toml" <<TOML
[package]
name = "consumer"
version = "0.1.0"
edition = "2024"

[workspace]

[dependencies]
dbss = { $dependency }
futures = "0.3"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
TOML
  if [ "${FULL:-0}" = 1 ]; then printf '\n[features]\nfull = ["dbss/full"]\n' >> "$1/Cargo.toml"; fi
  cat > "$1/src/main.rs" <<'RS'
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = dbss::Client::builder()
        .endpoint("http://127.0.0.1:8080")
        .project_id("0123456789abcdef0123456789abcdef")
        .credentials(dbss::Credentials::ak_sk("AK", "SK"))
        .build()?;
    let instances: Vec<_> = client.instances().list().try_collect().await?;
    println!("{} instances", instances.len());
    Ok(())
}
RS
}

if [ -n "${BASELINE:-}" ]; then
  mkdir -p "$scratch/baseline-src"
  git -C "$root" archive "$BASELINE" | tar -x -C "$scratch/baseline-src"
  consumer "$scratch/baseline" "$scratch/baseline-src"
fi

ratio() { awk -v c="${seconds[$1]}" -v f="${seconds[floor]}" "BEGIN { printf \"ratio $2 / floor, cold: %.2f\n\", c / f }"; }

echo "build times, debug, $(nproc) CPUs, $(rustc --version)"
measure "floor (reqwest + tokio + serde + serde_json), cold" floor "$floor" --timings
slowest "$floor"
if [ -n "${BASELINE:-}" ]; then
  measure "consumer of dbss at $BASELINE, cold" baseline "$scratch/baseline" --timings
  slowest "$scratch/baseline"
  ratio baseline "consumer at $BASELINE"
fi
# The sources are copied before the build, so that editing the workspace meanwhile changes nothing.
mkdir -p "$scratch/src"
(cd "$root" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -x -C "$scratch/src"
consumer "$scratch/consumer" "$scratch/src"
measure "consumer (dbss + tokio + futures), cold" consumer "$scratch/consumer" --timings
slowest "$scratch/consumer"
ratio consumer "consumer (target <= 1.20)"
# More rounds: the machine's speed drifts by ±20 % over minutes, so one pair can mislead.
ratios=("$(awk -v c="${seconds[consumer]}" -v f="${seconds[floor]}" 'BEGIN { printf "%.2f", c / f }')")
for round in $(seq 2 "${ROUNDS:-1}"); do
  rm -rf "$floor/target" "$scratch/consumer/target"
  measure "floor, round $round" floor "$floor"
  measure "consumer, round $round" consumer "$scratch/consumer"
  ratios+=("$(awk -v c="${seconds[consumer]}" -v f="${seconds[floor]}" 'BEGIN { printf "%.2f", c / f }')")
done
if [ "${#ratios[@]}" -gt 1 ]; then
  printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END {
    m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "ratio consumer / floor over %d rounds: median %.2f (", NR, m
    for (i = 1; i <= NR; i++) printf "%s%s", r[i], (i < NR ? ", " : ")\n") }'
fi
touch "$scratch/consumer/src/main.rs"
measure "consumer, incremental (main.rs touched)" incremental "$scratch/consumer"
# The README's library example must build with the default features (not timed).
awk '/^## Library/ { lib = 1 } lib && /^```rust/ { on = 1; next } on && /^```/ { exit } on' \
  "$root/README.md" > "$scratch/consumer/src/main.rs"
(cd "$scratch/consumer" && cargo build -q) > "$scratch/last.log" 2>&1 || {
  echo "FAILED: the README example does not build with the default features"; tail -30 "$scratch/last.log"; exit 1; }
echo "README example builds with the default features: yes"
if [ "${FULL:-0}" = 1 ]; then
  rm -rf "$scratch/consumer/target"
  measure "consumer with dbss/full, cold" full "$scratch/consumer" --timings --features full
  slowest "$scratch/consumer"
  ratio full "consumer with dbss/full"
fi
exit
}
