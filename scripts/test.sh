#!/usr/bin/env bash
# Runs every check calisim's CI runs. Installs what the tests need first, so it works on
# a fresh machine that has only the Rust toolchain (rustup) and ../shared beside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain: rustfmt, clippy, wasm32 target (sim-core and the browser bundle)"
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
  step "browser for the web lab's tests: Debian's chromium and chromium-driver; Node.js"
  command -v chromium >/dev/null && command -v chromedriver >/dev/null \
    || (apt-get update && apt-get install -y chromium chromium-driver)
  command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
fi
for tool in chromium npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (as root this script installs it with apt-get)" >&2; exit 1; }
done

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

step "browser bundle: web-viz to wasm32 + JS bindings (cargo xtask web)"
cargo xtask web

step "tests"
# INSTA_UPDATE=no: a changed snapshot fails the run instead of being written.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e # run the browser tests even when a Rust test fails; the exit code says both
INSTA_UPDATE=no cargo test --workspace --exclude xtask --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

step "browser tests: the web lab in headless chromium (screenshots in target/test-output/web-viz)"
# calisim serve only hands out files, so the debug binary the tests just built will do.
(cd web-viz/e2e && npm ci --no-audit --no-fund --loglevel=error) \
  && CALISIM_BIN="$PWD/target/debug/calisim" npm --prefix web-viz/e2e test 2>&1 | tee -a "$log"
browser_status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run (cargo prints one per test binary, the last often
# "0 passed"; node's test runner prints "# pass N" and "# fail N").
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
[ "$status" = 0 ] && [ "$browser_status" = 0 ]
