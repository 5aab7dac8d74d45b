#!/usr/bin/env bash
# Cold and incremental build times of `dbss`, with and without progenitor at build time, and of
# a minimal downstream crate; one line per measurement on stdout (label, seconds).
#   bash crates/dbss/benches/build_times.sh
# Each cold build uses a fresh target directory (the registry cache is kept: downloads are not
# what we measure). Run on an otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

measure() {
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$scratch/last.log" 2>&1 || { echo "FAILED: $label"; tail -20 "$scratch/last.log"; exit 1; }
  end=$(date +%s.%N)
  printf '%s\t%.1f s\n' "$label" "$(echo "$end - $start" | bc)"
}

cd "$root"
measure "dbss, cold (committed client: no progenitor)" env CARGO_TARGET_DIR="$scratch/a" cargo build -q -p dbss
touch crates/dbss/src/lib.rs
measure "dbss, incremental (dbss/src/lib.rs touched)" env CARGO_TARGET_DIR="$scratch/a" cargo build -q -p dbss
touch crates/dbss-api/src/lib.rs
measure "dbss, incremental (dbss-api/src/lib.rs touched)" env CARGO_TARGET_DIR="$scratch/a" cargo build -q -p dbss
measure "dbss, cold, codegen feature (progenitor in build.rs)" env CARGO_TARGET_DIR="$scratch/b" cargo build -q -p dbss --features dbss-api/codegen
touch crates/dbss-api/spec/dbss.progenitor.yaml
measure "dbss, incremental, codegen feature (spec touched: regenerates)" env CARGO_TARGET_DIR="$scratch/b" cargo build -q -p dbss --features dbss-api/codegen

mkdir -p "$scratch/downstream/src"
cat > "$scratch/downstream/Cargo.toml" <<TOML
[package]
name = "downstream"
version = "0.1.0"
edition = "2024"

[dependencies]
dbss = { path = "$root/crates/dbss" }
dbss-api = { path = "$root/crates/dbss-api" }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[features]
codegen = ["dbss-api/codegen"]
TOML
cat > "$scratch/downstream/src/main.rs" <<'RS'
#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = dbss::Client::builder().endpoint("http://127.0.0.1:8080").project_id("p").credentials(dbss::Credentials::ak_sk("AK", "SK")).build()?;
    let first = client.instances().get("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    println!("found: {}", first.is_some());
    Ok(())
}
RS
cp "$root/Cargo.lock" "$scratch/downstream/Cargo.lock"
cd "$scratch/downstream"
measure "downstream crate, cold (default: no progenitor)" env CARGO_TARGET_DIR="$scratch/c" cargo build -q
touch src/main.rs
measure "downstream crate, incremental (main.rs touched)" env CARGO_TARGET_DIR="$scratch/c" cargo build -q
measure "downstream crate, cold, with dbss-api/codegen" env CARGO_TARGET_DIR="$scratch/d" cargo build -q --features codegen
