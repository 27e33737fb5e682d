#!/usr/bin/env bash
# Tests the C interface (ikd-capi): checks that the committed header ikd-capi/include/ikd.h is
# what cbindgen generates now, builds libikd_capi, compiles ikd-capi/tests/vectors.c with gcc, and runs
# every test vector and the error paths through it, under valgrind (no leak, no invalid access).
#
#   scripts/test-c.sh            check the header, build, test
#   scripts/test-c.sh --update   rewrite the header from the code first
#
# Installs cbindgen (cargo install --locked) and valgrind (apt-get) when missing. Needs gcc,
# python3 (only to flatten the JSON vectors for the C program, which has no JSON parser).
set -euo pipefail
cd "$(dirname "$0")/.."

CBINDGEN_VERSION=0.29.4
OUT=target/c-test
mkdir -p "$OUT"

if ! command -v cbindgen >/dev/null || [ "$(cbindgen --version | awk '{print $2}')" != "$CBINDGEN_VERSION" ]; then
    echo "test-c: installing cbindgen $CBINDGEN_VERSION" >&2
    cargo install cbindgen --locked --version "$CBINDGEN_VERSION"
fi
if ! command -v valgrind >/dev/null; then
    echo "test-c: installing valgrind" >&2
    (apt-get update -qq && apt-get install -y -qq valgrind) >/dev/null
fi

cbindgen --quiet --config ikd-capi/cbindgen.toml --crate ikd-capi --output "$OUT/ikd.h" ikd-capi
if [ "${1:-}" = "--update" ]; then
    cp "$OUT/ikd.h" ikd-capi/include/ikd.h
    echo "test-c: ikd-capi/include/ikd.h rewritten"
elif ! diff -u ikd-capi/include/ikd.h "$OUT/ikd.h"; then
    echo "test-c: ikd-capi/include/ikd.h is out of date: run scripts/test-c.sh --update and commit it" >&2
    exit 1
fi

cargo build --quiet -p ikd-capi
LIB=target/debug
python3 ikd-capi/tests/flatten_vectors.py test-vectors/cases "$OUT/vectors.flat"
gcc -std=c11 -O1 -g -Wall -Wextra -Werror -Iikd-capi/include ikd-capi/tests/vectors.c -L"$LIB" -likd_capi \
    -Wl,-rpath,"$PWD/$LIB" -o "$OUT/vectors"
"$OUT/vectors" "$OUT/vectors.flat"
valgrind --quiet --leak-check=full --error-exitcode=1 "$OUT/vectors" "$OUT/vectors.flat"
echo "test-c: passed (vectors, error paths, valgrind: no leak)"
