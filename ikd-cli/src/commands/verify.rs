//! `ikd verify`: one credential, a stream of scanned lines, or a batch.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use ikd_core::view::{mask_nik, reason_detail};
use ikd_core::{
    BerlakuHingga, Claims, FixedClock, Kewarganegaraan, Kind, Lang, MAX_CHALLENGE_BYTES, Policy, SystemClock, Verdict,
    Verification, VerificationView, Verifier, VerifyOptions, ViewOptions,
};
use serde::Serialize;

use crate::commands::policies;
use crate::commands::trust;
use crate::ctx::Ctx;
use crate::support::cache::{self, CacheInfo};
use crate::support::error::{CliError, CliResult, EXIT_INVALID, EXIT_UNDETERMINED, EXIT_USAGE, EXIT_VALID};
use crate::support::fsutil;
use crate::support::input::{self, Input, Item};
use crate::support::progress;
use crate::support::seen::{self, Seen, SeenFile};
use crate::support::when::parse_when;
use crate::tr;

/// `ikd verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Credential text (IKD1:…), a text file (one credential per line), a PNG/JPEG image of
    /// the QR code, or `-` for stdin. Without it, stdin is read line by line (a USB scanner).
    pub input: Option<String>,
    /// The trust store file (see `ikd trust`).
    #[arg(long, env = "IKD_TRUST")]
    pub trust: Option<PathBuf>,
    /// Verify offline from the lists `ikd sync` cached in DIR: the signed trust list and the
    /// issuers' status lists (revocation). Default when no --trust is given: IKD_CACHE, else
    /// $XDG_DATA_HOME/ikd or ~/.local/share/ikd, if it holds a trust list.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// The pinned root public key for the cached trust list (ikdpk1:… or a file; default: the
    /// cache's `roots` file). Repeatable.
    #[arg(long, value_name = "KEY")]
    pub root: Vec<String>,
    /// Verify as of this time (RFC 3339) instead of the system clock: for testing and audits.
    #[arg(long)]
    pub now: Option<String>,
    /// Show the full NIK (masked except its last 4 digits by default).
    #[arg(long)]
    pub show_nik: bool,
    /// Save the face photo of a VALID credential or presentation to FILE (WebP as signed; PNG
    /// if FILE ends in .png). One input only.
    #[arg(long, value_name = "FILE")]
    pub photo_out: Option<PathBuf>,
    /// Verify many credentials: a directory of .ikd files, a .jsonl file (e.g. a batch
    /// manifest), or a text file with one credential per line.
    #[arg(long, conflicts_with = "input")]
    pub batch: Option<PathBuf>,
    /// Clock-skew tolerance in seconds.
    #[arg(long, default_value_t = ikd_core::DEFAULT_SKEW_SECS)]
    pub skew_secs: i64,
    /// How long a live presentation is accepted after the phone signed it, in seconds. 1 to 900.
    #[arg(long, value_name = "SECS", default_value_t = ikd_core::DEFAULT_PRESENTATION_WINDOW_SECS,
          value_parser = clap::value_parser!(i64).range(1..=900))]
    pub window: i64,
    /// How far ahead of this computer's clock a live presentation's time may be, in seconds
    /// (a phone clock running fast). 0 to 300. A code is accepted for --window plus this.
    #[arg(long, value_name = "SECS", default_value_t = ikd_core::DEFAULT_PRESENTATION_SKEW_SECS,
          value_parser = clap::value_parser!(i64).range(0..=300))]
    pub presentation_skew: i64,
    /// Where live presentations accepted by earlier runs are remembered until their window
    /// ends, so that a code scanned again is refused even by a new `ikd verify` (default:
    /// `seen-presentations` in the data directory: IKD_CACHE, $XDG_DATA_HOME/ikd or
    /// ~/.local/share/ikd). Not read or written with --now.
    #[arg(long, value_name = "FILE")]
    pub seen_file: Option<PathBuf>,
    /// Credentials per batch-verification chunk (256: past curve25519-dalek's switch to
    /// Pippenger's multiplication, issue 18).
    #[arg(long, default_value_t = 256, hide = true)]
    pub chunk: usize,
    /// Apply a service policy: the claims it needs, and whether only a live presentation from
    /// the resident's phone is accepted (see --list-policies).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Read more policies from a JSON file:
    /// [{"name": "...", "required": ["nama", ...], "require_live": true}]. A policy with the
    /// name of a built-in one replaces it.
    #[arg(long, value_name = "FILE")]
    pub policy_file: Option<PathBuf>,
    /// Challenge mode: the code this counter shows (at most 32 bytes, case matters). Only live
    /// presentations that answer it are accepted.
    #[arg(long, value_name = "CODE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub challenge: Option<String>,
    /// List the policies (built-in, and from --policy-file) and exit.
    #[arg(long, conflicts_with_all = ["input", "batch", "policy", "challenge"])]
    pub list_policies: bool,
}

/// How verifications are run and shown: the service policy, the counter's challenge, and
/// whether the full NIK is shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode<'a> {
    /// The service policy, if any.
    pub policy: Option<&'a Policy>,
    /// The counter's challenge code, if any.
    pub challenge: Option<&'a str>,
    /// Show the full NIK (masked except its last 4 digits otherwise).
    pub show_nik: bool,
    /// The cached lists used (`--cache`), to show their ages.
    pub cache: Option<&'a CacheInfo>,
    /// Live presentations accepted by earlier runs (not with `--now`).
    pub seen: Option<&'a SeenFile>,
}

impl<'a> Mode<'a> {
    /// The core's options for this mode.
    pub fn options(&self) -> VerifyOptions<'a> {
        VerifyOptions { policy: self.policy, challenge: self.challenge.map(str::as_bytes), now: None }
    }

    /// Verifies one text in this mode.
    pub fn verify(&self, verifier: &Verifier, text: &str) -> Verification {
        self.check_seen(verifier.verify_with(text, &self.options()))
    }

    /// Records a VALID live presentation in the seen file; one an earlier run recorded
    /// becomes `presentation_replayed`.
    pub fn check_seen(&self, v: Verification) -> Verification {
        match (self.seen, v.replay_token()) {
            (Some(seen), Some(token)) if seen.record(token) == Seen::Replayed => v.reject_replayed(),
            _ => v,
        }
    }
}

/// Checks the `--challenge` code.
pub fn challenge_arg(lang: Lang, code: &str) -> CliResult<&str> {
    if code.len() > MAX_CHALLENGE_BYTES {
        return Err(CliError::new(
            "challenge_too_long",
            tr!(
                lang,
                "--challenge: kode tantangan {} byte, lebih dari {}",
                "--challenge: the challenge code is {} bytes, more than {}",
                code.len(),
                MAX_CHALLENGE_BYTES
            ),
        )
        .field(Some("--challenge".into())));
    }
    Ok(code)
}

/// The exit status of one verdict.
pub fn exit_for(v: Verdict) -> u8 {
    match v {
        Verdict::Valid => EXIT_VALID,
        Verdict::Invalid => EXIT_INVALID,
        Verdict::Undetermined => EXIT_UNDETERMINED,
    }
}

/// Combines exit statuses: any INVALID wins over UNDETERMINED, which wins over VALID.
fn worst(a: u8, b: u8) -> u8 {
    let rank = |c: u8| match c {
        EXIT_USAGE => 3,
        EXIT_INVALID => 2,
        EXIT_UNDETERMINED => 1,
        _ => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// The verdict's name in the language.
pub fn verdict_label(v: Verdict, lang: Lang) -> String {
    match (v, lang) {
        (v, Lang::En) => v.as_str().to_owned(),
        (Verdict::Valid, _) => "SAH (VALID)".into(),
        (Verdict::Invalid, _) => "TIDAK SAH (INVALID)".into(),
        (Verdict::Undetermined, _) => "TIDAK DAPAT DIPASTIKAN (UNDETERMINED)".into(),
    }
}

/// Builds the verifier from the arguments.
pub fn verifier(ctx: &Ctx, trust_path: Option<&Path>, now: Option<&str>, skew: i64) -> CliResult<Verifier> {
    let lang = ctx.lang;
    let Some(path) = trust_path else {
        return Err(CliError::new(
            "trust_missing",
            tr!(
                lang,
                "tidak ada daftar penerbit tepercaya: pakai --trust FILE atau variabel IKD_TRUST, atau --cache DIR setelah `ikd sync`",
                "no trust store: use --trust FILE or the IKD_TRUST variable, or --cache DIR after `ikd sync`"
            ),
        ));
    };
    let store = trust::load(lang, path)?;
    let v = Verifier::new(store).with_skew_secs(skew);
    Ok(match now {
        Some(s) => v.with_clock(Arc::new(FixedClock(parse_when(lang, s, "--now")?))),
        None => v.with_clock(Arc::new(SystemClock)),
    })
}

/// Where the verifier's trust comes from.
enum Source {
    Store(Option<PathBuf>),
    Cache(PathBuf),
}

/// `--cache`, else `--trust`/`IKD_TRUST`, else `IKD_CACHE`, else the default cache if it holds a
/// trust list, else nothing (the `trust_missing` error).
fn source(a: &VerifyArgs) -> Source {
    if let Some(c) = &a.cache {
        return Source::Cache(c.clone());
    }
    if a.trust.is_some() {
        return Source::Store(a.trust.clone());
    }
    match cache::env_dir() {
        Some(d) if cache::env_is_set() || d.join(cache::TRUST_LIST).exists() => Source::Cache(d),
        _ => Source::Store(None),
    }
}

/// Builds the verifier from a trust store or from the cache (with the cache's ages).
fn build_verifier(ctx: &Ctx, a: &VerifyArgs) -> CliResult<(Verifier, Option<CacheInfo>)> {
    let lang = ctx.lang;
    let live = |v: Verifier| v.with_presentation_window_secs(a.window).with_presentation_skew_secs(a.presentation_skew);
    match source(a) {
        Source::Store(path) => Ok((live(verifier(ctx, path.as_deref(), a.now.as_deref(), a.skew_secs)?), None)),
        Source::Cache(dir) => {
            let now = match &a.now {
                Some(s) => parse_when(lang, s, "--now")?,
                None => ikd_core::Timestamp::now(),
            };
            let loaded = cache::load(lang, &dir, &a.root, now)?;
            for (f, m) in &loaded.problems {
                eprintln!(
                    "ikd: {}: {}: {m}; {}",
                    tr!(lang, "peringatan", "warning"),
                    f.display(),
                    tr!(lang, "daftar ini tidak dipakai", "this list is not used")
                );
            }
            let v = live(
                Verifier::from_trust_list(loaded.list).with_status_lists(loaded.statuses).with_skew_secs(a.skew_secs),
            );
            let v = match &a.now {
                Some(_) => v.with_clock(Arc::new(FixedClock(now))),
                None => v.with_clock(Arc::new(SystemClock)),
            };
            Ok((v, Some(loaded.info)))
        }
    }
}

/// Claim rows for display: (label, value).
pub fn claim_rows(c: &Claims, lang: Lang, show_nik: bool) -> Vec<(String, String)> {
    let l = |id: &str, en: &str| if lang == Lang::En { en.to_owned() } else { id.to_owned() };
    let a = &c.alamat;
    let mut rows = vec![
        ("NIK".to_owned(), if show_nik { c.nik.to_string() } else { mask_nik(&c.nik.to_string()) }),
        (l("Nama", "Name"), c.nama.as_str().to_owned()),
        (l("Tempat lahir", "Place of birth"), c.tempat_lahir.as_str().to_owned()),
        (l("Tanggal lahir", "Date of birth"), c.tanggal_lahir.to_string()),
        (l("Jenis kelamin", "Sex"), c.jenis_kelamin.as_str().to_owned()),
        (l("Golongan darah", "Blood type"), c.golongan_darah.as_str().to_owned()),
        (l("Alamat", "Address"), a.alamat.as_str().to_owned()),
        ("RT/RW".to_owned(), format!("{}/{}", a.rt, a.rw)),
        (l("Kel/Desa", "Village"), a.kel_desa.as_str().to_owned()),
        (l("Kecamatan", "District"), a.kecamatan.as_str().to_owned()),
        (l("Kabupaten/Kota", "Regency/City"), a.kabupaten_kota.as_str().to_owned()),
        (l("Provinsi", "Province"), a.provinsi.as_str().to_owned()),
        (l("Agama", "Religion"), c.agama.as_str().to_owned()),
        (l("Status perkawinan", "Marital status"), c.status_perkawinan.as_str().to_owned()),
        (l("Pekerjaan", "Occupation"), c.pekerjaan.as_str().to_owned()),
    ];
    match &c.kewarganegaraan {
        Kewarganegaraan::Wni => rows.push((l("Kewarganegaraan", "Citizenship"), "WNI".into())),
        Kewarganegaraan::Wna { negara } => {
            rows.push((l("Kewarganegaraan", "Citizenship"), format!("WNA ({})", negara.as_str())))
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
    rows.push((
        l("Berlaku hingga", "Card valid until"),
        match c.berlaku_hingga {
            BerlakuHingga::SeumurHidup => "SEUMUR HIDUP".into(),
            BerlakuHingga::Tanggal(d) => d.to_string(),
        },
    ));
    rows
}

/// The rows of a presentation's disclosed claims, in the order of a full credential's block;
/// the age predicates on one row, the photo last.
fn disclosed_rows(json: &serde_json::Value, photo: Option<&[u8]>, lang: Lang, show_nik: bool) -> Vec<(String, String)> {
    use serde_json::Value as V;
    let Some(m) = json.as_object() else { return Vec::new() };
    let l = |id: &str, en: &str| if lang == Lang::En { en.to_owned() } else { id.to_owned() };
    let text = |v: &V| match v {
        V::String(s) => s.clone(),
        V::Bool(b) => yes_no(*b, lang),
        V::Null => tr!(lang, "tidak ada", "none"),
        other => other.to_string(),
    };
    let labels: [(&str, String); 17] = [
        ("nik", "NIK".to_owned()),
        ("nama", l("Nama", "Name")),
        ("tempat_lahir", l("Tempat lahir", "Place of birth")),
        ("tanggal_lahir", l("Tanggal lahir", "Date of birth")),
        ("jenis_kelamin", l("Jenis kelamin", "Sex")),
        ("golongan_darah", l("Golongan darah", "Blood type")),
        ("alamat", l("Alamat", "Address")),
        ("rt", "RT/RW".to_owned()),
        ("kel_desa", l("Kel/Desa", "Village")),
        ("kecamatan", l("Kecamatan", "District")),
        ("kabupaten_kota", l("Kabupaten/Kota", "Regency/City")),
        ("provinsi", l("Provinsi", "Province")),
        ("agama", l("Agama", "Religion")),
        ("status_perkawinan", l("Status perkawinan", "Marital status")),
        ("pekerjaan", l("Pekerjaan", "Occupation")),
        ("kewarganegaraan", l("Kewarganegaraan", "Citizenship")),
        ("berlaku_hingga", l("Berlaku hingga", "Card valid until")),
    ];
    let mut rows = Vec::new();
    for (key, label) in labels {
        let Some(v) = m.get(key) else { continue };
        let value = match key {
            "nik" if !show_nik => mask_nik(&text(v)),
            "rt" => format!("{}/{}", text(v), m.get("rw").map(text).unwrap_or_default()),
            "kewarganegaraan" => match m.get("negara") {
                Some(n) => format!("{} ({})", text(v), text(n)),
                None => text(v),
            },
            _ => text(v),
        };
        rows.push((label, value));
    }
    let ages: Vec<String> = ["17", "21", "60"]
        .iter()
        .filter_map(|a| m.get(&format!("age_over_{a}")).map(|v| format!("{a}: {}", text(v))))
        .collect();
    if !ages.is_empty() {
        rows.push((l("Usia di atas", "Age over"), ages.join(", ")));
    }
    if m.contains_key("foto") {
        let photo = match photo {
            Some(p) => tr!(lang, "ada ({} byte)", "present ({} bytes)", p.len()),
            None => tr!(lang, "tidak ada", "none"),
        };
        rows.push((l("Foto", "Photo"), photo));
    }
    // Keys this version does not know (a newer core): shown as they are.
    const KNOWN: [&str; 22] = [
        "nik",
        "nama",
        "tempat_lahir",
        "tanggal_lahir",
        "jenis_kelamin",
        "golongan_darah",
        "alamat",
        "rt",
        "rw",
        "kel_desa",
        "kecamatan",
        "kabupaten_kota",
        "provinsi",
        "agama",
        "status_perkawinan",
        "pekerjaan",
        "kewarganegaraan",
        "negara",
        "berlaku_hingga",
        "age_over_17",
        "age_over_21",
        "age_over_60",
    ];
    for (k, v) in m {
        if k != "foto" && !KNOWN.contains(&k.as_str()) {
            rows.push((k.clone(), text(v)));
        }
    }
    rows
}

/// `ikd verify --json` for one verification: the core's view (`ikd_core::view`), with the
/// CLI's own `source` (where the text came from) and `lists` (the cached lists' ages, with
/// `--cache`).
#[derive(Debug, Serialize)]
pub struct CliView {
    /// Where the text came from: a file, `file:line`, `<stdin>:line` or `<argument>`.
    pub source: String,
    /// The verification.
    #[serde(flatten)]
    pub view: VerificationView,
    /// The cached lists used (`--cache`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists: Option<serde_json::Value>,
}

/// The full JSON report of one verification.
pub fn report_json(v: &Verification, label: &str, text: &str, lang: Lang, mode: &Mode<'_>) -> serde_json::Value {
    let opts = ViewOptions {
        lang,
        show_nik: mode.show_nik,
        policy: mode.policy.map(|p| p.name.as_str()),
        ..Default::default()
    };
    let out = CliView {
        source: label.to_owned(),
        view: VerificationView::new(v, text, &opts),
        lists: mode.cache.map(|c| c.json(v.issuer().map(|i| &i.public_key))),
    };
    serde_json::to_value(out).unwrap_or(serde_json::Value::Null)
}

fn yes_no(b: bool, lang: Lang) -> String {
    match (b, lang) {
        (true, Lang::En) => "yes".into(),
        (false, Lang::En) => "no".into(),
        (true, _) => "ya".into(),
        (false, _) => "tidak".into(),
    }
}

/// The readable block for one verification.
pub fn report_block(v: &Verification, label: &str, text: &str, lang: Lang, mode: &Mode<'_>) -> String {
    let show_nik = mode.show_nik;
    let mut out = String::new();
    let w = 18;
    let mut row = |k: &str, val: &str| out.push_str(&format!("{k:<w$} {val}\n"));
    row(&tr!(lang, "Sumber", "Source"), label);
    row(&tr!(lang, "Hasil", "Verdict"), &verdict_label(v.verdict(), lang));
    row(&tr!(lang, "Keterangan", "Message"), &v.message(lang));
    if v.verdict() != Verdict::Valid {
        row(&tr!(lang, "Kode alasan", "Reason code"), v.code());
        if let Some(d) = reason_detail(v.reason(), lang) {
            row(&tr!(lang, "Rincian", "Detail"), &d);
        }
    }
    if let Some(k) = Kind::of(v, text) {
        row(&tr!(lang, "Jenis", "Kind"), &k.label(lang));
    }
    if let Some(p) = mode.policy {
        row(&tr!(lang, "Kebijakan", "Policy"), &format!("{}: {}", p.name, policies::describe(p, lang)));
    }
    if let Some(c) = mode.challenge {
        row(&tr!(lang, "Kode tantangan", "Challenge code"), c);
    }
    if let Some(i) = v.issuer() {
        row(
            &tr!(lang, "Penerbit", "Issuer"),
            &format!("{} ({} {})", i.name, tr!(lang, "id kunci", "key id"), i.key_id()),
        );
    }
    if let Some(h) = v.header() {
        row(&tr!(lang, "Nomor seri", "Serial"), &h.serial.to_string());
        row(&tr!(lang, "Diterbitkan", "Issued at"), &h.issued_at.to_string());
        row(&tr!(lang, "Masa berlaku", "Valid"), &format!("{} … {}", h.valid_from, h.expires_at));
    }
    if let Some(c) = mode.cache {
        for (k, val) in c.rows(v.issuer().map(|i| &i.public_key), lang) {
            row(&k, &val);
        }
    }
    if let Some(c) = v.credential() {
        out.push('\n');
        for (k, val) in claim_rows(c.claims(), lang, show_nik) {
            out.push_str(&format!("{k:<w$} {val}\n"));
        }
        let a = c.age_over();
        out.push_str(&format!(
            "{:<w$} 17: {}, 21: {}, 60: {}\n",
            tr!(lang, "Usia di atas", "Age over"),
            yes_no(a.over_17, lang),
            yes_no(a.over_21, lang),
            yes_no(a.over_60, lang)
        ));
        let photo = match c.photo() {
            Some(p) => tr!(lang, "ada ({} byte)", "present ({} bytes)", p.len()),
            None => tr!(lang, "tidak ada", "none"),
        };
        out.push_str(&format!("{:<w$} {photo}\n", tr!(lang, "Foto", "Photo")));
        if let Some(k) = c.header().holder_key {
            out.push_str(&format!("{:<w$} {}\n", tr!(lang, "Kunci pemegang", "Holder key"), k));
        }
    }
    if let Some(p) = v.presentation() {
        out.push('\n');
        for (k, val) in disclosed_rows(&p.disclosed_json(), p.photo(), lang, show_nik) {
            out.push_str(&format!("{k:<w$} {val}\n"));
        }
        if let Some(k) = p.header().holder_key {
            out.push_str(&format!("{:<w$} {}\n", tr!(lang, "Kunci pemegang", "Holder key"), k));
        }
        if !v.withheld().is_empty() {
            out.push_str(&format!("{}: {}\n", tr!(lang, "Tidak ditampilkan", "Withheld"), v.withheld().join(", ")));
        }
    }
    out
}

/// One line for a stream of scans.
pub fn report_line(v: &Verification, label: Option<&str>, lang: Lang, show_nik: bool) -> String {
    let mut parts = Vec::new();
    if let Some(l) = label {
        parts.push(l.to_owned());
    }
    parts.push(verdict_label(v.verdict(), lang));
    match (v.credential(), v.presentation()) {
        (Some(c), _) => {
            let cl = c.claims();
            parts.push(cl.nama.as_str().to_owned());
            parts.push(format!("NIK {}", if show_nik { cl.nik.to_string() } else { mask_nik(&cl.nik.to_string()) }));
        }
        (None, Some(p)) => {
            let shown = p.disclosed_json();
            if let Some(n) = shown.get("nama").and_then(|n| n.as_str()) {
                parts.push(n.to_owned());
            }
            if let Some(n) = shown.get("nik").and_then(|n| n.as_str()) {
                parts.push(format!("NIK {}", if show_nik { n.to_owned() } else { mask_nik(n) }));
            }
            let kind = if p.is_live() { Kind::Live } else { Kind::Static };
            parts.push(tr!(
                lang,
                "{}, {} tidak ditampilkan",
                "{}, {} withheld",
                kind.short_label(lang),
                v.withheld().len()
            ));
        }
        (None, None) => parts.push(v.code().to_owned()),
    }
    parts.push(v.message(lang));
    parts.join(" | ")
}

/// `ikd verify`.
pub fn cmd_verify(ctx: &Ctx, a: &VerifyArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    if a.list_policies {
        return policies::cmd_list(ctx, a.policy_file.as_deref());
    }
    let policy = match (&a.policy, &a.policy_file) {
        (Some(name), file) => Some(policies::find(lang, &policies::load(lang, file.as_deref())?, name)?),
        // A policy file without --policy is still read, so its mistakes are reported.
        (None, Some(file)) => {
            policies::load(lang, Some(file))?;
            None
        }
        (None, None) => None,
    };
    let challenge = a.challenge.as_deref().map(|c| challenge_arg(lang, c)).transpose()?;
    // The seen file is about the real clock: not with --now (tests, audits of old scans).
    let seen = match (&a.now, &a.seen_file) {
        (Some(_), _) => None,
        (None, Some(f)) => Some(SeenFile::new(f.clone(), lang)),
        (None, None) => cache::env_dir().map(|d| SeenFile::new(d.join(seen::FILE_NAME), lang)),
    };
    if a.photo_out.is_some() && a.batch.is_some() {
        return Err(photo_out_one_input(lang));
    }
    if let Some(b) = &a.batch {
        let (verifier, info) = build_verifier(ctx, a)?;
        let mode = Mode {
            policy: policy.as_ref(),
            challenge,
            show_nik: a.show_nik,
            cache: info.as_ref(),
            seen: seen.as_ref(),
        };
        if let (Some(i), false) = (&info, ctx.json) {
            eprintln!("{}", i.summary(lang));
        }
        return verify_batch(ctx, &verifier, b, &mode, a.chunk.max(1));
    }
    let input = input::resolve(lang, a.input.as_deref())?;
    let (verifier, info) = build_verifier(ctx, a)?;
    let mode =
        Mode { policy: policy.as_ref(), challenge, show_nik: a.show_nik, cache: info.as_ref(), seen: seen.as_ref() };
    if let (Some(i), false, false) = (&info, ctx.json, matches!(&input, Input::Items(items) if items.len() == 1)) {
        eprintln!("{}", i.summary(lang));
    }
    match input {
        Input::Items(items) if items.len() == 1 => {
            let Some(item) = items.first() else { return Ok(EXIT_USAGE) };
            let v = mode.verify(&verifier, &item.text);
            if ctx.json {
                crate::ctx::print_json(&report_json(&v, &item.label, &item.text, lang, &mode));
            } else {
                print!("{}", report_block(&v, &item.label, &item.text, lang, &mode));
            }
            if let Some(path) = a.photo_out.as_deref()
                && v.verdict() == Verdict::Valid
            {
                crate::support::photo_out::write_photo(lang, &v, path)?;
            }
            Ok(exit_for(v.verdict()))
        }
        _ if a.photo_out.is_some() => Err(photo_out_one_input(lang)),
        Input::Items(items) => {
            let mut code = EXIT_VALID;
            for item in &items {
                code = worst(code, emit_line(ctx, &verifier, item, Some(&item.label), &mode));
            }
            Ok(code)
        }
        Input::Stdin => {
            let stdin = std::io::stdin();
            if std::io::IsTerminal::is_terminal(&stdin) && !ctx.json {
                eprintln!(
                    "{}",
                    tr!(
                        ctx.lang,
                        "Menunggu pindaian: satu kredensial per baris (Ctrl-D untuk selesai).",
                        "Waiting for scans: one credential per line (Ctrl-D to finish)."
                    )
                );
            }
            let mut code = EXIT_VALID;
            let mut seen = 0usize;
            for (n, line) in stdin.lock().lines().enumerate() {
                let line = line.map_err(|e| {
                    CliError::new(
                        "io_error",
                        tr!(ctx.lang, "tidak dapat membaca masukan standar: {}", "cannot read standard input: {}", e),
                    )
                    .file_label("<stdin>")
                    .line(n + 1)
                })?;
                let text = line.trim_end_matches('\r');
                if text.trim().is_empty() {
                    continue;
                }
                seen += 1;
                let item = Item { label: format!("<stdin>:{}", n + 1), text: text.to_owned() };
                code = worst(code, emit_line(ctx, &verifier, &item, None, &mode));
            }
            if seen == 0 {
                return Err(CliError::new(
                    "input_empty",
                    tr!(ctx.lang, "tidak ada kredensial di masukan standar", "no credential on standard input"),
                )
                .file_label("<stdin>"));
            }
            Ok(code)
        }
    }
}

fn emit_line(ctx: &Ctx, verifier: &Verifier, item: &Item, label: Option<&str>, mode: &Mode<'_>) -> u8 {
    let v = mode.verify(verifier, &item.text);
    let mut out = std::io::stdout().lock();
    if ctx.json {
        let _ = writeln!(out, "{}", report_json(&v, &item.label, &item.text, ctx.lang, mode));
    } else {
        let _ = writeln!(out, "{}", report_line(&v, label, ctx.lang, mode.show_nik));
    }
    // One verdict per scan, shown at once.
    let _ = out.flush();
    exit_for(v.verdict())
}

fn photo_out_one_input(lang: Lang) -> CliError {
    CliError::new(
        "photo_out_one_input",
        tr!(lang, "--photo-out: hanya untuk satu kredensial", "--photo-out: only with one credential"),
    )
    .field(Some("--photo-out".to_owned()))
}

/// Longest line of a `--batch` file (a credential with its photo is a few kilobytes).
const MAX_BATCH_LINE_BYTES: usize = 1024 * 1024;

/// Where the credentials of `--batch` come from: the `.ikd` files of a directory (read up
/// front), or the lines of one file, read a chunk at a time, so that the command's memory does
/// not grow with the file (20 000 credentials: 17 MB at its peak, against 29 MB when the file
/// and a copy of every line were held whole; the time is the same).
enum BatchSource {
    /// A directory's files, and the errors of those that could not be read.
    Dir { items: std::vec::IntoIter<Item>, errors: Vec<CliError> },
    /// A file's lines.
    File(BatchFile),
}

/// The lines of a `--batch` file, checked once before any is verified (size, line length,
/// UTF-8: a file that fails these gives its error before any answer, as when it was read
/// whole), then read again a line at a time.
struct BatchFile {
    reader: std::io::BufReader<std::fs::File>,
    path: PathBuf,
    name: String,
    jsonl: bool,
    /// Lines in the file.
    lines: u64,
    /// The number of the last line read.
    line: usize,
    buf: Vec<u8>,
}

impl BatchSource {
    fn open(ctx: &Ctx, path: &Path) -> CliResult<BatchSource> {
        let lang = ctx.lang;
        let meta =
            std::fs::metadata(path).map_err(|e| CliError::io(lang, path, crate::support::error::IoAction::Read, &e))?;
        if meta.is_dir() {
            let (items, errors) = dir_items(ctx, path)?;
            return Ok(BatchSource::Dir { items: items.into_iter(), errors });
        }
        if meta.len() > fsutil::MAX_INPUT_BYTES {
            return Err(fsutil::too_large(lang, path, meta.len()));
        }
        let open = || {
            std::fs::File::open(path)
                .map(|f| std::io::BufReader::with_capacity(64 * 1024, f))
                .map_err(|e| CliError::io(lang, path, crate::support::error::IoAction::Read, &e))
        };
        let mut file = BatchFile {
            reader: open()?,
            path: path.to_owned(),
            name: path.display().to_string(),
            jsonl: path.extension().is_some_and(|x| x == "jsonl" || x == "json"),
            lines: 0,
            line: 0,
            buf: Vec::new(),
        };
        while file.next_line(lang)?.is_some() {}
        file.lines = file.line as u64;
        file.line = 0;
        file.reader = open()?;
        Ok(BatchSource::File(file))
    }

    /// For the progress bar: credentials (a directory) or lines (a file).
    fn len(&self) -> u64 {
        match self {
            BatchSource::Dir { items, .. } => items.len() as u64,
            BatchSource::File(f) => f.lines,
        }
    }

    /// Up to `max` items into `group` (emptied first); each input error is passed to `error`.
    /// Answers whether the source may hold more.
    fn fill(
        &mut self,
        lang: Lang,
        group: &mut Vec<Item>,
        max: usize,
        error: &mut dyn FnMut(CliError),
        pb: &indicatif::ProgressBar,
    ) -> CliResult<bool> {
        group.clear();
        match self {
            BatchSource::Dir { items, errors } => {
                for e in errors.drain(..) {
                    error(e);
                }
                group.extend(items.by_ref().take(max));
                Ok(items.len() > 0)
            }
            BatchSource::File(f) => {
                let BatchFile { reader, path, name, jsonl, line: n, buf, .. } = f;
                while group.len() < max {
                    let Some(line) = read_batch_line(reader, buf, n, path, lang)? else { return Ok(false) };
                    pb.inc(1);
                    let line = line.trim_end_matches('\r');
                    if line.trim().is_empty() {
                        continue;
                    }
                    let label = format!("{name}:{n}");
                    if !*jsonl {
                        group.push(Item { label, text: line.to_owned() });
                        continue;
                    }
                    match batch_line_item(line, lang) {
                        Ok(text) => group.push(Item { label, text }),
                        Err(e) => error(e.file(&*path).line(*n)),
                    }
                }
                Ok(true)
            }
        }
    }
}

impl BatchFile {
    /// The next line (without its `\n`), or `None` at the end ([`read_batch_line`]).
    fn next_line(&mut self, lang: Lang) -> CliResult<Option<&str>> {
        read_batch_line(&mut self.reader, &mut self.buf, &mut self.line, &self.path, lang)
    }
}

/// The next line of `reader` (without its `\n`) into `buf`, counting it in `line`; `None` at
/// the end. A line over [`MAX_BATCH_LINE_BYTES`] or not UTF-8 is an error for the whole file.
fn read_batch_line<'b>(
    reader: &mut impl BufRead,
    buf: &'b mut Vec<u8>,
    line: &mut usize,
    path: &Path,
    lang: Lang,
) -> CliResult<Option<&'b str>> {
    buf.clear();
    let limit = (MAX_BATCH_LINE_BYTES + 1) as u64;
    let read = std::io::Read::take(reader, limit)
        .read_until(b'\n', buf)
        .map_err(|e| CliError::io(lang, path, crate::support::error::IoAction::Read, &e))?;
    if read == 0 {
        return Ok(None);
    }
    *line += 1;
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() > MAX_BATCH_LINE_BYTES {
        return Err(CliError::new(
            "io_too_large",
            tr!(
                lang,
                "baris terlalu panjang (lebih dari {} byte)",
                "the line is too long (over {} bytes)",
                MAX_BATCH_LINE_BYTES
            ),
        )
        .file(path)
        .line(*line));
    }
    match std::str::from_utf8(buf) {
        Ok(text) => Ok(Some(text)),
        Err(e) => Err(fsutil::not_utf8(lang, path, *line, e.valid_up_to() + 1)),
    }
}

/// The credential of one line of a JSON Lines batch, or the line's input error (without its
/// file and line, which the caller adds).
fn batch_line_item(line: &str, lang: Lang) -> Result<String, CliError> {
    match parse_batch_line(line) {
        Ok(BatchLine::Text(s)) | Ok(BatchLine::Object(Some(s))) => Ok(s),
        Ok(BatchLine::Object(None)) => Err(CliError::new(
            "batch_no_credential",
            tr!(lang, "baris ini tidak punya kolom `credential`", "this line has no `credential` field"),
        )
        .field(Some("credential".into()))),
        Ok(BatchLine::Other) => Err(CliError::new(
            "batch_bad_line",
            tr!(lang, "baris harus string JSON atau objek", "the line must be a JSON string or object"),
        )),
        Err(e) => {
            Err(CliError::new("batch_bad_json", tr!(lang, "JSON tidak sah: {}", "invalid JSON: {}", e))
                .column(e.column()))
        }
    }
}

/// The `.ikd` files of a directory, in name order: `(label, text)` items and the errors of
/// files that could not be read.
fn dir_items(ctx: &Ctx, path: &Path) -> CliResult<(Vec<Item>, Vec<CliError>)> {
    let lang = ctx.lang;
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| CliError::io(lang, path, crate::support::error::IoAction::Read, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ikd"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CliError::new(
            "input_empty",
            tr!(lang, "tidak ada berkas .ikd di direktori ini", "no .ikd files in this directory"),
        )
        .file(path));
    }
    for f in files {
        match fsutil::read_text(lang, &f) {
            Ok(t) => {
                let label = f.display().to_string();
                let text = t.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim_end_matches('\r');
                items.push(Item { label, text: text.to_owned() });
            }
            Err(e) => errors.push(e),
        }
    }
    Ok((items, errors))
}

/// One line of a `--batch` JSON Lines file.
enum BatchLine {
    /// A JSON string: the credential text.
    Text(String),
    /// An object (a manifest line of `ikd issue --batch`): its `credential` when that is a string.
    Object(Option<String>),
    /// Any other JSON value.
    Other,
}

/// The fields of a manifest line that `--batch` reads; the others are skipped unparsed
/// (issue 18: building a whole `serde_json::Value` per line was a measurable share of a batch).
#[derive(serde::Deserialize)]
struct ManifestLine {
    #[serde(default)]
    credential: Option<serde_json::Value>,
}

fn parse_batch_line(line: &str) -> Result<BatchLine, serde_json::Error> {
    if line.trim_start().starts_with('{') {
        let m: ManifestLine = serde_json::from_str(line)?;
        return Ok(BatchLine::Object(match m.credential {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        }));
    }
    Ok(match serde_json::from_str::<serde_json::Value>(line)? {
        serde_json::Value::String(s) => BatchLine::Text(s),
        _ => BatchLine::Other,
    })
}

fn verify_batch(ctx: &Ctx, verifier: &Verifier, path: &Path, mode: &Mode<'_>, chunk: usize) -> CliResult<u8> {
    let lang = ctx.lang;
    let mut source = BatchSource::open(ctx, path)?;
    let pb = progress::bar(source.len(), tr!(lang, "verifikasi", "verifying"));
    let start = Instant::now();
    // The core's summary (the server's batch answers carry the same one).
    let mut summary = ikd_core::BatchSummary::default();
    let mut failures = Vec::new();
    let mut input_errors = 0usize;
    let mut group: Vec<Item> = Vec::with_capacity(chunk);
    loop {
        let more = source.fill(
            lang,
            &mut group,
            chunk,
            &mut |e| {
                crate::ctx::report_error(ctx, &e);
                input_errors += 1;
            },
            &pb,
        )?;
        if group.is_empty() {
            if more {
                continue;
            }
            break;
        }
        let group = group.as_slice();
        let texts: Vec<&str> = group.iter().map(|i| i.text.as_str()).collect();
        // One signature batch per chunk, each text with the policy and challenge.
        let opts = mode.options();
        let items: Vec<(&str, ikd_core::VerifyOptions<'_>)> = texts.iter().map(|t| (*t, opts)).collect();
        let results: Vec<_> = verifier.verify_batch_with(&items).into_iter().map(|v| mode.check_seen(v)).collect();
        for (item, v) in group.iter().zip(&results) {
            summary.add(v.verdict(), v.code());
            if ctx.json {
                crate::ctx::print_json(&report_json(v, &item.label, &item.text, lang, mode));
            } else if v.verdict() != Verdict::Valid {
                failures.push(format!(
                    "{}: {} | {} | {}",
                    item.label,
                    verdict_label(v.verdict(), lang),
                    v.code(),
                    v.message(lang)
                ));
            }
        }
        if matches!(source, BatchSource::Dir { .. }) {
            pb.inc(group.len() as u64);
        }
    }
    pb.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    let total = summary.total;
    let code = if input_errors > 0 { EXIT_USAGE } else { exit_for(summary.overall()) };
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({"summary": SummaryOut { summary: &summary, input_errors }}));
    } else {
        for f in &failures {
            println!("{f}");
        }
        if !failures.is_empty() {
            println!();
        }
        println!("{}", tr!(lang, "Ringkasan: {} kredensial", "Summary: {} credential(s)", total));
        for v in [Verdict::Valid, Verdict::Invalid, Verdict::Undetermined] {
            let n = match v {
                Verdict::Valid => summary.valid,
                Verdict::Invalid => summary.invalid,
                _ => summary.undetermined,
            };
            println!("  {:<40} {:>8}", verdict_label(v, lang), n);
            for c in summary.by_code.iter().filter(|c| c.verdict == v) {
                println!("    {:<38} {:>8}", c.code, c.count);
            }
        }
        if input_errors > 0 {
            println!("  {:<40} {:>8}", tr!(lang, "GALAT MASUKAN", "INPUT ERRORS"), input_errors);
        }
    }
    if !ctx.json {
        eprintln!("{}", crate::support::progress::done_in(lang, total as u64, secs));
    }
    Ok(code)
}

/// The summary of `ikd verify --batch --json` (its last line, `{"summary": …}`): the core's, with the lines of the file that were not credentials.
#[derive(serde::Serialize)]
struct SummaryOut<'a> {
    #[serde(flatten)]
    summary: &'a ikd_core::BatchSummary,
    input_errors: usize,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn disclosed_rows_follow_the_credential_order() {
        let v = serde_json::json!({
            "age_over_17": true, "nama": "BUDI", "nik": "3604011203880007", "rt": "003", "rw": "001",
            "alamat": "JL. X", "kewarganegaraan": "WNA", "negara": "MALAYSIA", "foto": null, "baru": 7,
        });
        let rows = disclosed_rows(&v, None, Lang::Id, false);
        let flat: Vec<String> = rows.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            flat,
            [
                "NIK=************0007",
                "Nama=BUDI",
                "Alamat=JL. X",
                "RT/RW=003/001",
                "Kewarganegaraan=WNA (MALAYSIA)",
                "Usia di atas=17: ya",
                "Foto=tidak ada",
                "baru=7",
            ]
        );
    }

    #[test]
    fn challenge_length() {
        assert!(challenge_arg(Lang::En, "K7Q2").is_ok());
        assert!(challenge_arg(Lang::En, &"x".repeat(32)).is_ok());
        assert_eq!(challenge_arg(Lang::En, &"x".repeat(33)).unwrap_err().code, "challenge_too_long");
    }
}
