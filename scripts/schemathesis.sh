#!/usr/bin/env bash
# Property-based test of the HTTP API against its own OpenAPI document (issue 13).
#
# Starts a `--demo` server on a free loopback port with a temporary data directory and runs
# schemathesis against the document it serves (/v1/openapi.json), with the demo admin token:
# every operation, every check (`--checks all`: no 5xx, every status and content type
# documented, every response matching its schema, schema-valid requests accepted,
# schema-violating ones refused, ...). The few documented exceptions are in
# scripts/schemathesis.toml. Exits non-zero on any failure; the server is always stopped.
#
#   scripts/schemathesis.sh                 # debug build (reuses `cargo test`'s), 60 examples, seed 13
#   IKD_ST_EXAMPLES=200 IKD_ST_SEED=7 scripts/schemathesis.sh
#   IKD_ST_PROFILE=release scripts/schemathesis.sh
#
# Needs python3 with pip (schemathesis is installed with `pip install` when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
EXAMPLES="${IKD_ST_EXAMPLES:-60}"
SEED="${IKD_ST_SEED:-13}"
PROFILE="${IKD_ST_PROFILE:-debug}"
PYTHON="${PYTHON:-python3}"

installed="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
if [ "$installed" != "$SCHEMATHESIS_VERSION" ]; then
  echo "== installing schemathesis==$SCHEMATHESIS_VERSION (found: ${installed:-none})"
  "$PYTHON" -m pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
# The console script may not be on PATH (pyenv shims, --user installs): call its entry point.
st() { "$PYTHON" -c 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; sys.exit(schemathesis())' "$@"; }

echo "== building ikd-server ($PROFILE)"
if [ "$PROFILE" = release ]; then
  cargo build -q --release -p ikd-server --bin ikd-server
else
  cargo build -q -p ikd-server --bin ikd-server
fi
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/ikd-server"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ikd-schemathesis.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
echo "== starting the demo server on $BASE"
"$BIN" --demo --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if curl -fsS "$BASE/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server did not start:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "$BASE/healthz" >/dev/null
TOKEN="$(cat "$WORK/data/demo/admin-token")"

echo "== schemathesis $SCHEMATHESIS_VERSION: --checks all, $EXAMPLES examples per operation, seed $SEED"
set +e
st --config-file scripts/schemathesis.toml --no-color run "$BASE/v1/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $TOKEN" \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --generation-database none \
  --request-timeout 30 \
  --continue-on-failure
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "schemathesis failed (exit $rc); last lines of the server log:" >&2
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$rc"
