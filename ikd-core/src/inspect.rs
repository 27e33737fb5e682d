//! One serialisable view of a credential that has **not** been verified, for inspection:
//! `ikd inspect --json` and the bindings' `decode` share it, so the shape is defined once.
//!
//! Nothing here is trusted. The view says so in `verified: false` and a `notice` in the
//! reader's language; the NIK follows the verification view's one masking rule
//! ([`crate::view::mask_nik`]). Presentations are not inspected: a presentation's claims are a
//! holder's selection that only verification can open, so [`InspectionView::of_text`] answers
//! [`InspectError::Presentation`] and the reader is sent to verify it.

use serde::{Deserialize, Serialize};

use crate::view::{AgeOverView, ClaimsView, HeaderView, Kind, PhotoView};
use crate::{DecodeError, Lang, UnverifiedCredential};

/// Why a text could not be inspected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// The text is a presentation, not a full credential: verify it instead.
    #[error("this is a presentation, not a full credential: verify it instead")]
    Presentation,
    /// The text is not a well-formed credential.
    #[error("cannot be decoded: {0}")]
    Decode(DecodeError),
}

impl InspectError {
    /// The stable code: `inspect_presentation`, or the decode error's own code.
    pub fn code(&self) -> &'static str {
        match self {
            InspectError::Presentation => "inspect_presentation",
            InspectError::Decode(e) => e.code(),
        }
    }

    /// The message in the language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (InspectError::Presentation, Lang::Id) => {
                "ini sebuah presentasi, bukan kredensial lengkap: periksa dengan verifikasi".to_owned()
            }
            (InspectError::Presentation, Lang::En) => {
                "this is a presentation, not a full credential: check it by verifying".to_owned()
            }
            (InspectError::Decode(e), Lang::Id) => format!("tidak dapat didekode: {}", e.message(lang)),
            (InspectError::Decode(e), Lang::En) => format!("cannot be decoded: {}", e.message(lang)),
        }
    }
}

crate::lang::user_error!(InspectError);

/// One extension of the issuer part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionView {
    /// Its type number (odd: critical).
    #[serde(rename = "type")]
    pub kind: u64,
    /// Its value's length in bytes.
    pub bytes: usize,
}

/// Sizes of the encoded credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizesView {
    /// The binary payload.
    pub payload_bytes: usize,
    /// The QR text (`IKD1:` + Base45).
    pub base45_chars: usize,
}

/// An unverified credential, as shown for inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionView {
    /// Always `false`: nothing here has been verified.
    pub verified: bool,
    /// "NOT VERIFIED: the contents below may be forged", in the language.
    pub notice: String,
    /// The header, as in the verification view.
    #[serde(flatten)]
    pub header: HeaderView,
    /// The issuer part's extensions.
    pub extensions: Vec<ExtensionView>,
    /// Every claim, NIK masked unless `show_nik` (the verification view's claims type and
    /// masking rule, [`ClaimsView`]).
    pub claims: ClaimsView,
    /// The signed age predicates.
    pub age_over: AgeOverView,
    /// The embedded photo (`data` is always `null` here).
    pub photo: PhotoView,
    /// Sizes of the encoding.
    pub sizes: SizesView,
    /// The issuer's signature (hex).
    pub signature: String,
}

impl InspectionView {
    /// Decodes `text` without verifying anything and builds the view.
    pub fn of_text(text: &str, lang: Lang, show_nik: bool) -> Result<InspectionView, InspectError> {
        if matches!(Kind::of_text(text), Some(Kind::Live | Kind::Static)) {
            return Err(InspectError::Presentation);
        }
        let cred = UnverifiedCredential::decode(text).map_err(InspectError::Decode)?;
        Ok(InspectionView::new(&cred, text, lang, show_nik))
    }

    /// The view of a decoded credential whose text is `text`.
    pub fn new(cred: &UnverifiedCredential, text: &str, lang: Lang, show_nik: bool) -> InspectionView {
        let h = cred.header();
        let age = cred.age_over();
        InspectionView {
            verified: false,
            notice: match lang {
                Lang::Id => "TIDAK DIVERIFIKASI: isi di bawah belum tentu asli".to_owned(),
                Lang::En => "NOT VERIFIED: the contents below may be forged".to_owned(),
            },
            header: HeaderView::of(h),
            extensions: h.extensions.iter().map(|(t, v)| ExtensionView { kind: *t, bytes: v.len() }).collect(),
            claims: cred.claims().view().masked(show_nik),
            age_over: AgeOverView {
                over_17: Some(age.over_17),
                over_21: Some(age.over_21),
                over_60: Some(age.over_60),
            },
            photo: PhotoView { present: cred.photo().is_some(), bytes: cred.photo().map(<[u8]>::len), data: None },
            sizes: SizesView { payload_bytes: cred.payload().len(), base45_chars: text.len() },
            signature: hex::encode(cred.signature()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::Value;

    fn vector_text(name: &str) -> String {
        let path = format!("{}/../test-vectors/cases/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        doc["input"]["qr_text"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_credential_is_shown_unverified_with_the_nik_masked() {
        let text = vector_text("valid-typical-woman");
        let v = InspectionView::of_text(&text, Lang::En, false).unwrap();
        assert!(!v.verified);
        assert!(v.notice.starts_with("NOT VERIFIED"));
        let nik = v.claims.text("nik").unwrap();
        assert!(nik.starts_with("************") && nik.len() == 16, "{nik}");
        assert_eq!(v.sizes.base45_chars, text.len());
        assert_eq!(v.signature.len(), 128);
        let full = InspectionView::of_text(&text, Lang::Id, true).unwrap();
        assert!(!full.claims.text("nik").unwrap().contains('*'));
        assert!(full.notice.starts_with("TIDAK DIVERIFIKASI"));
        // The header has the verification view's field names, flattened.
        let json = serde_json::to_value(&v).unwrap();
        for f in ["key_id", "serial", "status_index", "issued_at", "valid_from", "expires_at", "holder_key"] {
            assert!(json.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn a_presentation_is_not_inspected() {
        let e = InspectionView::of_text(&vector_text("presentation-live-nama-nik-age"), Lang::Id, false).unwrap_err();
        assert_eq!(e, InspectError::Presentation);
        assert_eq!(e.code(), "inspect_presentation");
        assert_ne!(e.message(Lang::Id), e.message(Lang::En));
    }

    #[test]
    fn a_malformed_text_passes_its_decode_code_through() {
        let e = InspectionView::of_text(&vector_text("decode-wrong-prefix"), Lang::En, false).unwrap_err();
        assert_eq!(e.code(), "decode_wrong_prefix");
        assert!(e.message(Lang::En).starts_with("cannot be decoded: "));
    }
}
