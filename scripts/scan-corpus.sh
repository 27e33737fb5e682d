#!/usr/bin/env bash
# Read ZXing's photographed QR corpus (../shared/corpora/zxing-qrcode) at 0°, 90°, 180° and 270°
# and print the per-folder table, the decode times and every image not read (docs/QR-READING.md).
# With --timing, also time 1920x1080 webcam frames and 12-megapixel photos.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release -p ikd-core --features scan --test scan_corpus -- --nocapture
if [[ "${1:-}" == "--timing" ]]; then
    cargo test --release -p ikd-core --features scan --test scan_synthetic -- --ignored --nocapture
fi
