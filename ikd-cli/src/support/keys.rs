//! `ikd key`: key files, public key files, and the issuer's serial state file.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ikd_core::{Lang, PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::support::error::{CliError, CliResult, IoAction};
use crate::support::fsutil::{self, with_suffix};
use crate::tr;

/// The first line of a secret key file (as written by `SecretKey::to_file_text`).
const SECRET_HEADER: &str = "IKD-SECRET-KEY-1";

/// Which kind of key (only changes the comments written into the files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyKind {
    /// An issuing office's signing key.
    Issuer,
    /// A holder's (phone) key.
    Holder,
    /// A root key that signs trust lists (`ikd trust sign`); keep it offline.
    Root,
}

/// Reads a secret key file. Errors name the file, never its contents.
pub fn read_secret_key(lang: Lang, path: &Path) -> CliResult<SecretKey> {
    let text = zeroize_string(fsutil::read_text(lang, path)?);
    SecretKey::from_file_text(&text).map_err(|e| {
        CliError::new(
            e.code(),
            tr!(
                lang,
                "bukan berkas kunci rahasia IKD yang sah: {}",
                "not a valid IKD secret key file: {}",
                e.message(lang)
            ),
        )
        .file(path)
    })
}

fn zeroize_string(s: String) -> Zeroizing<String> {
    Zeroizing::new(s)
}

/// Reads a public key given as `ikdpk1:…` text, a `.pub` file, or a secret key file.
pub fn read_public_key(lang: Lang, spec: &str) -> CliResult<PublicKey> {
    if spec.starts_with("ikdpk1:") && !Path::new(spec).exists() {
        return PublicKey::from_text(spec).map_err(|e| {
            CliError::new(e.code(), tr!(lang, "kunci publik tidak sah: {}", "invalid public key: {}", e.message(lang)))
        });
    }
    let path = Path::new(spec);
    let text = zeroize_string(fsutil::read_text(lang, path)?);
    let mut lines =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((line, first)) = lines.next() else {
        return Err(
            CliError::new("key_wrong_format", tr!(lang, "berkas kunci kosong", "the key file is empty")).file(path)
        );
    };
    if first == SECRET_HEADER {
        return read_secret_key(lang, path).map(|k| k.public_key());
    }
    PublicKey::from_text(first).map_err(|e| {
        CliError::new(e.code(), tr!(lang, "kunci publik tidak sah: {}", "invalid public key: {}", e.message(lang)))
            .file(path)
            .line(line)
    })
}

/// The `.pub` file text.
/// The state file of a key: `<key>.state.json`.
pub fn state_path_for(key: &Path) -> PathBuf {
    with_suffix(key, ".state.json")
}

/// The issuer's serial state, kept next to its key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Always 1.
    pub version: u64,
    /// The key this state belongs to.
    pub key_id: String,
    /// The next serial to hand out (serials start at 1).
    pub next_serial: u64,
    /// Hex key of the permutation that turns serials into status-list indices.
    pub status_key: String,
    /// The issuing office's name, for cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<String>,
}

impl State {
    /// A new state for a new issuer key: serial 1 and a random status key.
    pub fn fresh(pk: &PublicKey, issuer_name: Option<String>) -> CliResult<State> {
        let mut k = [0u8; 16];
        getrandom::fill(&mut k).map_err(|_| CliError::new("random_failed", "the system random source failed"))?;
        Ok(State {
            version: 1,
            key_id: pk.key_id().to_string(),
            next_serial: 1,
            status_key: hex::encode(k),
            issuer_name,
        })
    }

    /// Writes the state file (atomically).
    pub fn write(&self, lang: Lang, path: &Path) -> CliResult<()> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        fsutil::write_atomic(lang, path, text.as_bytes(), 0o600, true)
    }

    fn read(lang: Lang, path: &Path) -> CliResult<State> {
        let text = fsutil::read_text(lang, path)?;
        serde_json::from_str(&text).map_err(|e| {
            CliError::new("state_bad_json", tr!(lang, "berkas status tidak sah: {}", "invalid state file: {}", e))
                .file(path)
                .line(e.line())
                .column(e.column())
        })
    }

    /// The status-list index of `serial`: a keyed permutation of the serial, so indices are
    /// unique per serial and fit a status list of the largest size (2^28 entries, `ikd
    /// status`), but do not reveal the order of issue. `None` for a serial of 2^28 or more:
    /// it has no index of its own (folding it into 28 bits would give it the index of another
    /// serial, and revoking one would revoke both).
    pub fn status_index(&self, serial: u64) -> Option<u32> {
        let v = u32::try_from(serial).ok().filter(|v| *v <= INDEX_MASK)?;
        let key = hex::decode(&self.status_key).unwrap_or_default();
        Some(permute28(&key, v))
    }
}

/// The largest serial a state file hands out or maps to a status index: 2^28 − 1.
pub const MAX_FOLDABLE_SERIAL: u64 = (1 << INDEX_BITS) - 1;

/// The error for a serial beyond [`MAX_FOLDABLE_SERIAL`].
pub fn unfoldable_serial(lang: Lang, serial: u64) -> CliError {
    CliError::new(
        "serial_beyond_status_range",
        tr!(
            lang,
            "nomor seri {} di luar rentang yang punya indeks daftar status sendiri (1 … {}); satu kunci menerbitkan paling banyak sebanyak itu: buat kunci penerbit baru (`ikd key new`), atau pakai --status-index",
            "serial {} is beyond the range that has a status-list index of its own (1 … {}); one key issues at most that many: make a new issuer key (`ikd key new`), or give --status-index",
            serial,
            MAX_FOLDABLE_SERIAL
        ),
    )
    .field(Some("serial".into()))
}

/// Status indices are below 2^28, the largest status list (`MAX_STATUS_LIST_ENTRIES`).
pub const INDEX_BITS: u32 = 28;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const HALF_BITS: u32 = INDEX_BITS / 2;
const HALF_MASK: u32 = (1 << HALF_BITS) - 1;

/// A 4-round Feistel permutation of 28-bit values (two 14-bit halves) keyed with SHA-256.
fn permute28(key: &[u8], v: u32) -> u32 {
    let (mut l, mut r) = ((v >> HALF_BITS) & HALF_MASK, v & HALF_MASK);
    for round in 0u8..4 {
        let mut h = Sha256::new();
        h.update(key);
        h.update([round]);
        h.update(r.to_be_bytes());
        let d = h.finalize();
        let f = u32::from_be_bytes([0, 0, d.first().copied().unwrap_or(0), d.get(1).copied().unwrap_or(0)]) & HALF_MASK;
        (l, r) = (r, l ^ f);
    }
    (l << HALF_BITS) | r
}

/// A held lock on a state file (a `.lock` file created exclusively; removed on drop).
pub struct StateLock(PathBuf);

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Takes the lock of a state file (`<state>.lock`), waiting up to 10 s for another process.
pub fn lock(lang: Lang, state: &Path) -> CliResult<StateLock> {
    let path = with_suffix(state, ".lock");
    let start = Instant::now();
    loop {
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                use std::io::Write;
                let _ = writeln!(f, "{}", std::process::id());
                return Ok(StateLock(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // A lock left by a process that no longer runs is stale.
                let holder = fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
                if let Some(pid) = holder
                    && !Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = fs::remove_file(&path);
                    continue;
                }
                if start.elapsed() > Duration::from_secs(10) {
                    return Err(CliError::new(
                        "state_locked",
                        tr!(
                            lang,
                            "berkas status sedang dipakai proses lain; bila tidak ada, hapus {}",
                            "the state file is in use by another process; if there is none, remove {}",
                            path.display()
                        ),
                    )
                    .file(state));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(CliError::io(lang, &path, IoAction::Write, &e)),
        }
    }
}

/// Reserves `count` serials for `pk` from the state file next to `key_path`; returns the state
/// (for status indices and the issuer name) and the first serial reserved. The state file is
/// replaced atomically and synced before this returns, so a reserved serial is never handed out
/// again, even after a crash.
pub fn reserve_serials(lang: Lang, key_path: &Path, pk: &PublicKey, count: u64, init: bool) -> CliResult<(State, u64)> {
    let path = state_path_for(key_path);
    let _lock = lock(lang, &path)?;
    let mut state = if path.exists() {
        State::read(lang, &path)?
    } else if init {
        State::fresh(pk, None)?
    } else {
        return Err(CliError::new(
            "state_missing",
            tr!(
                lang,
                "berkas penghitung nomor seri tidak ada; bila kunci ini belum pernah menerbitkan kredensial, jalankan lagi dengan --init-state",
                "the serial counter file is missing; if this key has never issued a credential, run again with --init-state"
            ),
        )
        .file(&path));
    };
    if state.key_id != pk.key_id().to_string() {
        return Err(CliError::new(
            "state_wrong_key",
            tr!(
                lang,
                "berkas status milik kunci {}, bukan kunci ini ({})",
                "the state file belongs to key {}, not to this key ({})",
                state.key_id,
                pk.key_id()
            ),
        )
        .file(&path)
        .field(Some("key_id".into())));
    }
    let first = state.next_serial.max(1);
    let next = first.checked_add(count).ok_or_else(|| {
        CliError::new("state_serials_exhausted", tr!(lang, "nomor seri habis", "no serial numbers left")).file(&path)
    })?;
    // Every serial handed out must map to a status index of its own (see `State::status_index`).
    if next - 1 > MAX_FOLDABLE_SERIAL {
        return Err(unfoldable_serial(lang, first.max(MAX_FOLDABLE_SERIAL + 1)).file(&path));
    }
    state.next_serial = next;
    state.write(lang, &path)?;
    Ok((state, first))
}

/// The state file of `key_path`, if it exists, can be read and belongs to `pk`.
pub fn read_state(lang: Lang, key_path: &Path, pk: &PublicKey) -> Option<State> {
    let path = state_path_for(key_path);
    if !path.exists() {
        return None;
    }
    State::read(lang, &path).ok().filter(|s| s.key_id == pk.key_id().to_string())
}

/// The issuer name recorded in the state file, if any.
pub fn state_issuer_name(lang: Lang, key_path: &Path) -> Option<String> {
    let path = state_path_for(key_path);
    if !path.exists() {
        return None;
    }
    State::read(lang, &path).ok().and_then(|s| s.issuer_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection_on_a_sample() {
        let key = [7u8; 16];
        let mut seen = std::collections::HashSet::new();
        for v in 0..20_000u32 {
            let p = permute28(&key, v);
            assert!(p <= INDEX_MASK);
            assert!(seen.insert(p));
        }
        let state = State {
            version: 1,
            key_id: String::new(),
            next_serial: 1,
            status_key: hex::encode(key),
            issuer_name: None,
        };
        let idx: std::collections::HashSet<u32> = (1..5_000u64).filter_map(|s| state.status_index(s)).collect();
        assert_eq!(idx.len(), 4_999);
        assert!(idx.iter().all(|i| *i < 1 << 28));
    }

    /// Serials of 2^28 and more used to be folded into 28 bits (`s ^ s >> 28 ^ s >> 56`), so
    /// serial 2^28 got the index of serial 1: revoking one revoked the other.
    #[test]
    fn regression_serials_beyond_2_pow_28_have_no_folded_index() {
        let state = State {
            version: 1,
            key_id: String::new(),
            next_serial: 1,
            status_key: hex::encode([9u8; 16]),
            issuer_name: None,
        };
        assert!(state.status_index(MAX_FOLDABLE_SERIAL).is_some());
        for s in [1u64 << 28, (1 << 28) + 1, 1 << 40, u64::MAX] {
            assert_eq!(state.status_index(s), None, "serial {s}");
        }
        assert_ne!(state.status_index(1), state.status_index(MAX_FOLDABLE_SERIAL));
    }
}
