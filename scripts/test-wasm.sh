#!/usr/bin/env bash
# Builds the WebAssembly modules (scripts/build-wasm.sh --check: fails when the committed copy
# in ikd-server/static/wasm/ is not what this source builds to), then runs
#   * the Node tests of the package: every test vector, and its error paths (ikd-wasm/tests/node),
#     and of the reader module (ikd-wasm-reader/tests/node);
#   * the same vectors, and the QR reader, in headless Chromium through the web build the
#     counter page serves (ikd-wasm/tests/browser/run.mjs vectors).
# Installs what it needs: wasm-bindgen-cli through cargo (in build-wasm.sh), binaryen through
# apt when missing (without it the build skips wasm-opt and says so; the check then fails,
# since the committed modules are optimised). Without Chromium the browser run fails, unless
# IKD_SKIP_BROWSER=1 (then it says so).
#
#   scripts/test-wasm.sh            check the committed copy (CI)
#   scripts/test-wasm.sh --update   build and copy into ikd-server/static/wasm/, then test
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

case "${1:-}" in
  --update) scripts/build-wasm.sh ;;
  "") scripts/build-wasm.sh --check ;;
  *)
    echo "usage: scripts/test-wasm.sh [--update]" >&2
    exit 2
    ;;
esac

echo "== node --test ikd-wasm/tests/node ikd-wasm-reader/tests/node ($(node --version))"
node --test ikd-wasm/tests/node/ ikd-wasm-reader/tests/node/

if [ "${IKD_SKIP_BROWSER:-}" = 1 ]; then
  echo "note: IKD_SKIP_BROWSER=1: the vectors were not run in Chromium"
  exit 0
fi
if ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
  echo "test-wasm: Chromium is needed for the browser run (Debian package chromium; or IKD_SKIP_BROWSER=1)" >&2
  exit 1
fi
echo "== headless Chromium: every vector and the QR reader (ikd-wasm/tests/browser)"
node ikd-wasm/tests/browser/run.mjs vectors
