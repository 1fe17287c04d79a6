#!/usr/bin/env bash
# The browser lab on a fresh machine: adds the wasm32 target if it is missing, builds the
# bundle (`cargo xtask web`: web-viz to wasm32, JS bindings in-process, nothing downloaded
# but crates), then serves the page on 127.0.0.1 (`calisim serve ARGS...`, port 8080 unless
# --port says otherwise). Any SCENARIO argument works: a file, a directory, a lab number.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo xtask web
exec cargo run --release --locked --quiet -- serve "$@"
