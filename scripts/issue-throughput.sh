#!/usr/bin/env bash
# Issuance throughput of ikd-server against the embedded store (SQLite) and PostgreSQL, measured
# in the same run with the same release binary, load and machine.
#
#   scripts/issue-throughput.sh [DURATION_SECS=15] [CONNECTIONS=16]
#
# For each backend: starts the release server on 127.0.0.1 (a free port) with a fresh issuer
# key, a fresh data directory and, for PostgreSQL, a fresh schema (dropped at the end), posts
# POST /v1/credentials (the same synthetic resident, no photo) with wrk for DURATION seconds
# after a 2 s warm-up, then POST /v1/verify of one of the credentials for as long (each
# verification commits an audit entry to the same store), then checks the audit chain with
# `ikd-server audit-verify`. Prints rates, latency, errors, the server's CPU per request and
# PostgreSQL's CPU per request.
# Every issuance: reserve (one committed transaction), sign, mark issued (a second commit),
# one audit entry (group commit), and the QR code rendered as PNG in the answer.
#
# PostgreSQL: IKD_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test. Traffic
# stays on 127.0.0.1; each run is bounded in time and stops by itself.
set -euo pipefail

DURATION=${1:-15}
CONNS=${2:-16}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PG=${IKD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 2; }
command -v psql >/dev/null || { echo "psql is not installed (Debian: apt-get install -y postgresql-client)" >&2; exit 2; }

echo "== building (release)" >&2
(cd "$ROOT" && cargo build --release -q -p ikd-server --bin ikd-server && cargo build --release -q -p ikd-cli --bin ikd)
BIN="$CARGO_TARGET_DIR/release/ikd-server"
IKD="$CARGO_TARGET_DIR/release/ikd"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ikd-issue.XXXXXX")
SCHEMA="ikd_bench_$$_$RANDOM"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  psql -q "$PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql -q "$PG" -c "CREATE SCHEMA $SCHEMA" >/dev/null
PG_URL="$PG?options=-csearch_path%3D$SCHEMA&application_name=$SCHEMA"
TOKEN="bench-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

CLAIMS='{"nik": "3604055708900003", "nama": "SITI NURHALIZA", "tempat_lahir": "SERANG", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "PEREMPUAN", "golongan_darah": "O", "alamat": "KP. CIKANDE GIRANG", "rt": "002", "rw": "005", "kel_desa": "CIKANDE", "kecamatan": "CIKANDE", "kabupaten_kota": "KABUPATEN SERANG", "provinsi": "BANTEN", "agama": "ISLAM", "status_perkawinan": "KAWIN", "pekerjaan": "MENGURUS RUMAH TANGGA", "kewarganegaraan": "WNI", "berlaku_hingga": "SEUMUR HIDUP"}'
echo "{\"claims\": $CLAIMS}" >"$WORK/issue.json"
cat >"$WORK/issue.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = '{"claims": $CLAIMS}'
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU of this run's PostgreSQL backends (application_name = the schema) and of PostgreSQL's WAL
# writer, checkpointer and background writer; 0 for the SQLite run.
pg_pids() {
  [[ -n "${1:-}" ]] || return 0
  psql -qAt "$PG" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$SCHEMA'" 2>/dev/null || true
  pgrep -f 'postgres: .*(walwriter|checkpointer|background writer)' || true
}
pg_ticks() {
  local t=0 p
  for p in $PG_PIDS; do t=$((t + $(cpu_ticks "$p"))); done
  echo "$t"
}

ROWS=()
VROWS=()
CHAIN=()
run() {
  local name=$1 url=${2:-}
  local dir="$WORK/$name"
  mkdir -p "$dir"
  # A fresh issuer key, trusted by the server, so every verification is a full one (VALID).
  "$IKD" key new "$dir/issuer.key" --name "DISDUKCAPIL UJI" >/dev/null
  "$IKD" trust add --store "$dir/trust.json" --name "DISDUKCAPIL UJI" --key "$dir/issuer.key.pub" \
    --not-before 2020-01-01 >/dev/null
  echo "== $name: starting the server" >&2
  env -u IKD_CONFIG IKD_LISTEN=127.0.0.1:0 IKD_DATA_DIR="$dir/data" IKD_ISSUER_KEY="$dir/issuer.key" IKD_TRUST_STORE="$dir/trust.json" \
    IKD_ADMIN_TOKEN="$TOKEN" IKD_LOG="warn" ${url:+IKD_DATABASE_URL="$url"} \
    "$BIN" >"$dir/server.log" 2>"$dir/server.err" &
  SERVER_PID=$!
  local addr=""
  for _ in $(seq 1 300); do
    addr=$(sed -n 's#^Listening on http://\([^/]*\)/.*#\1#p' "$dir/server.err" | head -n1)
    [[ -n "$addr" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$dir/server.err" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$addr" ]] || { echo "server did not start" >&2; exit 1; }
  wrk -t1 -c"$CONNS" -d2s -s "$WORK/issue.lua" "http://$addr/v1/credentials" >/dev/null
  echo "== $name: wrk ${DURATION}s, $CONNS connections" >&2
  local t0 p0 t1 p1
  PG_PIDS=$(pg_pids "$url" | tr '\n' ' ')
  t0=$(cpu_ticks "$SERVER_PID"); p0=$(pg_ticks)
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/issue.lua" "http://$addr/v1/credentials" | tee "$dir/wrk.txt" >&2
  t1=$(cpu_ticks "$SERVER_PID"); p1=$(pg_ticks)
  # Then verification of one of the credentials (every verification writes an audit entry to
  # the same store), for the same time.
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary "@$WORK/issue.json" "http://$addr/v1/credentials" >"$dir/one.json"
  local qr
  qr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["qr"])' "$dir/one.json")
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
    "'{\"qr\":\"$qr\"}'" >"$dir/verify.lua"
  echo "== $name: wrk ${DURATION}s on /v1/verify" >&2
  local v0 q0 v1 q1
  PG_PIDS=$(pg_pids "$url" | tr '\n' ' ')
  v0=$(cpu_ticks "$SERVER_PID"); q0=$(pg_ticks)
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$dir/verify.lua" "http://$addr/v1/verify" | tee "$dir/wrk-verify.txt" >&2
  v1=$(cpu_ticks "$SERVER_PID"); q1=$(pg_ticks)
  local valid
  valid=$(curl -s "http://$addr/metrics" | sed -n 's/^ikd_verifications_total{code="ok",source="text",verdict="VALID"} //p')
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
  local audit
  audit=$(env -u IKD_CONFIG IKD_DATA_DIR="$dir/data" ${url:+IKD_DATABASE_URL="$url"} "$BIN" audit-verify 2>/dev/null || true)
  local rps p50 p99 total non2xx tck cpu pgcpu ok entries
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$dir/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$dir/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.txt")
  total=$(awk '/requests in/ {print $1}' "$dir/wrk.txt")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$dir/wrk.txt")
  tck=$(getconf CLK_TCK)
  cpu=$(awk -v a="$t0" -v b="$t1" -v r="${total:-0}" -v t="$tck" 'BEGIN { if (r > 0) printf "%.0f", (b - a) / t * 1e6 / r; else print "n/a" }')
  pgcpu=$(awk -v a="$p0" -v b="$p1" -v r="${total:-0}" -v t="$tck" -v u="$url" 'BEGIN { if (u == "") print "–"; else if (r > 0) printf "%.0f µs", (b - a) / t * 1e6 / r; else print "n/a" }')
  ok=$(echo "$audit" | sed -n 's/.*"ok": \([a-z]*\).*/\1/p')
  entries=$(echo "$audit" | sed -n 's/.*"entries": \([0-9]*\).*/\1/p')
  ROWS+=("| $name | ${rps:-?} | ${p50:-?} / ${p99:-?} | ${total:-?} | ${non2xx:-0} | ${cpu} µs | ${pgcpu} |")
  local vrps vp50 vp99 vtotal vnon2xx vcpu vpgcpu
  vrps=$(awk '/^Requests\/sec:/ {print $2}' "$dir/wrk-verify.txt")
  vp50=$(awk '$1 == "50%" {print $2}' "$dir/wrk-verify.txt")
  vp99=$(awk '$1 == "99%" {print $2}' "$dir/wrk-verify.txt")
  vtotal=$(awk '/requests in/ {print $1}' "$dir/wrk-verify.txt")
  vnon2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$dir/wrk-verify.txt")
  vcpu=$(awk -v a="$v0" -v b="$v1" -v r="${vtotal:-0}" -v t="$tck" 'BEGIN { if (r > 0) printf "%.0f", (b - a) / t * 1e6 / r; else print "n/a" }')
  vpgcpu=$(awk -v a="$q0" -v b="$q1" -v r="${vtotal:-0}" -v t="$tck" -v u="$url" 'BEGIN { if (u == "") print "–"; else if (r > 0) printf "%.0f µs", (b - a) / t * 1e6 / r; else print "n/a" }')
  VROWS+=("| $name | ${vrps:-?} | ${vp50:-?} / ${vp99:-?} | ${vtotal:-?} | ${vnon2xx:-0} | ${vcpu} µs | ${vpgcpu} |")
  CHAIN+=("$name: ${entries:-?} audit entries after the run, chain intact: ${ok:-?}; VALID verdicts: ${valid:-0} of ${vtotal:-?}+ requests")
}

run sqlite
run postgres "$PG_URL"
ISSUED_PG=$(psql -qAt "$PG" -c "SELECT COUNT(*) || ' rows (' || COUNT(*) FILTER (WHERE state = 'issued') || ' issued), ' || COUNT(DISTINCT serial) || ' serials, ' || COUNT(DISTINCT status_index) || ' status indices; issue entries in the audit log: ' || (SELECT COUNT(*) FROM $SCHEMA.audit_log WHERE event = 'issue') FROM $SCHEMA.credentials")

cat <<OUT

$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, wrk -t1 -c$CONNS -d${DURATION}s on the same cores, release build,
PostgreSQL $(psql -qAt "$PG" -c 'SHOW server_version'), synchronous_commit=$(psql -qAt "$PG" -c 'SHOW synchronous_commit'); load average now $(cut -d' ' -f1-3 /proc/loadavg)

POST /v1/credentials (reserve + sign + mark issued + audit entry + QR PNG in the answer):

| store | issuances/s | latency p50 / p99 | requests | non-2xx | server CPU / issuance | PostgreSQL CPU / issuance |
| --- | --- | --- | --- | --- | --- | --- |
$(printf '%s\n' "${ROWS[@]}")

POST /v1/verify (one audit entry per verification, group commit):

| store | verifications/s | latency p50 / p99 | requests | non-2xx | server CPU / verification | PostgreSQL CPU / verification |
| --- | --- | --- | --- | --- | --- | --- |
$(printf '%s\n' "${VROWS[@]}")

$(printf '%s\n' "${CHAIN[@]}")
PostgreSQL registry after the run: $ISSUED_PG
OUT
