//! The live presentations accepted by earlier `ikd verify` runs on this machine.
//!
//! A [`Verifier`](ikd_core::Verifier) catches a replay to itself, but a counter that runs
//! `ikd verify` once per scan starts a new process, and a new verifier, each time. So every
//! accepted live presentation's [`ReplayToken`] is also written to a small file (default
//! `seen-presentations` in the data directory), and a token found there turns the verdict into
//! `presentation_replayed`.
//!
//! The file holds one line per presentation: 32 hex digits (a hash of the holder signature,
//! no personal data) and the Unix time its window ends. Entries are dropped once that time has
//! passed, so the file stays small (a busy counter holds a few dozen). Runs take turns through
//! an exclusive lock on `seen-presentations.lock`, and the file is replaced atomically.
//! When it cannot be used (a read-only home, say) the run warns once and relies on its own
//! verifier's cache.

use std::cell::Cell;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ikd_core::{Lang, ReplayToken, Timestamp};

use crate::tr;

/// The file's name in the data directory.
pub const FILE_NAME: &str = "seen-presentations";

/// Read at most this much of the file: 100 000 entries of 44 bytes.
const MAX_BYTES: u64 = 4_400_000;

/// What the file said about a presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Not seen before; now recorded.
    Fresh,
    /// Recorded by an earlier run and still inside its window.
    Replayed,
    /// The file could not be used (a warning was printed).
    Unavailable,
}

/// The seen-presentations file of one run.
#[derive(Debug)]
pub struct SeenFile {
    path: PathBuf,
    lang: Lang,
    warned: Cell<bool>,
}

impl SeenFile {
    /// The file at `path` (created when first needed).
    pub fn new(path: PathBuf, lang: Lang) -> SeenFile {
        SeenFile { path, lang, warned: Cell::new(false) }
    }

    /// Checks `token` against the file and records it, at the system clock's time.
    pub fn record(&self, token: ReplayToken) -> Seen {
        match self.try_record(token, Timestamp::now().unix()) {
            Ok(seen) => seen,
            Err(e) => {
                if !self.warned.replace(true) {
                    eprintln!(
                        "ikd: {}: {}: {e}; {}",
                        tr!(self.lang, "peringatan", "warning"),
                        self.path.display(),
                        tr!(
                            self.lang,
                            "kode QR langsung yang dipindai ulang hanya dikenali dalam proses ini",
                            "a live QR code scanned again is recognised only within this run"
                        )
                    );
                }
                Seen::Unavailable
            }
        }
    }

    fn try_record(&self, token: ReplayToken, now: i64) -> std::io::Result<Seen> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let lock = OpenOptions::new().create(true).truncate(false).write(true).open(lock_path(&self.path))?;
        lock.lock()?;
        let mut entries = read_entries(&self.path, now)?;
        let id = token.id_hex();
        if entries.iter().any(|(e, _)| *e == id) {
            return Ok(Seen::Replayed);
        }
        entries.push((id, token.until().unix()));
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            let mut text = String::with_capacity(entries.len() * 44);
            for (id, until) in &entries {
                text.push_str(&format!("{id} {until}\n"));
            }
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        drop(lock);
        Ok(Seen::Fresh)
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

/// The entries still inside their windows at `now`. Lines that do not parse are dropped (a
/// file cut short by a crash loses at most its last line).
fn read_entries(path: &Path, now: i64) -> std::io::Result<Vec<(String, i64)>> {
    let mut text = String::new();
    match File::open(path) {
        Ok(f) => {
            f.take(MAX_BYTES).read_to_string(&mut text)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(text
        .lines()
        .filter_map(|l| {
            let (id, until) = l.split_once(' ')?;
            let until: i64 = until.parse().ok()?;
            (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && until > now).then(|| (id.to_owned(), until))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_and_malformed_lines_are_dropped() {
        let d = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let p = d.path().join(FILE_NAME);
        let good = "0123456789abcdef0123456789abcdef";
        std::fs::write(&p, format!("{good} 200\n{good} 50\nnot a line\nabc 300\n{good}")).unwrap_or_default();
        let entries = read_entries(&p, 100).unwrap_or_default();
        assert_eq!(entries, vec![(good.to_owned(), 200)]);
        assert_eq!(lock_path(&p).file_name().and_then(|n| n.to_str()), Some("seen-presentations.lock"));
    }
}
