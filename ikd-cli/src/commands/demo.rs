//! `ikd demo`: a newcomer's first command. Every step runs in a directory that is kept (a new
//! one under the system's temporary directory, or `--dir DIR`) and says what it did and the
//! complete command that does it by hand: make an issuer, issue a sample resident, draw the QR
//! code, read it back from the picture, verify it, then change one character and show the
//! rejection. With `--json`, one JSON document per step (JSON Lines).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use ikd_core::issuance::{self, PlanRequest, Start};
use ikd_core::photo::PhotoLimits;
use ikd_core::render::{self, ErrorCorrection, RenderOptions};
use ikd_core::scan::{self, ScanLimits};
use ikd_core::{
    Claims, Issuer, Lang, SecretKey, Serial, StatusIndex, SystemClock, Timestamp, TrustStore, TrustedIssuer, Verdict,
    Verifier,
};

use crate::commands::verify;
use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::tr;

const ISSUER_NAME: &str = "DISDUKCAPIL KABUPATEN SERANG";

/// The `typical-woman` reference resident (synthetic sample data).
const TYPICAL_WOMAN: &str = r#"{
  "nik": "3604055708900003",
  "nama": "SITI NURHALIZA",
  "tempat_lahir": "SERANG",
  "tanggal_lahir": "1990-08-17",
  "jenis_kelamin": "PEREMPUAN",
  "golongan_darah": "O",
  "alamat": "KP. CIKANDE GIRANG",
  "rt": "002",
  "rw": "005",
  "kel_desa": "CIKANDE",
  "kecamatan": "CIKANDE",
  "kabupaten_kota": "KABUPATEN SERANG",
  "provinsi": "BANTEN",
  "agama": "ISLAM",
  "status_perkawinan": "KAWIN",
  "pekerjaan": "MENGURUS RUMAH TANGGA",
  "kewarganegaraan": "WNI",
  "berlaku_hingga": "SEUMUR HIDUP"
}"#;

const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// `ikd demo` arguments.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Put the files in this directory (created if missing) instead of a new one under the
    /// system's temporary directory. Either way the files are kept.
    #[arg(long, visible_alias = "keep")]
    pub dir: Option<PathBuf>,
}

fn fail(lang: Lang, what: &str) -> CliError {
    CliError::new("demo_failed", tr!(lang, "demo gagal: {}", "the demo failed: {}", what))
}

/// `path` quoted for a POSIX shell when it needs it, so printed commands can be pasted.
pub fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c)) {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// One step of the demo: printed as text, or as one JSON document with `--json`.
struct Step {
    n: u8,
    title: String,
    lines: Vec<String>,
    files: serde_json::Map<String, serde_json::Value>,
    commands: Vec<String>,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Step {
    fn new(lang: Lang, n: u8, id: &str, en: &str) -> Step {
        Step {
            n,
            title: if lang == Lang::En { en } else { id }.to_owned(),
            lines: Vec::new(),
            files: serde_json::Map::new(),
            commands: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }
    fn line(&mut self, l: String) {
        self.lines.push(l);
    }
    fn file(&mut self, key: &str, path: &Path) {
        self.files.insert(key.to_owned(), path.display().to_string().into());
    }
    fn command(&mut self, c: String) {
        self.commands.push(c);
    }
    fn extra(&mut self, key: &str, v: serde_json::Value) {
        self.extra.insert(key.to_owned(), v);
    }
    fn emit(self, ctx: &Ctx) {
        if ctx.json {
            let mut m = serde_json::Map::new();
            m.insert("step".into(), self.n.into());
            m.insert("title".into(), self.title.into());
            m.insert("files".into(), self.files.into());
            m.insert("commands".into(), self.commands.into());
            m.extend(self.extra);
            crate::ctx::print_json(&serde_json::Value::Object(m));
            return;
        }
        println!();
        println!("== {} {}: {} ==", tr!(ctx.lang, "Langkah", "Step"), self.n, self.title);
        for l in &self.lines {
            println!("  {l}");
        }
        for c in &self.commands {
            println!("  {} {c}", tr!(ctx.lang, "Perintah:", "Command:"));
        }
    }
}

/// `ikd demo`.
pub fn cmd_demo(ctx: &Ctx, a: &DemoArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let dir: PathBuf = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| CliError::io(lang, d, crate::support::error::IoAction::Write, &e))?;
            d.clone()
        }
        None => tempfile::Builder::new().prefix("ikd-demo-").tempdir().map_err(|e| fail(lang, &e.to_string()))?.keep(),
    };
    let q = |name: &str| shell_quote(&dir.join(name));
    let intro = tr!(
        lang,
        "Demo IKD: menerbitkan dan memverifikasi satu kredensial, seluruhnya luring. Berkas disimpan di {}",
        "IKD demo: issuing and verifying one credential, fully offline. Files are kept in {}",
        dir.display()
    );
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({"step": 0, "title": intro, "dir": dir.display().to_string()}));
    } else {
        println!("{intro}");
    }

    let mut s = Step::new(lang, 1, "membuat kunci penerbit", "make an issuer key");
    let key =
        SecretKey::generate().map_err(|_| fail(lang, &tr!(lang, "sumber acak sistem", "the system random source")))?;
    let pk = key.public_key();
    let key_path = dir.join("issuer.key");
    fsutil::write_new(lang, &key_path, key.to_file_text().as_bytes(), 0o600, false)?;
    // The serial counter and status index, exactly as `ikd issue` keeps them for this key.
    let (state, serial) = crate::support::keys::reserve_serials(lang, &key_path, &pk, 1, true)?;
    let now = Timestamp::now();
    let mut store = TrustStore::new();
    store.add(TrustedIssuer {
        name: ISSUER_NAME.into(),
        public_key: pk,
        not_before: now.plus(-86_400),
        not_after: now.plus(10 * 365 * 86_400),
    });
    let trust_path = dir.join("trust.json");
    fsutil::write_output(lang, &trust_path, store.to_json().as_bytes())?;
    s.line(format!(
        "{} {} ({} {})",
        tr!(lang, "Kunci publik:", "Public key:"),
        pk,
        tr!(lang, "id kunci", "key id"),
        pk.key_id()
    ));
    s.line(format!("{} {}", tr!(lang, "Kunci rahasia (mode 0600):", "Secret key (mode 0600):"), key_path.display()));
    s.line(format!("{} {}", tr!(lang, "Daftar penerbit tepercaya:", "Trust store:"), trust_path.display()));
    s.file("secret_key", &key_path);
    s.file("trust_store", &trust_path);
    s.extra("public_key", pk.to_string().into());
    s.extra("key_id", pk.key_id().to_string().into());
    s.command(format!("ikd key pub {}", q("issuer.key")));
    s.command(format!("ikd trust show --store {}", q("trust.json")));
    s.emit(ctx);

    let mut s = Step::new(
        lang,
        2,
        "menerbitkan kredensial untuk penduduk contoh SITI NURHALIZA",
        "issue a credential for the sample resident SITI NURHALIZA",
    );
    let claims_path = dir.join(tr!(lang, "warga.json", "resident.json"));
    fsutil::write_output(lang, &claims_path, format!("{TYPICAL_WOMAN}\n").as_bytes())?;
    let claims = Claims::from_json(TYPICAL_WOMAN).map_err(|e| fail(lang, &e.to_string()))?;
    let issuer = Issuer::new(key);
    // The one issuing policy, as `ikd issue` and the server use it.
    let plan = issuance::plan(
        &PlanRequest {
            claims: &claims,
            holder_key: None,
            start: Start::Now,
            valid_days: issuance::DEFAULT_VALID_DAYS,
            max_valid_days: issuance::MAX_VALID_DAYS,
            photo: None,
            photo_limits: PhotoLimits::default(),
        },
        now,
    )
    .map_err(|e| crate::commands::issue::plan_error(lang, &e))?;
    let req = plan.request(
        Serial::new(serial).ok_or_else(|| crate::support::keys::unfoldable_serial(lang, serial))?,
        StatusIndex::new(
            state.status_index(serial).ok_or_else(|| crate::support::keys::unfoldable_serial(lang, serial))?,
        ),
    );
    let cred = issuer.issue(&req).map_err(|e| crate::commands::issue::issue_error(lang, &e))?;
    let text = cred.text().to_owned();
    let cred_path = dir.join("credential.ikd");
    fsutil::write_output(lang, &cred_path, format!("{text}\n").as_bytes())?;
    let version = render::qr_version(&text, ErrorCorrection::M).map(|v| v.to_string()).unwrap_or_default();
    s.line(format!("{} {}", tr!(lang, "Data penduduk:", "Resident data:"), claims_path.display()));
    s.line(format!("{} {text}", tr!(lang, "Kredensial:", "Credential:")));
    s.line(tr!(
        lang,
        "{} byte, {} karakter, QR versi {} (koreksi M) → {}",
        "{} bytes, {} characters, QR version {} (error correction M) → {}",
        cred.payload_len(),
        text.len(),
        version,
        cred_path.display()
    ));
    s.file("claims", &claims_path);
    s.file("credential", &cred_path);
    s.extra("credential", text.clone().into());
    s.extra("serial", serial.into());
    // A second credential for the same resident, from the same key (the next serial).
    s.command(format!(
        "ikd issue --key {} {} --out {}",
        q("issuer.key"),
        shell_quote(&claims_path),
        q(&tr!(lang, "kredensial-2.ikd", "credential-2.ikd"))
    ));
    s.command(format!("ikd inspect {}", q("credential.ikd")));
    s.emit(ctx);

    let mut s = Step::new(lang, 3, "menggambar kode QR ke PNG", "render the QR code to PNG");
    let png_path = dir.join("credential.png");
    let png =
        render::render_png(&text, &RenderOptions::SCREEN).map_err(|e| crate::commands::qr::render_error(lang, &e))?;
    fsutil::write_output(lang, &png_path, &png)?;
    s.line(format!("{} ({} byte)", png_path.display(), png.len()));
    s.file("qr_png", &png_path);
    s.command(format!("ikd qr {} --out {}", q("credential.ikd"), q("credential.png")));
    s.emit(ctx);

    let mut s = Step::new(lang, 4, "membaca kembali kode QR dari gambar", "read the QR code back from the picture");
    let codes = scan::decode_image(&png, &ScanLimits::default())
        .map_err(|e| crate::support::input::scan_error(lang, &e).file(&png_path))?;
    let read = codes.iter().find(|c| c.is_ikd()).and_then(|c| c.text()).map(str::to_owned).unwrap_or_default();
    if read != text {
        return Err(fail(lang, &tr!(lang, "teks yang terbaca berbeda", "the text read back differs")));
    }
    s.line(tr!(
        lang,
        "Terbaca {} karakter, sama persis dengan yang diterbitkan.",
        "Read {} characters, identical to what was issued.",
        read.len()
    ));
    s.extra("characters_read", read.len().into());
    s.extra("identical", true.into());
    s.emit(ctx);

    let mut s = Step::new(
        lang,
        5,
        "memverifikasi (luring, dengan daftar penerbit tepercaya)",
        "verify (offline, against the trust store)",
    );
    let verifier = Verifier::new(store).with_clock(Arc::new(SystemClock));
    let v = verifier.verify(&read);
    for line in verify::report_block(&v, &png_path.display().to_string(), &read, lang, &verify::Mode::default()).lines()
    {
        s.line(line.to_owned());
    }
    if v.verdict() != Verdict::Valid {
        return Err(fail(lang, v.code()));
    }
    s.extra("verdict", v.verdict().as_str().into());
    s.extra("code", v.code().into());
    s.command(format!("ikd verify --trust {} {}", q("trust.json"), q("credential.png")));
    s.emit(ctx);

    let mut s =
        Step::new(lang, 6, "mengubah satu karakter dan memverifikasi lagi", "change one character and verify again");
    let (tampered, pos, from, to) = tamper(&verifier, &text).ok_or_else(|| {
        fail(lang, &tr!(lang, "tidak ada karakter yang dapat diubah", "no character could be changed"))
    })?;
    let altered_name = tr!(lang, "kredensial-diubah.ikd", "credential-altered.ikd");
    let altered_path = dir.join(&altered_name);
    fsutil::write_output(lang, &altered_path, format!("{tampered}\n").as_bytes())?;
    s.line(tr!(lang, "Karakter ke-{}: '{}' → '{}'", "Character {}: '{}' → '{}'", pos + 1, from, to));
    let v2 = verifier.verify(&tampered);
    for line in
        verify::report_block(&v2, &altered_path.display().to_string(), &tampered, lang, &verify::Mode::default())
            .lines()
    {
        s.line(line.to_owned());
    }
    s.file("altered_credential", &altered_path);
    s.extra("position", (pos + 1).into());
    s.extra("verdict", v2.verdict().as_str().into());
    s.extra("code", v2.code().into());
    s.command(format!("ikd verify --trust {} {}", q("trust.json"), q(&altered_name)));
    s.emit(ctx);

    let done = tr!(
        lang,
        "Selesai. Kredensial asli SAH; satu karakter yang diubah membuatnya DITOLAK ({}).",
        "Done. The original credential is VALID; one changed character gets it REJECTED ({}).",
        v2.code()
    );
    let kept = tr!(
        lang,
        "Berkas disimpan di {} (hapus dengan: rm -r {})",
        "Files kept in {} (delete them with: rm -r {})",
        dir.display(),
        shell_quote(&dir)
    );
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "done": true,
            "title": done,
            "dir": dir.display().to_string(),
            "original": v.verdict().as_str(),
            "altered": v2.verdict().as_str(),
            "altered_code": v2.code(),
        }));
    } else {
        println!();
        println!("{done}");
        println!("{kept}");
    }
    Ok(0)
}

/// Changes one character in the claims part (from the middle on) so the text still decodes
/// but the signature no longer matches; returns the text, the position and the change.
fn tamper(verifier: &Verifier, text: &str) -> Option<(String, usize, char, char)> {
    let chars: Vec<char> = text.chars().collect();
    for pos in (chars.len() / 2..chars.len().saturating_sub(90)).chain(5..chars.len() / 2) {
        let from = *chars.get(pos)?;
        let i = BASE45.find(from)?;
        for delta in 1..BASE45.len() {
            let to = BASE45.chars().nth((i + delta) % BASE45.len())?;
            let mut t = chars.clone();
            if let Some(c) = t.get_mut(pos) {
                *c = to;
            }
            let s: String = t.into_iter().collect();
            if verifier.verify(&s).code() == "signature_invalid" {
                return Some((s, pos, from, to));
            }
        }
    }
    None
}
