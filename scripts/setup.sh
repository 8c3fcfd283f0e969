#!/usr/bin/env bash
# Installs what a fresh machine lacks to build the suite: the pinned
# toolchain's wasm32 target and rust-src (the contracts are built with
# -Zbuild-std), rustfmt and clippy. Idempotent; safe to run every time.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup toolchain install "$toolchain" --profile minimal \
    --component rust-src,rustfmt,clippy --target wasm32-unknown-unknown >/dev/null 2>&1 ||
    rustup toolchain install "$toolchain" --profile minimal
rustup target add --toolchain "$toolchain" wasm32-unknown-unknown
rustup component add --toolchain "$toolchain" rust-src rustfmt clippy
