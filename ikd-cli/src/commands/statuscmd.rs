//! `ikd status`: an issuer's revocations and suspensions (`docs/TRUST-AND-STATUS.md` §2).
//!
//! The issuing office keeps the statuses in a local state file next to its key,
//! `<key>.status.json`; `revoke`, `suspend` and `unsuspend` edit it (refusing to lift a
//! revocation), `publish` signs it into a status list file with the next sequence number, and
//! `show` verifies and prints a status list file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use ikd_core::status::{
    CredentialStatus, FreshnessPolicy, MAX_STATUS_LIST_ENTRIES, SectionEncoding, StatusList, StatusListBuilder,
};
use ikd_core::{Lang, PublicKey, StatusIndex, Timestamp, UnverifiedCredential};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::support::fsutil::with_suffix;
use crate::support::input::{self, Input};
use crate::support::keys;
use crate::support::lists::{self, age_secs, age_text, freshness_text};
use crate::support::when::parse_when;
use crate::tr;

/// `ikd status` subcommands.
#[derive(Debug, Subcommand)]
pub enum StatusCmd {
    /// Verify a status list file and print its size, counts, sequence, times and freshness.
    Show(ShowArgs),
    /// Revoke a credential (final: a revocation is never lifted) in the local status state.
    Revoke(EditArgs),
    /// Suspend a credential (can be lifted with `unsuspend`) in the local status state.
    Suspend(EditArgs),
    /// Lift a suspension in the local status state. A revoked credential stays revoked.
    Unsuspend(EditArgs),
    /// Sign the local status state into a status list file (the next sequence number).
    Publish(PublishArgs),
}

/// `ikd status show` arguments.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The status list file (suggested extension .ikdsl).
    pub file: PathBuf,
    /// The issuer's public key (ikdpk1:… text, a .pub file or a secret key file).
    #[arg(long, value_name = "KEY")]
    pub issuer_key: String,
    /// The key that signs this issuer's status lists, when it is not the issuer key (the trust
    /// list's `status_key`).
    #[arg(long, value_name = "KEY")]
    pub status_key: Option<String>,
    /// Also print the status of this index (repeatable).
    #[arg(long, value_name = "N")]
    pub index: Vec<u32>,
    /// Print every revoked and suspended index.
    #[arg(long)]
    pub list: bool,
    /// Judge the list's age as of this time (RFC 3339) instead of the system clock.
    #[arg(long)]
    pub now: Option<String>,
}

/// Which credential a status edit is about.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// The credential's status index (`ikd inspect` shows it).
    #[arg(long, value_name = "N")]
    pub index: Option<u32>,
    /// The credential's serial: its index is derived with the key's state file
    /// (`<key>.state.json`), as `ikd issue` did.
    #[arg(long, value_name = "S")]
    pub serial: Option<u64>,
    /// The credential itself (text, a file or a QR image): its index is read from it.
    #[arg(long, value_name = "CREDENTIAL")]
    pub credential: Option<String>,
}

/// `ikd status revoke|suspend|unsuspend` arguments.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The issuer's key file (secret or .pub): the state is `<key>.status.json` beside it.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[command(flatten)]
    pub target: Target,
    /// A note for the state file's log (e.g. the case number).
    #[arg(long)]
    pub note: Option<String>,
    /// The status state file (default `<key>.status.json`).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// `ikd status publish` arguments.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The issuer's secret key file (or its .pub with --status-key): the state is
    /// `<key>.status.json` beside it.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The status list file to write (default `<key id>.ikdsl` beside the key).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How long the list is fresh: seconds or 30m, 12h, 1d, 2w (at most 366 days).
    #[arg(long, default_value = "1d")]
    pub ttl: String,
    /// Sign with this separate status key (named as the issuer's `status_key` in the trust list)
    /// instead of the issuer key.
    #[arg(long, value_name = "FILE")]
    pub status_key: Option<PathBuf>,
    /// The status state file (default `<key>.status.json`).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Sign as of this time (RFC 3339) instead of the system clock: for tests.
    #[arg(long)]
    pub now: Option<String>,
}

/// The last publication recorded in the state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Published {
    sequence: u64,
    issued_at: String,
    ttl_secs: u64,
    file: String,
    sha256: String,
}

/// One edit in the state's log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogEntry {
    at: String,
    op: String,
    index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    serial: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// The local status state of one issuer key (`<key>.status.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusState {
    version: u64,
    key_id: String,
    public_key: String,
    size: u32,
    revoked: BTreeSet<u32>,
    suspended: BTreeSet<u32>,
    #[serde(default)]
    published: Option<Published>,
    /// Edits not yet in a published list.
    #[serde(default)]
    unpublished: u64,
    #[serde(default)]
    log: Vec<LogEntry>,
}

impl StatusState {
    fn fresh(pk: &PublicKey) -> StatusState {
        StatusState {
            version: 1,
            key_id: pk.key_id().to_string(),
            public_key: pk.to_text(),
            size: MAX_STATUS_LIST_ENTRIES,
            revoked: BTreeSet::new(),
            suspended: BTreeSet::new(),
            published: None,
            unpublished: 0,
            log: Vec::new(),
        }
    }

    fn read(lang: Lang, path: &Path, pk: &PublicKey) -> CliResult<StatusState> {
        let text = fsutil::read_text(lang, path)?;
        let st: StatusState = serde_json::from_str(&text).map_err(|e| {
            let msg = e.to_string();
            let short = msg.rsplit_once(" at line ").map(|(a, _)| a.to_owned()).unwrap_or(msg);
            CliError::new(
                "status_state_bad_json",
                tr!(lang, "berkas status tidak sah: {}", "invalid status state file: {}", short),
            )
            .file(path)
            .line(e.line())
            .column(e.column())
        })?;
        if st.public_key != pk.to_text() {
            return Err(CliError::new(
                "status_state_wrong_key",
                tr!(
                    lang,
                    "berkas status milik kunci {}, bukan kunci ini ({})",
                    "the status state belongs to key {}, not to this key ({})",
                    st.key_id,
                    pk.key_id()
                ),
            )
            .file(path)
            .field(Some("public_key".into())));
        }
        if st.version != 1 || st.size == 0 || st.size > MAX_STATUS_LIST_ENTRIES {
            return Err(CliError::new(
                "status_state_bad",
                tr!(lang, "versi atau ukuran tidak sah", "bad version or size"),
            )
            .file(path));
        }
        if let Some(i) = st.revoked.iter().chain(&st.suspended).find(|i| **i >= st.size) {
            return Err(CliError::new(
                "status_state_bad",
                tr!(lang, "indeks {} di luar ukuran {}", "index {} is beyond the size {}", i, st.size),
            )
            .file(path));
        }
        Ok(st)
    }

    fn write(&self, lang: Lang, path: &Path) -> CliResult<()> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        fsutil::write_atomic(lang, path, text.as_bytes(), 0o644, true)
    }

    fn builder(&self) -> Result<StatusListBuilder, ikd_core::status::StatusListError> {
        let mut b = StatusListBuilder::new(self.size)?;
        for i in &self.revoked {
            b.set(StatusIndex::new(*i), CredentialStatus::Revoked)?;
        }
        for i in &self.suspended {
            b.set(StatusIndex::new(*i), CredentialStatus::Suspended)?;
        }
        Ok(b)
    }

    fn status(&self, i: u32) -> CredentialStatus {
        if self.revoked.contains(&i) {
            CredentialStatus::Revoked
        } else if self.suspended.contains(&i) {
            CredentialStatus::Suspended
        } else {
            CredentialStatus::Valid
        }
    }
}

/// The status state path of a key: `<key>.status.json`, the same for the secret key file and
/// its `.pub` (`issuer.key.pub` → `issuer.key.status.json`).
pub fn state_path(key: &Path) -> PathBuf {
    with_suffix(&base_key(key), ".status.json")
}

/// The secret key file's path for a key given by its `.pub` file.
fn base_key(key: &Path) -> PathBuf {
    let s = key.as_os_str().to_string_lossy();
    match s.strip_suffix(".pub") {
        Some(base) if !base.is_empty() => PathBuf::from(base),
        _ => key.to_path_buf(),
    }
}

/// The status of a credential in words.
pub fn status_text(s: CredentialStatus, lang: Lang) -> String {
    match s {
        CredentialStatus::Valid => tr!(lang, "sah (valid)", "valid"),
        CredentialStatus::Revoked => tr!(lang, "DICABUT (revoked)", "REVOKED"),
        CredentialStatus::Suspended => tr!(lang, "DITANGGUHKAN (suspended)", "SUSPENDED"),
    }
}

fn encoding_text(e: SectionEncoding) -> String {
    match e {
        SectionEncoding::Empty => "-".into(),
        SectionEncoding::Rice { k } => format!("Rice k={k}"),
        SectionEncoding::Bitmap => "bitmap".into(),
        #[allow(unreachable_patterns)]
        _ => "?".into(),
    }
}

/// `ikd status show`.
pub fn cmd_show(ctx: &Ctx, a: &ShowArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let issuer = keys::read_public_key(lang, &a.issuer_key)?;
    let signer = match &a.status_key {
        Some(k) => keys::read_public_key(lang, k)?,
        None => issuer,
    };
    let bytes = fsutil::read_bytes(lang, &a.file)?;
    let list = StatusList::verify_delegated(&bytes, &issuer, &signer)
        .map_err(|e| lists::rejected_status_list(&e, lang, &a.file))?;
    let now = match &a.now {
        Some(s) => parse_when(lang, s, "--now")?,
        None => Timestamp::now(),
    };
    let fresh = list.freshness(now, &FreshnessPolicy::default());
    let age = age_secs(list.issued_at(), now);
    let mut indices = Vec::new();
    for i in &a.index {
        let s = list
            .get(StatusIndex::new(*i))
            .map_err(|e| CliError::new(e.code(), e.message(lang)).field(Some("--index".into())))?;
        indices.push((*i, s));
    }
    if ctx.json {
        let mut v = serde_json::json!({
            "file": a.file.display().to_string(),
            "verified": true,
            "issuer_key": issuer.to_text(),
            "key_id": issuer.key_id().to_string(),
            "signed_by": signer.to_text(),
            "sequence": list.sequence(),
            "issued_at": list.issued_at().to_string(),
            "ttl_secs": list.ttl_secs(),
            "expires_at": list.expires_at().to_string(),
            "age_secs": age,
            "freshness": fresh.code(),
            "size": list.len(),
            "revoked": list.revoked_count(),
            "suspended": list.suspended_count(),
            "bytes": bytes.len(),
            "indices": indices.iter().map(|(i, s)| serde_json::json!({"index": i, "status": s.code()})).collect::<Vec<_>>(),
        });
        if a.list
            && let Some(o) = v.as_object_mut()
        {
            o.insert("revoked_indices".into(), list.revoked().collect::<Vec<_>>().into());
            o.insert("suspended_indices".into(), list.suspended().collect::<Vec<_>>().into());
        }
        crate::ctx::print_json(&v);
        return Ok(0);
    }
    let w = 20;
    let row = |k: String, v: String| println!("{k:<w$} {v}");
    row(tr!(lang, "Daftar status", "Status list"), a.file.display().to_string());
    row(tr!(lang, "Hasil", "Result"), tr!(lang, "tanda tangan sah (terverifikasi)", "signature valid (verified)"));
    row(
        tr!(lang, "Kunci penerbit", "Issuer key"),
        format!("{} ({} {})", issuer, tr!(lang, "id kunci", "key id"), issuer.key_id()),
    );
    if signer != issuer {
        row(
            tr!(lang, "Ditandatangani", "Signed by"),
            format!("{} ({} {})", signer, tr!(lang, "id kunci", "key id"), signer.key_id()),
        );
    }
    row(tr!(lang, "Nomor urut", "Sequence"), list.sequence().to_string());
    row(
        tr!(lang, "Dibuat", "Issued at"),
        format!("{} ({} {})", list.issued_at(), tr!(lang, "umur", "age"), age_text(age, lang)),
    );
    row(
        "TTL".into(),
        format!(
            "{} ({} {})",
            age_text(i64::try_from(list.ttl_secs()).unwrap_or(i64::MAX), lang),
            tr!(lang, "segar sampai", "fresh until"),
            list.expires_at()
        ),
    );
    row(tr!(lang, "Kesegaran", "Freshness"), freshness_text(&fresh, lang));
    row(tr!(lang, "Ukuran", "Size"), tr!(lang, "{} entri", "{} entries", list.len()));
    row(
        tr!(lang, "Dicabut", "Revoked"),
        format!("{} ({})", list.revoked_count(), encoding_text(list.revoked_encoding())),
    );
    row(
        tr!(lang, "Ditangguhkan", "Suspended"),
        format!("{} ({})", list.suspended_count(), encoding_text(list.suspended_encoding())),
    );
    row(tr!(lang, "Besar berkas", "File size"), tr!(lang, "{} byte", "{} bytes", bytes.len()));
    for (i, s) in &indices {
        row(tr!(lang, "Indeks {}", "Index {}", i), status_text(*s, lang));
    }
    if a.list {
        let join = |v: Vec<u32>| v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        row(tr!(lang, "Indeks dicabut", "Revoked indices"), join(list.revoked().collect()));
        row(tr!(lang, "Indeks ditangguhkan", "Suspended indices"), join(list.suspended().collect()));
    }
    Ok(0)
}

/// The status index (and serial, when known) a target names.
fn resolve_target(lang: Lang, key: &Path, pk: &PublicKey, t: &Target) -> CliResult<(u32, Option<u64>)> {
    if let Some(i) = t.index {
        return Ok((i, None));
    }
    if let Some(s) = t.serial {
        let key = &base_key(key);
        let Some(state) = keys::read_state(lang, key, pk) else {
            return Err(CliError::new(
                "state_missing",
                tr!(
                    lang,
                    "--serial perlu berkas penghitung nomor seri kunci ini ({}); pakai --index atau --credential",
                    "--serial needs this key's serial counter file ({}); use --index or --credential",
                    keys::state_path_for(key).display()
                ),
            ));
        };
        let index = state.status_index(s).ok_or_else(|| keys::unfoldable_serial(lang, s))?;
        return Ok((index, Some(s)));
    }
    let spec = t.credential.as_deref().unwrap_or("-");
    let item = match input::resolve(lang, Some(spec))? {
        Input::Items(items) => items.into_iter().next(),
        Input::Stdin => None,
    };
    let Some(item) = item else {
        return Err(CliError::new("input_empty", tr!(lang, "tidak ada kredensial", "no credential")));
    };
    let cred = UnverifiedCredential::decode(item.text.trim()).map_err(|e| {
        CliError::new(e.code(), tr!(lang, "tidak dapat didekode: {}", "cannot be decoded: {}", e.message(lang)))
            .file_label(&item.label)
    })?;
    let h = cred.header();
    if h.key_id != pk.key_id() {
        return Err(CliError::new(
            "status_wrong_issuer",
            tr!(
                lang,
                "kredensial ini diterbitkan kunci {}, bukan kunci ini ({})",
                "this credential was issued by key {}, not by this key ({})",
                h.key_id,
                pk.key_id()
            ),
        )
        .file_label(&item.label));
    }
    Ok((h.status_index.get(), Some(h.serial.get())))
}

/// `ikd status revoke|suspend|unsuspend`.
pub fn cmd_edit(ctx: &Ctx, a: &EditArgs, to: CredentialStatus) -> CliResult<u8> {
    let lang = ctx.lang;
    let pk = keys::read_public_key(lang, &a.key.display().to_string())?;
    let (index, serial) = resolve_target(lang, &a.key, &pk, &a.target)?;
    let path = a.state.clone().unwrap_or_else(|| state_path(&a.key));
    let _lock = keys::lock(lang, &path)?;
    let mut st = if path.exists() { StatusState::read(lang, &path, &pk)? } else { StatusState::fresh(&pk) };
    if index >= st.size {
        return Err(CliError::new(
            "status_index_out_of_range",
            tr!(
                lang,
                "indeks {} di luar daftar status ({} entri)",
                "index {} is outside the status list ({} entries)",
                index,
                st.size
            ),
        )
        .field(Some("--index".into())));
    }
    let before = st.status(index);
    let op = match to {
        CredentialStatus::Revoked => "revoke",
        CredentialStatus::Suspended => "suspend",
        CredentialStatus::Valid => "unsuspend",
    };
    if before == CredentialStatus::Revoked && to != CredentialStatus::Revoked {
        return Err(CliError::new(
            "status_revocation_lifted",
            tr!(
                lang,
                "indeks {} sudah dicabut; pencabutan bersifat final dan tidak dapat dibatalkan (terbitkan kredensial baru bila perlu)",
                "index {} is revoked; a revocation is final and cannot be lifted (issue a new credential if needed)",
                index
            ),
        )
        .file(&path));
    }
    let changed = before != to;
    if changed {
        match to {
            CredentialStatus::Revoked => {
                st.suspended.remove(&index);
                st.revoked.insert(index);
            }
            CredentialStatus::Suspended => {
                st.suspended.insert(index);
            }
            CredentialStatus::Valid => {
                st.suspended.remove(&index);
            }
        }
        st.log.push(LogEntry { at: Timestamp::now().to_string(), op: op.into(), index, serial, note: a.note.clone() });
        st.unpublished += 1;
        st.write(lang, &path)?;
    }
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "state": path.display().to_string(),
            "key_id": pk.key_id().to_string(),
            "index": index,
            "serial": serial,
            "before": before.code(),
            "status": to.code(),
            "changed": changed,
            "revoked": st.revoked.len(),
            "suspended": st.suspended.len(),
            "published_sequence": st.published.as_ref().map(|p| p.sequence),
            "unpublished": st.unpublished,
        }));
        return Ok(0);
    }
    let what = match serial {
        Some(s) => tr!(lang, "indeks status {} (nomor seri {})", "status index {} (serial {})", index, s),
        None => tr!(lang, "indeks status {}", "status index {}", index),
    };
    let verb = match (to, changed) {
        (CredentialStatus::Revoked, true) => tr!(lang, "Dicabut", "Revoked"),
        (CredentialStatus::Suspended, true) => tr!(lang, "Ditangguhkan", "Suspended"),
        (CredentialStatus::Valid, true) => tr!(lang, "Penangguhan dicabut", "Suspension lifted"),
        (CredentialStatus::Revoked, false) => tr!(lang, "Sudah dicabut sebelumnya", "Already revoked"),
        (CredentialStatus::Suspended, false) => tr!(lang, "Sudah ditangguhkan sebelumnya", "Already suspended"),
        (CredentialStatus::Valid, false) => {
            tr!(lang, "Tidak ditangguhkan; tidak ada perubahan", "Not suspended; nothing changed")
        }
    };
    println!("{verb}: {what}");
    println!(
        "{}",
        tr!(
            lang,
            "Status lokal ({}): {} dicabut, {} ditangguhkan.",
            "Local state ({}): {} revoked, {} suspended.",
            path.display(),
            st.revoked.len(),
            st.suspended.len()
        )
    );
    if st.unpublished > 0 {
        println!(
            "{}",
            tr!(
                lang,
                "Belum diterbitkan: jalankan `ikd status publish --key {}` agar loket mengetahuinya.",
                "Not yet published: run `ikd status publish --key {}` so that counters learn of it.",
                a.key.display()
            )
        );
    }
    Ok(0)
}

/// `ikd status publish`.
pub fn cmd_publish(ctx: &Ctx, a: &PublishArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let (issuer, signer_sk) = match &a.status_key {
        Some(sk) => (keys::read_public_key(lang, &a.key.display().to_string())?, keys::read_secret_key(lang, sk)?),
        None => {
            let sk = keys::read_secret_key(lang, &a.key)?;
            (sk.public_key(), sk)
        }
    };
    let signer = signer_sk.public_key();
    let ttl = lists::parse_duration(lang, &a.ttl, "--ttl")?;
    let issued_at = match &a.now {
        Some(s) => parse_when(lang, s, "--now")?,
        None => Timestamp::now(),
    };
    let path = a.state.clone().unwrap_or_else(|| state_path(&a.key));
    let _lock = keys::lock(lang, &path)?;
    let mut st = if path.exists() { StatusState::read(lang, &path, &issuer)? } else { StatusState::fresh(&issuer) };
    let out = a.out.clone().unwrap_or_else(|| {
        let dir = a.key.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = format!("{}.ikdsl", issuer.key_id());
        if dir == Path::new(".") { PathBuf::from(name) } else { dir.join(name) }
    });
    // The list already at --out (the last one published there) must be succeeded properly.
    let previous = if out.exists() {
        let bytes = fsutil::read_bytes(lang, &out)?;
        Some(StatusList::verify_delegated(&bytes, &issuer, &signer).map_err(|e| {
            CliError::new(
                "status_previous_unverified",
                tr!(
                    lang,
                    "berkas yang ada bukan daftar status kunci ini yang sah ({}); tidak ditimpa",
                    "the existing file is not a valid status list of this key ({}); not overwritten",
                    e.message(lang)
                ),
            )
            .file(&out)
        })?)
    } else {
        None
    };
    // The one rule for the next sequence (shared with the server): max(now, previous + 1).
    let sequence = ikd_core::list_holder::next_status_sequence(
        st.published.as_ref().map(|p| p.sequence).max(previous.as_ref().map(StatusList::sequence)),
        issued_at,
    );
    let b = st.builder().map_err(|e| CliError::new(e.code(), e.message(lang)).file(&path))?;
    let bytes = b
        .sign_delegated(&issuer, &signer_sk, issued_at, u64::try_from(ttl).unwrap_or(u64::MAX), sequence)
        .map_err(|e| CliError::new(e.code(), e.message(lang)).field(Some("--ttl".into())))?;
    let list =
        StatusList::verify_delegated(&bytes, &issuer, &signer).map_err(|e| CliError::new(e.code(), e.message(lang)))?;
    if let Some(prev) = &previous {
        StatusList::check_transition(prev, &list).map_err(|e| {
            CliError::new(
                e.code(),
                tr!(
                    lang,
                    "daftar baru bukan penerus yang sah dari {}: {}",
                    "the new list is not a valid successor of {}: {}",
                    out.display(),
                    e.message(lang)
                ),
            )
            .file(&path)
        })?;
    }
    fsutil::write_atomic(lang, &out, &bytes, 0o644, true)?;
    st.published = Some(Published {
        sequence,
        issued_at: issued_at.to_string(),
        ttl_secs: list.ttl_secs(),
        file: out.display().to_string(),
        sha256: hex::encode(Sha256::digest(&bytes)),
    });
    st.unpublished = 0;
    st.write(lang, &path)?;
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "file": out.display().to_string(),
            "key_id": issuer.key_id().to_string(),
            "sequence": sequence,
            "issued_at": issued_at.to_string(),
            "ttl_secs": list.ttl_secs(),
            "expires_at": list.expires_at().to_string(),
            "size": list.len(),
            "revoked": list.revoked_count(),
            "suspended": list.suspended_count(),
            "bytes": bytes.len(),
        }));
        return Ok(0);
    }
    println!("{}", tr!(lang, "Daftar status diterbitkan: {}", "Status list published: {}", out.display()));
    println!(
        "  {}",
        tr!(
            lang,
            "kunci {}, nomor urut {}, dibuat {}, segar sampai {} (TTL {})",
            "key {}, sequence {}, issued {}, fresh until {} (TTL {})",
            issuer.key_id(),
            sequence,
            issued_at,
            list.expires_at(),
            age_text(ttl, lang)
        )
    );
    println!(
        "  {}",
        tr!(
            lang,
            "{} entri: {} dicabut, {} ditangguhkan; {} byte",
            "{} entries: {} revoked, {} suspended; {} bytes",
            list.len(),
            list.revoked_count(),
            list.suspended_count(),
            bytes.len()
        )
    );
    Ok(0)
}
