//! Reading QR codes from images: camera photos of phone screens and printed cards, and webcam
//! frames.
//!
//! [`decode_image`] takes an encoded PNG, JPEG or WebP file; [`decode_luma`] takes an already
//! decoded 8-bit grayscale frame. Both return every QR code found, IKD codes (text starting with
//! `IKD`) first, or a [`ScanError`] that says plainly why nothing was read, with a [`ScanHint`]
//! (too dark, too bright, low contrast, blurred, too small) where one can be detected.
//!
//! Decoding is done by the zxing-cpp and ZXing ports in `rxing`, tried in a fixed cascade of
//! binarisers and image clean-ups that stops at the first pass that reads something; light-on-dark
//! (inverted) and mirrored codes are read too. For frames of live video, [`decode_luma_with`] and
//! [`decode_image_with`] with [`ScanEffort::LiveFrame`] give up early on a frame whose first,
//! cheap look sees no QR symbol, instead of running the whole cascade. Every call into a decoder runs under
//! [`std::panic::catch_unwind`], so a hostile or broken image gives an error, never a panic.
//! `docs/QR-READING.md` records the cascade, the measurements behind it and the corpus results.
//!
//! The whole module is checked with `clippy::arithmetic_side_effects`: every integer operation
//! on image sizes and pixel values is checked, saturating or wrapping, or carries the reason it
//! cannot overflow, so that no image, whatever its size or content, can make it panic.
#![deny(clippy::arithmetic_side_effects)]

mod binarise;
mod diagnose;
mod engine;
mod frame;
mod load;
mod prep;

use std::borrow::Cow;

use image::GrayImage;

pub use frame::{read_rgba_frame, text_to_verify, texts};

/// Most pixels an encoded image may have for [`decode_image`] to decode it: 16 megapixels
/// (2^24, for example 4096 × 4096, or a 12-megapixel 4000 × 3000 phone photo). Checked against
/// the dimensions in the image's header, before any pixel buffer is allocated: a larger image is
/// refused with [`ScanError::TooManyPixels`], however few bytes it takes (a white 8192 × 8192
/// PNG compresses to 275 KB).
pub const MAX_PIXELS: u64 = 1 << 24;

/// Most memory the image decoder may allocate for one image, in bytes: [`MAX_PIXELS`] at 4 bytes
/// a pixel (8-bit RGBA), 64 MiB. Set as `image::Limits::max_alloc` on every decode; an image
/// whose pixels need more (16-bit colour at nearly [`MAX_PIXELS`]) is refused with
/// [`ScanError::MemoryLimit`].
pub const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 4;

/// Most pixels of the grayscale image the decoding cascade works on: 4 megapixels (2^22, for
/// example 2048 × 2048; a 1920 × 1080 frame is below it). A larger image is first shrunk by the
/// smallest whole factor that brings it within this, by averaging each factor × factor block,
/// so that the cascade's clean-ups never hold several copies of a full-size photo.
pub const WORKING_MAX_PIXELS: u64 = 1 << 22;

/// One QR symbol read from an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCode {
    bytes: Vec<u8>,
    text: Option<String>,
}

impl ScannedCode {
    pub(crate) fn new(bytes: Vec<u8>, text: Option<String>) -> Self {
        Self { bytes, text }
    }

    /// The raw payload bytes, exactly as encoded in the symbol's data segments (numeric and
    /// alphanumeric segments as ASCII, byte segments as they are, Kanji segments as Shift_JIS).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The payload as text, if it is text.
    ///
    /// Without an ECI character-set designator in the symbol this is the payload itself when it
    /// is valid UTF-8 (every IKD credential is ASCII). Otherwise it is the payload decoded with
    /// the character set the symbol declares (ECI), or lacking one with the one its segments
    /// imply (Kanji: Shift_JIS, Hanzi: GB 2312) or ZXing's guess (Shift_JIS or ISO-8859-1).
    /// A payload that decodes to NUL, C1 control characters or undecodable sequences, the marks
    /// of binary data, gives `None`; use [`ScannedCode::bytes`] for it.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Whether the text starts with `IKD` (case-sensitive), as every IKD credential does.
    pub fn is_ikd(&self) -> bool {
        self.text().is_some_and(|t| t.starts_with("IKD"))
    }
}

/// Caps on what [`decode_image`] accepts.
#[derive(Debug, Clone, Copy)]
pub struct ScanLimits {
    /// Largest encoded image accepted, in bytes.
    pub max_input_bytes: usize,
    /// Widest image accepted, in pixels.
    pub max_width: u32,
    /// Tallest image accepted, in pixels.
    pub max_height: u32,
}

impl ScanLimits {
    /// Default [`ScanLimits::max_input_bytes`]: 16 MiB.
    pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
    /// Default [`ScanLimits::max_width`] and [`ScanLimits::max_height`]: 8192 pixels, more than
    /// the width of a 48-megapixel photo (8000 × 6000). Whatever the dimensions, an image of more
    /// than [`MAX_PIXELS`] (16 megapixels) is refused too.
    pub const DEFAULT_MAX_DIMENSION: u32 = 8192;
}

impl Default for ScanLimits {
    /// 16 MiB and 8192 × 8192 pixels.
    fn default() -> Self {
        Self {
            max_input_bytes: Self::DEFAULT_MAX_INPUT_BYTES,
            max_width: Self::DEFAULT_MAX_DIMENSION,
            max_height: Self::DEFAULT_MAX_DIMENSION,
        }
    }
}

/// Why no QR code could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanHint {
    /// The image is too dark: underexposed, or a phone screen at low brightness.
    TooDark,
    /// The image is too bright: overexposed, or glare washes out the code.
    TooBright,
    /// The code's dark and light parts differ too little in brightness.
    LowContrast,
    /// The image is out of focus or blurred by movement.
    Blurred,
    /// Something code-like was seen, but too small (or too far away) to read.
    TooSmall,
}

impl ScanHint {
    /// A stable snake_case code, for logs and APIs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooDark => "too_dark",
            Self::TooBright => "too_bright",
            Self::LowContrast => "low_contrast",
            Self::Blurred => "blurred",
            Self::TooSmall => "too_small",
        }
    }

    /// Advice for the person scanning, in the language ([`Self::message_id`] or
    /// [`Self::message_en`], kept for callers that want one language).
    pub fn message(&self, lang: crate::lang::Lang) -> &'static str {
        match lang {
            crate::lang::Lang::Id => self.message_id(),
            crate::lang::Lang::En => self.message_en(),
        }
    }

    /// Advice for the person scanning, in Bahasa Indonesia.
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::TooDark => "Gambar terlalu gelap. Tambah cahaya atau naikkan kecerahan layar ponsel.",
            Self::TooBright => {
                "Gambar terlalu terang atau silau. Hindari pantulan cahaya atau turunkan \
                 kecerahan layar."
            }
            Self::LowContrast => {
                "Kontras kode terlalu rendah. Naikkan kecerahan layar atau gunakan cetakan \
                 yang lebih jelas."
            }
            Self::Blurred => "Gambar buram. Tahan kamera agar diam dan tunggu sampai fokus.",
            Self::TooSmall => "Kode terlalu kecil atau terlalu jauh. Dekatkan kamera ke kode.",
        }
    }

    /// Advice for the person scanning, in English.
    pub fn message_en(&self) -> &'static str {
        match self {
            Self::TooDark => "The image is too dark. Add light or turn up the phone's screen brightness.",
            Self::TooBright => {
                "The image is too bright or has glare. Avoid reflections or turn down the \
                 screen brightness."
            }
            Self::LowContrast => {
                "The code has too little contrast. Turn up the screen brightness or use a \
                 clearer print."
            }
            Self::Blurred => "The image is blurred. Hold the camera still and let it focus.",
            Self::TooSmall => "The code is too small or too far away. Move the camera closer to the code.",
        }
    }
}

impl std::fmt::Display for ScanHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message_en())
    }
}

/// Errors from reading QR codes in an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The encoded image is larger than [`ScanLimits::max_input_bytes`].
    #[error("image is {size} bytes, more than the {max} bytes allowed")]
    InputTooLarge {
        /// Size of the input, in bytes.
        size: usize,
        /// The limit, in bytes.
        max: usize,
    },
    /// The image is wider or taller than [`ScanLimits`] allows.
    #[error("image is {width}x{height} pixels, larger than allowed")]
    DimensionsTooLarge {
        /// Width of the image, in pixels.
        width: u32,
        /// Height of the image, in pixels.
        height: u32,
    },
    /// The input is not a PNG, JPEG or WebP image.
    #[error("image format not supported: send a PNG, JPEG or WebP image")]
    UnsupportedFormat,
    /// The image file is damaged or truncated; the message is the image decoder's.
    #[error("image file is damaged and cannot be decoded: {0}")]
    CorruptImage(String),
    /// The image was read, but no QR code could be found and decoded in it.
    #[error("no QR code found in the image{}", hint_suffix(.hint))]
    NoCode {
        /// What seems to be wrong with the image, where that can be detected.
        hint: Option<ScanHint>,
    },
    /// A decoder failed internally (it panicked, and the panic was contained) and no code was
    /// read by the others.
    #[error("the QR decoder failed on this image")]
    DecoderFailed,
    /// The image has more than [`MAX_PIXELS`] pixels, by the dimensions in its header; refused
    /// before decoding.
    #[error("image is {width}x{height} pixels, more than the {max} pixels allowed")]
    #[non_exhaustive]
    TooManyPixels {
        /// Width of the image, in pixels.
        width: u32,
        /// Height of the image, in pixels.
        height: u32,
        /// The limit, in pixels ([`MAX_PIXELS`]).
        max: u64,
    },
    /// Decoding the image would take more than [`MAX_DECODE_BYTES`] of memory; refused before
    /// the pixels are decoded, or by the decoder as soon as it would exceed the limit.
    #[error("decoding the image needs more than the {max} bytes of memory allowed")]
    #[non_exhaustive]
    MemoryLimit {
        /// The limit, in bytes ([`MAX_DECODE_BYTES`]).
        max: u64,
    },
    /// QR codes were read, but none holds text (binary payloads only): nothing to verify
    /// ([`texts`], [`text_to_verify`]).
    #[error("The QR code in the image holds no text.")]
    NotText {
        /// How many codes were read.
        found: usize,
    },
    /// A camera frame's buffer is not `width × height × 4` bytes of RGBA, or the frame has no
    /// pixels ([`read_rgba_frame`]).
    #[error("camera frame of {len} bytes is not {width}x{height} pixels of 4 bytes (RGBA)")]
    FrameSizeMismatch {
        /// The width given, in pixels.
        width: u32,
        /// The height given, in pixels.
        height: u32,
        /// The buffer's length, in bytes.
        len: usize,
    },
}

fn hint_suffix(hint: &Option<ScanHint>) -> String {
    match hint {
        Some(h) => format!(": {}", h.message_en()),
        None => String::new(),
    }
}

impl ScanError {
    /// A stable snake_case code, for logs and APIs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InputTooLarge { .. } => "image_too_large",
            Self::DimensionsTooLarge { .. } => "image_dimensions_too_large",
            Self::UnsupportedFormat => "image_unsupported_format",
            Self::CorruptImage(_) => "image_corrupt",
            Self::NoCode { .. } => "no_qr_found",
            Self::DecoderFailed => "decoder_failed",
            Self::TooManyPixels { .. } => "image_too_many_pixels",
            Self::MemoryLimit { .. } => "image_memory_limit",
            Self::NotText { .. } => "qr_not_text",
            Self::FrameSizeMismatch { .. } => "frame_size_mismatch",
        }
    }

    /// What went wrong, for the person scanning, in the language ([`Self::message_id`] or
    /// [`Self::message_en`], kept for callers that want one language).
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        match lang {
            crate::lang::Lang::Id => self.message_id(),
            crate::lang::Lang::En => self.message_en(),
        }
    }

    /// What went wrong, for the person scanning, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            Self::InputTooLarge { size, max } => format!("Gambar berukuran {size} byte, melebihi batas {max} byte."),
            Self::DimensionsTooLarge { width, height } => {
                format!("Gambar berukuran {width}x{height} piksel, terlalu besar.")
            }
            Self::UnsupportedFormat => "Format gambar tidak didukung: kirim gambar PNG, JPEG atau WebP.".to_owned(),
            Self::CorruptImage(detail) => format!("Berkas gambar rusak dan tidak dapat dibaca: {detail}"),
            Self::NoCode { hint: Some(hint) } => {
                format!("Tidak ada kode QR yang terbaca di gambar ini. {}", hint.message_id())
            }
            Self::NoCode { hint: None } => "Tidak ada kode QR yang terbaca di gambar ini.".to_owned(),
            Self::DecoderFailed => "Pembaca kode QR gagal membaca gambar ini.".to_owned(),
            Self::TooManyPixels { width, height, max } => {
                format!(
                    "Gambar berukuran {width}x{height} piksel, melebihi batas {max} piksel. Kirim gambar yang lebih kecil."
                )
            }
            Self::MemoryLimit { max } => {
                format!("Membaca gambar ini memerlukan memori lebih dari {max} byte. Kirim gambar yang lebih kecil.")
            }
            Self::NotText { .. } => "Kode QR pada gambar tidak berisi teks.".to_owned(),
            Self::FrameSizeMismatch { width, height, len } => {
                format!("Bingkai kamera berukuran {len} byte, bukan {width}x{height} piksel RGBA 4 byte.")
            }
        }
    }

    /// What went wrong, for the person scanning, in English (the same text as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// How hard to look for QR codes in one image.
///
/// Both efforts read a code that an image shows sharply and large enough for the fast finder
/// scan (from about 2.7 pixels per module in a 1920×1080 frame, 1.7 in a 1280×720 one); they
/// differ in how much is spent on an image in which that first look reads nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScanEffort {
    /// Every pass of the cascade, for a photo or file that was sent once and must be read if
    /// at all possible (uploads, the command line). A 1920×1080 image without a code costs
    /// the whole cascade, several times the [`ScanEffort::LiveFrame`] time.
    #[default]
    Thorough,
    /// For frames of live video, where the next frame is another chance: a cheap first look
    /// (the fast finder scan, both polarities), and the whole cascade only if that saw three
    /// finder patterns in a plausible QR geometry that did not decode. A frame without such
    /// evidence gives up at once with [`ScanError::NoCode`] and its hint. Meant to keep an
    /// empty 1920×1080 frame within the 15 ms per frame budget.
    LiveFrame,
}

/// Read every QR code in an encoded image (PNG or JPEG; WebP too). IKD codes come first.
///
/// The input is checked against `limits` before it is decoded: its size first, then the
/// dimensions in its header (against `limits` and [`MAX_PIXELS`]); the decoder may allocate at
/// most [`MAX_DECODE_BYTES`]. An image of more than [`WORKING_MAX_PIXELS`] is shrunk as soon as
/// it is decoded, before the cascade. Looks with [`ScanEffort::Thorough`]; see [`decode_image_with`].
pub fn decode_image(bytes: &[u8], limits: &ScanLimits) -> Result<Vec<ScannedCode>, ScanError> {
    decode_image_with(bytes, limits, ScanEffort::Thorough)
}

/// [`decode_image`] with an explicit effort: [`ScanEffort::LiveFrame`] for camera frames.
pub fn decode_image_with(bytes: &[u8], limits: &ScanLimits, effort: ScanEffort) -> Result<Vec<ScannedCode>, ScanError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(ScanError::InputTooLarge { size: bytes.len(), max: limits.max_input_bytes });
    }
    let luma = load::load_luma(bytes, limits)?;
    decode_luma_with(&luma, effort)
}

/// Same, from an already-decoded 8-bit grayscale image, with [`ScanEffort::Thorough`]; see
/// [`decode_luma_with`] for webcam frames.
pub fn decode_luma(image: &GrayImage) -> Result<Vec<ScannedCode>, ScanError> {
    decode_luma_with(image, ScanEffort::Thorough)
}

/// [`decode_luma`] with an explicit effort: [`ScanEffort::LiveFrame`] for webcam frames.
///
/// An image of more than [`WORKING_MAX_PIXELS`] pixels is read from a shrunk copy.
pub fn decode_luma_with(image: &GrayImage, effort: ScanEffort) -> Result<Vec<ScannedCode>, ScanError> {
    let image = match prep::shrink_to_working_size(image) {
        Some(shrunk) => Cow::Owned(shrunk),
        None => Cow::Borrowed(image),
    };
    let outcome = engine::scan(&image, effort);
    let mut codes = outcome.codes;
    if codes.is_empty() {
        if outcome.panicked {
            return Err(ScanError::DecoderFailed);
        }
        return Err(ScanError::NoCode { hint: diagnose::diagnose(&image) });
    }
    // Stable: IKD codes first, the rest in the order the decoder found them.
    codes.sort_by_key(|c| !c.is_ikd());
    Ok(codes)
}

crate::lang::user_error!(ScanError, ScanHint);
