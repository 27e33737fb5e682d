//! `ikd trust sign` and `ikd trust inspect`: signed trust lists (`docs/TRUST-AND-STATUS.md` §1).
//!
//! `sign` reads a *trust list source*: a trust store (`ikd trust add`) or the same JSON with
//! extra optional fields per issuer (`scope`, `status`, `since`, `status_key`) and a top-level
//! `next_roots`; command-line edits (`--scope`, `--retire`, `--compromise`, `--status-key`)
//! apply on top. The new list must be a valid successor of the previous one (the `--out` file
//! by default), so a signer cannot roll back the sequence or lift a compromise by mistake.

use std::path::{Path, PathBuf};

use clap::Args;
use ikd_core::status::FreshnessPolicy;
use ikd_core::trustlist::{KeyStatus, Scope, TrustList, TrustListBuilder, TrustListEntry};
use ikd_core::{Lang, PublicKey, SecretKey, Timestamp};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::support::keys;
use crate::support::lists::{self, age_secs, age_text, freshness_text, key_status_text};
use crate::support::when::parse_when;
use crate::tr;

/// `ikd trust sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The trust list source: a trust store (`ikd trust add`) or a trust list source file
    /// (the same JSON with optional `scope`, `status`, `since`, `status_key` per issuer and
    /// `next_roots`; see docs/CLI.md).
    pub source: PathBuf,
    /// The root secret key that signs the list. Give it twice (two files) to sign with two
    /// roots during a root hand-over (at most 4).
    #[arg(long = "root-key", value_name = "FILE", required = true)]
    pub root_keys: Vec<PathBuf>,
    /// The signed trust list file to write (suggested extension .ikdtl).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// The list's sequence number (default: the previous list's plus one, or 1).
    #[arg(long)]
    pub sequence: Option<u64>,
    /// When the next list is planned: a time (RFC 3339 or YYYY-MM-DD) or a duration after
    /// issue (7d, 12h, …).
    #[arg(long, default_value = "7d", value_name = "WHEN")]
    pub next_update: String,
    /// A root that may sign the next list (repeatable; default: the source's `next_roots`, else
    /// the signing roots). For a hand-over, sign with the old and new root and name only the
    /// new one here.
    #[arg(long = "next-root", value_name = "KEY")]
    pub next_roots: Vec<String>,
    /// The previous list, which the new one must succeed (default: the --out file, if it
    /// exists).
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Do not check against a previous list (the first list, or a re-pin after a root
    /// compromise).
    #[arg(long, conflicts_with = "previous")]
    pub no_previous: bool,
    /// Set an issuer's scope: KEY=CODES, KEY a key id or ikdpk1:… key, CODES `*` or region
    /// codes separated by commas (36,3604,36.04.05). Repeatable.
    #[arg(long = "scope", value_name = "KEY=CODES")]
    pub scopes: Vec<String>,
    /// Mark an issuer key retired from a time: KEY=TIME (credentials it issued before stay
    /// valid). Repeatable.
    #[arg(long = "retire", value_name = "KEY=TIME")]
    pub retire: Vec<String>,
    /// Mark an issuer key compromised from a time: KEY=TIME, the earliest time it may have
    /// been exposed (credentials it issued from then on are rejected). Final. Repeatable.
    #[arg(long = "compromise", value_name = "KEY=TIME")]
    pub compromise: Vec<String>,
    /// Name a separate key that signs an issuer key's status list: KEY=PUBLIC-KEY. Repeatable.
    #[arg(long = "status-key", value_name = "KEY=PUBKEY")]
    pub status_keys: Vec<String>,
    /// Sign as of this time (RFC 3339) instead of the system clock: for tests.
    #[arg(long)]
    pub now: Option<String>,
}

/// `ikd trust inspect` arguments.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The signed trust list file.
    pub file: PathBuf,
    /// A pinned root public key (ikdpk1:… text or a file with one or more keys). Repeatable.
    #[arg(long, value_name = "KEY")]
    pub root: Vec<String>,
    /// A file with pinned root public keys (one per line). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub root_file: Vec<PathBuf>,
    /// Judge the list's age as of this time (RFC 3339) instead of the system clock.
    #[arg(long)]
    pub now: Option<String>,
}

/// The trust list source file: a trust store, optionally with the trust list's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    version: u64,
    #[serde(default)]
    next_roots: Vec<String>,
    issuers: Vec<SourceIssuer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceIssuer {
    name: String,
    public_key: String,
    #[serde(default)]
    key_id: Option<String>,
    not_before: String,
    not_after: String,
    #[serde(default)]
    scope: Option<ScopeSpec>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    status_key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ScopeSpec {
    One(String),
    Many(Vec<String>),
}

impl ScopeSpec {
    fn codes(&self) -> Vec<String> {
        match self {
            ScopeSpec::One(s) => split_codes(s),
            ScopeSpec::Many(v) => v.clone(),
        }
    }
}

fn split_codes(s: &str) -> Vec<String> {
    s.split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect()
}

fn scope_of(lang: Lang, codes: &[String], what: &str) -> CliResult<Scope> {
    Scope::regions(codes)
        .map_err(|e| CliError::new(e.code(), format!("{what}: {}", e.message(lang))).field(Some("scope".into())))
}

/// Which optional fields an issuer of the source sets (the others are carried over from the
/// previous list).
#[derive(Debug, Clone, Copy)]
struct Explicit {
    scope: bool,
    status: bool,
    status_key: bool,
}

/// An entry of the source and the optional fields it sets.
type SourceEntry = (TrustListEntry, Explicit);

/// Reads the source into trust list entries (with the fields they set) and its `next_roots`.
fn read_source(lang: Lang, path: &Path) -> CliResult<(Vec<SourceEntry>, Vec<PublicKey>)> {
    let text = fsutil::read_text(lang, path)?;
    let src: SourceFile = serde_json::from_str(&text).map_err(|e| {
        let msg = e.to_string();
        let short = msg.rsplit_once(" at line ").map(|(a, _)| a.to_owned()).unwrap_or(msg);
        CliError::new(
            "trust_source_bad_json",
            tr!(lang, "sumber daftar penerbit tidak sah: {}", "invalid trust list source: {}", short),
        )
        .file(path)
        .line(e.line())
        .column(e.column())
    })?;
    if src.version != 1 {
        return Err(CliError::new(
            "trust_unsupported_version",
            tr!(lang, "versi {} tidak didukung", "version {} is not supported", src.version),
        )
        .file(path)
        .field(Some("version".into())));
    }
    let mut entries = Vec::with_capacity(src.issuers.len());
    for (i, s) in src.issuers.iter().enumerate() {
        let at = |m: String| {
            CliError::new("trust_source_bad_issuer", tr!(lang, "penerbit ke-{}: {}", "issuer {}: {}", i + 1, m))
                .file(path)
        };
        let pk = PublicKey::from_text(s.public_key.trim())
            .map_err(|e| at(e.message(lang)).field(Some("public_key".into())))?;
        if let Some(id) = &s.key_id
            && !id.eq_ignore_ascii_case(&pk.key_id().to_string())
        {
            return Err(at(tr!(
                lang,
                "`key_id` {} tidak cocok dengan kunci publik (id kunci {})",
                "`key_id` {} does not match the public key (key id {})",
                id,
                pk.key_id()
            ))
            .field(Some("key_id".into())));
        }
        let when =
            |v: &str, field: &str| parse_when(lang, v, field).map_err(|e| at(e.message).field(Some(field.into())));
        let not_before = when(&s.not_before, "not_before")?;
        // A date-only `not_after` covers that whole day (issue 14).
        let not_after = crate::support::when::parse_end_when(lang, &s.not_after, "not_after")
            .map_err(|e| at(e.message).field(Some("not_after".into())))?;
        let scope = match &s.scope {
            Some(spec) => scope_of(lang, &spec.codes(), &tr!(lang, "penerbit ke-{}", "issuer {}", i + 1))
                .map_err(|e| e.file(path))?,
            None => Scope::all(),
        };
        let mut entry = TrustListEntry::new(s.name.trim(), pk, not_before, not_after, scope);
        let since = s.since.as_deref().map(|v| when(v, "since")).transpose()?;
        entry.status = match (s.status.as_deref().unwrap_or("active"), since) {
            ("active", None) => KeyStatus::Active,
            ("retired", Some(since)) => KeyStatus::Retired { since },
            ("compromised", Some(since)) => KeyStatus::Compromised { since },
            ("active", Some(_)) => {
                return Err(at(tr!(lang, "kunci aktif tidak memakai `since`", "an active key has no `since`"))
                    .field(Some("since".into())));
            }
            ("retired" | "compromised", None) => {
                return Err(at(tr!(lang, "`since` wajib diisi", "`since` is required")).field(Some("since".into())));
            }
            (other, _) => {
                return Err(at(tr!(
                    lang,
                    "`status` {:?} harus active, retired atau compromised",
                    "`status` {:?} must be active, retired or compromised",
                    other
                ))
                .field(Some("status".into())));
            }
        };
        if let Some(k) = &s.status_key {
            entry.status_key =
                Some(PublicKey::from_text(k.trim()).map_err(|e| at(e.message(lang)).field(Some("status_key".into())))?);
        }
        let explicit =
            Explicit { scope: s.scope.is_some(), status: s.status.is_some(), status_key: s.status_key.is_some() };
        entries.push((entry, explicit));
    }
    let mut roots = Vec::new();
    for r in &src.next_roots {
        roots.push(
            PublicKey::from_text(r.trim())
                .map_err(|e| CliError::new(e.code(), e.message(lang)).file(path).field(Some("next_roots".into())))?,
        );
    }
    Ok((entries, roots))
}

/// Splits `KEY=VALUE` and finds the entry KEY names (key id or public key).
fn edit_target<'a>(
    lang: Lang,
    entries: &'a mut [TrustListEntry],
    spec: &str,
    option: &str,
) -> CliResult<(&'a mut TrustListEntry, String)> {
    let Some((key, value)) = spec.split_once('=') else {
        return Err(CliError::new(
            "trust_bad_edit",
            tr!(
                lang,
                "{}: tulis KUNCI=NILAI, misalnya d30190=2026-06-01",
                "{}: write KEY=VALUE, such as d30190=2026-06-01",
                option
            ),
        )
        .field(Some(option.to_owned())));
    };
    let key = key.trim();
    let matches: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.key_id().to_string().eq_ignore_ascii_case(key) || e.public_key.to_text() == key)
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [i] => match entries.get_mut(*i) {
            Some(e) => Ok((e, value.trim().to_owned())),
            None => Err(CliError::new("trust_key_not_found", key.to_owned())),
        },
        [] => Err(CliError::new(
            "trust_key_not_found",
            tr!(lang, "{}: tidak ada penerbit dengan kunci {}", "{}: no issuer has key {}", option, key),
        )
        .field(Some(option.to_owned()))),
        _ => Err(CliError::new(
            "trust_key_ambiguous",
            tr!(
                lang,
                "{}: id kunci {} dimiliki beberapa penerbit; tulis kunci publiknya (ikdpk1:…)",
                "{}: several issuers have key id {}; give the public key (ikdpk1:…)",
                option,
                key
            ),
        )
        .field(Some(option.to_owned()))),
    }
}

fn apply_edits(lang: Lang, a: &SignArgs, entries: &mut [TrustListEntry]) -> CliResult<()> {
    for spec in &a.scopes {
        let (e, v) = edit_target(lang, entries, spec, "--scope")?;
        e.scope = scope_of(lang, &split_codes(&v), "--scope")?;
    }
    for spec in &a.status_keys {
        let (e, v) = edit_target(lang, entries, spec, "--status-key")?;
        e.status_key = Some(keys::read_public_key(lang, &v)?);
    }
    for spec in &a.retire {
        let (e, v) = edit_target(lang, entries, spec, "--retire")?;
        let since = parse_when(lang, &v, "--retire")?;
        if matches!(e.status, KeyStatus::Compromised { .. }) {
            return Err(CliError::new(
                "trust_key_compromised",
                tr!(
                    lang,
                    "--retire: kunci {} sudah dinyatakan bocor; status bocor tidak dapat diganti",
                    "--retire: key {} is already compromised; a compromise cannot be replaced",
                    e.key_id()
                ),
            ));
        }
        e.status = KeyStatus::Retired { since };
    }
    for spec in &a.compromise {
        let (e, v) = edit_target(lang, entries, spec, "--compromise")?;
        let since = parse_when(lang, &v, "--compromise")?;
        // A compromise date may only move earlier.
        let since = match e.status {
            KeyStatus::Compromised { since: old } => old.min(since),
            _ => since,
        };
        e.status = KeyStatus::Compromised { since };
    }
    Ok(())
}

fn read_secret(lang: Lang, path: &Path) -> CliResult<SecretKey> {
    keys::read_secret_key(lang, path)
}

/// `ikd trust sign`.
pub fn cmd_sign(ctx: &Ctx, a: &SignArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let (source_entries, source_roots) = read_source(lang, &a.source)?;
    if a.root_keys.len() > ikd_core::trustlist::MAX_ROOTS {
        return Err(CliError::new(
            "trust_list_limit_exceeded",
            tr!(lang, "paling banyak 4 kunci akar", "at most 4 root keys"),
        )
        .field(Some("--root-key".into())));
    }
    let mut signers = Vec::new();
    for p in &a.root_keys {
        signers.push(read_secret(lang, p)?);
    }
    let signer_pks: Vec<PublicKey> = signers.iter().map(SecretKey::public_key).collect();
    let mut next_roots = lists::read_roots(lang, &a.next_roots)?;
    if next_roots.is_empty() {
        next_roots = source_roots;
    }
    // The previous list: read with every key that may have signed it.
    let previous_path = match (&a.previous, a.no_previous) {
        (Some(p), _) => Some(p.clone()),
        (None, false) if a.out.exists() => Some(a.out.clone()),
        _ => None,
    };
    let previous = match &previous_path {
        Some(p) => {
            let bytes = fsutil::read_bytes(lang, p)?;
            let mut roots = signer_pks.clone();
            roots.extend(next_roots.iter().copied());
            let list = TrustList::verify(&bytes, &roots).map_err(|e| {
                CliError::new(
                    "trust_previous_unverified",
                    tr!(
                        lang,
                        "daftar sebelumnya tidak dapat diverifikasi dengan kunci akar ini: {} (pakai --previous FILE atau --no-previous)",
                        "the previous list does not verify under these root keys: {} (use --previous FILE or --no-previous)",
                        e.message(lang)
                    ),
                )
                .file(p)
            })?;
            Some(list)
        }
        None => None,
    };
    // Fields the source does not set are carried over from the previous list, so that
    // `--scope`, `--retire` and `--compromise` given once stay in force.
    let mut entries: Vec<TrustListEntry> = source_entries
        .into_iter()
        .map(|(mut e, x)| {
            if let Some(p) = previous.as_ref().and_then(|p| p.entry(&e.public_key)) {
                if !x.scope {
                    e.scope = p.scope.clone();
                }
                if !x.status {
                    e.status = p.status;
                }
                if !x.status_key {
                    e.status_key = p.status_key;
                }
            }
            e
        })
        .collect();
    apply_edits(lang, a, &mut entries)?;
    let issued_at = match &a.now {
        Some(s) => parse_when(lang, s, "--now")?,
        None => Timestamp::now(),
    };
    let next_update = lists::parse_time_or_after(lang, &a.next_update, issued_at, "--next-update")?;
    let sequence = match (a.sequence, &previous) {
        (Some(s), _) => s,
        (None, Some(p)) => p.sequence() + 1,
        (None, None) => 1,
    };
    let mut b = TrustListBuilder::new(sequence, issued_at, next_update);
    for e in entries {
        b.add(e).map_err(|e| CliError::new(e.code(), e.message(lang)).file(&a.source))?;
    }
    if !next_roots.is_empty() {
        b.next_roots(&next_roots);
    }
    let refs: Vec<&SecretKey> = signers.iter().collect();
    let bytes = b.sign(&refs).map_err(|e| CliError::new(e.code(), e.message(lang)))?;
    let list = match &previous {
        Some(prev) => TrustList::verify_successor(&bytes, prev).map_err(|e| {
            let hint = match e {
                ikd_core::trustlist::TrustListError::UnknownRoot => tr!(
                    lang,
                    " (tidak ada kunci akar penanda tangan yang tercantum di next_roots daftar sebelumnya)",
                    " (no signing root is among the previous list's next_roots)"
                ),
                ikd_core::trustlist::TrustListError::CompromiseLifted { .. } => tr!(
                    lang,
                    " (tandai lagi dengan --compromise KUNCI=WAKTU)",
                    " (mark it again with --compromise KEY=TIME)"
                ),
                _ => String::new(),
            };
            CliError::new(
                e.code(),
                tr!(
                    lang,
                    "daftar baru bukan penerus yang sah dari {}: {}{}",
                    "the new list is not a valid successor of {}: {}{}",
                    previous_path.as_deref().map(|p| p.display().to_string()).unwrap_or_default(),
                    e.message(lang),
                    hint
                ),
            )
        })?,
        None => TrustList::verify(&bytes, &signer_pks).map_err(|e| CliError::new(e.code(), e.message(lang)))?,
    };
    fsutil::write_atomic(lang, &a.out, &bytes, 0o644, true)?;
    let count = |s: &str| list.entries().iter().filter(|e| e.status.as_str() == s).count();
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "file": a.out.display().to_string(),
            "sequence": list.sequence(),
            "issued_at": list.issued_at().to_string(),
            "next_update": list.next_update().to_string(),
            "entries": list.entries().len(),
            "active": count("active"),
            "retired": count("retired"),
            "compromised": count("compromised"),
            "signed_by": list.signed_by().iter().map(PublicKey::to_text).collect::<Vec<_>>(),
            "next_roots": list.next_roots().iter().map(PublicKey::to_text).collect::<Vec<_>>(),
            "previous_sequence": previous.as_ref().map(TrustList::sequence),
            "bytes": bytes.len(),
        }));
    } else {
        println!("{}", tr!(lang, "Daftar penerbit ditandatangani: {}", "Trust list signed: {}", a.out.display()));
        println!(
            "  {}",
            tr!(
                lang,
                "nomor urut {}, dibuat {}, pembaruan berikut {}",
                "sequence {}, issued {}, next update {}",
                list.sequence(),
                list.issued_at(),
                list.next_update()
            )
        );
        println!(
            "  {}",
            tr!(
                lang,
                "{} penerbit: {} aktif, {} dipensiunkan, {} bocor",
                "{} issuer key(s): {} active, {} retired, {} compromised",
                list.entries().len(),
                count("active"),
                count("retired"),
                count("compromised")
            )
        );
        let ids = |ks: &[PublicKey]| ks.iter().map(|k| k.key_id().to_string()).collect::<Vec<_>>().join(", ");
        println!(
            "  {}",
            tr!(
                lang,
                "ditandatangani akar {}; akar berikutnya {}",
                "signed by root(s) {}; next roots {}",
                ids(list.signed_by()),
                ids(list.next_roots())
            )
        );
        if let Some(p) = &previous {
            println!(
                "  {}",
                tr!(lang, "penerus sah dari nomor urut {}", "a valid successor of sequence {}", p.sequence())
            );
        }
    }
    Ok(0)
}

/// One entry as JSON.
pub fn entry_json(e: &TrustListEntry) -> serde_json::Value {
    serde_json::json!({
        "name": e.name,
        "key_id": e.key_id().to_string(),
        "public_key": e.public_key.to_text(),
        "not_before": e.not_before.to_string(),
        "not_after": e.not_after.to_string(),
        "status": e.status.as_str(),
        "since": e.status.since().map(|t| t.to_string()),
        "scope": if e.scope.is_all() { vec!["*".to_owned()] } else { e.scope.codes().to_vec() },
        "status_key": e.status_key.map(|k| k.to_text()),
    })
}

/// The scope in words.
pub fn scope_text(s: &Scope, lang: Lang) -> String {
    if s.is_all() { tr!(lang, "semua wilayah (*)", "everywhere (*)") } else { s.codes().join(", ") }
}

/// `ikd trust inspect`.
pub fn cmd_inspect(ctx: &Ctx, a: &InspectArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let mut specs = a.root.clone();
    specs.extend(a.root_file.iter().map(|p| p.display().to_string()));
    let roots = lists::read_roots(lang, &specs)?;
    if roots.is_empty() {
        return Err(CliError::new(
            "trust_no_root",
            tr!(
                lang,
                "sebutkan kunci akar yang dipercaya: --root ikdpk1:… atau --root-file root.pub",
                "name the pinned root key: --root ikdpk1:… or --root-file root.pub"
            ),
        ));
    }
    let bytes = fsutil::read_bytes(lang, &a.file)?;
    let list = TrustList::verify(&bytes, &roots).map_err(|e| lists::rejected_trust_list(&e, lang, &a.file))?;
    let now = match &a.now {
        Some(s) => parse_when(lang, s, "--now")?,
        None => Timestamp::now(),
    };
    let fresh = list.freshness(now, &FreshnessPolicy::default());
    let age = age_secs(list.issued_at(), now);
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "file": a.file.display().to_string(),
            "verified": true,
            "sequence": list.sequence(),
            "issued_at": list.issued_at().to_string(),
            "next_update": list.next_update().to_string(),
            "age_secs": age,
            "freshness": fresh.code(),
            "signed_by": list.signed_by().iter().map(PublicKey::to_text).collect::<Vec<_>>(),
            "next_roots": list.next_roots().iter().map(PublicKey::to_text).collect::<Vec<_>>(),
            "entries": list.entries().iter().map(entry_json).collect::<Vec<_>>(),
            "bytes": bytes.len(),
        }));
        return Ok(0);
    }
    let w = 18;
    let row = |k: String, v: String| println!("{k:<w$} {v}");
    row(tr!(lang, "Daftar penerbit", "Trust list"), a.file.display().to_string());
    row(
        tr!(lang, "Hasil", "Result"),
        tr!(lang, "tanda tangan akar sah (terverifikasi)", "root signature valid (verified)"),
    );
    row(tr!(lang, "Nomor urut", "Sequence"), list.sequence().to_string());
    row(
        tr!(lang, "Dibuat", "Issued at"),
        format!("{} ({} {})", list.issued_at(), tr!(lang, "umur", "age"), age_text(age, lang)),
    );
    row(tr!(lang, "Pembaruan berikut", "Next update"), list.next_update().to_string());
    row(tr!(lang, "Kesegaran", "Freshness"), freshness_text(&fresh, lang));
    for k in list.signed_by() {
        row(
            tr!(lang, "Ditandatangani", "Signed by"),
            format!("{} ({} {})", k, tr!(lang, "id kunci", "key id"), k.key_id()),
        );
    }
    for k in list.next_roots() {
        row(
            tr!(lang, "Akar berikutnya", "Next root"),
            format!("{} ({} {})", k, tr!(lang, "id kunci", "key id"), k.key_id()),
        );
    }
    row(tr!(lang, "Kunci penerbit", "Issuer keys"), list.entries().len().to_string());
    for (n, e) in list.entries().iter().enumerate() {
        println!();
        println!("{}. {}", n + 1, e.name);
        let w = 14;
        let row = |k: String, v: String| println!("   {k:<w$} {v}");
        row(tr!(lang, "id kunci", "key id"), e.key_id().to_string());
        row(tr!(lang, "kunci publik", "public key"), e.public_key.to_text());
        row(tr!(lang, "masa berlaku", "validity"), format!("{} … {}", e.not_before, e.not_after));
        row(tr!(lang, "status", "status"), key_status_text(&e.status, lang));
        row(tr!(lang, "wilayah", "scope"), scope_text(&e.scope, lang));
        if let Some(k) = &e.status_key {
            row(tr!(lang, "kunci status", "status key"), k.to_text());
        }
    }
    Ok(0)
}
