//! Decoding PNG/JPEG/WebP input to 8-bit grayscale, with size and memory caps and no panics.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::error::LimitErrorKind;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{MAX_DECODE_BYTES, MAX_PIXELS, ScanError, ScanLimits, prep};

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

/// Decode `bytes` (already checked against `limits.max_input_bytes`) to grayscale, shrunk to
/// at most [`super::WORKING_MAX_PIXELS`] pixels.
pub(super) fn load_luma(bytes: &[u8], limits: &ScanLimits) -> Result<GrayImage, ScanError> {
    let format = accepted_format(bytes)?;
    let decoded =
        catch_unwind(AssertUnwindSafe(|| decode(bytes, format, limits))).map_err(|_| ScanError::DecoderFailed)??;
    // The full-size decoded image and its full-size grayscale are dropped here, before the
    // cascade makes its own copies.
    let luma = to_luma(decoded);
    Ok(prep::shrink_to_working_size(&luma).unwrap_or(luma))
}

/// Decode within the caps: the header's dimensions are checked (against `limits` and
/// [`MAX_PIXELS`]) before any pixel buffer is allocated, and the decoder may allocate at most
/// [`MAX_DECODE_BYTES`] in all.
fn decode(bytes: &[u8], format: ImageFormat, limits: &ScanLimits) -> Result<DynamicImage, ScanError> {
    // The header is read with the memory cap alone, so that oversized dimensions are reported as
    // such rather than as a decoder error.
    let mut header_limits = Limits::no_limits();
    header_limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(header_limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_width || height > limits.max_height {
        return Err(ScanError::DimensionsTooLarge { width, height });
    }
    if u64::from(width).saturating_mul(u64::from(height)) > MAX_PIXELS {
        return Err(ScanError::TooManyPixels { width, height, max: MAX_PIXELS });
    }
    // The pixel buffer counts against the cap, as `ImageReader::decode` counts it.
    let Some(rest) = MAX_DECODE_BYTES.checked_sub(decoder.total_bytes()) else {
        return Err(ScanError::MemoryLimit { max: MAX_DECODE_BYTES });
    };
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_width);
    decode_limits.max_image_height = Some(limits.max_height);
    decode_limits.max_alloc = Some(rest);
    decoder.set_limits(decode_limits).map_err(|e| limit_error(e, width, height))?;
    DynamicImage::from_decoder(decoder).map_err(|e| limit_error(e, width, height))
}

/// A decoder error; `width` × `height` are the header's dimensions, for a dimension limit.
fn limit_error(error: ImageError, width: u32, height: u32) -> ScanError {
    match error {
        ImageError::Limits(limit) if !matches!(limit.kind(), LimitErrorKind::InsufficientMemory) => {
            ScanError::DimensionsTooLarge { width, height }
        }
        other => decode_error(other),
    }
}

fn decode_error(error: ImageError) -> ScanError {
    match error {
        ImageError::Limits(limit) if matches!(limit.kind(), LimitErrorKind::InsufficientMemory) => {
            ScanError::MemoryLimit { max: MAX_DECODE_BYTES }
        }
        other => ScanError::CorruptImage(other.to_string()),
    }
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
                // l·a + 255·(255 − a), over 255, rounded. With l and a at most 255 the sum is
                // at most 65025 + 127: the wrapping operations never wrap.
                (l.wrapping_mul(a).wrapping_add(255u32.wrapping_sub(a).wrapping_mul(255)).wrapping_add(127) / 255) as u8
            }
            _ => 255,
        })
        .collect();
    GrayImage::from_raw(width, height, pixels).unwrap_or_else(|| GrayImage::new(width, height))
}
