//! `ikd qr`: render a credential as PNG, SVG or terminal QR code.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ikd_core::Lang;
use ikd_core::render::{self, ErrorCorrection, RenderError, RenderOptions};

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::tr;

/// Error-correction level argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EcArg {
    /// About 7% recovery.
    L,
    /// About 15% recovery (default).
    M,
    /// About 25% recovery.
    Q,
    /// About 30% recovery.
    H,
}

impl From<EcArg> for ErrorCorrection {
    fn from(e: EcArg) -> Self {
        match e {
            EcArg::L => ErrorCorrection::L,
            EcArg::M => ErrorCorrection::M,
            EcArg::Q => ErrorCorrection::Q,
            EcArg::H => ErrorCorrection::H,
        }
    }
}

/// `ikd qr` arguments.
#[derive(Debug, Args)]
pub struct QrArgs {
    /// Credential text (IKD1:…), a text file, a QR image, or `-` for stdin.
    pub input: Option<String>,
    /// Write to this file: `.png` or `.svg`. Without it the code is drawn in the terminal.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Error-correction level.
    #[arg(long, value_enum, default_value = "m", ignore_case = true)]
    pub ec: EcArg,
    /// Pixels per module (PNG and SVG).
    #[arg(long, default_value_t = 6)]
    pub module_px: u32,
}

/// A render error in plain language.
pub fn render_error(lang: Lang, e: &RenderError) -> CliError {
    CliError::from_core(e, lang)
}

/// Writes the QR code of `text` to `path` as PNG or SVG, chosen by the extension.
pub fn write_qr(lang: Lang, text: &str, path: &Path, opts: &RenderOptions) -> CliResult<()> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("png") => render::render_png(text, opts).map_err(|e| render_error(lang, &e))?,
        Some("svg") => render::render_svg(text, opts).map_err(|e| render_error(lang, &e))?.into_bytes(),
        _ => {
            return Err(CliError::new(
                "qr_unknown_format",
                tr!(lang, "nama berkas harus berakhiran .png atau .svg", "the file name must end in .png or .svg"),
            )
            .file(path));
        }
    };
    fsutil::write_output(lang, path, &bytes)
}

/// `ikd qr`.
pub fn cmd_qr(ctx: &Ctx, a: &QrArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let item = crate::commands::inspect::one_item(ctx, a.input.as_deref())?;
    let text = item.text.trim_end_matches(['\r', '\n']);
    let ec: ErrorCorrection = a.ec.into();
    let version = render::qr_version(text, ec);
    match &a.out {
        Some(path) => {
            let opts = RenderOptions { ec, module_px: a.module_px, quiet_zone: 4 };
            write_qr(lang, text, path, &opts)?;
            if ctx.json {
                crate::ctx::print_json(&serde_json::json!({
                    "file": path.display().to_string(),
                    "ec": ec.as_str(),
                    "qr_version": version,
                    "chars": text.len(),
                }));
            } else {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "Kode QR versi {} (koreksi {}) ditulis ke {}",
                        "QR code version {} (error correction {}) written to {}",
                        version.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                        ec.as_str(),
                        path.display()
                    )
                );
            }
        }
        None => {
            let art = render::render_terminal(text, ec).map_err(|e| render_error(lang, &e))?;
            if ctx.json {
                crate::ctx::print_json(&serde_json::json!({"terminal": art, "ec": ec.as_str(), "qr_version": version}));
            } else {
                print!("{art}");
            }
        }
    }
    Ok(0)
}
