//! QR rendering for the wallet page: a text → an SVG document, drawn by the core's renderer
//! ([`ikd_core::render`], feature `render`), which decides the code (the smallest version, one
//! alphanumeric segment when that is smaller) and the error-correction level. The page only
//! scales the SVG; the module size a counter webcam reads is the page's CSS (`docs/WALLET.md`).

use ikd_core::Lang;
use ikd_core::render::{ErrorCorrection, RenderOptions};

use crate::api::ReaderError;

/// The longest text rendered: more than a version 40 code holds at level L (4 296
/// alphanumeric characters), so anything longer is refused before the encoder runs.
pub const MAX_RENDER_CHARS: usize = 4296;

/// An error-correction level by name (`L`, `M`, `Q`, `H`, any case); `None` is the core's
/// default (`M`).
pub fn ec_level(name: Option<&str>, lang: Lang) -> Result<ErrorCorrection, ReaderError> {
    let Some(name) = name else { return Ok(ErrorCorrection::default()) };
    ErrorCorrection::ALL
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(name))
        .ok_or_else(|| ReaderError::bad_argument("options.ecLevel (L, M, Q, H)", lang))
}

/// The QR code of `text` at `ec` as an SVG document (one module = one user unit, the core's
/// screen quiet zone), and its version.
pub fn render_svg(text: &str, ec: ErrorCorrection, lang: Lang) -> Result<(String, u8), ReaderError> {
    if text.is_empty() || text.len() > MAX_RENDER_CHARS {
        return Err(ReaderError::bad_argument("text (1 to 4296 characters)", lang));
    }
    let opts = RenderOptions { ec, ..RenderOptions::SCREEN };
    let svg = ikd_core::render::render_svg(text, &opts).map_err(|e| ReaderError::from_core(&e, lang))?;
    let version = ikd_core::render::qr_version(text, ec).unwrap_or(0);
    Ok((svg, version))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_reads_back() {
        let (svg, v) = render_svg("IKDHK1:TEST", ErrorCorrection::M, Lang::En).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(v >= 1);
    }

    #[test]
    fn refuses_empty_too_long_and_bad_level() {
        assert_eq!(render_svg("", ErrorCorrection::M, Lang::En).unwrap_err().code, "bad_argument");
        let long = "A".repeat(MAX_RENDER_CHARS + 1);
        assert_eq!(render_svg(&long, ErrorCorrection::M, Lang::En).unwrap_err().code, "bad_argument");
        // Fits L's 4296 but not H's capacity: the core's code.
        let l = "A".repeat(4000);
        assert_eq!(render_svg(&l, ErrorCorrection::H, Lang::Id).unwrap_err().code, "render_too_long");
        assert_eq!(ec_level(Some("x"), Lang::En).unwrap_err().code, "bad_argument");
        assert_eq!(ec_level(Some("q"), Lang::En).unwrap(), ErrorCorrection::Q);
        assert_eq!(ec_level(None, Lang::En).unwrap(), ErrorCorrection::M);
    }
}
