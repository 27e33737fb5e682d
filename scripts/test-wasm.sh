#!/usr/bin/env bash
# Builds the WebAssembly package (scripts/build-wasm.sh) and runs its Node tests: every test
# vector through the package, and its error paths (ikd-wasm/tests/node). Installs what it
# needs: wasm-bindgen-cli through cargo (in build-wasm.sh), binaryen through apt when missing
# (without it the build skips wasm-opt and says so).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wasm-opt >/dev/null 2>&1; then
  echo "== installing binaryen (wasm-opt) from Debian"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binaryen >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binaryen >/dev/null 2>&1; }; }; then
    echo "note: binaryen could not be installed; the package is built without wasm-opt"
  fi
fi
if ! command -v node >/dev/null 2>&1; then
  echo "test-wasm: Node.js (20 or later) is needed for the package tests" >&2
  exit 1
fi

scripts/build-wasm.sh

echo "== node --test ikd-wasm/tests/node ($(node --version))"
node --test ikd-wasm/tests/node/
