//! Decoding PNG/JPEG/WebP input to 8-bit grayscale, with size caps and no panics.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{DynamicImage, GrayImage, ImageFormat, ImageReader, Limits};

use super::{ScanError, ScanLimits};

/// The encoded image's format, if it is one we accept.
fn accepted_format(bytes: &[u8]) -> Result<ImageFormat, ScanError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ScanError::CorruptImage(e.to_string()))?;
    match reader.format() {
        Some(f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => Ok(f),
        _ => Err(ScanError::UnsupportedFormat),
    }
}

fn reader<'a>(bytes: &'a [u8], format: ImageFormat, limits: &ScanLimits) -> ImageReader<Cursor<&'a [u8]>> {
    let mut image_limits = Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image_limits);
    reader
}

/// Decode `bytes` (already checked against `limits.max_input_bytes`) to grayscale.
pub(super) fn load_luma(bytes: &[u8], limits: &ScanLimits) -> Result<GrayImage, ScanError> {
    let format = accepted_format(bytes)?;

    // Read the header first, so an oversized image is refused by its stated size, before any
    // pixel buffer is allocated.
    let dims = catch_unwind(AssertUnwindSafe(|| {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        r.no_limits();
        r.into_dimensions()
    }))
    .map_err(|_| ScanError::DecoderFailed)?
    .map_err(|e| ScanError::CorruptImage(e.to_string()))?;
    let (width, height) = dims;
    if width > limits.max_width || height > limits.max_height {
        return Err(ScanError::DimensionsTooLarge { width, height });
    }

    let decoded = catch_unwind(AssertUnwindSafe(|| reader(bytes, format, limits).decode()))
        .map_err(|_| ScanError::DecoderFailed)?;
    let image = match decoded {
        Ok(image) => image,
        Err(image::ImageError::Limits(_)) => {
            return Err(ScanError::DimensionsTooLarge { width, height });
        }
        Err(e) => return Err(ScanError::CorruptImage(e.to_string())),
    };
    Ok(to_luma(image))
}

/// Grayscale, with any transparency composited onto white: a QR code drawn black on a
/// transparent background must not turn into black on black.
fn to_luma(image: DynamicImage) -> GrayImage {
    if !image.color().has_alpha() {
        return match image {
            DynamicImage::ImageLuma8(gray) => gray,
            other => other.to_luma8(),
        };
    }
    let luma_alpha = image.to_luma_alpha8();
    let (width, height) = luma_alpha.dimensions();
    let pixels = luma_alpha
        .as_raw()
        .chunks_exact(2)
        .map(|px| match *px {
            [l, a] => {
                let (l, a) = (u32::from(l), u32::from(a));
                // l·a + 255·(255 − a), over 255, rounded.
                ((l * a + 255 * (255 - a) + 127) / 255) as u8
            }
            _ => 255,
        })
        .collect();
    GrayImage::from_raw(width, height, pixels).unwrap_or_else(|| GrayImage::new(width, height))
}
