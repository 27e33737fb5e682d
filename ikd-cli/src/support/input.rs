//! Where credentials come from: an argument, a text file, a QR image (PNG/JPEG), or stdin.

use std::path::Path;

use ikd_core::Lang;
use ikd_core::scan::{self, ScanError, ScanLimits};

use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::tr;

/// One credential text and where it came from.
#[derive(Debug, Clone)]
pub struct Item {
    /// `argument`, `file.txt:3`, `photo.jpg`, `<stdin>:2`.
    pub label: String,
    /// The text.
    pub text: String,
}

/// The resolved input.
#[derive(Debug)]
pub enum Input {
    /// Texts known up front.
    Items(Vec<Item>),
    /// Read stdin line by line (a USB scanner types one credential per line).
    Stdin,
}

/// Whether bytes look like an image rather than text.
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || (bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
}

/// Splits text into credential lines: line endings removed, blank lines skipped. Spaces are
/// kept, because a space is a Base45 character.
pub fn text_items(text: &str, label: &str) -> Vec<Item> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| Item { label: format!("{label}:{n}"), text: l.to_owned() })
        .collect()
}

/// Resolves the INPUT argument.
pub fn resolve(lang: Lang, arg: Option<&str>) -> CliResult<Input> {
    let Some(arg) = arg.filter(|a| *a != "-") else {
        return Ok(Input::Stdin);
    };
    let path = Path::new(arg);
    let looks_like_credential = arg.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("IKD"));
    if looks_like_credential && !path.exists() {
        return Ok(Input::Items(vec![Item { label: tr!(lang, "argumen", "argument"), text: arg.to_owned() }]));
    }
    let bytes = fsutil::read_bytes(lang, path)?;
    if is_image(&bytes) {
        return Ok(Input::Items(scan_image(lang, path, &bytes)?));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::new(
            "input_not_text_or_image",
            tr!(
                lang,
                "berkas ini bukan teks kredensial maupun gambar PNG/JPEG",
                "this file is neither credential text nor a PNG/JPEG image"
            ),
        )
        .file(path)
    })?;
    let items = text_items(&text, &path.display().to_string());
    if items.is_empty() {
        return Err(CliError::new("input_empty", tr!(lang, "berkas kosong", "the file is empty")).file(path));
    }
    Ok(Input::Items(items))
}

/// Reads the QR codes in an image; IKD codes first. Codes that are not IKD are returned too
/// (they will be rejected with a clear reason) when no IKD code is found.
pub fn scan_image(lang: Lang, path: &Path, bytes: &[u8]) -> CliResult<Vec<Item>> {
    let codes = scan::decode_image(bytes, &ScanLimits::default()).map_err(|e| scan_error(lang, &e).file(path))?;
    let label = path.display().to_string();
    let ikd: Vec<_> = codes.iter().filter(|c| c.is_ikd()).collect();
    let chosen: Vec<_> = if ikd.is_empty() { codes.iter().collect() } else { ikd };
    let many = chosen.len() > 1;
    let items: Vec<Item> = chosen
        .into_iter()
        .enumerate()
        .map(|(i, c)| Item {
            label: if many { format!("{label} (QR {})", i + 1) } else { label.clone() },
            text: c.text().map(str::to_owned).unwrap_or_else(|| String::from_utf8_lossy(c.bytes()).into_owned()),
        })
        .collect();
    if items.is_empty() {
        return Err(scan_error(lang, &ScanError::NoCode { hint: None }).file(path));
    }
    Ok(items)
}

/// A scan error in plain language.
pub fn scan_error(lang: Lang, e: &ScanError) -> CliError {
    // Issue 14: the text comes from the core, the same as the server's.
    CliError::from_core(e, lang)
}
