//! Inputs found by the fuzz targets in `fuzz/` (docs/FUZZING.md), kept as regression tests.
#![allow(clippy::panic)]

use ikd_core::scan::{ScanEffort, ScanError, decode_luma_with};

/// Found by `scan_luma` (and `scan_image`): on a frame in which more than 99 % of the pixels
/// are white (255), the contrast-stretch pass of the thorough cascade divides by zero
/// (`scan/prep.rs`, `stretch`: `low` is 255, `low.saturating_add(1)` stays 255, so
/// `high - low` is 0). The cascade contains the panic, so a blank, overexposed frame is
/// answered `decoder_failed` instead of "no QR code" with its hint. Inputs:
/// `fuzz/regressions/scan_luma/white-frame-8x8-thorough` (an 8×8 white frame) and
/// `fuzz/regressions/scan_image/crash-b2a872e97d678ef032f7d4758edf87d035751ac0`.
// Issue 13: a white frame made the contrast stretch divide by zero (fuzz finding).
#[test]
fn regression_fuzz_scan_white_frame() {
    for side in [8, 64, 300] {
        let white = image::GrayImage::from_pixel(side, side, image::Luma([255]));
        for effort in [ScanEffort::LiveFrame, ScanEffort::Thorough] {
            match decode_luma_with(&white, effort) {
                Err(ScanError::NoCode { .. }) => {}
                other => panic!("{side}x{side} white frame, {effort:?}: {other:?}"),
            }
        }
    }
}
