//! `ikd verify --photo-out FILE`: save the face photo of a VALID credential or presentation so a
//! counter using the command line can look at it (issue 14). The photo is embedded as WebP; a
//! FILE ending in `.png` gets it converted to PNG, any other name gets the WebP bytes as signed.
//! Nothing is written for a credential that is not VALID, or one without a photo (an error).

use std::path::Path;

use ikd_core::{Lang, Verdict, Verification};

use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::tr;

/// The image format written to a `--photo-out` file, chosen by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    /// The WebP bytes exactly as signed (`.webp` and any other name).
    Webp,
    /// Converted to PNG (a name ending in `.png`, any case).
    Png,
}

impl PhotoFormat {
    /// The format for `path`: PNG for `*.png`, WebP otherwise.
    pub fn for_path(path: &Path) -> PhotoFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("png") => PhotoFormat::Png,
            _ => PhotoFormat::Webp,
        }
    }
}

/// The face photo of a VALID verification (credential or presentation), or an error:
/// `photo_not_valid` when the verdict is not VALID (a photo from a rejected or undetermined
/// credential must never be shown as the holder's), `photo_none` when it carries no photo
/// (or did not disclose it).
pub fn verified_photo(lang: Lang, v: &Verification) -> CliResult<&[u8]> {
    if v.verdict() != Verdict::Valid {
        return Err(CliError::new(
            "photo_not_valid",
            tr!(
                lang,
                "foto tidak disimpan: kredensial tidak SAH ({})",
                "photo not saved: the credential is not VALID ({})",
                v.code()
            ),
        ));
    }
    let photo = v.credential().and_then(|c| c.photo()).or_else(|| v.presentation().and_then(|p| p.photo()));
    photo.ok_or_else(|| {
        CliError::new(
            "photo_none",
            tr!(
                lang,
                "kredensial ini tidak memuat foto (atau warga tidak menampilkannya)",
                "this credential carries no photo (or the resident did not show it)"
            ),
        )
    })
}

/// Writes the face photo of a VALID verification to `path` (WebP as signed, or PNG for
/// `*.png`) with mode 0600, since a face is personal data. Errors as [`verified_photo`], and
/// `photo_damaged` when a PNG is asked for and the WebP cannot be decoded.
pub fn write_photo(lang: Lang, v: &Verification, path: &Path) -> CliResult<PhotoFormat> {
    let webp = verified_photo(lang, v)?;
    let format = PhotoFormat::for_path(path);
    let bytes = match format {
        PhotoFormat::Webp => webp.to_vec(),
        PhotoFormat::Png => webp_to_png(webp).ok_or_else(|| {
            CliError::new(
                "photo_damaged",
                tr!(
                    lang,
                    "foto dalam kredensial tidak dapat dibaca sebagai WebP",
                    "the photo in the credential cannot be read as WebP"
                ),
            )
        })?,
    };
    fsutil::write_private(lang, path, &bytes, false).map_err(|e| e.file(path))?;
    Ok(format)
}

fn webp_to_png(webp: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory_with_format(webp, image::ImageFormat::WebP).ok()?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::path::PathBuf;

    use ikd_core::photo::{PhotoLimits, make_thumbnail};
    use ikd_core::{
        Claims, IssueRequest, Issuer, SecretKey, Serial, StatusIndex, Timestamp, TrustStore, TrustedIssuer, Verifier,
    };

    use super::*;

    const CLAIMS: &str = r#"{"nik":"3604055708900003","nama":"SITI NURHALIZA","tempat_lahir":"SERANG",
        "tanggal_lahir":"1990-08-17","jenis_kelamin":"PEREMPUAN","golongan_darah":"O","alamat":"KP. CIKANDE GIRANG",
        "rt":"002","rw":"005","kel_desa":"CIKANDE","kecamatan":"CIKANDE","kabupaten_kota":"KABUPATEN SERANG",
        "provinsi":"BANTEN","agama":"ISLAM","status_perkawinan":"KAWIN","pekerjaan":"MENGURUS RUMAH TANGGA",
        "kewarganegaraan":"WNI","berlaku_hingga":"SEUMUR HIDUP"}"#;

    /// A small synthetic face-like PNG (a gradient), turned into the embedded WebP thumbnail.
    fn thumbnail() -> Vec<u8> {
        let img = image::RgbImage::from_fn(240, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img).write_to(&mut png, image::ImageFormat::Png).unwrap();
        make_thumbnail(&png.into_inner(), 800, &PhotoLimits::default()).unwrap().as_bytes().to_vec()
    }

    /// Issues a credential (with `photo`) and returns it with a verifier that trusts or does
    /// not trust its issuer.
    fn issued(photo: Option<Vec<u8>>, trusted: bool) -> (String, Verifier) {
        let key = SecretKey::generate().unwrap();
        let pk = key.public_key();
        let now = Timestamp::now();
        let req = IssueRequest {
            claims: Claims::from_json(CLAIMS).unwrap(),
            serial: Serial::new(7).unwrap(),
            status_index: StatusIndex::new(1),
            issued_at: now.plus(-60),
            valid_from: now.plus(-60),
            expires_at: now.plus(86_400),
            holder_key: None,
            photo,
        };
        let text = Issuer::new(key).issue(&req).unwrap().text().to_owned();
        let mut store = TrustStore::new();
        if trusted {
            store.add(TrustedIssuer {
                name: "DISDUKCAPIL KABUPATEN SERANG".into(),
                public_key: pk,
                not_before: now.plus(-86_400),
                not_after: now.plus(86_400),
            });
        }
        (text, Verifier::new(store))
    }

    fn out(dir: &tempfile::TempDir, name: &str) -> PathBuf {
        dir.path().join(name)
    }

    #[test]
    fn photo_out_writes_the_signed_webp_bytes() {
        // Issue 14: a counter using `ikd verify` can see the face photo.
        let thumb = thumbnail();
        let (text, verifier) = issued(Some(thumb.clone()), true);
        let dir = tempfile::tempdir().unwrap();
        let path = out(&dir, "foto.webp");
        let f = write_photo(Lang::Id, &verifier.verify(&text), &path).unwrap();
        assert_eq!(f, PhotoFormat::Webp);
        assert_eq!(std::fs::read(&path).unwrap(), thumb);
    }

    #[test]
    fn photo_out_png_name_converts_to_png() {
        // Issue 14: `--photo-out foto.png` gives a PNG any viewer opens.
        let (text, verifier) = issued(Some(thumbnail()), true);
        let dir = tempfile::tempdir().unwrap();
        let path = out(&dir, "FOTO.PNG");
        assert_eq!(write_photo(Lang::En, &verifier.verify(&text), &path).unwrap(), PhotoFormat::Png);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let img = image::load_from_memory(&bytes).unwrap();
        assert!(img.width() > 0 && img.height() > 0);
    }

    #[test]
    fn photo_out_refuses_a_credential_without_photo() {
        // Issue 14: no photo is an error (`photo_none`), and no file is written.
        let (text, verifier) = issued(None, true);
        let dir = tempfile::tempdir().unwrap();
        let path = out(&dir, "foto.webp");
        let e = write_photo(Lang::Id, &verifier.verify(&text), &path).unwrap_err();
        assert_eq!(e.code, "photo_none");
        assert!(!path.exists());
    }

    #[test]
    fn photo_out_refuses_a_credential_that_is_not_valid() {
        // Issue 14: the photo of an UNDETERMINED (unknown issuer) credential is never written.
        let (text, verifier) = issued(Some(thumbnail()), false);
        let dir = tempfile::tempdir().unwrap();
        let path = out(&dir, "foto.webp");
        let e = write_photo(Lang::En, &verifier.verify(&text), &path).unwrap_err();
        assert_eq!(e.code, "photo_not_valid");
        assert!(e.message.contains("issuer_unknown"), "{}", e.message);
        assert!(!path.exists());
    }

    #[test]
    fn photo_out_format_follows_the_file_name() {
        assert_eq!(PhotoFormat::for_path(Path::new("a.png")), PhotoFormat::Png);
        assert_eq!(PhotoFormat::for_path(Path::new("a.Png")), PhotoFormat::Png);
        assert_eq!(PhotoFormat::for_path(Path::new("a.webp")), PhotoFormat::Webp);
        assert_eq!(PhotoFormat::for_path(Path::new("a")), PhotoFormat::Webp);
    }
}
