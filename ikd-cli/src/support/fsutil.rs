//! File helpers: reading with plain-language errors, atomic replacement, and secret files.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ikd_core::Lang;

use crate::support::error::{CliError, CliResult, IoAction};
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
        return Err(too_large(lang, path, meta.len()));
    }
    fs::read(path).map_err(|e| CliError::io(lang, path, IoAction::Read, &e))
}

/// `io_too_large`: a file over [`MAX_INPUT_BYTES`] (its size in the message).
pub fn too_large(lang: Lang, path: &Path, len: u64) -> CliError {
    CliError::new("io_too_large", tr!(lang, "berkas terlalu besar ({} byte)", "the file is too large ({} bytes)", len))
        .file(path)
}

/// `io_not_utf8`: the file's bytes are not UTF-8 from `line` and `column` (1-based) on.
pub fn not_utf8(lang: Lang, path: &Path, line: usize, column: usize) -> CliError {
    CliError::new("io_not_utf8", tr!(lang, "isi berkas bukan teks UTF-8", "the file is not UTF-8 text"))
        .file(path)
        .line(line)
        .column(column)
}

/// Reads a whole file as UTF-8 text.
pub fn read_text(lang: Lang, path: &Path) -> CliResult<String> {
    let bytes = read_bytes(lang, path)?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
        not_utf8(lang, path, line, column)
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

/// A fresh temporary file beside `path`, created exclusively (`O_CREAT|O_EXCL`, which never
/// follows a symbolic link) with `mode` and a random name, so that nothing planted beside the
/// target (a symlink at a guessable name) can redirect the write.
fn create_temp(path: &Path, mode: u32) -> std::io::Result<(File, PathBuf)> {
    let mut last = None;
    for _ in 0..16 {
        let mut r = [0u8; 8];
        getrandom::fill(&mut r).map_err(|_| std::io::Error::other("the system random source failed"))?;
        let tmp = with_suffix(path, &format!(".tmp-{}", hex::encode(r)));
        match OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp) {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Replaces `path` atomically: writes a fresh temporary file beside it (created exclusively,
/// see [`create_temp`]), syncs it, renames it over `path` and syncs the directory. Readers see
/// the old or the new file, never a torn one. A symbolic link at `path` is replaced by the
/// file, never written through.
pub fn write_atomic(lang: Lang, path: &Path, bytes: &[u8], mode: u32, durable: bool) -> CliResult<()> {
    let io = |e: std::io::Error| CliError::io(lang, path, IoAction::Write, &e);
    let (mut f, tmp) = create_temp(path, mode).map_err(io)?;
    let result = (|| {
        // The mode given at creation is reduced by the umask; never wider than `mode`.
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
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

/// Writes a file holding personal data or salt secrets (mode 0600), replacing any old one.
pub fn write_private(lang: Lang, path: &Path, bytes: &[u8], durable: bool) -> CliResult<()> {
    write_atomic(lang, path, bytes, 0o600, durable)
}

/// What [`private_dir`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateDir {
    /// Created, mode 0700.
    Created,
    /// Already there and private (no group or other access).
    Private,
    /// Already there with group or other access: tightened to owner-only; the old mode.
    Tightened(u32),
}

/// Makes `dir` a private directory (mode 0700): creates it (and missing parents, 0700), or
/// removes group and other access from an existing one. A directory whose mode cannot be
/// changed (owned by another user) is refused, since what goes into it would be readable.
pub fn private_dir(lang: Lang, dir: &Path) -> CliResult<PrivateDir> {
    let io = |e: std::io::Error| CliError::io(lang, dir, IoAction::Write, &e);
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
            // The umask may have narrowed it further; never wider than 0700.
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
            Ok(PrivateDir::Created)
        }
        Err(e) => Err(io(e)),
        Ok(_) => {
            // A symlink to a directory is followed here, as the user named it.
            let meta = fs::metadata(dir).map_err(io)?;
            if !meta.is_dir() {
                return Err(CliError::new(
                    "io_not_a_directory",
                    tr!(lang, "ini bukan direktori", "this is not a directory"),
                )
                .file(dir));
            }
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 == 0 {
                return Ok(PrivateDir::Private);
            }
            fs::set_permissions(dir, fs::Permissions::from_mode(mode & 0o700)).map_err(|e| {
                CliError::new(
                    "batch_dir_not_private",
                    tr!(
                        lang,
                        "direktori ini dapat dibaca pengguna lain (mode {:04o}) dan modenya tidak dapat diubah ({}); pakai direktori sendiri",
                        "other users can read this directory (mode {:04o}) and its mode cannot be changed ({}); use a directory of your own",
                        mode,
                        e
                    ),
                )
                .file(dir)
            })?;
            Ok(PrivateDir::Tightened(mode))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// `--force` used to write the key through `<key>.tmp<pid>` opened with `O_CREAT|O_TRUNC`:
    /// a symbolic link planted there made the secret key land in the link's target (and the
    /// key file itself became that link). The temporary file is now created exclusively under
    /// a random name and renamed over the target.
    #[test]
    fn regression_forced_key_write_does_not_follow_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let key = d.path().join("office.key");
        let victim = d.path().join("victim.txt");
        let victim_tmp = d.path().join("victim-tmp.txt");
        fs::write(&victim, "precious\n").unwrap();
        fs::write(&victim_tmp, "precious too\n").unwrap();
        std::os::unix::fs::symlink(&victim, &key).unwrap();
        // The temporary name the old code used, with this process's id.
        std::os::unix::fs::symlink(&victim_tmp, with_suffix(&key, &format!(".tmp{}", std::process::id()))).unwrap();

        write_new(Lang::En, &key, b"SECRET\n", 0o600, true).unwrap();

        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
        assert_eq!(fs::read_to_string(&victim_tmp).unwrap(), "precious too\n");
        let meta = fs::symlink_metadata(&key).unwrap();
        assert!(meta.file_type().is_file(), "the key is a regular file, not a link");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read_to_string(&key).unwrap(), "SECRET\n");
        // No temporary file is left behind.
        let left: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("office.key.tmp-"))
            .collect();
        assert!(left.is_empty());
    }

    #[test]
    fn private_dir_creates_0700_and_tightens() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("a/b");
        assert_eq!(private_dir(Lang::En, &out).unwrap(), PrivateDir::Created);
        assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o700);
        fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(private_dir(Lang::En, &out).unwrap(), PrivateDir::Tightened(0o755));
        assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(private_dir(Lang::En, &out).unwrap(), PrivateDir::Private);
    }
}
