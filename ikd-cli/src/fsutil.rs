//! File helpers: reading with plain-language errors, atomic replacement, and secret files.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ikd_core::Lang;

use crate::error::{CliError, CliResult, IoAction};
use crate::tr;

/// Largest text or image file the CLI reads (claims, keys, trust stores, credentials, images).
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a whole file as bytes, refusing very large ones.
pub fn read_bytes(lang: Lang, path: &Path) -> CliResult<Vec<u8>> {
    let meta = fs::metadata(path).map_err(|e| CliError::io(lang, path, IoAction::Read, &e))?;
    if meta.is_dir() {
        return Err(CliError::new(
            "io_is_a_directory",
            tr!(lang, "ini sebuah direktori, bukan berkas", "this is a directory, not a file"),
        )
        .file(path));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(CliError::new(
            "io_too_large",
            tr!(lang, "berkas terlalu besar ({} byte)", "the file is too large ({} bytes)", meta.len()),
        )
        .file(path));
    }
    fs::read(path).map_err(|e| CliError::io(lang, path, IoAction::Read, &e))
}

/// Reads a whole file as UTF-8 text.
pub fn read_text(lang: Lang, path: &Path) -> CliResult<String> {
    let bytes = read_bytes(lang, path)?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
        CliError::new("io_not_utf8", tr!(lang, "isi berkas bukan teks UTF-8", "the file is not UTF-8 text"))
            .file(path)
            .line(line)
            .column(column)
    })
}

/// 1-based line and column of byte offset `at`.
pub fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = bytes.get(..at).unwrap_or(bytes);
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, column)
}

/// A sibling path with a suffix added to the file name (`key` → `key.pub`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Replaces `path` atomically: writes a temporary file beside it, syncs it, renames it over
/// `path` and syncs the directory. Readers see the old or the new file, never a torn one.
pub fn write_atomic(lang: Lang, path: &Path, bytes: &[u8], mode: u32, durable: bool) -> CliResult<()> {
    let tmp = with_suffix(path, &format!(".tmp{}", std::process::id()));
    let io = |e: std::io::Error| CliError::io(lang, path, IoAction::Write, &e);
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        drop(f);
        fs::rename(&tmp, path)?;
        if durable {
            File::open(parent_dir(path))?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Creates a file that must not exist yet (or, with `force`, replaces it), with `mode`, and
/// syncs it. Used for secret keys (mode 0600).
pub fn write_new(lang: Lang, path: &Path, bytes: &[u8], mode: u32, force: bool) -> CliResult<()> {
    if force {
        // Replace without ever widening the permissions of an existing file.
        return write_atomic(lang, path, bytes, mode, true);
    }
    let mut f = OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::new(
                "io_already_exists",
                tr!(
                    lang,
                    "berkas sudah ada; tidak ditimpa (pakai --force untuk menimpa)",
                    "the file already exists; not overwritten (use --force to overwrite)"
                ),
            )
            .file(path)
        } else {
            CliError::io(lang, path, IoAction::Write, &e)
        }
    })?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| CliError::io(lang, path, IoAction::Write, &e))?;
    Ok(())
}

/// Writes an output file (credential, QR, card), replacing any old one.
pub fn write_output(lang: Lang, path: &Path, bytes: &[u8]) -> CliResult<()> {
    write_atomic(lang, path, bytes, 0o644, false)
}
