//! `--demo`: a local demo issuer, trusted alone, with sample credentials.
//!
//! Everything lives in `<data_dir>/demo/` (a separate database, so demo credentials never mix
//! with a real registry): the demo issuer key, a generated admin token, and the samples as text
//! and PNG QR codes. Every response and the page are marked DEMO.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ikd_core::format::{payload_to_text, text_to_payload};
use ikd_core::render::{RenderOptions, render_png};
use ikd_core::{Claims, Lang, SecretKey, Timestamp, TrustStore, TrustedIssuer, Verdict};
use serde::Serialize;

use crate::api::issue::{IssueInput, issue_credential};
use crate::app::{App, AppParts, StartupError, banner};
use crate::config::{AdminToken, Config};
use crate::store::{RevokeOutcome, SqliteOptions, SqliteStore};

/// Name of the demo issuer, as shown in every result.
pub const DEMO_ISSUER_NAME: &str = "DEMO - DISDUKCAPIL CONTOH (BUKAN PENERBIT ASLI)";

/// One sample credential.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSample {
    /// Short label, in Bahasa Indonesia (the page builds its own from `name` and `variant`).
    pub label: String,
    /// The resident's name.
    pub name: String,
    /// `original`, `tampered` (one byte changed after signing) or `revoked` (by this server).
    pub variant: &'static str,
    /// The resident case it was made from.
    pub case: String,
    /// The verdict it should get.
    pub expect: Verdict,
    /// The code it should get.
    pub expect_code: &'static str,
    /// The QR text.
    pub qr: String,
    /// The QR code as a PNG data URL.
    pub qr_png: Option<String>,
}

/// Residents used when the reference file is absent (synthetic; NIKs agree with dates and sex).
const BUILTIN_RESIDENTS: &str = r#"{"residents": [
 {"case": "contoh-perempuan", "claims": {"nik": "3604055708900003", "nama": "SITI NURHALIZA", "tempat_lahir": "SERANG",
  "tanggal_lahir": "1990-08-17", "jenis_kelamin": "PEREMPUAN", "golongan_darah": "O", "alamat": "KP. CIKANDE GIRANG",
  "rt": "002", "rw": "005", "kel_desa": "CIKANDE", "kecamatan": "CIKANDE", "kabupaten_kota": "KABUPATEN SERANG",
  "provinsi": "BANTEN", "agama": "ISLAM", "status_perkawinan": "KAWIN", "pekerjaan": "MENGURUS RUMAH TANGGA",
  "kewarganegaraan": "WNI", "berlaku_hingga": "SEUMUR HIDUP"}},
 {"case": "contoh-laki-laki", "claims": {"nik": "3604010903850012", "nama": "AHMAD FAUZI", "tempat_lahir": "SERANG",
  "tanggal_lahir": "1985-03-09", "jenis_kelamin": "LAKI-LAKI", "golongan_darah": "B", "alamat": "JL. RAYA CIRUAS NO. 17",
  "rt": "004", "rw": "002", "kel_desa": "CIRUAS", "kecamatan": "CIRUAS", "kabupaten_kota": "KABUPATEN SERANG",
  "provinsi": "BANTEN", "agama": "ISLAM", "status_perkawinan": "KAWIN", "pekerjaan": "WIRASWASTA",
  "kewarganegaraan": "WNI", "berlaku_hingga": "SEUMUR HIDUP"}}
]}"#;

fn demo_err(e: impl std::fmt::Display) -> StartupError {
    StartupError::Demo(e.to_string())
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())
}

/// Reads the residents file: `(case, claims)` pairs, and where they came from.
pub fn load_residents(path: &Path) -> (Vec<(String, Claims)>, String) {
    let (text, source) = match std::fs::read_to_string(path) {
        Ok(t) => (t, path.display().to_string()),
        Err(_) => (BUILTIN_RESIDENTS.to_owned(), "built-in sample residents".to_owned()),
    };
    let parse = |text: &str| -> Option<Vec<(String, Claims)>> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let list = v.get("residents")?.as_array()?;
        let mut out = Vec::new();
        for r in list {
            let case = r.get("case").and_then(|c| c.as_str()).unwrap_or("resident").to_owned();
            match r.get("claims").cloned().map(Claims::from_json_value) {
                Some(Ok(c)) => out.push((case, c)),
                Some(Err(e)) => tracing::warn!(case, code = e.code(), "demo resident skipped"),
                None => {}
            }
        }
        Some(out)
    };
    match parse(&text).filter(|v| !v.is_empty()) {
        Some(v) => (v, source),
        None => {
            tracing::warn!(path = %path.display(), "residents file unusable; using the built-in samples");
            (parse(BUILTIN_RESIDENTS).unwrap_or_default(), "built-in sample residents".to_owned())
        }
    }
}

fn load_or_create_key(path: &Path) -> Result<SecretKey, StartupError> {
    if path.exists() {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(demo_err)?);
        return SecretKey::from_file_text(&text).map_err(|e| demo_err(format!("{}: {e}", path.display())));
    }
    let key = SecretKey::generate().map_err(demo_err)?;
    write_private(path, &key.to_file_text()).map_err(demo_err)?;
    Ok(key)
}

fn load_or_create_token(path: &Path) -> Result<AdminToken, StartupError> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let text = zeroize::Zeroizing::new(text);
        if let Ok(t) = AdminToken::new(&text) {
            return Ok(t);
        }
    }
    let mut raw = zeroize::Zeroizing::new([0u8; 24]);
    getrandom::fill(raw.as_mut()).map_err(demo_err)?;
    let text = zeroize::Zeroizing::new(URL_SAFE_NO_PAD.encode(raw.as_ref()));
    write_private(path, &text).map_err(demo_err)?;
    AdminToken::new(&text).map_err(demo_err)
}

/// Changes the signed content without re-signing: flips one bit so that the text still decodes
/// and the name reads differently, but the signature no longer matches (`signature_invalid`).
fn tamper(verifier: &ikd_core::Verifier, text: &str, name: &str) -> Option<String> {
    let payload = text_to_payload(text).ok()?;
    for pos in 0..payload.len() {
        for bit in [1u8, 2, 4] {
            let mut p = payload.clone();
            let b = p.get_mut(pos)?;
            *b ^= bit;
            let candidate = payload_to_text(&p);
            let Ok(c) = ikd_core::UnverifiedCredential::decode(&candidate) else { continue };
            if c.claims().nama.as_str() != name && verifier.verify(&candidate).code() == "signature_invalid" {
                return Some(candidate);
            }
        }
    }
    None
}

fn png_url(text: &str) -> Option<String> {
    render_png(text, &RenderOptions::SCREEN).ok().map(|p| format!("data:image/png;base64,{}", STANDARD.encode(p)))
}

/// Builds the demo application.
pub async fn build(config: &Config) -> Result<App, StartupError> {
    let dir = config.data_dir.join("demo");
    std::fs::create_dir_all(&dir).map_err(|e| demo_err(format!("cannot create {}: {e}", dir.display())))?;
    let key = load_or_create_key(&dir.join("issuer.key"))?;
    let token_path = dir.join("admin-token");
    let admin = match &config.admin_token {
        Some(t) => t.clone(),
        None => load_or_create_token(&token_path)?,
    };
    let mut trust = TrustStore::new();
    trust.add(TrustedIssuer {
        name: DEMO_ISSUER_NAME.to_owned(),
        public_key: key.public_key(),
        not_before: Timestamp::from_unix(ikd_core::format::WIRE_EPOCH),
        not_after: Timestamp::now().plus(30 * 366 * 86_400),
    });
    let store = SqliteStore::open(&dir, SqliteOptions { audit_sync: config.audit_sync, read_only: false })?;
    let mut app = App::from_parts(AppParts {
        trust,
        issuer: Some((key, DEMO_ISSUER_NAME.to_owned())),
        admin: Some(admin),
        store: Arc::new(store.clone()),
        limits: config.limits,
        issuance: config.issuance,
        demo: true,
    })
    .await?;
    let (residents, source) = load_residents(&config.demo_residents);
    let face = config.demo_residents.parent().map(|p| p.join("face.png")).and_then(|p| std::fs::read(p).ok());
    let samples = issue_samples(&app, &residents, face.as_deref()).await?;
    let sample_dir = dir.join("samples");
    write_samples(&sample_dir, &samples);
    let mut lines = banner(&app.state, Some(store.path()));
    lines.push(format!("Demo residents: {source}"));
    lines.push(format!(
        "Demo samples: {} credentials in {} (also listed on the page and at GET /v1/demo/samples)",
        samples.len(),
        sample_dir.display()
    ));
    lines.push(format!("Demo admin token: in the file {} (never printed)", token_path.display()));
    if let Ok(mut s) = app.state.samples.write() {
        *s = samples;
    }
    app.banner = lines;
    Ok(app)
}

async fn issue_samples(
    app: &App,
    residents: &[(String, Claims)],
    face: Option<&[u8]>,
) -> Result<Vec<DemoSample>, StartupError> {
    let state = &app.state;
    let photo = face.map(<[u8]>::to_vec);
    let mut out = Vec::new();
    for (i, (case, claims)) in residents.iter().enumerate() {
        let input = IssueInput {
            claims: claims.clone(),
            holder_key: None,
            valid_days: 365,
            photo: if i == 0 { photo.clone() } else { None },
        };
        match issue_credential(state, input, "demo", Lang::Id).await {
            Ok(c) => out.push(DemoSample {
                label: claims.nama.as_str().to_owned(),
                name: claims.nama.as_str().to_owned(),
                variant: "original",
                case: case.clone(),
                expect: Verdict::Valid,
                expect_code: "ok",
                qr_png: png_url(&c.text),
                qr: c.text,
            }),
            Err(e) => tracing::warn!(case, code = %e.code, "demo sample not issued"),
        }
    }
    // A tampered copy of the first sample, and a revoked credential.
    if let (Some(first), Some((_, claims))) = (out.first().cloned(), residents.first())
        && let Some(t) = tamper(&state.verifier, &first.qr, claims.nama.as_str())
    {
        out.push(DemoSample {
            label: format!("{} (DIUBAH)", claims.nama.as_str()),
            name: claims.nama.as_str().to_owned(),
            variant: "tampered",
            case: first.case.clone(),
            expect: Verdict::Invalid,
            expect_code: "signature_invalid",
            qr_png: png_url(&t),
            qr: t,
        });
    }
    if let Some((case, claims)) = residents.get(1).or(residents.first()) {
        let input = IssueInput { claims: claims.clone(), holder_key: None, valid_days: 365, photo: None };
        if let Ok(c) = issue_credential(state, input, "demo", Lang::Id).await {
            let own = state.issuer.as_ref().map(|i| i.key_id.clone()).unwrap_or_default();
            if let Ok(RevokeOutcome::Revoked { .. }) = state.store.revoke(&own, c.serial, Timestamp::now().unix()).await
            {
                if let Ok(mut set) = state.revoked.write() {
                    set.insert(c.serial);
                }
                out.push(DemoSample {
                    label: format!("{} (DICABUT)", claims.nama.as_str()),
                    name: claims.nama.as_str().to_owned(),
                    variant: "revoked",
                    case: case.clone(),
                    expect: Verdict::Invalid,
                    expect_code: "revoked",
                    qr_png: png_url(&c.text),
                    qr: c.text,
                });
            }
        }
    }
    if out.is_empty() {
        return Err(demo_err("no sample credential could be issued"));
    }
    Ok(out)
}

fn write_samples(dir: &PathBuf, samples: &[DemoSample]) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    for (i, s) in samples.iter().enumerate() {
        let stem = format!("{:02}-{}-{}", i + 1, s.case, s.expect.as_str().to_ascii_lowercase());
        let _ = std::fs::write(dir.join(format!("{stem}.txt")), format!("{}\n", s.qr));
        if let Ok(png) = render_png(&s.qr, &RenderOptions::SCREEN) {
            let _ = std::fs::write(dir.join(format!("{stem}.png")), png);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builtin_residents_parse() {
        let (r, src) = load_residents(Path::new("/nonexistent/residents.json"));
        assert_eq!(r.len(), 2);
        assert!(src.contains("built-in"));
    }
}
