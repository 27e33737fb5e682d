//! `ikd issue`: claims JSON to a signed credential, with optional photo, QR and printable card.

use std::path::{Path, PathBuf};

use clap::Args;
use ikd_core::issuance::{self, IssuancePlan, MAX_VALID_DAYS, PlanError, PlanRequest, Start};
use ikd_core::photo::{self, PhotoLimits};
use ikd_core::render::{self, ErrorCorrection, RenderOptions};
use ikd_core::{
    Claims, IssueError, IssueRequest, IssuedCredential, Issuer, Lang, PublicKey, Serial, StatusIndex, Timestamp,
};

use crate::commands::batch;
use crate::ctx::Ctx;
use crate::support::card::{self, CardData};
use crate::support::claimsio;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::support::keys;
use crate::support::when::parse_when;
use crate::tr;

/// `ikd issue` arguments.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The claims JSON file (`-` for stdin): a claims object, `{"case": …, "claims": {…}}`, or a
    /// reference file `{"residents": […]}` with --case.
    #[arg(required_unless_present = "batch")]
    pub claims: Option<PathBuf>,
    /// The issuer's secret key file (see `ikd key new`).
    #[arg(long)]
    pub key: PathBuf,
    /// Which resident to take from a `{"residents": […]}` file.
    #[arg(long)]
    pub case: Option<String>,
    /// Issue every line of a JSON Lines file of claims into --out-dir (resumable).
    #[arg(long, requires = "out_dir", conflicts_with_all = ["claims", "serial", "status_index", "photo", "qr", "card", "out", "holder"])]
    pub batch: Option<PathBuf>,
    /// The output directory of a batch: NNNNNN.ikd files, manifest.jsonl and journal.jsonl.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// The holder's public key (phone credentials): a .pub file or ikdpk1:… text.
    #[arg(long)]
    pub holder: Option<String>,
    /// Days of validity.
    #[arg(long, default_value_t = 1825)]
    pub valid_days: u32,
    /// Start of validity (RFC 3339 or YYYY-MM-DD; default now).
    #[arg(long)]
    pub valid_from: Option<String>,
    /// Use this serial instead of the key's counter (for re-issuing; the counter is not changed).
    #[arg(long)]
    pub serial: Option<u64>,
    /// Use this status-list index instead of the one derived from the serial.
    #[arg(long)]
    pub status_index: Option<u32>,
    /// A PNG or JPEG portrait, embedded as a small WebP thumbnail sized so that the credential
    /// still fits QR version 22 at error correction M.
    #[arg(long)]
    pub photo: Option<PathBuf>,
    /// Write the credential text here instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Also write the QR code: a .png or .svg file.
    #[arg(long)]
    pub qr: Option<PathBuf>,
    /// Also write a printable card (PNG, 1011x638 px = 85.6x54 mm at 300 dpi).
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// The issuing office's name on the card (default: the name given to `ikd key new`, or
    /// "DISDUKCAPIL" and the resident's regency).
    #[arg(long)]
    pub issuer_name: Option<String>,
    /// Start the key's serial counter file if it is missing (only for a key that has never issued).
    #[arg(long)]
    pub init_state: bool,
    /// Issue as of this time (RFC 3339) instead of the system clock: for tests.
    #[arg(long, hide = true)]
    pub now: Option<String>,
}

/// An issue error in plain language.
pub fn issue_error(lang: Lang, e: &IssueError) -> CliError {
    let field = match e {
        IssueError::Claims(c) => c.field(),
        IssueError::ValidFromBeforeIssuedAt => Some("valid_from".into()),
        IssueError::ExpiresBeforeValidFrom | IssueError::ValidityTooLong => Some("valid_days".into()),
        IssueError::BeyondBerlakuHingga(_) => Some("berlaku_hingga".into()),
        _ => None,
    };
    CliError::from_core(e, lang).field(field)
}

/// Validity settings shared by single and batch issuing.
#[derive(Debug, Clone)]
pub struct Validity {
    /// `--valid-from`, parsed.
    pub start: Start,
    /// `--valid-days`.
    pub days: u32,
}

impl Validity {
    /// From the arguments.
    pub fn from_args(lang: Lang, valid_from: Option<&str>, days: u32) -> CliResult<Validity> {
        let start = match valid_from {
            Some(s) => Start::parse(s).ok_or_else(|| crate::support::when::bad_time(lang, s, "--valid-from"))?,
            None => Start::Now,
        };
        Ok(Validity { start, days })
    }

    /// The issuing plan (`ikd_core::issuance::plan`: the same rules as the server's) at `now`.
    pub fn plan(
        &self,
        claims: &Claims,
        holder_key: Option<PublicKey>,
        photo: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<IssuancePlan, PlanError> {
        let req = PlanRequest {
            claims,
            holder_key,
            start: self.start,
            valid_days: self.days,
            max_valid_days: MAX_VALID_DAYS,
            photo,
            photo_limits: PhotoLimits::default(),
        };
        issuance::plan(&req, now)
    }
}

/// A planning error in plain language.
pub fn plan_error(lang: Lang, e: &PlanError) -> CliError {
    CliError::from_core(e, lang).field(e.field())
}

/// Loads the issuer's key.
pub fn load_issuer(lang: Lang, key: &Path) -> CliResult<Issuer> {
    Ok(Issuer::new(keys::read_secret_key(lang, key)?))
}

/// `ikd issue`.
pub fn cmd_issue(ctx: &Ctx, a: &IssueArgs) -> CliResult<u8> {
    if let (Some(b), Some(dir)) = (&a.batch, &a.out_dir) {
        let validity = Validity::from_args(ctx.lang, a.valid_from.as_deref(), a.valid_days)?;
        return batch::run(ctx, &a.key, b, dir, &validity, a.init_state, a.now.as_deref());
    }
    let lang = ctx.lang;
    let Some(claims_path) = &a.claims else {
        return Err(CliError::new("usage", tr!(lang, "berkas klaim tidak diberikan", "no claims file given")));
    };
    let record = claimsio::read_record(lang, claims_path, a.case.as_deref())?;
    let claims = record.claims;
    let validity = Validity::from_args(lang, a.valid_from.as_deref(), a.valid_days)?;
    let issuer = load_issuer(lang, &a.key)?;
    let pk = issuer.public_key();
    let holder: Option<PublicKey> = match &a.holder {
        Some(h) => Some(keys::read_public_key(lang, h)?),
        None => None,
    };
    // Read the photo before taking a serial, so a bad photo wastes nothing.
    let photo_input = match &a.photo {
        Some(p) => Some(fsutil::read_bytes(lang, p)?),
        None => None,
    };
    let issued_at = match &a.now {
        Some(s) => parse_when(lang, s, "--now")?,
        None => Timestamp::now(),
    };
    let label = claims_path.display().to_string();
    // The plan (validity window, fitted photo) is made before a serial is taken, so a bad
    // photo wastes nothing; its budget holds for any serial and status index.
    let plan = validity.plan(&claims, holder, photo_input.as_deref(), issued_at).map_err(|e| {
        let err = plan_error(lang, &e);
        match (&e, &a.photo) {
            (PlanError::Photo(_), Some(p)) => err.file(p),
            _ => err.file_label(&label),
        }
    })?;
    let thumb = plan.photo().cloned();
    let (state, serial) = match a.serial {
        // An explicit serial leaves the counter alone; the state still gives the status index.
        Some(s) => (keys::read_state(lang, &a.key, &pk), s),
        None => {
            let (st, first) = keys::reserve_serials(lang, &a.key, &pk, 1, a.init_state)?;
            (Some(st), first)
        }
    };
    let serial_v = Serial::new(serial).ok_or_else(|| {
        CliError::new("issue_bad_serial", tr!(lang, "nomor seri terlalu besar", "the serial is too large"))
            .field(Some("serial".into()))
    })?;
    let status_index = match (a.status_index, &state) {
        (Some(i), _) => i,
        (None, Some(st)) => st.status_index(serial).ok_or_else(|| keys::unfoldable_serial(lang, serial))?,
        (None, None) => random_u32()?,
    };
    let req = plan.request(serial_v, StatusIndex::new(status_index));
    let cred = issuer.issue(&req).map_err(|e| issue_error(lang, &e).file_label(&label))?;
    let text = cred.text();
    let mut written = Vec::new();
    if let Some(o) = &a.out {
        fsutil::write_output(lang, o, format!("{text}\n").as_bytes())?;
        written.push(o.display().to_string());
    }
    if let Some(q) = &a.qr {
        crate::commands::qr::write_qr(lang, text, q, &RenderOptions::PRINT)?;
        written.push(q.display().to_string());
    }
    if let Some(c) = &a.card {
        let issuer_name = a
            .issuer_name
            .clone()
            .or_else(|| state.as_ref().and_then(|s| s.issuer_name.clone()))
            .or_else(|| keys::state_issuer_name(lang, &a.key))
            .unwrap_or_else(|| format!("DISDUKCAPIL {}", claims.alamat.kabupaten_kota.as_str()));
        let data = CardData {
            claims: &claims,
            credential: text,
            photo: req.photo.as_deref(),
            issuer_name: &issuer_name,
            valid_from: req.valid_from,
            expires_at: req.expires_at,
        };
        let png = card::render_card(&data).map_err(|m| CliError::new("card_failed", m))?;
        fsutil::write_output(lang, c, &png)?;
        written.push(c.display().to_string());
    }
    print_summary(ctx, &cred, &req, &pk, thumb.as_ref(), plan.shortened_to_berlaku_hingga(), &written, a.out.is_none());
    Ok(0)
}

fn random_u32() -> CliResult<u32> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|_| CliError::new("random_failed", "the system random source failed"))?;
    // Below 2^28, like derived indices, so that a status list can cover it.
    Ok(u32::from_be_bytes(b) >> (32 - keys::INDEX_BITS))
}

#[allow(clippy::too_many_arguments)]
fn print_summary(
    ctx: &Ctx,
    cred: &IssuedCredential,
    req: &IssueRequest,
    pk: &PublicKey,
    thumb: Option<&photo::FaceThumbnail>,
    shortened: bool,
    written: &[String],
    text_to_stdout: bool,
) {
    let lang = ctx.lang;
    let text = cred.text();
    let v_m = render::qr_version(text, ErrorCorrection::M);
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "credential": text,
            "key_id": pk.key_id().to_string(),
            "serial": req.serial.get(),
            "status_index": req.status_index.get(),
            "issued_at": req.issued_at.to_string(),
            "valid_from": req.valid_from.to_string(),
            "expires_at": req.expires_at.to_string(),
            "validity_shortened_to_berlaku_hingga": shortened,
            "holder_key": req.holder_key.map(|k| k.to_text()),
            "payload_bytes": cred.payload_len(),
            "chars": text.len(),
            "qr_version_m": v_m,
            "photo": thumb.map(|t| serde_json::json!({"bytes": t.as_bytes().len(), "width": t.width(), "height": t.height()})),
            "files": written,
        }));
        return;
    }
    if text_to_stdout {
        println!("{text}");
    }
    eprintln!(
        "{}",
        tr!(
            lang,
            "Kredensial diterbitkan: nomor seri {}, indeks status {}, id kunci {}",
            "Credential issued: serial {}, status index {}, key id {}",
            req.serial,
            req.status_index.get(),
            pk.key_id()
        )
    );
    eprintln!("  {} {} … {}", tr!(lang, "Berlaku:", "Valid:"), req.valid_from, req.expires_at);
    if shortened {
        eprintln!(
            "  {}",
            tr!(lang, "(dipersingkat sampai berlaku_hingga KTP-el)", "(shortened to the KTP-el's berlaku_hingga)")
        );
    }
    eprintln!(
        "  {}",
        tr!(
            lang,
            "Ukuran: {} byte, {} karakter, QR versi {} (M)",
            "Size: {} bytes, {} characters, QR version {} (M)",
            cred.payload_len(),
            text.len(),
            v_m.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
        )
    );
    if let Some(t) = thumb {
        eprintln!(
            "  {}",
            tr!(
                lang,
                "Foto: {}x{} piksel, {} byte",
                "Photo: {}x{} pixels, {} bytes",
                t.width(),
                t.height(),
                t.as_bytes().len()
            )
        );
    }
    if !written.is_empty() {
        eprintln!("  {} {}", tr!(lang, "Ditulis:", "Written:"), written.join(", "));
    }
}
