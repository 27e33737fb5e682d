//! Why nothing was read: cheap image statistics, computed only after every decode pass failed.
//!
//! The thresholds were set on synthetic images (see `tests/scan_synthetic.rs`) and checked
//! against the corpus images no pass reads; see `docs/QR-READING.md`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::GrayImage;

use super::ScanHint;
use super::engine::{self, Binariser};
use super::prep::percentile;

/// Images are averaged down to at most this many pixels on the long side for the brightness
/// and contrast statistics; averaging also takes out sensor noise.
const STATS_MAX_SIDE: u32 = 480;
/// Side of the blocks over which local contrast is measured, in downsampled pixels.
const BLOCK: u32 = 8;

/// Brightest 1 % of the image below this: too dark to read.
const DARK_P99: u8 = 64;
/// Darkest 5 % of the image above this: overexposed or washed out by glare.
const BRIGHT_P5: u8 = 176;
/// Even the most contrasted blocks span less than this brightness range: low contrast.
const LOW_CONTRAST_RANGE: u8 = 40;
/// Finder-pattern candidates with modules below this many pixels: too small to sample.
const SMALL_MODULE_PX: f64 = 2.5;
/// Strongest edges rise by less than this fraction of the local contrast per pixel: blurred.
const BLUR_EDGE_RATIO: f64 = 0.22;

/// A hint for an image in which no code could be read, where one can be detected.
pub(super) fn diagnose(image: &GrayImage) -> Option<ScanHint> {
    catch_unwind(AssertUnwindSafe(|| diagnose_inner(image))).unwrap_or(None)
}

fn diagnose_inner(image: &GrayImage) -> Option<ScanHint> {
    let (width, height) = image.dimensions();
    if width.min(height) < 21 {
        // Not even a version-1 code at one pixel per module fits.
        return Some(ScanHint::TooSmall);
    }
    let small = downsample(image);
    let mut histogram = [0u64; 256];
    for &p in small.as_raw() {
        if let Some(slot) = histogram.get_mut(usize::from(p)) {
            *slot += 1;
        }
    }
    let total = small.as_raw().len() as u64;
    if percentile(&histogram, total, 99) < DARK_P99 {
        return Some(ScanHint::TooDark);
    }
    if percentile(&histogram, total, 5) > BRIGHT_P5 {
        return Some(ScanHint::TooBright);
    }
    let contrast = local_contrast(&small);
    if contrast < LOW_CONTRAST_RANGE {
        return Some(ScanHint::LowContrast);
    }
    if looks_too_small(image) {
        return Some(ScanHint::TooSmall);
    }
    if edge_strength(image) < BLUR_EDGE_RATIO * f64::from(contrast) {
        return Some(ScanHint::Blurred);
    }
    None
}

/// Box-average `image` down so its long side is at most [`STATS_MAX_SIDE`].
fn downsample(image: &GrayImage) -> GrayImage {
    let (width, height) = image.dimensions();
    let factor = width.max(height).div_ceil(STATS_MAX_SIDE).max(1);
    if factor == 1 {
        return image.clone();
    }
    let (out_w, out_h) = ((width / factor).max(1), (height / factor).max(1));
    let raw = image.as_raw();
    let area = factor * factor;
    GrayImage::from_fn(out_w, out_h, |ox, oy| {
        let mut sum = 0u32;
        for y in oy * factor..(oy * factor + factor).min(height) {
            let start = (y * width + ox * factor) as usize;
            let end = start + factor.min(width - ox * factor) as usize;
            sum += raw.get(start..end).map_or(0, |row| row.iter().map(|&p| u32::from(p)).sum());
        }
        image::Luma([(sum / area) as u8])
    })
}

/// The 95th percentile, over [`BLOCK`]-sized blocks, of the brightness range within a block:
/// the contrast of the most contrasted parts of the image, where a code would be.
fn local_contrast(image: &GrayImage) -> u8 {
    let (width, height) = image.dimensions();
    let mut ranges = Vec::new();
    for by in (0..height).step_by(BLOCK as usize) {
        for bx in (0..width).step_by(BLOCK as usize) {
            let mut low = u8::MAX;
            let mut high = u8::MIN;
            for y in by..(by + BLOCK).min(height) {
                for x in bx..(bx + BLOCK).min(width) {
                    if let Some(p) = image.get_pixel_checked(x, y) {
                        low = low.min(p.0[0]);
                        high = high.max(p.0[0]);
                    }
                }
            }
            ranges.push(high.saturating_sub(low));
        }
    }
    ranges.sort_unstable();
    let at = ranges.len().saturating_sub(1) * 95 / 100;
    ranges.get(at).copied().unwrap_or(0)
}

/// Whether finder-pattern-like rings are present, but with modules too small to sample.
fn looks_too_small(image: &GrayImage) -> bool {
    let Some(matrix) = engine::binarise(image, Binariser::Hybrid) else {
        return false;
    };
    let mut modules: Vec<f64> = engine::finder_pattern_sizes(&matrix).into_iter().map(|size| size / 7.0).collect();
    if modules.len() < 3 {
        return false;
    }
    modules.sort_by(f64::total_cmp);
    // The three finder patterns of one code are alike; look at the smallest triple.
    modules.get(2).is_some_and(|&m| m < SMALL_MODULE_PX)
}

/// The 99.5th percentile of the brightness step between neighbouring pixels (full resolution,
/// every other row): a sharp code has steps close to its full contrast, a blurred one only a
/// fraction of it.
fn edge_strength(image: &GrayImage) -> f64 {
    let (width, height) = image.dimensions();
    let raw = image.as_raw();
    let width = width as usize;
    let mut histogram = [0u64; 256];
    let mut total = 0u64;
    let rows: Vec<&[u8]> = raw.chunks_exact(width).collect();
    let step = (height as usize / 540).max(1) * 2;
    for pair in rows.windows(2).step_by(step) {
        let [row, below] = pair else { continue };
        for (x, (&p, &q)) in row.iter().zip(below.iter()).enumerate() {
            let right = row.get(x + 1).copied().unwrap_or(p);
            let step = p.abs_diff(right).max(p.abs_diff(q));
            if let Some(slot) = histogram.get_mut(usize::from(step)) {
                *slot += 1;
                total += 1;
            }
        }
    }
    let target = total.saturating_mul(995) / 1000;
    let mut seen = 0u64;
    for (value, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen > target {
            return value as f64;
        }
    }
    255.0
}
