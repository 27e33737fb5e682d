//! The local cache of signed lists that `ikd sync` fills and `ikd verify --cache` reads.
//!
//! Layout of the cache directory (`docs/CLI.md`, "The cache"):
//!
//! ```text
//! roots                 the pinned root public keys, one per line
//! trust-list.ikdtl      the last accepted trust list (exact bytes as downloaded)
//! status/<key id>.ikdsl the last accepted status list of each issuer key
//! etags.json            the server's ETag of each cached file
//! last_sync.json        when the last sync ran, from where, and what happened
//! sync.lock             exists while a sync runs
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ikd_core::status::{Freshness, FreshnessPolicy, StatusList};
use ikd_core::trustlist::TrustList;
use ikd_core::{Lang, PublicKey, Timestamp};
use serde::{Deserialize, Serialize};

use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::support::lists::{self, age_secs, age_text, freshness_text};
use crate::tr;

/// The file of the pinned roots.
pub const ROOTS: &str = "roots";
/// The cached trust list.
pub const TRUST_LIST: &str = "trust-list.ikdtl";
/// The directory of cached status lists.
pub const STATUS_DIR: &str = "status";
/// The ETags.
pub const ETAGS: &str = "etags.json";
/// The record of the last sync.
pub const LAST_SYNC: &str = "last_sync.json";

/// The cache directory: `--cache`, else `IKD_CACHE`, else `$XDG_DATA_HOME/ikd`, else
/// `~/.local/share/ikd`.
pub fn resolve(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    env_dir()
}

/// `IKD_CACHE`, `$XDG_DATA_HOME/ikd` or `~/.local/share/ikd`.
pub fn env_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var("IKD_CACHE") {
        return Some(p);
    }
    if let Some(p) = var("XDG_DATA_HOME") {
        return Some(p.join("ikd"));
    }
    var("HOME").map(|h| h.join(".local/share/ikd"))
}

/// Whether `IKD_CACHE` is set (then a missing trust list there is an error, not a fallback).
pub fn env_is_set() -> bool {
    std::env::var_os("IKD_CACHE").is_some_and(|v| !v.is_empty())
}

/// The path of a status list in the cache.
pub fn status_path(dir: &Path, key: &PublicKey) -> PathBuf {
    dir.join(STATUS_DIR).join(format!("{}.ikdsl", key.key_id()))
}

/// `last_sync.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LastSync {
    /// Always 1.
    pub version: u64,
    /// The server's base URL.
    pub from: String,
    /// When the last sync ran (whatever its outcome).
    pub last_attempt: Option<String>,
    /// Whether every download of the last sync succeeded (or was unchanged).
    pub last_attempt_ok: bool,
    /// When the last sync in which everything succeeded ran.
    pub last_success: Option<String>,
    /// The problems of the last sync (codes and messages).
    #[serde(default)]
    pub problems: Vec<String>,
}

impl LastSync {
    /// Reads `last_sync.json` (None if missing or unreadable).
    pub fn read(dir: &Path) -> Option<LastSync> {
        let text = std::fs::read_to_string(dir.join(LAST_SYNC)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes it atomically.
    pub fn write(&self, lang: Lang, dir: &Path) -> CliResult<()> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        fsutil::write_atomic(lang, &dir.join(LAST_SYNC), text.as_bytes(), 0o644, true)
    }
}

/// `etags.json`: cache file name (relative) → ETag.
pub fn read_etags(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join(ETAGS)).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// Writes `etags.json`.
pub fn write_etags(lang: Lang, dir: &Path, etags: &BTreeMap<String, String>) -> CliResult<()> {
    let mut text = serde_json::to_string_pretty(etags).unwrap_or_default();
    text.push('\n');
    fsutil::write_atomic(lang, &dir.join(ETAGS), text.as_bytes(), 0o644, true)
}

/// Reads the pinned roots: `--root` if given, else the cache's `roots` file.
pub fn roots(lang: Lang, dir: &Path, overrides: &[String]) -> CliResult<Vec<PublicKey>> {
    if !overrides.is_empty() {
        return lists::read_roots(lang, overrides);
    }
    let path = dir.join(ROOTS);
    if !path.exists() {
        return Err(CliError::new(
            "cache_no_roots",
            tr!(
                lang,
                "tidak ada kunci akar yang dipercaya: pakai --root, atau sinkronkan dulu dengan `ikd sync --from URL --root KUNCI`",
                "no pinned root key: use --root, or sync first with `ikd sync --from URL --root KEY`"
            ),
        )
        .file(&path));
    }
    lists::read_roots(lang, &[path.display().to_string()])
}

/// Verifies a status list file against the trust list (the core's rule,
/// [`StatusList::verify_under_trust_list`]): a list whose signer the trust list no longer
/// names, or marks compromised, is not used.
pub fn verify_status(bytes: &[u8], list: &TrustList) -> Result<StatusList, ikd_core::status::StatusListError> {
    StatusList::verify_under_trust_list(bytes, list)
}

/// Summary of one list for display: sequence, issue time, age, freshness.
#[derive(Debug, Clone)]
pub struct ListInfo {
    /// The sequence number.
    pub sequence: u64,
    /// When it was made.
    pub issued_at: Timestamp,
    /// Age at the verifier's time.
    pub age_secs: i64,
    /// Freshness at the verifier's time.
    pub freshness: Freshness,
}

impl ListInfo {
    fn text(&self, lang: Lang) -> String {
        tr!(
            lang,
            "nomor urut {}, dibuat {}, umur {} ({})",
            "sequence {}, issued {}, age {} ({})",
            self.sequence,
            self.issued_at,
            age_text(self.age_secs, lang),
            freshness_text(&self.freshness, lang)
        )
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "sequence": self.sequence,
            "issued_at": self.issued_at.to_string(),
            "age_secs": self.age_secs,
            "freshness": self.freshness.code(),
        })
    }
}

/// What `ikd verify --cache` shows about the lists it used.
#[derive(Debug, Clone)]
pub struct CacheInfo {
    /// The cache directory.
    pub dir: PathBuf,
    /// The trust list.
    pub trust: ListInfo,
    /// The status list of each issuer key (by public key bytes).
    pub status: BTreeMap<[u8; 32], ListInfo>,
    /// The last sync record.
    pub last_sync: Option<LastSync>,
}

impl CacheInfo {
    /// Rows for the readable block about the issuer `issuer` (when known).
    pub fn rows(&self, issuer: Option<&PublicKey>, lang: Lang) -> Vec<(String, String)> {
        let mut rows = vec![(tr!(lang, "Daftar penerbit", "Trust list"), self.trust.text(lang))];
        if let Some(k) = issuer {
            let v = match self.status.get(k.as_bytes()) {
                Some(i) => i.text(lang),
                None => tr!(lang, "tidak ada untuk penerbit ini", "none for this issuer"),
            };
            rows.push((tr!(lang, "Daftar status", "Status list"), v));
        }
        rows.push((tr!(lang, "Sinkron terakhir", "Last sync"), self.last_sync_text(lang)));
        let mut warn = Vec::new();
        if matches!(self.trust.freshness, Freshness::InGrace { .. }) {
            warn.push(tr!(
                lang,
                "daftar penerbit sudah {} tidak diperbarui; sinkronkan bila bisa",
                "the trust list is {} old; sync when you can",
                age_text(self.trust.age_secs, lang)
            ));
        }
        if let Some(i) = issuer.and_then(|k| self.status.get(k.as_bytes()))
            && matches!(i.freshness, Freshness::InGrace { .. })
        {
            warn.push(tr!(
                lang,
                "daftar status sudah {} tidak diperbarui; sinkronkan bila bisa",
                "the status list is {} old; sync when you can",
                age_text(i.age_secs, lang)
            ));
        }
        for w in warn {
            rows.push((tr!(lang, "Peringatan", "Warning"), w));
        }
        rows
    }

    /// The last sync in words.
    pub fn last_sync_text(&self, lang: Lang) -> String {
        match &self.last_sync {
            Some(s) => {
                let mut t = match &s.last_success {
                    Some(at) => tr!(lang, "{} dari {}", "{} from {}", at, s.from),
                    None => tr!(lang, "belum pernah berhasil penuh", "never fully successful"),
                };
                if !s.last_attempt_ok
                    && let Some(at) = &s.last_attempt
                {
                    t.push_str(&tr!(lang, "; percobaan {} gagal sebagian", "; the attempt at {} partly failed", at));
                }
                t
            }
            None => tr!(lang, "tidak diketahui", "unknown"),
        }
    }

    /// As JSON, for the report of a credential by `issuer`.
    pub fn json(&self, issuer: Option<&PublicKey>) -> serde_json::Value {
        serde_json::json!({
            "dir": self.dir.display().to_string(),
            "trust_list": self.trust.json(),
            "status_list": issuer.and_then(|k| self.status.get(k.as_bytes())).map(ListInfo::json),
            "last_sync": self.last_sync.as_ref().and_then(|s| s.last_success.clone()),
            "last_sync_from": self.last_sync.as_ref().map(|s| s.from.clone()),
        })
    }

    /// One line for the start of a stream of scans (on stderr).
    pub fn summary(&self, lang: Lang) -> String {
        tr!(
            lang,
            "Cache {}: daftar penerbit {}; {} daftar status; sinkron terakhir {}",
            "Cache {}: trust list {}; {} status list(s); last sync {}",
            self.dir.display(),
            self.trust.text(lang),
            self.status.len(),
            self.last_sync_text(lang)
        )
    }
}

/// The verified contents of a cache.
#[derive(Debug)]
pub struct Loaded {
    /// The trust list.
    pub list: TrustList,
    /// The status lists that verified.
    pub statuses: Vec<StatusList>,
    /// Status list files that did not verify: (file, message).
    pub problems: Vec<(PathBuf, String)>,
    /// What to show.
    pub info: CacheInfo,
}

/// Loads and verifies the cache for offline verification, at time `now`.
pub fn load(lang: Lang, dir: &Path, root_overrides: &[String], now: Timestamp) -> CliResult<Loaded> {
    let tl_path = dir.join(TRUST_LIST);
    if !tl_path.exists() {
        return Err(CliError::new(
            "cache_empty",
            tr!(
                lang,
                "belum ada daftar penerbit di cache {}: jalankan `ikd sync --from URL --root KUNCI` dulu",
                "no trust list in the cache {}: run `ikd sync --from URL --root KEY` first",
                dir.display()
            ),
        ));
    }
    let roots = roots(lang, dir, root_overrides)?;
    let bytes = fsutil::read_bytes(lang, &tl_path)?;
    let list = TrustList::verify(&bytes, &roots).map_err(|e| {
        CliError::new(
            e.code(),
            tr!(
                lang,
                "daftar penerbit di cache tidak dapat diverifikasi: {}",
                "the cached trust list does not verify: {}",
                e.message(lang)
            ),
        )
        .file(&tl_path)
    })?;
    let policy = FreshnessPolicy::default();
    let mut statuses = Vec::new();
    let mut problems = Vec::new();
    let mut status = BTreeMap::new();
    let sdir = dir.join(STATUS_DIR);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&sdir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ikdsl"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    for f in files {
        let bytes = match fsutil::read_bytes(lang, &f) {
            Ok(b) => b,
            Err(e) => {
                problems.push((f, e.message));
                continue;
            }
        };
        match verify_status(&bytes, &list) {
            Ok(s) => {
                status.insert(
                    *s.issuer_key().as_bytes(),
                    ListInfo {
                        sequence: s.sequence(),
                        issued_at: s.issued_at(),
                        age_secs: age_secs(s.issued_at(), now),
                        freshness: s.freshness(now, &policy),
                    },
                );
                statuses.push(s);
            }
            Err(e) => problems.push((f, e.message(lang))),
        }
    }
    let info = CacheInfo {
        dir: dir.to_path_buf(),
        trust: ListInfo {
            sequence: list.sequence(),
            issued_at: list.issued_at(),
            age_secs: age_secs(list.issued_at(), now),
            freshness: list.freshness(now, &policy),
        },
        status,
        last_sync: LastSync::read(dir),
    };
    Ok(Loaded { list, statuses, problems, info })
}
