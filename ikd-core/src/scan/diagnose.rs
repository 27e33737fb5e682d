//! Why nothing was read: cheap image statistics, computed only after every decode pass failed.
//!
//! The thresholds were set on synthetic images (see `tests/scan_synthetic.rs`) and checked
//! against the corpus images no pass reads; see `docs/QR-READING.md`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::GrayImage;

use super::ScanHint;
use super::prep::percentile;

/// Images are averaged down 2×2 (more if they are larger than this on the long side) for the
/// brightness and contrast statistics, which takes out most sensor noise but keeps small codes.
const STATS_MAX_SIDE: u32 = 1024;
/// Side of the blocks over which local contrast is measured, in downsampled pixels.
const BLOCK: u32 = 8;

/// Brightest 1 % of the image below this: too dark to read.
const DARK_P99: u8 = 64;
/// Darkest 5 % of the image above this, and half of it above [`BRIGHT_P50`]: overexposed or
/// washed out by glare (a plain light background alone is not).
const BRIGHT_P5: u8 = 160;
/// See [`BRIGHT_P5`].
const BRIGHT_P50: u8 = 228;
/// Even the most contrasted blocks span less than this brightness range: low contrast.
const LOW_CONTRAST_RANGE: u8 = 40;
/// Code-like texture with modules below this many pixels: too small to sample.
const SMALL_MODULE_PX: f64 = 2.5;
/// Side of the blocks in which fine texture is looked for, in pixels.
const PATCH_BLOCK: u32 = 8;
/// Steps between neighbours within one row of a patch block.
const PATCH_STEPS_PER_ROW: u32 = PATCH_BLOCK - 1;
/// Steps between neighbours within one patch block: [`PATCH_STEPS_PER_ROW`] per row.
const PATCH_STEPS: u32 = PATCH_STEPS_PER_ROW * PATCH_BLOCK;
/// Textured blocks span at least this brightness range.
const PATCH_MIN_RANGE: u32 = 40;
/// A textured patch has at least this many blocks (a version-1 code at 1.25 pixels per module
/// covers about 16).
const PATCH_MIN_BLOCKS: u32 = 12;
/// A textured patch at most this many pixels across may be a code too small to read.
const PATCH_MAX_SIDE: u32 = 200;
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
        // A count of pixels: it cannot reach 2^64.
        if let Some(slot) = histogram.get_mut(usize::from(p)) {
            *slot = slot.wrapping_add(1);
        }
    }
    let total = small.as_raw().len() as u64;
    if percentile(&histogram, total, 99) < DARK_P99 {
        return Some(ScanHint::TooDark);
    }
    if percentile(&histogram, total, 5) > BRIGHT_P5 && percentile(&histogram, total, 50) > BRIGHT_P50 {
        return Some(ScanHint::TooBright);
    }
    if has_small_textured_patch(image) {
        return Some(ScanHint::TooSmall);
    }
    let contrast = local_contrast(&small);
    if contrast < LOW_CONTRAST_RANGE {
        return Some(ScanHint::LowContrast);
    }
    if edge_strength(image) < BLUR_EDGE_RATIO * f64::from(contrast) {
        return Some(ScanHint::Blurred);
    }
    None
}

/// Box-average `image` down by 2, or more if that leaves its long side above
/// [`STATS_MAX_SIDE`].
fn downsample(image: &GrayImage) -> GrayImage {
    let (width, height) = image.dimensions();
    // At least 2×2, which halves the noise.
    let factor = width.max(height).div_ceil(STATS_MAX_SIDE).max(2);
    let shrunk = |side: u32| side.checked_div(factor).unwrap_or(0).max(1);
    let (out_w, out_h) = (shrunk(width), shrunk(height));
    let (row_len, f) = (width as usize, factor as usize);
    if row_len == 0 || height == 0 {
        return GrayImage::new(out_w, out_h);
    }
    let area = factor.saturating_mul(factor);
    let mut columns = vec![0u32; row_len];
    let mut pixels = Vec::with_capacity((out_w as usize).saturating_mul(out_h as usize));
    // Blocks are only partial in an image narrower or shorter than `factor`; their sum is
    // divided by the full area all the same.
    for rows in image.as_raw().chunks(row_len.saturating_mul(f)).take(out_h as usize) {
        columns.fill(0);
        // `factor` rows of at most 255 each (factor ≤ 2^32 / 1024): the sums never wrap.
        for row in rows.chunks(row_len) {
            for (sum, &p) in columns.iter_mut().zip(row) {
                *sum = sum.wrapping_add(u32::from(p));
            }
        }
        let blocks = columns.chunks(f).take(out_w as usize);
        if area.is_power_of_two() {
            // The usual factors 2 (images up to 2048 pixels) and 4: a shift, not a division.
            let shift = area.trailing_zeros();
            pixels.extend(blocks.map(|block| (block.iter().sum::<u32>() >> shift) as u8));
        } else {
            pixels.extend(blocks.map(|block| block.iter().sum::<u32>().checked_div(area).unwrap_or(0) as u8));
        }
    }
    GrayImage::from_raw(out_w, out_h, pixels).unwrap_or_else(|| GrayImage::new(out_w, out_h))
}

/// The 99th percentile, over [`BLOCK`]-sized blocks, of the brightness range within a block:
/// the contrast of the most contrasted parts of the image, where a code would be.
fn local_contrast(image: &GrayImage) -> u8 {
    let width = image.width() as usize;
    if width == 0 {
        return 0;
    }
    let block = BLOCK as usize;
    let columns = width.div_ceil(block);
    let mut ranges = Vec::with_capacity(columns.saturating_mul((image.height() as usize).div_ceil(block)));
    let (mut lows, mut highs) = (vec![u8::MAX; columns], vec![u8::MIN; columns]);
    for rows in image.as_raw().chunks(width.saturating_mul(block)) {
        lows.fill(u8::MAX);
        highs.fill(u8::MIN);
        for row in rows.chunks(width) {
            for ((low, high), pixels) in lows.iter_mut().zip(highs.iter_mut()).zip(row.chunks(block)) {
                for &p in pixels {
                    *low = (*low).min(p);
                    *high = (*high).max(p);
                }
            }
        }
        ranges.extend(lows.iter().zip(&highs).map(|(&low, &high)| high.saturating_sub(low)));
    }
    ranges.sort_unstable();
    let at = ranges.len().saturating_sub(1).saturating_mul(99) / 100;
    ranges.get(at).copied().unwrap_or(0)
}

/// Whether the image holds a compact, square, finely textured patch (a code too small for its
/// finder patterns to be found) whose texture is finer than [`SMALL_MODULE_PX`] pixels per
/// module.
fn has_small_textured_patch(image: &GrayImage) -> bool {
    let (width, height) = image.dimensions();
    let (cols, rows) = (width / PATCH_BLOCK, height / PATCH_BLOCK);
    let cols_len = cols as usize;
    if cols < 3 || rows < 3 {
        return false;
    }
    // Textured means well above the sensor noise, too.
    let min_range = PATCH_MIN_RANGE.max((7.0 * noise_sigma(image)).round() as u32);
    let busy = textured_blocks(image, cols as usize, rows as usize, min_range);
    let mut seen = vec![false; busy.len()];
    let index = |bx: u32, by: u32| (by as usize).saturating_mul(cols_len).saturating_add(bx as usize);
    for start in 0..busy.len() {
        if seen.get(start) != Some(&false) || busy.get(start) != Some(&true) {
            continue;
        }
        // Flood-fill one component of textured blocks, tracking its bounding box.
        let mut stack = vec![start];
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        let (mut x0, mut y0, mut x1, mut y1, mut count) = (u32::MAX, u32::MAX, 0u32, 0u32, 0u32);
        while let Some(at) = stack.pop() {
            // `cols` is at least 3, and `at` below cols · rows.
            let (bx, by) = (at.checked_rem(cols_len).unwrap_or(0) as u32, at.checked_div(cols_len).unwrap_or(0) as u32);
            (x0, y0, x1, y1) = (x0.min(bx), y0.min(by), x1.max(bx), y1.max(by));
            count = count.saturating_add(1);
            // Off the grid (wrapped below 0, or at u32::MAX) fails the bounds check below.
            let neighbours = [
                (bx.wrapping_sub(1), by),
                (bx.saturating_add(1), by),
                (bx, by.wrapping_sub(1)),
                (bx, by.saturating_add(1)),
            ];
            for (nx, ny) in neighbours {
                if nx < cols && ny < rows {
                    let n = index(nx, ny);
                    if busy.get(n) == Some(&true) && seen.get(n) == Some(&false) {
                        if let Some(s) = seen.get_mut(n) {
                            *s = true;
                        }
                        stack.push(n);
                    }
                }
            }
        }
        // At least one block was visited, so x0 ≤ x1 and y0 ≤ y1.
        let (w, h) = (x1.saturating_sub(x0).saturating_add(1), y1.saturating_sub(y0).saturating_add(1));
        let square = w.max(h) <= w.min(h).saturating_mul(2);
        let filled = count.saturating_mul(3) >= w.saturating_mul(h);
        let compact = w.max(h).saturating_mul(PATCH_BLOCK) <= PATCH_MAX_SIDE;
        if count >= PATCH_MIN_BLOCKS && square && filled && compact {
            let px = |blocks: u32| blocks.saturating_mul(PATCH_BLOCK);
            let module = module_estimate(image, px(x0), px(y0), px(w), px(h));
            if module < SMALL_MODULE_PX {
                return true;
            }
        }
    }
    false
}

/// Standard deviation of the sensor noise, estimated from the median step between
/// horizontally neighbouring pixels (mostly flat in any photo): median |a − b| ≈ 0.95 σ.
fn noise_sigma(image: &GrayImage) -> f64 {
    let mut histogram = [0u64; 256];
    let mut total = 0u64;
    for row in image.as_raw().chunks_exact(image.width().max(1) as usize).step_by(2) {
        for (a, b) in row.iter().zip(row.iter().skip(1)) {
            // Counts of pixels: they cannot reach 2^64.
            if let Some(slot) = histogram.get_mut(usize::from(a.abs_diff(*b))) {
                *slot = slot.wrapping_add(1);
                total = total.wrapping_add(1);
            }
        }
    }
    f64::from(percentile(&histogram, total, 50)) / 0.95
}

/// Which of the `cols` × `rows` [`PATCH_BLOCK`]-sized blocks (row by row) are textured: their
/// brightness range is at least `min_range` and changes often along their rows (a code's module
/// pattern), not once (an object's edge).
fn textured_blocks(image: &GrayImage, cols: usize, rows: usize, min_range: u32) -> Vec<bool> {
    let width = image.width() as usize;
    let block = PATCH_BLOCK as usize;
    let used = cols.saturating_mul(block);
    let mut busy = Vec::with_capacity(cols.saturating_mul(rows));
    // Per pixel column over one band of `block` rows: lowest and highest value, and the sum of
    // the steps to the right-hand neighbour. Element-wise, so that it vectorises.
    let (mut lows, mut highs, mut steps) = (vec![u8::MAX; used], vec![u8::MIN; used], vec![0u16; used]);
    for band in image.as_raw().chunks_exact(width.saturating_mul(block).max(1)).take(rows) {
        lows.fill(u8::MAX);
        highs.fill(u8::MIN);
        steps.fill(0);
        for row in band.chunks_exact(width.max(1)) {
            for ((low, high), &p) in lows.iter_mut().zip(highs.iter_mut()).zip(row) {
                *low = (*low).min(p);
                *high = (*high).max(p);
            }
            // At most `block` (8) steps of at most 255: no u16 wrapping.
            for ((step, &p), &right) in steps.iter_mut().zip(row).zip(row.iter().skip(1)) {
                *step = step.wrapping_add(u16::from(p.abs_diff(right)));
            }
        }
        let blocks = lows.chunks_exact(block).zip(highs.chunks_exact(block)).zip(steps.chunks_exact(block));
        busy.extend(blocks.map(|((low, high), step)| {
            let low = low.iter().copied().min().unwrap_or(u8::MAX);
            let high = high.iter().copied().max().unwrap_or(u8::MIN);
            let range = u32::from(high.saturating_sub(low));
            // The last column's step crosses into the next block.
            let step: u32 = step.iter().take(PATCH_STEPS_PER_ROW as usize).map(|&s| u32::from(s)).sum();
            range >= min_range && step.saturating_mul(5) >= range.saturating_mul(PATCH_STEPS)
        }));
    }
    busy
}

/// Module size, in pixels, of the code-like texture in a region: the mean length of dark and
/// light runs along its rows at the region's mid-grey threshold, halved (runs of a random
/// module pattern average two modules).
fn module_estimate(image: &GrayImage, x: u32, y: u32, w: u32, h: u32) -> f64 {
    let (mut low, mut high) = (u8::MAX, u8::MIN);
    let (x_end, y_end) = (x.saturating_add(w), y.saturating_add(h));
    for yy in y..y_end {
        for xx in x..x_end {
            if let Some(p) = image.get_pixel_checked(xx, yy) {
                low = low.min(p.0[0]);
                high = high.max(p.0[0]);
            }
        }
    }
    let threshold = u16::from(low).saturating_add(u16::from(high)) / 2;
    let (mut runs, mut pixels) = (0u32, 0u32);
    for yy in y..y_end {
        let mut previous = None;
        for xx in x..x_end {
            let Some(p) = image.get_pixel_checked(xx, yy) else {
                continue;
            };
            let dark = u16::from(p.0[0]) < threshold;
            if previous != Some(dark) {
                runs = runs.saturating_add(1);
            }
            previous = Some(dark);
            pixels = pixels.saturating_add(1);
        }
    }
    if runs == 0 {
        return f64::INFINITY;
    }
    f64::from(pixels) / f64::from(runs) / 2.0
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
    let rows: Vec<&[u8]> = raw.chunks_exact(width.max(1)).collect();
    let step = (height as usize / 540).max(1).saturating_mul(2);
    for pair in rows.windows(2).step_by(step) {
        let [row, below] = pair else { continue };
        for (x, (&p, &q)) in row.iter().zip(below.iter()).enumerate() {
            // x is below the row's length: no wrapping.
            let right = row.get(x.wrapping_add(1)).copied().unwrap_or(p);
            let step = p.abs_diff(right).max(p.abs_diff(q));
            // Counts of pixels: they cannot reach 2^64.
            if let Some(slot) = histogram.get_mut(usize::from(step)) {
                *slot = slot.wrapping_add(1);
                total = total.wrapping_add(1);
            }
        }
    }
    let target = total.saturating_mul(995) / 1000;
    let mut seen = 0u64;
    for (value, &count) in histogram.iter().enumerate() {
        seen = seen.saturating_add(count);
        if seen > target {
            return value as f64;
        }
    }
    255.0
}
