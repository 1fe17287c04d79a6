#!/usr/bin/env bash
# Runs every check calisim's CI runs. Installs what the tests need first, so it works on
# a fresh machine that has only the Rust toolchain (rustup) and ../shared beside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain: rustfmt, clippy, wasm32 target"
# Install only what is missing (no download when the machine already has it).
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# The lab tests build network namespaces: they run as root (as CI does) and need nft and ip.
if [ "$(id -u)" = 0 ]; then
  step "system tools for the lab tests: nft (nftables), ip (iproute2)"
  command -v nft >/dev/null || (apt-get update && apt-get install -y nftables)
  command -v ip >/dev/null || (apt-get update && apt-get install -y iproute2)
fi

if [ ! -d ../shared/vectors ]; then
  echo "error: ../shared is missing (expected $(cd .. && pwd)/shared): the vector and fixture tests need it beside the repo" >&2
  exit 1
fi

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "sim-core builds for wasm32 (pure engine: no I/O, no clock)"
cargo build -p sim-core --target wasm32-unknown-unknown --locked

step "tests"
# INSTA_UPDATE=no: a changed snapshot fails the run instead of being written.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
INSTA_UPDATE=no cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line for the whole run (cargo prints one per test binary, the last often "0 passed").
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
