//! QR reading benchmarks: a corpus photo, a clean rendered credential, a 1920×1080 webcam
//! frame with a small code, and the same frame without one (the whole cascade), each frame also
//! as live video (`ScanEffort::LiveFrame`), and a 1280×720 frame without a code as the counter
//! page sends it.
//!
//! `cargo bench -p ikd-core --features scan --bench scan`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// Issue 14: the benchmarks share the integration tests' helpers.
#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use common::{Rng, credential_payload, desk_frame, render};

use criterion::{Criterion, criterion_group, criterion_main};
use ikd_core::scan::{ScanEffort, ScanLimits, decode_image, decode_luma, decode_luma_with};
use image::{GrayImage, ImageFormat};

const CORPUS_IMAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/zxing-qrcode/qrcode-3/01.png");

/// Uneven light, clutter, a little blur and sensor noise; `tile` pasted at (`x`, `y`).
fn webcam_frame(tile: Option<&GrayImage>, x: u32, y: u32) -> GrayImage {
    let mut rng = Rng(7);
    let mut frame = desk_frame(&mut rng);
    if let Some(tile) = tile {
        for (tx, ty, p) in tile.enumerate_pixels() {
            if x + tx < 1920 && y + ty < 1080 {
                frame.put_pixel(x + tx, y + ty, *p);
            }
        }
    }
    let mut frame = image::imageops::blur(&frame, 0.7);
    for p in frame.pixels_mut() {
        p.0[0] = (f64::from(p.0[0]) + rng.gauss(6.0)).round().clamp(0.0, 255.0) as u8;
    }
    frame
}

fn scan_benches(c: &mut Criterion) {
    let limits = ScanLimits::default();
    // About 400 Base45-alphabet characters behind `IKD1:` (version 12-16 at EC level M).
    let payload = credential_payload(400, 42);

    match std::fs::read(CORPUS_IMAGE) {
        Ok(bytes) => {
            let luma = image::load_from_memory(&bytes).unwrap().to_luma8();
            assert!(decode_luma(&luma).is_ok(), "corpus image must decode");
            c.bench_function("scan/corpus_qrcode-3_01_luma", |b| b.iter(|| decode_luma(black_box(&luma))));
            c.bench_function("scan/corpus_qrcode-3_01_png", |b| b.iter(|| decode_image(black_box(&bytes), &limits)));
        }
        Err(_) => eprintln!("SKIPPED corpus benchmark: {CORPUS_IMAGE} not found"),
    }

    let clean = render(payload.as_bytes(), 4, 0, 255);
    let mut png = std::io::Cursor::new(Vec::new());
    clean.write_to(&mut png, ImageFormat::Png).unwrap();
    let png = png.into_inner();
    assert_eq!(decode_luma(&clean).unwrap()[0].text(), Some(payload.as_str()));
    c.bench_function("scan/clean_credential_400_chars_luma", |b| b.iter(|| decode_luma(black_box(&clean))));
    c.bench_function("scan/clean_credential_400_chars_png", |b| b.iter(|| decode_image(black_box(&png), &limits)));

    let tile = render(payload.as_bytes(), 3, 30, 215);
    let frame = webcam_frame(Some(&tile), 1210, 610);
    assert_eq!(decode_luma(&frame).unwrap()[0].text(), Some(payload.as_str()));
    c.bench_function("scan/webcam_1920x1080_small_code", |b| b.iter(|| decode_luma(black_box(&frame))));
    let empty = webcam_frame(None, 0, 0);
    assert!(decode_luma(&empty).is_err());
    c.bench_function("scan/webcam_1920x1080_no_code", |b| b.iter(|| decode_luma(black_box(&empty))));

    let live = ScanEffort::LiveFrame;
    assert_eq!(decode_luma_with(&frame, live).unwrap()[0].text(), Some(payload.as_str()));
    c.bench_function("scan/webcam_1920x1080_small_code_live_frame", |b| {
        b.iter(|| decode_luma_with(black_box(&frame), live))
    });
    assert!(decode_luma_with(&empty, live).is_err());
    c.bench_function("scan/webcam_1920x1080_no_code_live_frame", |b| {
        b.iter(|| decode_luma_with(black_box(&empty), live))
    });
    let empty_720 = image::imageops::resize(&empty, 1280, 720, image::imageops::FilterType::Triangle);
    assert!(decode_luma_with(&empty_720, live).is_err());
    c.bench_function("scan/webcam_1280x720_no_code_live_frame", |b| {
        b.iter(|| decode_luma_with(black_box(&empty_720), live))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = scan_benches
}
criterion_main!(benches);
