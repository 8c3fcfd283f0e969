#!/usr/bin/env bash
# The README's test command: builds every contract to WASM (size table),
# then checks formatting and lints and runs every test of the workspace
# (unit tests, property tests, and the devnet tests on the real WASM).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== format"
cargo fmt --all -- --check
echo "== contracts (target/stylus/)"
cargo run -q -p scripts -- build
cargo run -q -p gas-report -- --check  # gas within 2% of scripts/gas-snapshot.json
echo "== clippy"
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== tests"
cargo test --workspace
