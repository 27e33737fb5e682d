//! The reader's functions in plain Rust: what the wasm-bindgen exports call, tested on the host.

use ikd_core::Lang;
use ikd_core::scan::{self, MAX_PIXELS, ScanEffort, ScanError, ScanLimits, ScannedCode};
use image::{DynamicImage, RgbaImage};

/// Code of an argument of the wrong type or size (the same code as `ikd-wasm`'s).
pub const BAD_ARGUMENT: &str = "bad_argument";
/// Code of an image whose QR codes hold no text (the same code and words as the server's
/// `POST /v1/verify/image`).
pub const QR_NOT_TEXT: &str = "qr_not_text";

/// An error the reader throws: a stable code and a message in the caller's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderError {
    /// The stable code: one of [`ScanError::code`], [`BAD_ARGUMENT`] or [`QR_NOT_TEXT`].
    pub code: String,
    /// The message, in the language of the call.
    pub message: String,
}

impl ReaderError {
    fn scan(e: &ScanError, lang: Lang) -> ReaderError {
        ReaderError { code: e.code().to_owned(), message: e.message(lang) }
    }

    /// An argument of the wrong type or size; `what` names it.
    pub fn bad_argument(what: &str, lang: Lang) -> ReaderError {
        let message = match lang {
            Lang::Id => format!("argumen tidak dapat dipakai: {what}"),
            Lang::En => format!("unusable argument: {what}"),
        };
        ReaderError { code: BAD_ARGUMENT.to_owned(), message }
    }

    fn not_text(lang: Lang) -> ReaderError {
        let message = match lang {
            Lang::Id => "Kode QR pada gambar tidak berisi teks.",
            Lang::En => "The QR code in the image holds no text.",
        };
        ReaderError { code: QR_NOT_TEXT.to_owned(), message: message.to_owned() }
    }
}

impl std::fmt::Display for ReaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ReaderError {}

/// The texts of the codes the core found, in its order (IKD codes first). Codes whose payload
/// is not text are left out; when every code found is such a code, [`QR_NOT_TEXT`].
fn texts(codes: &[ScannedCode], lang: Lang) -> Result<Vec<String>, ReaderError> {
    let texts: Vec<String> = codes.iter().filter_map(|c| c.text().map(str::to_owned)).collect();
    if texts.is_empty() {
        return Err(ReaderError::not_text(lang));
    }
    Ok(texts)
}

/// Reads every QR code in an encoded PNG, JPEG or WebP file, with the core's default caps
/// ([`ScanLimits::default`]) and its whole cascade ([`ScanEffort::Thorough`]), as the server
/// does for an upload.
pub fn read_image(bytes: &[u8], lang: Lang) -> Result<Vec<String>, ReaderError> {
    let codes = scan::decode_image_with(bytes, &ScanLimits::default(), ScanEffort::Thorough)
        .map_err(|e| ReaderError::scan(&e, lang))?;
    texts(&codes, lang)
}

/// Reads every QR code in one camera frame: `rgba` is `width` × `height` pixels of 8-bit RGBA,
/// row by row, as a canvas' `getImageData` gives them. The frame is held to the same caps as an
/// encoded image (each side at most [`ScanLimits::DEFAULT_MAX_DIMENSION`], at most
/// [`MAX_PIXELS`] in all) and read with [`ScanEffort::LiveFrame`], as the server reads a
/// camera frame.
pub fn read_frame(rgba: &[u8], width: u32, height: u32, lang: Lang) -> Result<Vec<String>, ReaderError> {
    if width == 0 || height == 0 {
        return Err(ReaderError::bad_argument("width, height", lang));
    }
    let limits = ScanLimits::default();
    if width > limits.max_width || height > limits.max_height {
        return Err(ReaderError::scan(&ScanError::DimensionsTooLarge { width, height }, lang));
    }
    let pixels = u64::from(width).saturating_mul(u64::from(height));
    if pixels > MAX_PIXELS {
        return Err(ReaderError::scan(&ScanError::DimensionsTooLarge { width, height }, lang));
    }
    // At most 2^24 pixels (checked above), so 4 bytes a pixel fits a u64 and this platform's usize.
    if u64::try_from(rgba.len()).ok() != Some(pixels.saturating_mul(4)) {
        return Err(ReaderError::bad_argument("rgba (width × height × 4 bytes)", lang));
    }
    let frame = RgbaImage::from_raw(width, height, rgba.to_vec())
        .ok_or_else(|| ReaderError::bad_argument("rgba (width × height × 4 bytes)", lang))?;
    // A camera frame is opaque: the alpha channel is ignored (Rec. 709 luma, image's conversion).
    let luma = DynamicImage::ImageRgba8(frame).to_luma8();
    let codes = scan::decode_luma_with(&luma, ScanEffort::LiveFrame).map_err(|e| ReaderError::scan(&e, lang))?;
    texts(&codes, lang)
}
