//! The reader's functions in plain Rust: what the wasm-bindgen exports call, tested on the host.

use ikd_core::Lang;
use ikd_core::scan::{self, ScanEffort, ScanError, ScanLimits, ScannedCode};

pub use ikd_core::session::BAD_ARGUMENT;
/// The reader's errors: the bindings' error type (a code and a message).
pub use ikd_core::session::BindingError as ReaderError;
/// Code of an image whose QR codes hold no text: the core's [`ScanError::NotText`], as the
/// server's `POST /v1/verify/image` answers it.
pub const QR_NOT_TEXT: &str = "qr_not_text";

/// A scan error as the reader throws it.
fn scan_error(e: &ScanError, lang: Lang) -> ReaderError {
    match e {
        // In JS the buffer and its dimensions are the arguments of `readFrame`: a mismatch
        // between them is thrown as the package's argument code, as it always was.
        ScanError::FrameSizeMismatch { width: 0, .. } | ScanError::FrameSizeMismatch { height: 0, .. } => {
            ReaderError::bad_argument("width, height", lang)
        }
        ScanError::FrameSizeMismatch { .. } => ReaderError::bad_argument("rgba (width × height × 4 bytes)", lang),
        _ => ReaderError::from_core(e, lang),
    }
}

/// The texts of the codes the core found, in its order (IKD codes first): the core's rule
/// ([`scan::texts`]: codes whose payload is not text are left out; when every code found is
/// such a code, [`QR_NOT_TEXT`]).
fn texts(codes: &[ScannedCode], lang: Lang) -> Result<Vec<String>, ReaderError> {
    let texts = scan::texts(codes).map_err(|e| scan_error(&e, lang))?;
    Ok(texts.into_iter().map(str::to_owned).collect())
}

/// Reads every QR code in an encoded PNG, JPEG or WebP file, with the core's default caps
/// ([`ScanLimits::default`]) and its whole cascade ([`ScanEffort::Thorough`]), as the server
/// does for an upload.
pub fn read_image(bytes: &[u8], lang: Lang) -> Result<Vec<String>, ReaderError> {
    let codes = scan::decode_image_with(bytes, &ScanLimits::default(), ScanEffort::Thorough)
        .map_err(|e| scan_error(&e, lang))?;
    texts(&codes, lang)
}

/// Reads every QR code in one camera frame: `rgba` is `width` × `height` pixels of 8-bit RGBA,
/// row by row, as a canvas' `getImageData` gives them, read by the core's
/// [`scan::read_rgba_frame`] (the caps of an encoded image, checked on the dimensions first;
/// the alpha channel ignored) with [`ScanEffort::LiveFrame`], as the server reads a camera
/// frame.
pub fn read_frame(rgba: &[u8], width: u32, height: u32, lang: Lang) -> Result<Vec<String>, ReaderError> {
    let codes = scan::read_rgba_frame(rgba, width, height, ScanEffort::LiveFrame).map_err(|e| scan_error(&e, lang))?;
    texts(&codes, lang)
}
