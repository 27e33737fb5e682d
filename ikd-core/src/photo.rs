//! Face photos: small lossy WebP thumbnails to embed in a credential, and their decoding for display.
//!
//! [`make_thumbnail`] turns the issuer's PNG or JPEG portrait into a colour WebP (VP8 lossy, simple
//! file format: no VP8X, EXIF or ICC chunks) of at most a given number of bytes. It prefers
//! 64×80 pixels and falls back to 48×60 (the smallest size allowed) when 64×80 would need a
//! quality below [`QUALITY_FLOOR`]. Within a size it takes the highest quality that fits the
//! budget. The measurements behind these choices are in `docs/PHOTO.md`.
//!
//! Thumbnails are deterministic: the same input, budget and library versions give the same bytes
//! (libwebp runs single-threaded, the resampling is plain floating-point arithmetic).
//!
//! [`decode_thumbnail`] and [`thumbnail_png`] read a thumbnail back (in pure Rust, through `image`)
//! for display, within fixed caps.

use std::fmt;
use std::io::Cursor;

use image::error::LimitErrorKind;
use image::imageops::{self, FilterType};
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits, Rgb,
    RgbImage,
};

/// Smallest thumbnail width (pixels); smaller inputs are refused.
pub const MIN_WIDTH: u32 = 48;
/// Smallest thumbnail height (pixels); smaller inputs are refused.
pub const MIN_HEIGHT: u32 = 60;
/// Largest thumbnail [`decode_thumbnail`] accepts, in bytes.
pub const MAX_THUMBNAIL_BYTES: usize = 8 * 1024;
/// Largest width or height [`decode_thumbnail`] accepts, in pixels.
pub const MAX_THUMBNAIL_SIDE: u32 = 256;
/// Most pixels a photo may have for [`make_thumbnail`] to decode it: 16 megapixels (2^24, for
/// example 4096 × 4096, or a 12-megapixel 4000 × 3000 phone photo), whatever [`PhotoLimits`]
/// allows. Checked against the dimensions in the header, before any pixel buffer is allocated:
/// a larger photo is refused with [`PhotoError::TooManyPixels`].
pub const MAX_PIXELS: u64 = 1 << 24;
/// Most memory the image decoder may allocate for one photo, in bytes: [`MAX_PIXELS`] at
/// 4 bytes a pixel (8-bit RGBA), 64 MiB. Set as `image::Limits::max_alloc` on every decode; a
/// photo whose pixels need more is refused with [`PhotoError::MemoryLimit`].
pub const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 4;
/// Lowest WebP quality (0–100) accepted at a size larger than the smallest one; below it the
/// face loses its eyes and mouth, and the smaller size at a higher quality looks better.
pub const QUALITY_FLOOR: f32 = 5.0;

/// Thumbnail sizes tried, largest first; all 4:5 portraits. 64×80 is exactly 4×5 VP8 macroblocks.
const SIZES: [(u32, u32); 2] = [(64, 80), (MIN_WIDTH, MIN_HEIGHT)];
/// The quality search works in steps of 1/`QUALITY_SCALE`.
const QUALITY_SCALE: u32 = 4;
/// Inputs larger than this many times the thumbnail are first shrunk by area averaging.
const PRESHRINK_FACTOR: u32 = 4;
/// Bytes per pixel allowed for the decoded input at the maximum dimensions (8-bit RGBA).
const INPUT_BYTES_PER_PIXEL: u64 = 4;

/// A face thumbnail ready to embed in a credential (WebP bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct FaceThumbnail {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

impl FaceThumbnail {
    /// The WebP file, as it goes into the credential.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
}

impl fmt::Debug for FaceThumbnail {
    // The bytes are a face, that is personal data: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaceThumbnail")
            .field("len", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Caps on photo input.
#[derive(Debug, Clone, Copy)]
pub struct PhotoLimits {
    /// Largest accepted input file, in bytes.
    pub max_input_bytes: usize,
    /// Largest accepted input width, in pixels.
    pub max_width: u32,
    /// Largest accepted input height, in pixels.
    pub max_height: u32,
}

impl Default for PhotoLimits {
    /// 10 MiB and 8000×8000 pixels.
    fn default() -> Self {
        Self { max_input_bytes: 10 * 1024 * 1024, max_width: 8000, max_height: 8000 }
    }
}

/// Why a photo could not be turned into a thumbnail, or a thumbnail could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The input file is larger than allowed.
    #[error("photo is {size} bytes, more than the {max} allowed")]
    InputTooLarge {
        /// Size of the input, in bytes.
        size: usize,
        /// Largest size allowed, in bytes.
        max: usize,
    },
    /// The image is wider or taller than allowed (or would take too much memory to decode).
    #[error("photo is {width}x{height} pixels, more than allowed")]
    DimensionsTooLarge {
        /// Width of the input, in pixels.
        width: u32,
        /// Height of the input, in pixels.
        height: u32,
    },
    /// The input is not in an accepted format (PNG or JPEG for photos, WebP for thumbnails).
    #[error("photo format not supported")]
    UnsupportedFormat,
    /// The input claims an accepted format but cannot be decoded.
    #[error("photo cannot be decoded: {0}")]
    CorruptImage(String),
    /// The input is smaller than the smallest thumbnail (48×60).
    #[error("photo is {width}x{height} pixels, less than the 48x60 needed")]
    TooSmall {
        /// Width of the input, in pixels.
        width: u32,
        /// Height of the input, in pixels.
        height: u32,
    },
    /// Even the smallest thumbnail at the lowest quality does not fit the byte budget.
    #[error("photo needs at least {smallest} bytes, budget is {budget}")]
    BudgetTooSmall {
        /// The budget asked for, in bytes.
        budget: usize,
        /// Size of the smallest thumbnail that could be made, in bytes.
        smallest: usize,
    },
    /// The image encoder failed.
    #[error("photo encoding failed: {0}")]
    Encode(String),
    /// The photo has more than [`MAX_PIXELS`] pixels, by the dimensions in its header; refused
    /// before decoding.
    #[error("photo is {width}x{height} pixels, more than the {max} pixels allowed")]
    #[non_exhaustive]
    TooManyPixels {
        /// Width of the input, in pixels.
        width: u32,
        /// Height of the input, in pixels.
        height: u32,
        /// The limit, in pixels ([`MAX_PIXELS`]).
        max: u64,
    },
    /// Decoding the photo would take more memory than allowed (at most [`MAX_DECODE_BYTES`]);
    /// refused before the pixels are decoded, or by the decoder as soon as it would exceed it.
    #[error("decoding the photo needs more than the {max} bytes of memory allowed")]
    #[non_exhaustive]
    MemoryLimit {
        /// The limit, in bytes.
        max: u64,
    },
}

impl PhotoError {
    /// A stable snake_case code for reports and APIs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InputTooLarge { .. } => "photo_too_large",
            Self::DimensionsTooLarge { .. } => "photo_dimensions_too_large",
            Self::UnsupportedFormat => "photo_unsupported_format",
            Self::CorruptImage(_) => "photo_corrupt",
            Self::TooSmall { .. } => "photo_too_small",
            Self::BudgetTooSmall { .. } => "photo_budget_too_small",
            Self::Encode(_) => "photo_encode_failed",
            Self::TooManyPixels { .. } => "photo_too_many_pixels",
            Self::MemoryLimit { .. } => "photo_memory_limit",
        }
    }

    /// What went wrong, in the language ([`Self::message_id`] or
    /// [`Self::message_en`], kept for callers that want one language).
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        match lang {
            crate::lang::Lang::Id => self.message_id(),
            crate::lang::Lang::En => self.message_en(),
        }
    }

    /// What went wrong, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            Self::InputTooLarge { size, max } => format!("Foto berukuran {size} byte, melebihi batas {max} byte."),
            Self::DimensionsTooLarge { width, height } => {
                format!("Foto berukuran {width}x{height} piksel, melebihi batas.")
            }
            Self::UnsupportedFormat => "Format foto tidak didukung.".to_owned(),
            Self::CorruptImage(detail) => format!("Foto tidak dapat dibaca: {detail}"),
            Self::TooSmall { width, height } => {
                format!("Foto berukuran {width}x{height} piksel, kurang dari 48x60 yang diperlukan.")
            }
            Self::BudgetTooSmall { budget, smallest } => {
                format!("Foto memerlukan paling sedikit {smallest} byte, anggarannya {budget} byte.")
            }
            Self::Encode(detail) => format!("Pengodean foto gagal: {detail}"),
            Self::TooManyPixels { width, height, max } => {
                format!(
                    "Foto berukuran {width}x{height} piksel, melebihi batas {max} piksel. Kirim foto yang lebih kecil."
                )
            }
            Self::MemoryLimit { max } => {
                format!("Membaca foto ini memerlukan memori lebih dari {max} byte. Kirim foto yang lebih kecil.")
            }
        }
    }

    /// What went wrong, in English (the same text as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Make a thumbnail of at most `max_bytes` bytes, at least 48×60.
///
/// The input must be a PNG or JPEG within `limits`. It is turned upright by its EXIF orientation,
/// laid on white where transparent, centre-cropped to 4:5 and resampled with Lanczos3. The result
/// is 64×80 when that fits `max_bytes` at quality [`QUALITY_FLOOR`] or better, else 48×60; never
/// larger than the input.
pub fn make_thumbnail(input: &[u8], max_bytes: usize, limits: &PhotoLimits) -> Result<FaceThumbnail, PhotoError> {
    if input.len() > limits.max_input_bytes {
        return Err(PhotoError::InputTooLarge { size: input.len(), max: limits.max_input_bytes });
    }
    let max_alloc = u64::from(limits.max_width)
        .saturating_mul(u64::from(limits.max_height))
        .saturating_mul(INPUT_BYTES_PER_PIXEL)
        .min(MAX_DECODE_BYTES);
    let image = decode_limited(
        input,
        &[ImageFormat::Png, ImageFormat::Jpeg],
        limits.max_width,
        limits.max_height,
        max_alloc,
        true,
    )?;
    let (width, height) = (image.width(), image.height());
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        return Err(PhotoError::TooSmall { width, height });
    }
    let portrait = prepare(image);
    encode_within(&portrait, max_bytes)
}

/// Decode embedded thumbnail bytes (from a credential) for display; checks it is a WebP within
/// caps (max 8 KiB, max 256×256).
pub fn decode_thumbnail(bytes: &[u8]) -> Result<RgbImage, PhotoError> {
    if bytes.len() > MAX_THUMBNAIL_BYTES {
        return Err(PhotoError::InputTooLarge { size: bytes.len(), max: MAX_THUMBNAIL_BYTES });
    }
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WEBP") {
        return Err(PhotoError::UnsupportedFormat);
    }
    let side = u64::from(MAX_THUMBNAIL_SIDE);
    let image =
        decode_limited(bytes, &[ImageFormat::WebP], MAX_THUMBNAIL_SIDE, MAX_THUMBNAIL_SIDE, side * side * 4, false)?;
    Ok(image.to_rgb8())
}

/// Re-encode a decoded thumbnail as PNG for display in web pages/cards.
pub fn thumbnail_png(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    let image = decode_thumbnail(bytes)?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgb8)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(png)
}

/// Decode `input` as one of `formats` (guessed from its content), refusing images over
/// `max_width`×`max_height` or whose pixels need more than `max_alloc` bytes.
fn decode_limited(
    input: &[u8],
    formats: &[ImageFormat],
    max_width: u32,
    max_height: u32,
    max_alloc: u64,
    apply_orientation: bool,
) -> Result<DynamicImage, PhotoError> {
    let mut reader = ImageReader::new(Cursor::new(input))
        .with_guessed_format()
        .map_err(|e| PhotoError::CorruptImage(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg) if formats.contains(&ImageFormat::Jpeg) => {
            if !jpeg_is_complete(input) {
                return Err(PhotoError::CorruptImage("JPEG is truncated or its markers are damaged".to_owned()));
            }
        }
        Some(format) if formats.contains(&format) => {}
        _ => return Err(PhotoError::UnsupportedFormat),
    }
    // First open with the memory cap alone, so that oversized dimensions are reported as such.
    let mut first = Limits::default();
    first.max_alloc = Some(max_alloc);
    reader.limits(first);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width > max_width || height > max_height {
        return Err(PhotoError::DimensionsTooLarge { width, height });
    }
    if u64::from(width).saturating_mul(u64::from(height)) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels { width, height, max: MAX_PIXELS });
    }
    // The pixel buffer counts against the cap, as `ImageReader::decode` counts it.
    let Some(rest) = max_alloc.checked_sub(decoder.total_bytes()) else {
        return Err(PhotoError::MemoryLimit { max: max_alloc });
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(max_width);
    limits.max_image_height = Some(max_height);
    limits.max_alloc = Some(rest);
    let limit_error = |e: ImageError| match e {
        ImageError::Limits(l) if matches!(l.kind(), LimitErrorKind::InsufficientMemory) => {
            PhotoError::MemoryLimit { max: max_alloc }
        }
        ImageError::Limits(_) => PhotoError::DimensionsTooLarge { width, height },
        other => decode_error(other),
    };
    decoder.set_limits(limits).map_err(limit_error)?;
    // A malformed EXIF block is no reason to refuse the photo: keep it as stored.
    let orientation = if apply_orientation { decoder.orientation().ok() } else { None };
    let mut image = DynamicImage::from_decoder(decoder).map_err(limit_error)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// Whether a JPEG's marker structure runs from start to end-of-image marker. The JPEG decoder
/// fills a truncated scan with grey and reports success; an issuer must not get a half-grey face
/// from a cut-short upload.
fn jpeg_is_complete(data: &[u8]) -> bool {
    if data.get(0..2) != Some(&[0xFF, 0xD8][..]) {
        return false;
    }
    let mut i = 2;
    loop {
        if data.get(i) != Some(&0xFF) {
            return false;
        }
        // Any number of 0xFF fill bytes precede a marker code.
        while data.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = data.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers: TEM, RST0..RST7.
            0x01 | 0xD0..=0xD7 => {}
            0x00 | 0xD8 => return false,
            _ => {
                let Some(&[hi, lo]) = data.get(i..i + 2) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                if len < 2 {
                    return false;
                }
                i += len;
                if marker == 0xDA {
                    // Entropy-coded data runs to the next marker other than a stuffed 0xFF00 or
                    // a restart marker.
                    loop {
                        match (data.get(i), data.get(i + 1)) {
                            (None, _) | (Some(0xFF), None) => return false,
                            (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                            (Some(0xFF), Some(_)) => break,
                            (Some(_), _) => i += 1,
                        }
                    }
                }
            }
        }
    }
}

fn decode_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Unsupported(_) => PhotoError::UnsupportedFormat,
        ImageError::Limits(l) if matches!(l.kind(), LimitErrorKind::InsufficientMemory) => {
            PhotoError::MemoryLimit { max: MAX_DECODE_BYTES }
        }
        other => PhotoError::CorruptImage(other.to_string()),
    }
}

/// RGB on white, centre-cropped to 4:5, and shrunk by area averaging when far larger than needed.
fn prepare(image: DynamicImage) -> RgbImage {
    let rgb = if image.color().has_alpha() { on_white(&image) } else { image.to_rgb8() };
    let (width, height) = rgb.dimensions();
    // Largest centred 4:5 window. An input of at least 48×60 keeps at least 48×60.
    let (crop_w, crop_h) = if u64::from(width) * 5 > u64::from(height) * 4 {
        (scale(height, 4, 5), height)
    } else {
        (width, scale(width, 5, 4).min(height))
    };
    let cropped = imageops::crop_imm(&rgb, (width - crop_w) / 2, (height - crop_h) / 2, crop_w, crop_h).to_image();
    let (big_w, big_h) = (SIZES[0].0 * PRESHRINK_FACTOR, SIZES[0].1 * PRESHRINK_FACTOR);
    if crop_w > big_w && crop_h > big_h { imageops::thumbnail(&cropped, big_w, big_h) } else { cropped }
}

/// `value * num / den`, rounded down, without overflow (`num / den` is at most 5/4).
fn scale(value: u32, num: u64, den: u64) -> u32 {
    u32::try_from(u64::from(value) * num / den).unwrap_or(u32::MAX)
}

fn on_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = src.0;
        let blend = |c: u8| -> u8 {
            let v = u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a));
            // v <= 255 * 255, so the rounded quotient is at most 255.
            u8::try_from((v + 127) / 255).unwrap_or(u8::MAX)
        };
        *dst = Rgb([blend(r), blend(g), blend(b)]);
    }
    out
}

/// Try the sizes from largest to smallest; the last one accepts any quality.
fn encode_within(portrait: &RgbImage, max_bytes: usize) -> Result<FaceThumbnail, PhotoError> {
    let fitting: Vec<(u32, u32)> =
        SIZES.iter().copied().filter(|&(w, h)| w <= portrait.width() && h <= portrait.height()).collect();
    let floor = quality_steps(QUALITY_FLOOR);
    let mut smallest = usize::MAX;
    for (index, &(width, height)) in fitting.iter().enumerate() {
        let last = index + 1 == fitting.len();
        let small = imageops::resize(portrait, width, height, FilterType::Lanczos3);
        let lowest = if last { 0 } else { floor };
        match best_quality(&small, max_bytes, lowest)? {
            Search::Fits(bytes) => {
                return Ok(FaceThumbnail { bytes, width, height });
            }
            Search::TooBig(len) => smallest = smallest.min(len),
        }
    }
    Err(PhotoError::BudgetTooSmall { budget: max_bytes, smallest })
}

enum Search {
    Fits(Vec<u8>),
    /// Nothing fits; the size at the lowest quality tried.
    TooBig(usize),
}

fn quality_steps(quality: f32) -> u32 {
    // Exact for the quarter-step constants used here.
    (quality * QUALITY_SCALE as f32) as u32
}

/// Binary search for the highest quality, in 1/QUALITY_SCALE steps from `lowest` to 100, whose
/// encoding fits `max_bytes`. Size grows with quality almost always; where it does not, the search
/// still only returns an encoding that fits.
fn best_quality(image: &RgbImage, max_bytes: usize, lowest: u32) -> Result<Search, PhotoError> {
    let first = encode_webp(image, lowest)?;
    if first.len() > max_bytes {
        return Ok(Search::TooBig(first.len()));
    }
    let (mut lo, mut hi) = (lowest, 100 * QUALITY_SCALE);
    let mut best = first;
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        let bytes = encode_webp(image, mid)?;
        if bytes.len() <= max_bytes {
            lo = mid;
            best = bytes;
        } else {
            hi = mid - 1;
        }
    }
    Ok(Search::Fits(best))
}

/// Lossy WebP at quality `steps / QUALITY_SCALE`, with the settings chosen in `docs/PHOTO.md`.
fn encode_webp(image: &RgbImage, steps: u32) -> Result<Vec<u8>, PhotoError> {
    let mut config = webp::WebPConfig::new().map_err(|()| PhotoError::Encode("libwebp version mismatch".to_owned()))?;
    config.lossless = 0;
    config.quality = steps as f32 / QUALITY_SCALE as f32;
    // Slowest, smallest; the image is tiny.
    config.method = 6;
    // One segment: at 20 macroblocks the segment map costs more than it saves.
    config.segments = 1;
    // Single-threaded for deterministic output.
    config.thread_level = 0;
    config.pass = 1;
    config.preprocessing = 0;
    config.use_sharp_yuv = 0;
    let encoder = webp::Encoder::from_rgb(image.as_raw(), image.width(), image.height());
    let memory = encoder.encode_advanced(&config).map_err(|e| PhotoError::Encode(format!("{e:?}")))?;
    let bytes = memory.to_vec();
    // Simple lossy format only: RIFF header, then one VP8 chunk (no VP8X, EXIF, ICC or alpha).
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..16) != Some(b"WEBPVP8 ") {
        return Err(PhotoError::Encode("encoder did not produce a simple lossy WebP".to_owned()));
    }
    Ok(bytes)
}

crate::lang::user_error!(PhotoError);
