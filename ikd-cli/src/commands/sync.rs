//! `ikd sync`: fetch the signed trust list and every issuer's status list into the local cache,
//! so that `ikd verify` works offline afterwards.
//!
//! `GET {URL}/v1/trust-list` and `GET {URL}/v1/status/{key id}` (404: none published), each with
//! `If-None-Match` (304: unchanged). Nothing replaces a cached file before it is verified: a
//! trust list and a status list are accepted by the core's list holder
//! (`ikd_core::list_holder::decide_trust_list` / `decide_status_list`), the same rules as the server's. A
//! download that fails keeps the previous good copy, and the command ends with status 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use ikd_core::list_holder::{RepinPolicy, decide_status_list, decide_trust_list};
use ikd_core::status::{MAX_STATUS_LIST_BYTES, StatusList};
use ikd_core::trustlist::{MAX_TRUST_LIST_BYTES, TrustList};
use ikd_core::{Lang, PublicKey, Timestamp};

use crate::ctx::Ctx;
use crate::support::cache::{self, LastSync};
use crate::support::error::{CliError, CliResult, EXIT_USAGE};
use crate::support::fsutil;
use crate::support::keys;
use crate::support::lists;
use crate::tr;

/// `ikd sync` arguments.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The server's base URL, e.g. http://192.168.1.10:8080 (default: the one of the last sync).
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// The cache directory (default: IKD_CACHE, else $XDG_DATA_HOME/ikd or ~/.local/share/ikd).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// The pinned root public key (ikdpk1:… or a file). Needed on the first sync of a cache,
    /// which writes it to the cache's `roots` file. Repeatable.
    #[arg(long, value_name = "KEY")]
    pub root: Vec<String>,
    /// Replace the cache's pinned roots with --root and accept a trust list signed by them
    /// even though the cached list did not announce them (after a root compromise, on
    /// official instruction only). The list must still be a valid successor of the cached
    /// one (no rollback); to start over, sync into a fresh cache.
    #[arg(long, requires = "root")]
    pub repin: bool,
    /// Time limit of each download, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// A new version was verified and stored.
    Updated { old: Option<u64>, new: u64 },
    /// The server said 304, or sent the same list.
    Unchanged(u64),
    /// The server has none (404).
    NotPublished,
    /// Rejected or failed: the previous copy (if any) is kept.
    Failed { code: String, message: String, kept: Option<u64> },
}

impl Outcome {
    fn failed(&self) -> bool {
        matches!(self, Outcome::Failed { .. })
    }

    fn text(&self, lang: Lang) -> String {
        match self {
            Outcome::Updated { old: Some(o), new } => {
                tr!(lang, "diperbarui: nomor urut {} → {}", "updated: sequence {} → {}", o, new)
            }
            Outcome::Updated { old: None, new } => tr!(lang, "baru: nomor urut {}", "new: sequence {}", new),
            Outcome::Unchanged(s) => tr!(lang, "tidak berubah (nomor urut {})", "unchanged (sequence {})", s),
            Outcome::NotPublished => {
                tr!(lang, "belum diterbitkan di server (404)", "none published on the server (404)")
            }
            Outcome::Failed { code, message, kept } => {
                let kept = match kept {
                    Some(s) => tr!(
                        lang,
                        "salinan sebelumnya (nomor urut {}) tetap dipakai",
                        "the previous copy (sequence {}) is kept",
                        s
                    ),
                    None => tr!(lang, "tidak ada salinan sebelumnya", "no previous copy"),
                };
                tr!(lang, "DITOLAK/GAGAL: {} [{}]; {}", "REJECTED/FAILED: {} [{}]; {}", message, code, kept)
            }
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Outcome::Updated { old, new } => {
                serde_json::json!({"result": "updated", "old_sequence": old, "sequence": new})
            }
            Outcome::Unchanged(s) => serde_json::json!({"result": "unchanged", "sequence": s}),
            Outcome::NotPublished => serde_json::json!({"result": "not_published"}),
            Outcome::Failed { code, message, kept } => {
                serde_json::json!({"result": "failed", "code": code, "message": message, "kept_sequence": kept})
            }
        }
    }
}

/// A response that matters: the body and ETag, not modified, or not found.
enum Fetched {
    Body(Vec<u8>, Option<String>),
    NotModified,
    NotFound,
}

struct Http {
    agent: ureq::Agent,
}

impl Http {
    fn new(timeout: u64) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(timeout.max(1))))
            .timeout_connect(Some(Duration::from_secs(timeout.clamp(1, 10))))
            .http_status_as_error(false)
            .user_agent(concat!("ikd/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http { agent }
    }

    fn get(&self, lang: Lang, url: &str, etag: Option<&str>, limit: usize) -> Result<Fetched, (String, String)> {
        let mut req = self.agent.get(url);
        if let Some(e) = etag {
            req = req.header("If-None-Match", e);
        }
        let mut resp = req.call().map_err(|e| net_error(lang, &e))?;
        match resp.status().as_u16() {
            200 => {
                let etag = resp.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(limit as u64 + 1)
                    .read_to_vec()
                    .map_err(|e| net_error(lang, &e))?;
                if body.len() > limit {
                    return Err((
                        "sync_too_large".into(),
                        tr!(lang, "jawaban server lebih dari {} byte", "the server's answer is over {} bytes", limit),
                    ));
                }
                Ok(Fetched::Body(body, etag))
            }
            304 => Ok(Fetched::NotModified),
            404 => Ok(Fetched::NotFound),
            s => Err((
                "sync_http_status".into(),
                tr!(lang, "server menjawab HTTP {} untuk {}", "the server answered HTTP {} for {}", s, url),
            )),
        }
    }
}

fn net_error(lang: Lang, e: &ureq::Error) -> (String, String) {
    let (code, what) = match e {
        ureq::Error::Timeout(_) => ("sync_timeout", tr!(lang, "waktu habis", "timed out")),
        ureq::Error::HostNotFound => {
            ("sync_host_not_found", tr!(lang, "nama server tidak ditemukan", "host not found"))
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            ("sync_connection_refused", tr!(lang, "sambungan ditolak", "connection refused"))
        }
        ureq::Error::BodyExceedsLimit(_) => {
            ("sync_too_large", tr!(lang, "jawaban server terlalu besar", "the server's answer is too large"))
        }
        other => ("sync_network", other.to_string()),
    };
    (code.into(), tr!(lang, "gagal mengunduh: {}", "download failed: {}", what))
}

fn check_url(lang: Lang, url: &str) -> CliResult<String> {
    let u = url.trim().trim_end_matches('/');
    let ok_scheme = u.starts_with("http://") || (u.starts_with("https://") && cfg!(feature = "https"));
    if !ok_scheme {
        let msg = if u.starts_with("https://") {
            tr!(
                lang,
                "--from: versi ikd ini dibangun tanpa https (--no-default-features); pakai http:// (jaringan lokal) atau bangun dengan fitur bawaan",
                "--from: this ikd was built without https (--no-default-features); use http:// (local network) or build with the default features"
            )
        } else {
            tr!(
                lang,
                "--from: {:?} bukan URL http:// atau https://",
                "--from: {:?} is not an http:// or https:// URL",
                url
            )
        };
        return Err(CliError::new("sync_bad_url", msg).field(Some("--from".into())));
    }
    Ok(u.to_owned())
}

/// Reads and verifies the cached trust list; a broken one is reported and ignored.
fn cached_trust_list(lang: Lang, dir: &Path, roots: &[PublicKey]) -> (Option<TrustList>, Option<String>) {
    let path = dir.join(cache::TRUST_LIST);
    if !path.exists() {
        return (None, None);
    }
    match fsutil::read_bytes(lang, &path)
        .map_err(|e| e.message)
        .and_then(|b| TrustList::verify(&b, roots).map_err(|e| e.message(lang)))
    {
        Ok(l) => (Some(l), None),
        Err(m) => (None, Some(m)),
    }
}

/// `ikd sync`.
pub fn cmd_sync(ctx: &Ctx, a: &SyncArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let Some(dir) = cache::resolve(a.cache.as_deref()) else {
        return Err(CliError::new(
            "cache_no_dir",
            tr!(lang, "tidak ada direktori cache: pakai --cache DIR", "no cache directory: use --cache DIR"),
        ));
    };
    std::fs::create_dir_all(dir.join(cache::STATUS_DIR))
        .map_err(|e| CliError::io(lang, &dir, crate::support::error::IoAction::Write, &e))?;
    let _lock = keys::lock(lang, &dir.join("sync"))?;
    let previous_sync = LastSync::read(&dir);
    let from = match (&a.from, &previous_sync) {
        (Some(f), _) => check_url(lang, f)?,
        (None, Some(s)) if !s.from.is_empty() => check_url(lang, &s.from)?,
        _ => {
            return Err(CliError::new(
                "sync_no_url",
                tr!(lang, "sebutkan server: --from URL", "name the server: --from URL"),
            ));
        }
    };
    // The pinned roots.
    let roots_path = dir.join(cache::ROOTS);
    let given = lists::read_roots(lang, &a.root)?;
    let pinned = if roots_path.exists() { Some(cache::roots(lang, &dir, &[])?) } else { None };
    let has_list = dir.join(cache::TRUST_LIST).exists();
    let mut warnings = Vec::new();
    let roots = match (&pinned, given.is_empty()) {
        (None, true) => {
            return Err(CliError::new(
                "cache_no_roots",
                tr!(
                    lang,
                    "sinkronisasi pertama perlu kunci akar yang dipercaya: --root ikdpk1:… (dari sumber resmi)",
                    "the first sync needs the pinned root key: --root ikdpk1:… (from an official source)"
                ),
            ));
        }
        (Some(p), true) => p.clone(),
        (Some(p), false) if has_list && !a.repin && !same_set(p, &given) => {
            // Once a list is accepted, the chain of lists decides which roots sign the next one.
            warnings.push(tr!(
                lang,
                "--root diabaikan: cache ini mengikuti kunci akar daftar penerbitnya ({}); --repin hanya atas instruksi resmi",
                "--root ignored: this cache follows the roots of its trust list ({}); --repin only on official instruction",
                roots_path.display()
            ));
            p.clone()
        }
        (_, false) => {
            if pinned.as_ref().is_none_or(|p| !same_set(p, &given)) {
                fsutil::write_atomic(lang, &roots_path, lists::roots_file_text(&given).as_bytes(), 0o644, true)?;
            }
            given.clone()
        }
    };
    let http = Http::new(a.timeout);
    let mut etags = cache::read_etags(&dir);

    // 1. The trust list.
    let (cached, broken) = cached_trust_list(lang, &dir, &roots);
    if let Some(m) = &broken {
        warnings.push(tr!(
            lang,
            "daftar penerbit di cache tidak dapat diverifikasi ({}); diganti dari server",
            "the cached trust list does not verify ({}); replacing it from the server",
            m
        ));
    }
    let tl_url = format!("{from}/v1/trust-list");
    let tl_key = cache::TRUST_LIST.to_owned();
    let etag = cached.as_ref().and_then(|_| etags.get(&tl_key).cloned());
    let mut list = cached.clone();
    let tl_outcome = match http.get(lang, &tl_url, etag.as_deref(), MAX_TRUST_LIST_BYTES) {
        Err((code, message)) => Outcome::Failed { code, message, kept: cached.as_ref().map(TrustList::sequence) },
        Ok(Fetched::NotFound) => Outcome::Failed {
            code: "sync_not_found".into(),
            message: tr!(lang, "server tidak punya daftar penerbit (404)", "the server has no trust list (404)"),
            kept: cached.as_ref().map(TrustList::sequence),
        },
        Ok(Fetched::NotModified) => match &cached {
            Some(c) => Outcome::Unchanged(c.sequence()),
            None => Outcome::Failed { code: "sync_http_status".into(), message: "304".into(), kept: None },
        },
        Ok(Fetched::Body(bytes, new_etag)) => {
            // The one rule for accepting a list (shared with the server): a successor of the
            // cached one, or with --repin a successor signed by the newly pinned roots.
            let repin = if a.repin { RepinPolicy::AllowPinnedRoots } else { RepinPolicy::Refuse };
            match decide_trust_list(cached.as_ref(), &bytes, &roots, repin) {
                Err(e) => Outcome::Failed {
                    code: e.code().into(),
                    message: e.message(lang),
                    kept: cached.as_ref().map(TrustList::sequence),
                },
                Ok(decision) => {
                    let new = decision.into_list();
                    if new.is_some() {
                        fsutil::write_atomic(lang, &dir.join(cache::TRUST_LIST), &bytes, 0o644, true)?;
                    }
                    // The cached list must verify under the roots file: after a root hand-over,
                    // those are the held list's signers.
                    if let Some(held) = new.as_ref().or(cached.as_ref())
                        && !same_set(&roots, held.signed_by())
                    {
                        fsutil::write_atomic(
                            lang,
                            &roots_path,
                            lists::roots_file_text(held.signed_by()).as_bytes(),
                            0o644,
                            true,
                        )?;
                    }
                    match new_etag {
                        Some(t) => etags.insert(tl_key.clone(), t),
                        None => etags.remove(&tl_key),
                    };
                    match new {
                        None => Outcome::Unchanged(cached.as_ref().map_or(0, TrustList::sequence)),
                        Some(new) => {
                            let outcome =
                                Outcome::Updated { old: cached.as_ref().map(TrustList::sequence), new: new.sequence() };
                            list = Some(new);
                            outcome
                        }
                    }
                }
            }
        }
    };

    // 2. The status list of every issuer key in the trust list.
    let mut status_outcomes: Vec<(String, Outcome)> = Vec::new();
    if let Some(list) = &list {
        let mut seen = std::collections::BTreeSet::new();
        for entry in list.entries() {
            let key_id = entry.key_id().to_string();
            if !seen.insert(key_id.clone()) {
                continue;
            }
            let path = cache::status_path(&dir, &entry.public_key);
            let rel = format!("{}/{}.ikdsl", cache::STATUS_DIR, key_id);
            let old = std::fs::read(&path).ok().and_then(|b| cache::verify_status(&b, list).ok());
            let etag = old.as_ref().and_then(|_| etags.get(&rel).cloned());
            let url = format!("{from}/v1/status/{key_id}");
            let kept = old.as_ref().map(StatusList::sequence);
            let outcome = match http.get(lang, &url, etag.as_deref(), MAX_STATUS_LIST_BYTES) {
                Err((code, message)) => Outcome::Failed { code, message, kept },
                Ok(Fetched::NotFound) => Outcome::NotPublished,
                Ok(Fetched::NotModified) => match kept {
                    Some(s) => Outcome::Unchanged(s),
                    None => Outcome::Failed { code: "sync_http_status".into(), message: "304".into(), kept },
                },
                Ok(Fetched::Body(bytes, new_etag)) => {
                    let checked = cache::verify_status(&bytes, list).and_then(|new| {
                        decide_status_list(old.as_ref(), new, Timestamp::now(), ikd_core::DEFAULT_SKEW_SECS)
                    });
                    match checked {
                        Err(e) => Outcome::Failed { code: e.code().into(), message: e.message(lang), kept },
                        Ok(decision) => {
                            let new = decision.into_list();
                            if new.is_some() {
                                fsutil::write_atomic(lang, &path, &bytes, 0o644, true)?;
                            }
                            match new_etag {
                                Some(t) => etags.insert(rel.clone(), t),
                                None => etags.remove(&rel),
                            };
                            match new {
                                None => Outcome::Unchanged(kept.unwrap_or(0)),
                                Some(new) => Outcome::Updated { old: kept, new: new.sequence() },
                            }
                        }
                    }
                }
            };
            status_outcomes.push((key_id, outcome));
        }
        // Status lists of keys the trust list no longer names are of no use: remove them.
        if let Ok(rd) = std::fs::read_dir(dir.join(cache::STATUS_DIR)) {
            for f in rd.filter_map(|e| e.ok().map(|e| e.path())) {
                let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
                if f.extension().is_some_and(|x| x == "ikdsl") && !seen.contains(&stem) {
                    let _ = std::fs::remove_file(&f);
                    etags.remove(&format!("{}/{stem}.ikdsl", cache::STATUS_DIR));
                }
            }
        }
    }
    cache::write_etags(lang, &dir, &etags)?;

    // 3. The record.
    let failed = tl_outcome.failed() || status_outcomes.iter().any(|(_, o)| o.failed());
    let now = Timestamp::now().to_string();
    let mut problems = Vec::new();
    if let Outcome::Failed { code, message, .. } = &tl_outcome {
        problems.push(format!("trust-list: {code}: {message}"));
    }
    for (id, o) in &status_outcomes {
        if let Outcome::Failed { code, message, .. } = o {
            problems.push(format!("status/{id}: {code}: {message}"));
        }
    }
    let record = LastSync {
        version: 1,
        from: from.clone(),
        last_attempt: Some(now.clone()),
        last_attempt_ok: !failed,
        last_success: if failed { previous_sync.and_then(|s| s.last_success) } else { Some(now.clone()) },
        problems,
    };
    record.write(lang, &dir)?;

    if ctx.json {
        let status: BTreeMap<String, serde_json::Value> =
            status_outcomes.iter().map(|(id, o)| (id.clone(), o.json())).collect();
        crate::ctx::print_json(&serde_json::json!({
            "from": from,
            "cache": dir.display().to_string(),
            "ok": !failed,
            "at": now,
            "trust_list": tl_outcome.json(),
            "status": status,
            "warnings": warnings,
        }));
    } else {
        println!("{}", tr!(lang, "Sinkronisasi dari {} ke {}", "Sync from {} into {}", from, dir.display()));
        for w in &warnings {
            println!("  {}: {w}", tr!(lang, "peringatan", "warning"));
        }
        println!("  {:<18} {}", tr!(lang, "daftar penerbit", "trust list"), tl_outcome.text(lang));
        for (id, o) in &status_outcomes {
            println!("  {:<18} {}", format!("status {id}"), o.text(lang));
        }
        if list.is_none() {
            println!(
                "  {}",
                tr!(
                    lang,
                    "tanpa daftar penerbit, daftar status tidak dapat diunduh",
                    "without a trust list, no status list can be fetched"
                )
            );
        }
        let n = status_outcomes.iter().filter(|(_, o)| o.failed()).count() + usize::from(tl_outcome.failed());
        if failed {
            println!(
                "{}",
                tr!(
                    lang,
                    "Selesai dengan {} galat; salinan lama yang sah tetap dipakai.",
                    "Finished with {} error(s); the previous good copies are kept.",
                    n
                )
            );
        } else {
            println!(
                "{}",
                tr!(lang, "Selesai: semua daftar mutakhir ({}).", "Done: every list is up to date ({}).", now)
            );
        }
    }
    for (id, o) in std::iter::once(("trust-list".to_owned(), &tl_outcome))
        .chain(status_outcomes.iter().map(|(id, o)| (format!("status/{id}"), o)))
    {
        if let Outcome::Failed { code, message, .. } = o {
            eprintln!("ikd: {}: {id}: {message} ({code})", tr!(lang, "galat", "error"));
        }
    }
    Ok(if failed { EXIT_USAGE } else { 0 })
}

fn same_set(a: &[PublicKey], b: &[PublicKey]) -> bool {
    a.len() == b.len() && a.iter().all(|k| b.contains(k))
}
