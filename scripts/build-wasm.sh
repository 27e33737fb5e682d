#!/usr/bin/env bash
# Builds the WebAssembly modules (docs/WASM.md):
#   ikd-wasm/pkg/node/    ikd-wasm, wasm-bindgen --target nodejs (CommonJS, loads the .wasm from disk)
#   ikd-wasm/pkg/web/     ikd-wasm, wasm-bindgen --target web    (ES module, `init()` fetches the .wasm)
#   ikd-wasm/pkg/reader/  ikd-wasm-reader (the QR reader, loaded lazily by the counter page), --target web
#   ikd-wasm/pkg/js/      the package's JS helpers (ikd-wasm/js/*.mjs), when there are any
#   ikd-wasm/pkg/package.json, pkg/README.md
# and copies the web builds the counter page serves into ikd-server/static/wasm/ (ikd_wasm.js,
# ikd_wasm_bg.wasm, reader/ikd_reader.js, reader/ikd_reader_bg.wasm; the server embeds them).
#
#   scripts/build-wasm.sh           build, then copy into ikd-server/static/wasm/
#   scripts/build-wasm.sh --check   build, then fail if ikd-server/static/wasm/ differs from the
#                                   fresh build (copies nothing)
#
# The build is byte-reproducible across checkouts at different paths and machines: the source
# paths rustc embeds (panic locations) are remapped (--remap-path-prefix) to fixed names.
# Installs wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock
# (the two must match), optimises with wasm-opt when binaryen is installed, and fails when a
# module is over its gzipped size budget. Nothing is published. WASM_OPT_LEVEL (default -Oz) is
# passed to wasm-opt for ikd-wasm, READER_OPT_LEVEL (default -O3) for the reader, for measuring
# other trade-offs (a module built with other levels does not match the committed copy).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=build
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  *)
    echo "usage: scripts/build-wasm.sh [--check]" >&2
    exit 2
    ;;
esac

PKG=ikd-wasm/pkg
STATIC=ikd-server/static/wasm
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

# Reproducible output: the absolute paths of this checkout and of the cargo registry, which
# rustc writes into panic-location strings, become fixed names. CARGO_ENCODED_RUSTFLAGS (one
# flag per 0x1f-separated field, so paths with spaces work) applies to the wasm32 target only,
# not to build scripts and proc macros, since --target is given.
SEP=$'\x1f'
export CARGO_ENCODED_RUSTFLAGS="--remap-path-prefix=$PWD=/ikd-verify${SEP}--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"

WASM_OPT_FEATURES=(
  # The features rustc enables by default for wasm32-unknown-unknown.
  --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int
  --enable-mutable-globals --enable-reference-types --enable-multivalue
)

# build_module CRATE LEVEL: cargo build of CRATE for wasm32 (profile wasm-release), then wasm-opt
# LEVEL; prints the optimised module's path.
build_module() {
  local crate=$1 level=$2 name wasm opt
  name=${crate//-/_}
  echo "== cargo build -p $crate (wasm32-unknown-unknown, profile wasm-release)" >&2
  cargo build -q -p "$crate" --lib --target wasm32-unknown-unknown --profile wasm-release >&2
  wasm="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/$name.wasm"
  # wasm-opt runs on rustc's module, before wasm-bindgen: binaryen 108 (Debian 12) rewrites the
  # externref table of wasm-bindgen's output wrongly (its export then names the funcref table).
  opt="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/$name.opt.wasm"
  if command -v wasm-opt >/dev/null 2>&1; then
    echo "== wasm-opt $level ($(wasm-opt --version))" >&2
    wasm-opt "$level" "${WASM_OPT_FEATURES[@]}" -o "$opt" "$wasm" >&2
  else
    echo "note: wasm-opt not found (Debian package binaryen); $crate is not optimised further" >&2
    cp "$wasm" "$opt"
  fi
  echo "$opt"
}

OPT=$(build_module ikd-wasm "${WASM_OPT_LEVEL:--Oz}")
# The reader at -O3: a camera frame's read is speed-bound, and it is well within its budget.
READER_OPT=$(build_module ikd-wasm-reader "${READER_OPT_LEVEL:--O3}")

rm -rf "$PKG"
mkdir -p "$PKG/node" "$PKG/web" "$PKG/reader"
echo "== wasm-bindgen $VERSION (nodejs, web; reader: web)"
wasm-bindgen --target nodejs --out-dir "$PKG/node" --out-name ikd_wasm "$OPT"
wasm-bindgen --target web --out-dir "$PKG/web" --out-name ikd_wasm "$OPT"
wasm-bindgen --target web --out-dir "$PKG/reader" --out-name ikd_reader "$READER_OPT"

# wasm-bindgen writes a .gitignore ("*") into each output directory; the package ships them.
rm -f "$PKG"/{node,web,reader}/.gitignore "$PKG"/{node,web,reader}/package.json
# The web builds are ES modules in .js files; the node build is CommonJS.
echo '{ "type": "module" }' >"$PKG/web/package.json"
echo '{ "type": "module" }' >"$PKG/reader/package.json"

# The package's JS helpers (ES modules), when ikd-wasm ships any: ikd-wasm/js/NAME.mjs is
# pkg/js/NAME.mjs, imported as "@ikd-verify/ikd-wasm/NAME".
JS_FILES=""
JS_EXPORTS=""
if compgen -G "ikd-wasm/js/*.mjs" >/dev/null; then
  mkdir -p "$PKG/js"
  for f in ikd-wasm/js/*.mjs; do
    name=$(basename "$f" .mjs)
    cp "$f" "$PKG/js/"
    JS_FILES="$JS_FILES
    \"js/$name.mjs\","
    JS_EXPORTS="$JS_EXPORTS
    \"./$name\": \"./js/$name.mjs\","
  done
fi

CRATE_VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat >"$PKG/package.json" <<JSON
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
    "reader/ikd_reader.js",
    "reader/ikd_reader.d.ts",
    "reader/ikd_reader_bg.wasm",
    "reader/ikd_reader_bg.wasm.d.ts",
    "reader/package.json",$JS_FILES
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
    "./reader": {
      "types": "./reader/ikd_reader.d.ts",
      "default": "./reader/ikd_reader.js"
    },$JS_EXPORTS
    "./ikd_wasm_bg.wasm": "./web/ikd_wasm_bg.wasm",
    "./package.json": "./package.json"
  },
  "sideEffects": false,
  "engines": {
    "node": ">=18"
  }
}
JSON
cp ikd-wasm/README.md "$PKG/README.md"

# budget FILE BYTES WHAT: prints the module's sizes, fails when over the gzipped budget.
budget() {
  local file=$1 max=$2 what=$3 size gz
  size=$(wc -c <"$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  echo "== $file: $size bytes, $gz bytes gzipped (-9); budget $max"
  if [ "$gz" -gt "$max" ]; then
    echo "build-wasm: $what is over its budget: $gz bytes gzipped, at most $max" >&2
    exit 1
  fi
}
budget "$PKG/web/ikd_wasm_bg.wasm" 256000 "the verification module (250 KB gzipped)"
budget "$PKG/reader/ikd_reader_bg.wasm" 1536000 "the reader module (1.5 MB gzipped)"

# What the counter page serves: the web builds, beside each other as the page loads them.
SERVED=(ikd_wasm.js ikd_wasm_bg.wasm reader/ikd_reader.js reader/ikd_reader_bg.wasm)
served_source() {
  case $1 in
    reader/*) echo "$PKG/$1" ;;
    *) echo "$PKG/web/$1" ;;
  esac
}

if [ "$MODE" = check ]; then
  stale=()
  for f in "${SERVED[@]}"; do
    if ! cmp -s "$(served_source "$f")" "$STATIC/$f"; then
      stale+=("$STATIC/$f")
    fi
  done
  if [ "${#stale[@]}" -gt 0 ]; then
    {
      echo "build-wasm --check: the committed WebAssembly the server embeds differs from a fresh build:"
      printf '  %s\n' "${stale[@]}"
      echo "Run scripts/build-wasm.sh (same Rust, wasm-bindgen and binaryen versions) and commit $STATIC/."
    } >&2
    exit 1
  fi
  echo "== $STATIC/ matches the fresh build"
else
  mkdir -p "$STATIC/reader"
  for f in "${SERVED[@]}"; do
    cp "$(served_source "$f")" "$STATIC/$f"
  done
  echo "== copied into $STATIC/: ${SERVED[*]}"
fi
