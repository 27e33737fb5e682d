//! ZXing's photographed QR corpus, read at 0°, 90°, 180° and 270°.
//!
//! Run with the per-folder table and timings:
//! `cargo test --release -p ikd-core --features scan --test scan_corpus -- --nocapture`
//!
//! The corpus lives outside the repository in `../shared/corpora/zxing-qrcode` (see
//! `/work/shared/corpora/README.md` beside the checkout); without it the test says so and passes.
//! Results are recorded in `docs/QR-READING.md`; the floors below are the counts reached there,
//! so a change can't quietly read fewer codes, or any wrong data.
#![cfg(feature = "scan")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ikd_core::scan::{ScanEffort, ScanLimits, ScannedCode, decode_image, decode_luma, decode_luma_with};
use image::GrayImage;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/zxing-qrcode");

const ROTATIONS: [u32; 4] = [0, 90, 180, 270];
/// Timed decodes per image (the fastest counts): one in debug builds, to keep CI quick.
const TIMING_RUNS: usize = if cfg!(debug_assertions) { 1 } else { 3 };

/// Codes read per folder and rotation (0°, 90°, 180°, 270°), as recorded in docs/QR-READING.md.
const FLOORS: [(&str, [usize; 4]); 6] = [
    ("qrcode-1", [20, 20, 20, 20]),
    ("qrcode-2", [34, 34, 34, 34]),
    ("qrcode-3", [42, 42, 42, 42]),
    ("qrcode-4", [41, 42, 41, 43]),
    ("qrcode-5", [19, 19, 19, 19]),
    ("qrcode-6", [15, 15, 15, 15]),
];
/// ZXing's own floors for its Java decoder (from the corpus README), for the table.
const ZXING: [[usize; 4]; 6] =
    [[17, 14, 17, 14], [32, 30, 31, 31], [38, 39, 36, 39], [36, 35, 35, 35], [19, 19, 19, 19], [15, 14, 13, 14]];
const TOTAL_FLOOR: usize = 687;
/// Codes read with [`ScanEffort::LiveFrame`], which gives up when its first look finds no set
/// of finder patterns (docs/QR-READING.md lists the 5 reads this loses).
const LIVE_FRAME_FLOOR: usize = 682;

/// Other real symbols in corpus images, which are not wrong reads: `qrcode-2/16` holds a small
/// QR code inside the large one.
const OTHER_SYMBOLS: [(&str, &str, &str); 1] = [("qrcode-2", "16", "[内側QRコード]")];

struct Case {
    folder: String,
    stem: String,
    expected: Vec<u8>,
    path: PathBuf,
}

fn cases(root: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    for (folder, _) in FLOORS {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg")))
            .collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let expected = std::fs::read(path.with_extension("txt")).unwrap();
            out.push(Case { folder: folder.to_owned(), stem, expected, path });
        }
    }
    out
}

fn rotate(image: &GrayImage, degrees: u32) -> GrayImage {
    match degrees {
        0 => image.clone(),
        90 => image::imageops::rotate90(image),
        180 => image::imageops::rotate180(image),
        _ => image::imageops::rotate270(image),
    }
}

fn matches(code: &ScannedCode, expected: &[u8]) -> bool {
    code.bytes() == expected || code.text().is_some_and(|t| t.as_bytes() == expected)
}

fn is_other_symbol(case: &Case, code: &ScannedCode) -> bool {
    OTHER_SYMBOLS.iter().any(|(folder, stem, prefix)| {
        case.folder == *folder && case.stem == *stem && code.text().is_some_and(|t| t.starts_with(prefix))
    })
}

fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    let at = (sorted.len().saturating_sub(1) * pct).div_ceil(100);
    sorted[at.min(sorted.len() - 1)]
}

/// The corpus folder, or `None` (with a note) when it is not beside the checkout.
fn corpus_root() -> Option<&'static Path> {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!(
            "SKIPPED: QR corpus not found at {} (it lives in shared/corpora beside the checkout)",
            root.display()
        );
        return None;
    }
    Some(root)
}

#[test]
fn zxing_corpus_floor_and_no_wrong_reads() {
    let Some(root) = corpus_root() else { return };
    let cases = cases(root);
    assert_eq!(cases.len(), 179, "the corpus README promises 179 images");

    let mut counts = [[0usize; 4]; 6];
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    let mut times = Vec::new();
    for case in &cases {
        let folder_index = FLOORS.iter().position(|(f, _)| *f == case.folder).unwrap();
        let bytes = std::fs::read(&case.path).unwrap();
        let luma = image::load_from_memory(&bytes).unwrap().to_luma8();
        for (r, degrees) in ROTATIONS.iter().enumerate() {
            let rotated = rotate(&luma, *degrees);
            // The fastest of a few runs (one in debug builds), so that other work on the
            // machine does not show up as decoding time.
            let mut result = decode_luma(&rotated);
            let mut best = Duration::MAX;
            for _ in 0..TIMING_RUNS {
                let start = Instant::now();
                result = decode_luma(&rotated);
                best = best.min(start.elapsed());
            }
            times.push(best);
            if *degrees == 0 {
                // The encoded-file entry point must agree with the grayscale one.
                let from_file = decode_image(&bytes, &ScanLimits::default());
                assert_eq!(from_file.as_ref().ok(), result.as_ref().ok(), "{}/{}", case.folder, case.stem);
            }
            let name = format!("{}/{} at {degrees}°", case.folder, case.stem);
            match result {
                Ok(codes) => {
                    if codes.iter().any(|c| matches(c, &case.expected)) {
                        counts[folder_index][r] += 1;
                    } else {
                        missed.push(name.clone());
                    }
                    for code in &codes {
                        if !matches(code, &case.expected) && !is_other_symbol(case, code) {
                            wrong.push(format!(
                                "{name}: read {:?}",
                                code.text().map_or_else(|| format!("{:02x?}", code.bytes()), str::to_owned)
                            ));
                        }
                    }
                }
                Err(e) => missed.push(format!("{name}: {} ({e})", e.code())),
            }
        }
    }

    println!();
    println!("| folder | images | 0° | 90° | 180° | 270° | total | ZXing floor |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut column_totals = [0usize; 4];
    for (i, (folder, _)) in FLOORS.iter().enumerate() {
        let images = cases.iter().filter(|c| c.folder == *folder).count();
        let row = counts[i];
        for (t, c) in column_totals.iter_mut().zip(row) {
            *t += c;
        }
        println!(
            "| {folder} | {images} | {} | {} | {} | {} | {} | {} |",
            row[0],
            row[1],
            row[2],
            row[3],
            row.iter().sum::<usize>(),
            ZXING[i].iter().sum::<usize>()
        );
    }
    let total: usize = column_totals.iter().sum();
    println!(
        "| total | {} | {} | {} | {} | {} | {total} | 611 |",
        cases.len(),
        column_totals[0],
        column_totals[1],
        column_totals[2],
        column_totals[3]
    );
    times.sort();
    let sum: Duration = times.iter().sum();
    println!(
        "\ndecode_luma per image (fastest of {TIMING_RUNS}): median {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms over {} decodes",
        percentile(&times, 50).as_secs_f64() * 1e3,
        percentile(&times, 99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
        sum.as_secs_f64() * 1e3 / times.len() as f64,
        times.len()
    );
    println!("\nnot read ({}):", missed.len());
    for m in &missed {
        println!("  {m}");
    }
    println!("wrong reads ({}):", wrong.len());
    for w in &wrong {
        println!("  {w}");
    }

    assert!(wrong.is_empty(), "wrong-data reads: {wrong:#?}");
    for (i, (folder, floor)) in FLOORS.iter().enumerate() {
        for r in 0..4 {
            assert!(
                counts[i][r] >= floor[r],
                "{folder} at {}°: read {}, floor {}",
                ROTATIONS[r],
                counts[i][r],
                floor[r]
            );
        }
    }
    assert!(total >= TOTAL_FLOOR, "read {total}, floor {TOTAL_FLOOR}");
}

#[test]
fn zxing_corpus_live_frame_floor_and_no_wrong_reads() {
    let Some(root) = corpus_root() else { return };
    let cases = cases(root);
    let mut read = 0;
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    let mut times = Vec::new();
    for case in &cases {
        let bytes = std::fs::read(&case.path).unwrap();
        let luma = image::load_from_memory(&bytes).unwrap().to_luma8();
        for degrees in ROTATIONS {
            let rotated = rotate(&luma, degrees);
            let start = Instant::now();
            let result = decode_luma_with(&rotated, ScanEffort::LiveFrame);
            times.push(start.elapsed());
            let name = format!("{}/{} at {degrees}°", case.folder, case.stem);
            match result {
                Ok(codes) => {
                    if codes.iter().any(|c| matches(c, &case.expected)) {
                        read += 1;
                    } else {
                        missed.push(name.clone());
                    }
                    for code in &codes {
                        if !matches(code, &case.expected) && !is_other_symbol(case, code) {
                            wrong.push(format!("{name}: read {:?}", code.text()));
                        }
                    }
                }
                Err(e) => missed.push(format!("{name}: {} ({e})", e.code())),
            }
        }
    }
    times.sort();
    println!(
        "\nLiveFrame: {read} of {} read; decode_luma_with per image (one run): median {:.2} ms, p99 {:.2} ms",
        cases.len() * ROTATIONS.len(),
        percentile(&times, 50).as_secs_f64() * 1e3,
        percentile(&times, 99).as_secs_f64() * 1e3,
    );
    println!("LiveFrame not read ({}):", missed.len());
    for m in &missed {
        println!("  {m}");
    }
    assert!(wrong.is_empty(), "wrong-data reads: {wrong:#?}");
    assert!(read >= LIVE_FRAME_FLOOR, "LiveFrame read {read}, floor {LIVE_FRAME_FLOOR}");
}
