//! `ikd demo`: a newcomer's first command. Every step runs in a scratch directory and says what
//! it did: make an issuer, issue a sample resident, draw the QR code, read it back from the
//! picture, verify it, then change one character and show the rejection.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use ikd_core::render::{self, ErrorCorrection, RenderOptions};
use ikd_core::scan::{self, ScanLimits};
use ikd_core::{
    Claims, IssueRequest, Issuer, Lang, SecretKey, Serial, StatusIndex, SystemClock, Timestamp, TrustStore,
    TrustedIssuer, Verdict, Verifier,
};

use crate::error::{CliError, CliResult};
use crate::{Ctx, fsutil, tr, verify};

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
    /// Keep the files in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

fn step(lang: Lang, n: u8, id: &str, en: &str) {
    println!();
    println!("== {} {n}: {} ==", tr!(lang, "Langkah", "Step"), if lang == Lang::En { en } else { id });
}

fn fail(lang: Lang, what: &str) -> CliError {
    CliError::new("demo_failed", tr!(lang, "demo gagal: {}", "the demo failed: {}", what))
}

/// `ikd demo`.
pub fn cmd_demo(ctx: &Ctx, a: &DemoArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let tmp;
    let dir: &Path = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| CliError::io(lang, d, crate::error::IoAction::Write, &e))?;
            d
        }
        None => {
            tmp = tempfile::tempdir().map_err(|e| fail(lang, &e.to_string()))?;
            tmp.path()
        }
    };
    println!(
        "{}",
        tr!(
            lang,
            "Demo IKD: menerbitkan dan memverifikasi satu kredensial, seluruhnya luring, di {}",
            "IKD demo: issuing and verifying one credential, fully offline, in {}",
            dir.display()
        )
    );

    step(lang, 1, "membuat kunci penerbit", "make an issuer key");
    let key = SecretKey::generate().map_err(|_| fail(lang, "random source"))?;
    let pk = key.public_key();
    let key_path = dir.join("issuer.key");
    fsutil::write_new(lang, &key_path, key.to_file_text().as_bytes(), 0o600, true)?;
    let now = Timestamp::now();
    let mut store = TrustStore::new();
    store.add(TrustedIssuer {
        name: "DISDUKCAPIL KABUPATEN SERANG".into(),
        public_key: pk,
        not_before: now.plus(-86_400),
        not_after: now.plus(10 * 365 * 86_400),
    });
    let trust_path = dir.join("trust.json");
    fsutil::write_output(lang, &trust_path, store.to_json().as_bytes())?;
    println!(
        "  {} {} ({} {})",
        tr!(lang, "Kunci publik:", "Public key:"),
        pk,
        tr!(lang, "id kunci", "key id"),
        pk.key_id()
    );
    println!("  {} {}", tr!(lang, "Kunci rahasia (mode 0600):", "Secret key (mode 0600):"), key_path.display());
    println!("  {} {}", tr!(lang, "Daftar penerbit tepercaya:", "Trust store:"), trust_path.display());
    println!(
        "  {}",
        tr!(
            lang,
            "Perintah: ikd key new issuer.key; ikd trust add …",
            "Commands: ikd key new issuer.key; ikd trust add …"
        )
    );

    step(
        lang,
        2,
        "menerbitkan kredensial untuk penduduk contoh SITI NURHALIZA",
        "issue a credential for the sample resident SITI NURHALIZA",
    );
    let claims = Claims::from_json(TYPICAL_WOMAN).map_err(|e| fail(lang, &e.to_string()))?;
    let issuer = Issuer::new(key);
    let mut sidx = [0u8; 4];
    getrandom::fill(&mut sidx).map_err(|_| fail(lang, "random source"))?;
    let req = IssueRequest {
        claims,
        serial: Serial::new(1).ok_or_else(|| fail(lang, "serial"))?,
        status_index: StatusIndex::new(u32::from_be_bytes(sidx) >> (32 - crate::keys::INDEX_BITS)),
        issued_at: now,
        valid_from: now,
        expires_at: now.plus(1825 * 86_400),
        holder_key: None,
        photo: None,
    };
    let cred = issuer.issue(&req).map_err(|e| crate::issue::issue_error(lang, &e))?;
    let text = cred.text().to_owned();
    let cred_path = dir.join("credential.ikd");
    fsutil::write_output(lang, &cred_path, format!("{text}\n").as_bytes())?;
    let preview: String = text.chars().take(48).collect();
    println!("  {} {preview}…", tr!(lang, "Kredensial:", "Credential:"));
    println!(
        "  {}",
        tr!(
            lang,
            "{} byte, {} karakter, QR versi {} (koreksi M) → {}",
            "{} bytes, {} characters, QR version {} (error correction M) → {}",
            cred.payload_len(),
            text.len(),
            render::qr_version(&text, ErrorCorrection::M).map(|v| v.to_string()).unwrap_or_default(),
            cred_path.display()
        )
    );
    println!(
        "  {}",
        tr!(
            lang,
            "Perintah: ikd issue --key issuer.key warga.json",
            "Command: ikd issue --key issuer.key resident.json"
        )
    );

    step(lang, 3, "menggambar kode QR ke PNG", "render the QR code to PNG");
    let png_path = dir.join("credential.png");
    let png = render::render_png(&text, &RenderOptions::SCREEN).map_err(|e| crate::qr::render_error(lang, &e))?;
    fsutil::write_output(lang, &png_path, &png)?;
    println!("  {} ({} byte)", png_path.display(), png.len());
    println!(
        "  {}",
        tr!(
            lang,
            "Perintah: ikd qr credential.ikd --out credential.png",
            "Command: ikd qr credential.ikd --out credential.png"
        )
    );

    step(lang, 4, "membaca kembali kode QR dari gambar", "read the QR code back from the picture");
    let codes = scan::decode_image(&png, &ScanLimits::default())
        .map_err(|e| crate::input::scan_error(lang, &e).file(&png_path))?;
    let read = codes.iter().find(|c| c.is_ikd()).and_then(|c| c.text()).map(str::to_owned).unwrap_or_default();
    if read != text {
        return Err(fail(lang, &tr!(lang, "teks yang terbaca berbeda", "the text read back differs")));
    }
    println!(
        "  {}",
        tr!(
            lang,
            "Terbaca {} karakter, sama persis dengan yang diterbitkan.",
            "Read {} characters, identical to what was issued.",
            read.len()
        )
    );

    step(
        lang,
        5,
        "memverifikasi (luring, dengan daftar penerbit tepercaya)",
        "verify (offline, against the trust store)",
    );
    let verifier = Verifier::new(store).with_clock(Arc::new(SystemClock));
    let v = verifier.verify(&read);
    for line in verify::report_block(&v, &png_path.display().to_string(), &read, lang, &verify::Mode::default()).lines()
    {
        println!("  {line}");
    }
    if v.verdict() != Verdict::Valid {
        return Err(fail(lang, v.code()));
    }
    println!(
        "  {}",
        tr!(
            lang,
            "Perintah: ikd verify --trust trust.json credential.png",
            "Command: ikd verify --trust trust.json credential.png"
        )
    );

    step(lang, 6, "mengubah satu karakter dan memverifikasi lagi", "change one character and verify again");
    let (tampered, pos, from, to) = tamper(&verifier, &text).ok_or_else(|| fail(lang, "tamper"))?;
    println!("  {}", tr!(lang, "Karakter ke-{}: '{}' → '{}'", "Character {}: '{}' → '{}'", pos + 1, from, to));
    let v2 = verifier.verify(&tampered);
    for line in verify::report_block(
        &v2,
        &tr!(lang, "kredensial yang diubah", "the altered credential"),
        &tampered,
        lang,
        &verify::Mode::default(),
    )
    .lines()
    {
        println!("  {line}");
    }
    println!();
    println!(
        "{}",
        tr!(
            lang,
            "Selesai. Kredensial asli SAH; satu karakter yang diubah membuatnya DITOLAK ({}).",
            "Done. The original credential is VALID; one changed character gets it REJECTED ({}).",
            v2.code()
        )
    );
    if a.dir.is_some() {
        println!("{}", tr!(lang, "Berkas disimpan di {}", "Files kept in {}", dir.display()));
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
