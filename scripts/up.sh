#!/usr/bin/env bash
# The README's main command: build the contracts, start the embedded devnet,
# deploy and wire the suite, print the addresses, serve RPC until Ctrl-C.
#
# The first run compiles three things, once each (cargo shows each crate as
# it compiles): the build tool, the contracts for wasm32, and the deploy tool
# with the devnet node (profile `tool`). Later runs only rebuild what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ ! -x target/tool/deploy ] || [ ! -d target/stylus ]; then
    echo "== first run: compiling the build tool, the contracts (wasm32) and the deploy tool" \
        "+ devnet node; this happens once (several minutes on 2 cores), later runs take seconds" >&2
fi
echo "== [1/3] build tool (scripts)" >&2
cargo build -p scripts
echo "== [2/3] contracts -> target/stylus/" >&2
target/debug/suite build >/dev/null # the size table: cargo run -p scripts -- build
echo "== [3/3] deploy tool and devnet node (profile tool)" >&2
cargo build -p deploy --profile tool
exec target/tool/deploy up "$@"
