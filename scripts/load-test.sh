#!/usr/bin/env bash
# Load test of ikd-server's POST /v1/verify on loopback with wrk.
#
#   scripts/load-test.sh [DURATION_SECS=60] [CONNECTIONS=32] [WRK_THREADS=1]
#
# Builds the release server and the core_rate example, starts the server in --demo mode on
# 127.0.0.1 (a free port, a temporary data directory), posts a valid demo credential (no photo)
# with wrk for DURATION seconds, then measures Verifier::verify per second on one thread for
# the same duration. Prints requests/s, p50/p99 latency, peak memory (VmHWM), errors, the mean
# signature batch across requests (from /metrics), the
# ratio server/core, the server's CPU per request against one core verification, and the CPU
# breakdown: per thread (from /proc, during the measured run) and, where `perf` can sample
# (Debian's linux-perf), by component from a separate profiled run of PROFILE_SECS (default
# 10; 0 skips it) after the measured one, so that sampling never touches the figures, and the
# stack's floor (FLOOR_SECS, default 10; 0 skips it): the CPU per request of GET /healthz and of
# a text refused at its first character, everything a verification request costs but the
# verification.
# With BATCH=N (at most the server's max_batch_items, 256 by default) it posts batches of N
# copies of the credential to /v1/verify/batch instead, and prints the server's CPU per
# credential against a bare strict Ed25519 verification (ed25519-dalek's verify_strict at the
# fastest of 8 stack offsets, ikd-cli's bare_verify example) measured before and after the run (their
# mean; the drift between them is printed); ANSWER=verdicts asks for the short answer ("answer": "verdicts").
# Traffic stays on 127.0.0.1; the run is bounded in time and stops by itself.
set -euo pipefail

DURATION=${1:-60}
PROFILE_SECS=${PROFILE_SECS:-10}
CONNS=${2:-32}
THREADS=${3:-1}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 2; }

echo "== building (release)" >&2
(cd "$ROOT" && cargo build --release -q -p ikd-server --bin ikd-server --example core_rate)
(cd "$ROOT" && cargo build --release -q -p ikd-cli --example bare_verify)
# IKD_SERVER_BIN: another build of the server (an A/B comparison of two builds in one period).
BIN="${IKD_SERVER_BIN:-$CARGO_TARGET_DIR/release/ikd-server}"
CORE="$CARGO_TARGET_DIR/release/examples/core_rate"
BARE="$CARGO_TARGET_DIR/release/examples/bare_verify"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ikd-load.XXXXXX")
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting the server (demo mode, data in $WORK)" >&2
IKD_LOG=${IKD_LOG:-info} "$BIN" --demo --listen 127.0.0.1:0 --data-dir "$WORK" \
  --demo-residents "$ROOT/../shared/reference/residents.json" >"$WORK/server.log" 2>"$WORK/server.err" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 300); do
  ADDR=$(sed -n 's#^Listening on http://\([^/]*\)/.*#\1#p' "$WORK/server.err" | head -n1)
  [[ -n "$ADDR" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$ADDR" ]] || { echo "server did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }

# A valid sample without a photo (the first sample carries one).
SAMPLE=$(ls "$WORK"/demo/samples/*-valid.txt | sed -n 2p)
QR=$(tr -d '\r\n' <"$SAMPLE")
BATCH=${BATCH:-0}
if [[ "$BATCH" -gt 0 ]]; then
  ENDPOINT=/v1/verify/batch
  # ANSWER=verdicts asks for the short answer (verdict and code per text, no views).
  ANSWER_FIELD=""
  [[ -n "${ANSWER:-}" ]] && ANSWER_FIELD=",\"answer\":\"$ANSWER\""
  BODY="{\"qrs\":[$(for _ in $(seq 1 "$BATCH"); do printf '"%s",' "$QR"; done | sed 's/,$//')]$ANSWER_FIELD}"
else
  ENDPOINT=/v1/verify
  BODY="{\"qr\":\"$QR\"}"
fi
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Counter-Id"] = "load-test"
LUA
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The server's CPU per request in µs, from its ticks before and after and the requests served.
per_request() { # TICKS_BEFORE TICKS_AFTER REQUESTS
  awk -v a="$1" -v b="$2" -v r="${3:-0}" -v t="$(getconf CLK_TCK)" 'BEGIN { if (r > 0) printf "%.1f", (b - a) / t * 1e6 / r; else print "n/a" }'
}

# The bare strict verification: ed25519-dalek's verify_strict at the fastest of 8 stack offsets
# (ikd-cli's bare_verify, the baseline of ikd-cli/scripts/throughput.sh too), so that a process
# drawing a slow offset never flatters the ratio (docs/BENCHMARKS.md, "The stack's offset").
# Batches measure it before and after the server's run and compare with their mean: on a
# shared host the speed of the machine drifts within a minute (by half, once, in the fourth
# session), and one measurement after the run would follow the drift.
bare_us() {
  "$BARE" 40000 | sed -n 's/^bare_verify_per_sec=//p' | awk '{ if ($1 > 0) printf "%.2f", 1e6 / $1 }'
}
BARE_BEFORE_US=""
if [[ "$BATCH" -gt 0 ]]; then
  echo "== bare_verify before the run: ed25519-dalek verify_strict, fastest of 8 stack offsets" >&2
  BARE_BEFORE_US=$(bare_us)
fi

echo "== warm-up 3 s" >&2
wrk -t1 -c"$CONNS" -d3s -s "$WORK/post.lua" "http://$ADDR$ENDPOINT" >/dev/null

# CPU ticks of each of the server's threads, by thread name (tokio workers, the audit writer,
# the WAL checkpointer, ...), as "name ticks" lines.
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}

echo "== wrk: ${DURATION}s, $CONNS connections, $THREADS thread(s)" >&2
thread_ticks "$SERVER_PID" >"$WORK/threads0.txt"
T0=$(cpu_ticks "$SERVER_PID")
wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "http://$ADDR$ENDPOINT" | tee "$WORK/wrk.txt" >&2
T1=$(cpu_ticks "$SERVER_PID")
thread_ticks "$SERVER_PID" >"$WORK/threads1.txt"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# The floor of this stack, measured after the measured run on the same server (FLOOR_SECS,
# default 10; 0 skips it; single verifications only): the server's CPU per request for
# GET /healthz (HTTP, runtime and loopback alone), and for POST /v1/verify with the same text
# but its first character changed, which the core refuses at its first check
# (decode_wrong_prefix) and the server still parses, audits, counts and logs: every cost of a
# verification request except the verification itself.
FLOOR_SECS=${FLOOR_SECS:-10}
FLOOR_LINES=""
floor_run() { # ENDPOINT [LUA]: server CPU per request over FLOOR_SECS
  local t0 t1 n
  t0=$(cpu_ticks "$SERVER_PID")
  wrk -t"$THREADS" -c"$CONNS" -d"${FLOOR_SECS}s" ${2:+-s "$2"} "http://$ADDR$1" >"$WORK/floor.txt"
  t1=$(cpu_ticks "$SERVER_PID")
  n=$(awk '/requests in/ {print $1}' "$WORK/floor.txt")
  per_request "$t0" "$t1" "$n"
}
if [[ "$BATCH" -eq 0 && "$FLOOR_SECS" != 0 ]]; then
  echo "== floor: ${FLOOR_SECS}s of GET /healthz, ${FLOOR_SECS}s of a text refused at its prefix" >&2
  FLOOR_HEALTH=$(floor_run /healthz)
  sed "s/\"qr\":\"./\"qr\":\"#/" "$WORK/post.lua" >"$WORK/refused.lua"
  FLOOR_REFUSED=$(floor_run /v1/verify "$WORK/refused.lua")
fi

# The component breakdown: a separate run under `perf record` (software clock, so it works
# in VMs without hardware counters), classified by symbol.
PROFILE=""
if [[ "$PROFILE_SECS" != 0 ]] && command -v perf >/dev/null && perf record -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
  echo "== profile: ${PROFILE_SECS}s under perf record (separate from the measured run)" >&2
  wrk -t"$THREADS" -c"$CONNS" -d"$((PROFILE_SECS + 2))s" -s "$WORK/post.lua" "http://$ADDR$ENDPOINT" >/dev/null &
  WRK_PID=$!
  sleep 1
  perf record -q -e cpu-clock -F 1999 -p "$SERVER_PID" -o "$WORK/perf.data" -- sleep "$PROFILE_SECS" >/dev/null 2>&1 || true
  wait "$WRK_PID" || true
  perf report -i "$WORK/perf.data" --no-children --sort dso,sym --stdio -g none --percent-limit 0 2>/dev/null >"$WORK/flat.txt" || true
  PROFILE=$(python3 "$ROOT/scripts/cpu-breakdown.py" "$WORK/flat.txt" 2>/dev/null || true)
fi

HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
METRICS=$(curl -s "http://$ADDR/metrics" 2>/dev/null || true)
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=""
AUDIT=$("$BIN" audit-verify --demo --data-dir "$WORK" 2>/dev/null || true)

echo "== core_rate: Verifier::verify on one thread, ${DURATION}s" >&2
CORE_OUT=$("$CORE" --secs "$DURATION" --demo-dir "$WORK/demo" --sample "$SAMPLE")
CORE_RATE=$(echo "$CORE_OUT" | sed -n 's/^core_verify_per_sec=//p')

RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
P50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
TOTAL=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
NON2XX=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$WORK/wrk.txt")
SOCKERR=$(grep -E '^\s*Socket errors:' "$WORK/wrk.txt" || true)
AUDITED=$(echo "$AUDIT" | sed -n 's/.*"entries": \([0-9]*\).*/\1/p')
AUDIT_OK=$(echo "$AUDIT" | sed -n 's/.*"ok": \([a-z]*\).*/\1/p')
CPU_US=$(per_request "$T0" "$T1" "${TOTAL:-0}")
CORE_US=$(echo "$CORE_OUT" | sed -n 's/^core_verify_us=//p')
CPU_RATIO=$(awk -v a="$CPU_US" -v b="$CORE_US" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }')
BARE_US=""
if [[ "$BATCH" -gt 0 ]]; then
  echo "== bare_verify after the run" >&2
  BARE_AFTER_US=$(bare_us)
  BARE_US=$(awk -v a="$BARE_BEFORE_US" -v b="$BARE_AFTER_US" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", (a + b) / 2 }')
  BARE_DRIFT=$(awk -v a="$BARE_BEFORE_US" -v b="$BARE_AFTER_US" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", 100 * (b > a ? b / a - 1 : a / b - 1) }')
fi
BATCH_LINES=""
if [[ "$BATCH" -gt 0 ]]; then
  PER_CRED=$(awk -v a="$CPU_US" -v n="$BATCH" 'BEGIN { if (a > 0) printf "%.2f", a / n; else print "n/a" }')
  BATCH_RATIO=$(awk -v a="$PER_CRED" -v b="$BARE_US" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else print "n/a" }')
  BATCH_LINES="| credentials per request | $BATCH |
| server CPU per credential | ${PER_CRED} µs |
| bare strict verification (ed25519-dalek verify_strict, fastest of 8 stack offsets), mean of before and after the run | ${BARE_US} µs (before ${BARE_BEFORE_US}, after ${BARE_AFTER_US}: the host drifted ${BARE_DRIFT} %$([[ "${BARE_DRIFT:-0}" -gt 10 ]] && echo '; over 10 %, so this ratio is unreliable: run again' || true)) |
| **ratio server CPU per credential / bare strict verification** | **${BATCH_RATIO}** |"
fi
THREADS_TABLE=$(join -a1 -e 0 -o 0,1.2,2.2 "$WORK/threads0.txt" "$WORK/threads1.txt" | awk -v r="${TOTAL:-0}" -v t="$(getconf CLK_TCK)" \
  '{ d = $3 - $2; if (d > 0 && r > 0) printf "| %s | %.1f µs |\n", $1, d / t * 1e6 / r }')
if [[ -n "${FLOOR_REFUSED:-}" ]]; then
  floor_ratio() { awk -v a="$1" -v b="$CORE_US" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }'; }
  FLOOR_LINES="| GET /healthz (HTTP, runtime, loopback) | ${FLOOR_HEALTH} µs | $(floor_ratio "$FLOOR_HEALTH") |
| POST /v1/verify refused at its prefix (all but the verification: HTTP, JSON, audit, metrics, log) | ${FLOOR_REFUSED} µs | $(floor_ratio "$FLOOR_REFUSED") |
| the measured run (a valid credential) | ${CPU_US} µs | ${CPU_RATIO} |"
fi
RATIO=$(awk -v a="$RPS" -v b="$CORE_RATE" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
VALID=$(echo "$METRICS" | sed -n 's/^ikd_verifications_total{code="ok",source="text",verdict="VALID"} //p')
# Signature batching across /v1/verify requests (docs/SERVER.md §3), over the server's whole
# run (warm-up and profile included): the mean batch and the share of requests verified alone.
SIG_BATCHES=$(echo "$METRICS" | awk '
  /^ikd_verify_signature_batch_size_sum / { sum = $2 }
  /^ikd_verify_signature_batch_size_count / { n = $2 }
  /^ikd_verify_signature_batch_size_bucket\{le="1"\} / { alone = $2 }
  END { if (n > 0) printf "%.2f verifications per batch; %.0f %% of requests verified alone", sum / n, 100 * alone / sum; else print "none" }')

cat <<OUT

| measure | value |
| --- | --- |
| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |
| machine | $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk on the same cores |
| wrk | -t$THREADS -c$CONNS -d${DURATION}s, POST $ENDPOINT${ANSWER:+ (answer: $ANSWER)}, $(echo -n "$QR" | wc -c)-char credential |
| requests | ${TOTAL:-?} |
| requests/s | ${RPS:-?} |
| latency p50 | ${P50:-?} |
| latency p99 | ${P99:-?} |
| errors | non-2xx: ${NON2XX:-0}; ${SOCKERR:-socket errors: 0} |
| VALID verdicts counted by /metrics | ${VALID:-?} |
| signature batches (whole run) | ${SIG_BATCHES:-?} |
| audit entries after the run (chain ok: ${AUDIT_OK:-?}) | ${AUDITED:-?} |
| peak memory (VmHWM) | $((HWM_KB / 1024)) MiB (RSS at start $((RSS_BEFORE / 1024)) MiB) |
| core Verifier::verify, 1 thread | ${CORE_RATE:-?} /s |
| ratio server / core | ${RATIO} |
| server CPU per request | ${CPU_US} µs (core verify alone: ${CORE_US} µs) |
| **ratio server CPU per request / core verify** | **${CPU_RATIO}** |
| load average before / after wrk | ${LOAD_BEFORE} / ${LOAD_AFTER} |

CPU per request by server thread (measured run):

| thread | CPU per request |
| --- | --- |
${THREADS_TABLE}
OUT
if [[ -n "$FLOOR_LINES" ]]; then
  printf '\nThe floor (separate %ss runs after the measured one, %s connections; ratio to the core verify of this run):\n\n| request | server CPU per request | / core verify |\n| --- | --- | --- |\n%s\n' "$FLOOR_SECS" "$CONNS" "$FLOOR_LINES"
fi
if [[ -n "$BATCH_LINES" ]]; then
  printf '\nBatches (%s credentials per request):\n\n| measure | value |\n| --- | --- |\n%s\n' "$BATCH" "$BATCH_LINES"
fi
if [[ -n "$PROFILE" ]]; then
  cat <<OUT

CPU by component (separate ${PROFILE_SECS}s run under perf, share of the server's samples):

$PROFILE
OUT
fi
