#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and runs each for a bounded time with its seed corpus
# (docs/FUZZING.md). Fails (exit 1) if any target finds a crash, a timeout, a leak or runs out
# of memory; the input that did it is left in fuzz/artifacts/<target>/.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 20
#   TARGET...           default: every target (`cargo +nightly fuzz list`)
# Environment: FUZZ_LOG_DIR (default fuzz/logs) keeps each run's libFuzzer output;
#   ZXING_CORPUS (default ../shared/corpora/zxing-qrcode) is read by the image targets.
# One target runs at a time, on one core (no -jobs, no -fork).
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-20}"
shift || true

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "scripts/fuzz.sh: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

echo "== seeds"
scripts/fuzz-seeds.sh fuzz/corpus

echo "== build (nightly, AddressSanitizer, release with debug assertions)"
cargo +nightly fuzz build

logs="${FUZZ_LOG_DIR:-fuzz/logs}"
mkdir -p "$logs"
zxing="${ZXING_CORPUS:-../shared/corpora/zxing-qrcode}"
# The server target keeps its SQLite store here; removed on exit.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm="${TMPDIR:-/tmp}"
IKD_FUZZ_TMP="$(mktemp -d "$shm/ikd-fuzz.XXXXXX")"
export IKD_FUZZ_TMP
trap 'rm -rf "$IKD_FUZZ_TMP"' EXIT

failed=()
printf '\n%-22s %12s %8s %8s %8s %8s  %s\n' target executions exec/s cov ft rss_mb result
for t in "${targets[@]}"; do
  extra=()
  max_len=16384
  case "$t" in
    scan_image | photo)
      max_len=262144
      [ -d "$zxing" ] && extra=("$zxing")
      ;;
    scan_luma) max_len=65538 ;;
    server_body) max_len=262144 ;;
  esac
  log="$logs/$t.log"
  set +e
  cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "${extra[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)"
  last="$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc, see $log and fuzz/artifacts/$t/)"
    failed+=("$t")
  fi
  printf '%-22s %12s %8s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${rss:-?}" "$result"
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "scripts/fuzz.sh: failed: ${failed[*]}" >&2
  for t in "${failed[@]}"; do
    echo "---- $t (last lines of $logs/$t.log)" >&2
    tail -n 40 "$logs/$t.log" >&2
  done
  exit 1
fi
echo "scripts/fuzz.sh: ${#targets[@]} targets, ${secs} s each: no crash, timeout, leak or OOM"
