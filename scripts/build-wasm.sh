#!/usr/bin/env bash
# Builds the npm package of ikd-wasm into ikd-wasm/pkg/ (docs/WASM.md):
#   pkg/node/  wasm-bindgen --target nodejs (CommonJS, loads the .wasm from disk)
#   pkg/web/   wasm-bindgen --target web    (ES module, `init()` fetches the .wasm)
#   pkg/package.json, pkg/README.md
# Installs wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock
# (the two must match), optimises with wasm-opt -Oz when binaryen is installed, and prints
# the gzipped size of the module. Nothing is published. WASM_OPT_LEVEL (default -Oz) is passed
# to wasm-opt, for measuring other trade-offs.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=ikd-wasm/pkg
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

# The wasm-bindgen version locked for the workspace.
VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$VERSION" ]; then
  echo "build-wasm: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$VERSION" ]; then
  echo "== installing wasm-bindgen-cli $VERSION (crates.io, built from source)"
  # --locked first; when the registry mirror lacks a locked dependency version, let cargo resolve.
  cargo install --locked --version "=$VERSION" wasm-bindgen-cli \
    || cargo install --force --version "=$VERSION" wasm-bindgen-cli
fi

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

echo "== cargo build -p ikd-wasm (wasm32-unknown-unknown, profile wasm-release)"
cargo build -q -p ikd-wasm --lib --target wasm32-unknown-unknown --profile wasm-release
WASM="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/ikd_wasm.wasm"

# wasm-opt runs on rustc's module, before wasm-bindgen: binaryen 108 (Debian 12) rewrites the
# externref table of wasm-bindgen's output wrongly (its export then names the funcref table).
OPT="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/ikd_wasm.opt.wasm"
if command -v wasm-opt >/dev/null 2>&1; then
  echo "== wasm-opt -Oz ($(wasm-opt --version))"
  # The features rustc enables by default for wasm32-unknown-unknown.
  wasm-opt ${WASM_OPT_LEVEL:--Oz} --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-reference-types --enable-multivalue -o "$OPT" "$WASM"
else
  echo "note: wasm-opt not found (Debian package binaryen); the module is not optimised further"
  cp "$WASM" "$OPT"
fi

rm -rf "$PKG"
mkdir -p "$PKG/node" "$PKG/web"
echo "== wasm-bindgen $VERSION (nodejs, web)"
wasm-bindgen --target nodejs --out-dir "$PKG/node" --out-name ikd_wasm "$OPT"
wasm-bindgen --target web --out-dir "$PKG/web" --out-name ikd_wasm "$OPT"

# wasm-bindgen writes a .gitignore ("*") into each output directory; the package ships them.
rm -f "$PKG/node/.gitignore" "$PKG/web/.gitignore" "$PKG/node/package.json" "$PKG/web/package.json"
# The web build is ES modules in .js files; the node build is CommonJS.
echo '{ "type": "module" }' >"$PKG/web/package.json"

CRATE_VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat >"$PKG/package.json" <<EOF
{
  "name": "@ikd-verify/ikd-wasm",
  "version": "$CRATE_VERSION",
  "description": "Offline verification of IKD (Identitas Kependudukan Digital) credentials, compiled from ikd-core to WebAssembly",
  "license": "Apache-2.0",
  "repository": "https://example.invalid/ikd-verify",
  "files": [
    "node/ikd_wasm.js",
    "node/ikd_wasm.d.ts",
    "node/ikd_wasm_bg.wasm",
    "node/ikd_wasm_bg.wasm.d.ts",
    "web/ikd_wasm.js",
    "web/ikd_wasm.d.ts",
    "web/ikd_wasm_bg.wasm",
    "web/ikd_wasm_bg.wasm.d.ts",
    "web/package.json",
    "README.md"
  ],
  "main": "./node/ikd_wasm.js",
  "types": "./node/ikd_wasm.d.ts",
  "browser": "./web/ikd_wasm.js",
  "exports": {
    ".": {
      "node": {
        "types": "./node/ikd_wasm.d.ts",
        "default": "./node/ikd_wasm.js"
      },
      "browser": {
        "types": "./web/ikd_wasm.d.ts",
        "default": "./web/ikd_wasm.js"
      },
      "default": {
        "types": "./web/ikd_wasm.d.ts",
        "default": "./web/ikd_wasm.js"
      }
    },
    "./web": {
      "types": "./web/ikd_wasm.d.ts",
      "default": "./web/ikd_wasm.js"
    },
    "./ikd_wasm_bg.wasm": "./web/ikd_wasm_bg.wasm",
    "./package.json": "./package.json"
  },
  "sideEffects": false,
  "engines": {
    "node": ">=18"
  }
}
EOF
cp ikd-wasm/README.md "$PKG/README.md"

SIZE=$(wc -c <"$PKG/web/ikd_wasm_bg.wasm")
GZ=$(gzip -9 -c "$PKG/web/ikd_wasm_bg.wasm" | wc -c)
echo "== $PKG: ikd_wasm_bg.wasm $SIZE bytes, $GZ bytes gzipped (-9); budget 256000 (250 KB)"
if [ "$GZ" -gt 256000 ]; then
  echo "build-wasm: the verification module is over its 250 KB gzipped budget" >&2
  exit 1
fi
