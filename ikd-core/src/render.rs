//! Rendering credential text as QR codes (feature `render`).

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};
use qrcode::{Color, EcLevel, QrCode};

/// QR error-correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorCorrection {
    /// L: about 7% recovery.
    L,
    /// M: about 15% recovery (the default).
    #[default]
    M,
    /// Q: about 25% recovery.
    Q,
    /// H: about 30% recovery.
    H,
}

impl ErrorCorrection {
    /// All levels.
    pub const ALL: [ErrorCorrection; 4] =
        [ErrorCorrection::L, ErrorCorrection::M, ErrorCorrection::Q, ErrorCorrection::H];

    fn level(self) -> EcLevel {
        match self {
            ErrorCorrection::L => EcLevel::L,
            ErrorCorrection::M => EcLevel::M,
            ErrorCorrection::Q => EcLevel::Q,
            ErrorCorrection::H => EcLevel::H,
        }
    }

    /// `L`, `M`, `Q` or `H`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCorrection::L => "L",
            ErrorCorrection::M => "M",
            ErrorCorrection::Q => "Q",
            ErrorCorrection::H => "H",
        }
    }
}

/// How to draw the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Error correction.
    pub ec: ErrorCorrection,
    /// Pixels per module.
    pub module_px: u32,
    /// Quiet zone, in modules (the standard asks for 4).
    pub quiet_zone: u32,
}

impl RenderOptions {
    /// For phone screens: 6 px per module, so a version 12–22 code fills a phone screen's width
    /// at 1:1 pixels and survives scaling.
    pub const SCREEN: RenderOptions = RenderOptions { ec: ErrorCorrection::M, module_px: 6, quiet_zone: 4 };
    /// For print at 300 dpi: 6 px = 0.51 mm per module, above the 0.33 mm that cheap scanners need,
    /// so a version 22 code is 53 mm wide with its quiet zone and fits a card.
    pub const PRINT: RenderOptions = RenderOptions { ec: ErrorCorrection::M, module_px: 6, quiet_zone: 4 };
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions::SCREEN
    }
}

/// Errors from rendering.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The text does not fit any QR version at this error-correction level.
    #[error("the text is too long for a QR code at error correction {0}")]
    TooLong(&'static str),
    /// The module size is zero or absurdly large.
    #[error("module size must be between 1 and 64 pixels")]
    BadModuleSize,
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

impl RenderError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        match (self, lang) {
            (_, crate::lang::Lang::En) => self.to_string(),
            (RenderError::TooLong(l), crate::lang::Lang::Id) => {
                format!("teks terlalu panjang untuk kode QR dengan koreksi galat {l}")
            }
            (RenderError::BadModuleSize, crate::lang::Lang::Id) => "ukuran modul harus 1 sampai 64 piksel".into(),
            (RenderError::Png(m), crate::lang::Lang::Id) => format!("pembuatan PNG gagal: {m}"),
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RenderError::TooLong(_) => "render_too_long",
            RenderError::BadModuleSize => "render_bad_module_size",
            RenderError::Png(_) => "render_png_failed",
        }
    }
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The whole text as one alphanumeric segment, in the smallest version that holds it.
fn alphanumeric_code(text: &str, ec: ErrorCorrection, below: i16) -> Option<QrCode> {
    if !text.bytes().all(|b| ALNUM.contains(&b)) {
        return None;
    }
    (1..below).find_map(|v| {
        let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(v));
        bits.push_alphanumeric_data(text.as_bytes()).ok()?;
        bits.push_terminator(ec.level()).ok()?;
        QrCode::with_bits(bits, ec.level()).ok()
    })
}

/// The smallest code: the `qrcode` crate's segment optimiser sometimes splits digit runs
/// into numeric segments and ends one version above a single alphanumeric segment, so
/// both are tried (credential text is always alphanumeric).
fn code(text: &str, ec: ErrorCorrection) -> Result<QrCode, RenderError> {
    let optimised = QrCode::with_error_correction_level(text.as_bytes(), ec.level()).ok();
    let below = match optimised.as_ref().map(QrCode::version) {
        Some(qrcode::Version::Normal(v)) => v,
        _ => 41,
    };
    alphanumeric_code(text, ec, below).or(optimised).ok_or(RenderError::TooLong(ec.as_str()))
}

/// The smallest QR version (1–40) that holds `text` at `ec`, if any.
pub fn qr_version(text: &str, ec: ErrorCorrection) -> Option<u8> {
    match code(text, ec).ok()?.version() {
        qrcode::Version::Normal(v) => u8::try_from(v).ok(),
        qrcode::Version::Micro(_) => None,
    }
}

/// The module matrix with its quiet zone: `true` is dark.
pub fn modules(text: &str, ec: ErrorCorrection, quiet_zone: u32) -> Result<Vec<Vec<bool>>, RenderError> {
    let qr = code(text, ec)?;
    let w = qr.width();
    let q = quiet_zone as usize;
    let size = w + 2 * q;
    let colors = qr.to_colors();
    let mut rows = vec![vec![false; size]; size];
    for (i, c) in colors.iter().enumerate() {
        if let Some(cell) = rows.get_mut(i / w + q).and_then(|r| r.get_mut(i % w + q)) {
            *cell = *c == Color::Dark;
        }
    }
    Ok(rows)
}

/// Renders to a grayscale image.
pub fn render_image(text: &str, opts: &RenderOptions) -> Result<GrayImage, RenderError> {
    if opts.module_px == 0 || opts.module_px > 64 {
        return Err(RenderError::BadModuleSize);
    }
    let m = modules(text, opts.ec, opts.quiet_zone)?;
    let n = u32::try_from(m.len()).unwrap_or(0);
    let px = opts.module_px;
    Ok(GrayImage::from_fn(n * px, n * px, |x, y| {
        let dark = m.get((y / px) as usize).and_then(|r| r.get((x / px) as usize)).copied().unwrap_or(false);
        Luma([if dark { 0 } else { 255 }])
    }))
}

/// Renders to PNG bytes.
pub fn render_png(text: &str, opts: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let img = render_image(text, opts)?;
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).map_err(|e| RenderError::Png(e.to_string()))?;
    Ok(out.into_inner())
}

/// Renders to an SVG document (one path, scalable for print).
pub fn render_svg(text: &str, opts: &RenderOptions) -> Result<String, RenderError> {
    let m = modules(text, opts.ec, opts.quiet_zone)?;
    let n = m.len();
    let mut path = String::new();
    for (y, row) in m.iter().enumerate() {
        let mut x = 0;
        while x < n {
            if row.get(x).copied().unwrap_or(false) {
                let start = x;
                while row.get(x).copied().unwrap_or(false) {
                    x += 1;
                }
                path.push_str(&format!("M{start} {y}h{}v1h-{}z", x - start, x - start));
            } else {
                x += 1;
            }
        }
    }
    let px = n * opts.module_px.max(1) as usize;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{px}\" height=\"{px}\" viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>\n"
    ))
}

/// Renders for a terminal with UTF-8 half blocks (two module rows per line), dark on light.
pub fn render_terminal(text: &str, ec: ErrorCorrection) -> Result<String, RenderError> {
    let m = modules(text, ec, 2)?;
    let mut out = String::new();
    let empty = Vec::new();
    for pair in m.chunks(2) {
        let top = pair.first().unwrap_or(&empty);
        let bottom = pair.get(1).unwrap_or(&empty);
        for x in 0..top.len() {
            let t = top.get(x).copied().unwrap_or(false);
            let b = bottom.get(x).copied().unwrap_or(false);
            out.push(match (t, b) {
                (false, false) => '█',
                (true, false) => '▄',
                (false, true) => '▀',
                (true, true) => ' ',
            });
        }
        out.push('\n');
    }
    Ok(out)
}

crate::lang::user_error!(RenderError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Regression: the `qrcode` optimiser put 1133 alphanumeric characters whose digit runs
    /// it split off into version 23; one alphanumeric segment fits version 22.
    #[test]
    fn regression_full_alphanumeric_capacity_of_version_22_m() {
        let text: String = "IKD1:".chars().chain("0123456789AB".chars().cycle().take(1129)).collect();
        assert_eq!(text.len(), 1134);
        assert_eq!(qr_version(&text, ErrorCorrection::M), Some(22));
        let longer = format!("{text}0");
        assert_eq!(qr_version(&longer, ErrorCorrection::M), Some(23));
    }

    #[test]
    fn renders_png_svg_terminal_with_quiet_zone() {
        let text = "IKD1:ABC";
        let img = render_image(text, &RenderOptions::SCREEN).unwrap();
        // Version 1 is 21 modules, plus 4 on each side, 6 px each.
        assert_eq!(img.width(), (21 + 8) * 6);
        assert_eq!(img.get_pixel(0, 0).0[0], 255);
        assert!(render_svg(text, &RenderOptions::PRINT).unwrap().starts_with("<svg"));
        assert_eq!(render_terminal(text, ErrorCorrection::M).unwrap().lines().count(), (21usize + 4).div_ceil(2));
        let bad = RenderOptions { module_px: 0, ..RenderOptions::SCREEN };
        assert!(matches!(render_png(text, &bad), Err(RenderError::BadModuleSize)));
        let huge = "A".repeat(5000);
        assert!(matches!(render_png(&huge, &RenderOptions::SCREEN), Err(RenderError::TooLong("M"))));
    }
}
