//! Image clean-ups tried when a plain decode fails: sharpening, contrast stretching, upscaling.

use image::GrayImage;
use image::imageops::{FilterType, resize};

use super::WORKING_MAX_PIXELS;

/// Unsharp mask with a box blur: `out = 2·in − box_blur(in, radius)`, clamped.
///
/// Restores edges softened by focus blur or JPEG, which helps both the binariser and the
/// module sampling on small or soft codes. Cost is linear in the pixel count, whatever the
/// radius.
pub(super) fn sharpen(image: &GrayImage, radius: u32) -> GrayImage {
    let (width, height) = image.dimensions();
    let blurred = box_blur(image.as_raw(), width as usize, height as usize, radius as usize);
    let pixels = image
        .as_raw()
        .iter()
        .zip(blurred.iter())
        // In −255..=510 before the clamp: no i32 wrapping.
        .map(|(&p, &b)| i32::from(p).wrapping_mul(2).wrapping_sub(i32::from(b)).clamp(0, 255) as u8)
        .collect();
    GrayImage::from_raw(width, height, pixels).unwrap_or_else(|| image.clone())
}

/// Stretch brightness so that the darkest 1 % of pixels become black and the brightest 1 %
/// white. Gives the global-histogram binariser full resolution on dim or washed-out images.
pub(super) fn stretch(image: &GrayImage) -> GrayImage {
    let mut histogram = [0u64; 256];
    for &p in image.as_raw() {
        // A count of pixels: it cannot reach 2^64.
        if let Some(slot) = histogram.get_mut(usize::from(p)) {
            *slot = slot.wrapping_add(1);
        }
    }
    let total = image.as_raw().len() as u64;
    // `low` at most 254 and `high` above it, so the range is never empty, even on an image of
    // one brightness (a plain white one used to divide by zero here).
    let low = percentile(&histogram, total, 1).min(254);
    let high = percentile(&histogram, total, 99).max(low.saturating_add(1));
    let (low, high) = (i32::from(low), i32::from(high));
    // All of v, low and high are in 0..=255: the products stay far within i32.
    let range = high.saturating_sub(low);
    let table: Vec<u8> = (0..=255i32)
        .map(|v| v.saturating_sub(low).saturating_mul(255).checked_div(range).unwrap_or(v).clamp(0, 255) as u8)
        .collect();
    let mut out = image.clone();
    for p in out.iter_mut() {
        *p = table.get(usize::from(*p)).copied().unwrap_or(*p);
    }
    out
}

/// The brightness at or below which `percent` of the pixels lie.
pub(super) fn percentile(histogram: &[u64; 256], total: u64, percent: u64) -> u8 {
    let target = total.saturating_mul(percent) / 100;
    let mut seen = 0u64;
    for (value, &count) in histogram.iter().enumerate() {
        seen = seen.saturating_add(count);
        if seen > target {
            return value as u8;
        }
    }
    255
}

/// Bilinear upscaling by `num / den`.
pub(super) fn upscale(image: &GrayImage, num: u32, den: u32) -> GrayImage {
    let (width, height) = image.dimensions();
    let scale = |v: u32| {
        let scaled = u64::from(v).saturating_mul(u64::from(num)).checked_div(u64::from(den)).unwrap_or(u64::from(v));
        u32::try_from(scaled).unwrap_or(u32::MAX)
    };
    resize(image, scale(width), scale(height), FilterType::Triangle)
}

/// The smallest whole factor by which a `width` × `height` image must be shrunk (on each side)
/// to have at most [`WORKING_MAX_PIXELS`] pixels; 1 if it has no more already.
pub(super) fn working_factor(width: u32, height: u32) -> u32 {
    let (width, height) = (u64::from(width), u64::from(height));
    let mut factor = 1u64;
    // Ends once `factor` exceeds the shorter side (the product is then 0), so `factor` stays
    // within u32.
    let shrunk = |side: u64, factor: u64| side.checked_div(factor).unwrap_or(0);
    while shrunk(width, factor).saturating_mul(shrunk(height, factor)) > WORKING_MAX_PIXELS {
        factor = factor.saturating_add(1);
    }
    u32::try_from(factor).unwrap_or(u32::MAX)
}

/// `image` shrunk by [`working_factor`], each factor × factor block averaged into one pixel
/// (rounded; the last partial row and column of blocks are dropped); `None` if it is already
/// within [`WORKING_MAX_PIXELS`].
pub(super) fn shrink_to_working_size(image: &GrayImage) -> Option<GrayImage> {
    let (width, height) = image.dimensions();
    let factor = working_factor(width, height);
    if factor <= 1 {
        return None;
    }
    let (out_w, out_h) = (width.checked_div(factor)?, height.checked_div(factor)?);
    let (row_len, f) = (usize::try_from(width).ok()?, usize::try_from(factor).ok()?);
    let area = u64::from(factor).saturating_mul(u64::from(factor));
    let half = area / 2;
    let mut sums = vec![0u64; usize::try_from(out_w).ok()?];
    let mut pixels = Vec::with_capacity(usize::try_from(u64::from(out_w).saturating_mul(u64::from(out_h))).ok()?);
    let band = row_len.checked_mul(f)?;
    for rows in image.as_raw().chunks_exact(band).take(usize::try_from(out_h).ok()?) {
        sums.fill(0);
        for row in rows.chunks_exact(row_len) {
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(f)) {
                *sum = block.iter().fold(*sum, |s, &p| s.saturating_add(u64::from(p)));
            }
        }
        // Each sum is at most 255 · area, so the rounded mean is at most 255.
        pixels.extend(
            sums.iter()
                .map(|&sum| u8::try_from(sum.saturating_add(half).checked_div(area).unwrap_or(0)).unwrap_or(u8::MAX)),
        );
    }
    GrayImage::from_raw(out_w, out_h, pixels)
}

/// Rounded division of a sum of `count` pixels by `count`, as a multiplication (a division by
/// a run-time value per pixel would dominate the blur). Exact for counts up to 15: the
/// reciprocal's rounding error stays below 1/count for sums up to 255 · 15.
struct Mean {
    half: u32,
    reciprocal: u32,
}

impl Mean {
    fn new(count: u32) -> Self {
        let count = count.max(1);
        Self { half: count / 2, reciprocal: (1u32 << 16).div_ceil(count) }
    }

    /// Wrapping arithmetic, which does not wrap for the windows used (at most 15 pixels):
    /// (255 · 15 + 7) · 2^16 < 2^32.
    fn of(&self, sum: u32) -> u8 {
        sum.wrapping_add(self.half).wrapping_mul(self.reciprocal).wrapping_shr(16).min(255) as u8
    }
}

/// Separable box blur with edge pixels repeated. `radius` 0 copies.
fn box_blur(pixels: &[u8], width: usize, height: usize, radius: usize) -> Vec<u8> {
    if radius == 0 || width == 0 || height == 0 {
        return pixels.to_vec();
    }
    let rows = blur_rows(pixels, width, radius);
    blur_columns(&rows, width, height, radius)
}

/// Box-blur each row of a `width`-wide image.
fn blur_rows(pixels: &[u8], width: usize, radius: usize) -> Vec<u8> {
    let window = radius.saturating_mul(2).saturating_add(1);
    let mut out = Vec::with_capacity(pixels.len());
    let mut prefix: Vec<u32> = Vec::with_capacity(width.saturating_add(window).saturating_add(1));
    for row in pixels.chunks_exact(width) {
        let first = row.first().copied().unwrap_or(0);
        let last = row.last().copied().unwrap_or(0);
        let padded =
            std::iter::repeat_n(first, radius).chain(row.iter().copied()).chain(std::iter::repeat_n(last, radius));
        prefix.clear();
        prefix.push(0);
        let mut sum = 0u32;
        // Prefix sums modulo 2^32: the difference of two is the exact window sum, which is far
        // below 2^32, even where the prefix sums themselves wrap.
        for v in padded {
            sum = sum.wrapping_add(u32::from(v));
            prefix.push(sum);
        }
        let mean = Mean::new(u32::try_from(window).unwrap_or(u32::MAX));
        out.extend(prefix.iter().zip(prefix.iter().skip(window)).map(|(a, b)| mean.of(b.wrapping_sub(*a))));
    }
    out
}

/// Box-blur each column, keeping one running sum per column (row-order memory access).
fn blur_columns(pixels: &[u8], width: usize, height: usize, radius: usize) -> Vec<u8> {
    let rows: Vec<&[u8]> = pixels.chunks_exact(width).collect();
    let row = |y: isize| -> &[u8] {
        let clamped = y.clamp(0, (height as isize).saturating_sub(1).max(0)) as usize;
        rows.get(clamped).copied().unwrap_or(&[])
    };
    let mean = Mean::new(u32::try_from(radius.saturating_mul(2).saturating_add(1)).unwrap_or(u32::MAX));
    let r = isize::try_from(radius).unwrap_or(isize::MAX);
    // Window for output row 0: rows −r..=r, the ones above the image repeating row 0. The
    // column sums are exact window sums (at most 255 · 15), so the wrapping operations, here
    // and when the window slides, never wrap.
    let mut sums = vec![0u32; width];
    for y in r.saturating_neg()..=r {
        for (sum, &p) in sums.iter_mut().zip(row(y)) {
            *sum = sum.wrapping_add(u32::from(p));
        }
    }
    let mut out = Vec::with_capacity(pixels.len());
    for y in 0..height as isize {
        out.extend(sums.iter().map(|&sum| mean.of(sum)));
        // Slide the window down one row.
        for ((sum, &add), &remove) in
            sums.iter_mut().zip(row(y.saturating_add(r).saturating_add(1))).zip(row(y.saturating_sub(r)))
        {
            *sum = sum.wrapping_add(u32::from(add)).wrapping_sub(u32::from(remove));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_blur_of_flat_image_is_flat() {
        let flat = vec![100u8; 7 * 5];
        assert_eq!(box_blur(&flat, 7, 5, 2), flat);
    }

    #[test]
    fn box_blur_averages_a_step() {
        // One row: 0 0 0 255 255 255, radius 1 (window 3, edges repeated).
        let row = [0u8, 0, 0, 255, 255, 255];
        let out = blur_rows(&row, 6, 1);
        assert_eq!(out, vec![0, 0, 85, 170, 255, 255]);
    }

    #[test]
    #[allow(clippy::indexing_slicing)]
    fn column_blur_matches_row_blur_of_the_transpose() {
        let (width, height) = (5usize, 7usize);
        let pixels: Vec<u8> = (0..width * height).map(|i| (i * 37 % 256) as u8).collect();
        let transposed: Vec<u8> =
            (0..width).flat_map(|x| (0..height).map(move |y| (x, y))).map(|(x, y)| pixels[y * width + x]).collect();
        let by_rows = blur_rows(&transposed, height, 2);
        let by_columns = blur_columns(&pixels, width, height, 2);
        for y in 0..height {
            for x in 0..width {
                assert_eq!(by_columns[y * width + x], by_rows[x * height + y], "({x}, {y})");
            }
        }
    }

    #[test]
    fn mean_is_rounded_division() {
        for count in [1u32, 3, 5, 7, 9, 11, 13, 15] {
            let mean = Mean::new(count);
            for sum in 0..=255 * count {
                assert_eq!(u32::from(mean.of(sum)), (sum + count / 2) / count, "{sum}/{count}");
            }
        }
    }

    #[test]
    fn working_size_factor_and_shrink() {
        assert_eq!(working_factor(0, 0), 1);
        assert_eq!(working_factor(1920, 1080), 1);
        assert_eq!(working_factor(2048, 2048), 1);
        assert_eq!(working_factor(2049, 2048), 2);
        assert_eq!(working_factor(4000, 3000), 2);
        assert_eq!(working_factor(4096, 4096), 2);
        assert_eq!(working_factor(4097, 4097), 2);
        assert_eq!(working_factor(4098, 4098), 3);
        assert_eq!(working_factor(u32::MAX, 1), 2);
        assert!(working_factor(u32::MAX, u32::MAX) > 1);
        assert!(shrink_to_working_size(&GrayImage::new(1920, 1080)).is_none());
        // 4101 × 4100 at factor 3: 1367 × 1366, the last two rows dropped.
        let image =
            GrayImage::from_fn(4101, 4100, |x, y| image::Luma([if (x / 3 + y / 3) % 2 == 0 { 10 } else { 250 }]));
        let small = shrink_to_working_size(&image).unwrap_or_default();
        assert_eq!(small.dimensions(), (1367, 1366));
        assert_eq!(small.get_pixel(0, 0).0, [10]);
        assert_eq!(small.get_pixel(1, 0).0, [250]);
        assert_eq!(small.get_pixel(1366, 1365).0, [250]);
        // Rounded means.
        let image = GrayImage::from_fn(4096, 4096, |x, y| image::Luma([if (x + y) % 2 == 0 { 0 } else { 255 }]));
        let small = shrink_to_working_size(&image).unwrap_or_default();
        assert!(small.pixels().all(|p| p.0 == [128]));
    }

    #[test]
    fn stretch_of_one_brightness_does_not_divide_by_zero() {
        for value in [0u8, 1, 128, 254, 255] {
            let image = GrayImage::from_pixel(9, 7, image::Luma([value]));
            assert_eq!(stretch(&image).dimensions(), (9, 7), "{value}");
        }
        assert_eq!(stretch(&GrayImage::new(0, 0)).dimensions(), (0, 0));
    }

    #[test]
    fn stretch_spreads_a_narrow_range() {
        let pixels: Vec<u8> = (0..100).map(|i| 100 + (i % 20) as u8).collect();
        let image = GrayImage::from_raw(10, 10, pixels).unwrap_or_default();
        let out = stretch(&image);
        assert_eq!(out.as_raw().iter().min(), Some(&0));
        assert_eq!(out.as_raw().iter().max(), Some(&255));
    }
}
