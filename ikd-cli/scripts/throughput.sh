#!/usr/bin/env bash
# Throughput of the `ikd` CLI on one core, next to a bare Ed25519 verification measured in the
# same run. Release build; every timed command is pinned to CPU 0 with taskset.
#
#   bash ikd-cli/scripts/throughput.sh [N]      (default N = 10000)
#
# Prints one `key=value` line per figure; docs/CLI.md records a run.
set -euo pipefail
N="${1:-10000}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --quiet --release -p ikd-cli --bin ikd --example bare_verify
IKD="$CARGO_TARGET_DIR/release/ikd"
BARE="$CARGO_TARGET_DIR/release/examples/bare_verify"
PIN=(taskset -c 0)
command -v taskset >/dev/null || PIN=()
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

"$IKD" key new issuer.key --name "DISDUKCAPIL KABUPATEN SERANG" >/dev/null 2>&1
"$IKD" trust add --store trust.json --name "DISDUKCAPIL KABUPATEN SERANG" --key issuer.key.pub >/dev/null
"$IKD" dev gen-residents "$N" --seed 42 > residents.jsonl

t0=$(now); "${PIN[@]}" "$IKD" issue --key issuer.key --batch residents.jsonl --out-dir out >/dev/null 2>&1; t1=$(now)
t2=$(now); "${PIN[@]}" "$IKD" verify --trust trust.json --batch out/manifest.jsonl >/dev/null 2>&1; t3=$(now)
t4=$(now); "${PIN[@]}" "$IKD" verify --trust trust.json --batch out >/dev/null 2>&1; t5=$(now)
head -n 1000 out/manifest.jsonl | sed -n 's/.*"credential":"\([^"]*\)".*/\1/p' > stream.txt
t6=$(now); "${PIN[@]}" "$IKD" verify --trust trust.json < stream.txt >/dev/null 2>&1; t7=$(now)
BARE_OUT=$("${PIN[@]}" "$BARE" 20000)
BARE_RATE=$(echo "$BARE_OUT" | sed -n 's/^bare_verify_per_sec=//p')
CORE_STRICT_RATE=$(echo "$BARE_OUT" | sed -n 's/^core_strict_verify_per_sec=//p')

ISSUE=$(rate "$N" "$t0" "$t1")
VJSONL=$(rate "$N" "$t2" "$t3")
VDIR=$(rate "$N" "$t4" "$t5")
VSTREAM=$(rate 1000 "$t6" "$t7")
echo "credentials=$N"
echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "bare_ed25519_verify_per_sec=$BARE_RATE (ed25519-dalek verify_strict: the ratios' baseline)"
echo "core_strict_verify_per_sec=$CORE_STRICT_RATE (ikd_core::verify_signature_strict, same answers)"
echo "issue_batch_per_sec=$ISSUE"
echo "verify_batch_manifest_per_sec=$VJSONL ratio_to_bare=$(awk -v a="$VJSONL" -v b="$BARE_RATE" 'BEGIN{printf "%.2f", a/b}') time_per_credential_vs_bare=$(awk -v a="$VJSONL" -v b="$BARE_RATE" 'BEGIN{printf "%.3f", b/a}')"
echo "verify_batch_dir_per_sec=$VDIR ratio_to_bare=$(awk -v a="$VDIR" -v b="$BARE_RATE" 'BEGIN{printf "%.2f", a/b}') time_per_credential_vs_bare=$(awk -v a="$VDIR" -v b="$BARE_RATE" 'BEGIN{printf "%.3f", b/a}')"
echo "verify_stdin_stream_per_sec=$VSTREAM ratio_to_bare=$(awk -v a="$VSTREAM" -v b="$BARE_RATE" 'BEGIN{printf "%.2f", a/b}')"
echo "issue_ratio_to_bare_verify=$(awk -v a="$ISSUE" -v b="$BARE_RATE" 'BEGIN{printf "%.2f", a/b}')"
