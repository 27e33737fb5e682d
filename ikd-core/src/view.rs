//! One serialisable view of a [`Verification`], shared by every front end: `ikd verify --json`,
//! every `/v1/verify*` answer of the server, and the bindings. One set of field names, one
//! masking rule, one rule for what may be shown.
//!
//! # What the view shows
//!
//! ```text
//! verdict, code, message, lang, detail      VALID | INVALID | UNDETERMINED, the reason code, ...
//! kind, live                                credential | presentation, and whether phone-signed
//! credential                                the header: key_id, serial, status_index, issued_at,
//!                                           valid_from, expires_at, holder_key (text or null)
//! issuer                                    name, key_id, public_key, not_before, not_after
//! claims, withheld, age_over, photo         only when VALID (see below)
//! presentation                              live, signed_at, challenge (only when VALID)
//! policy                                    the service policy applied, by name
//! report                                    [{check, outcome, code}] in the order they ran
//! ```
//!
//! # The rules
//!
//! * **Claims only when VALID.** `claims`, `withheld`, `age_over`, `presentation` and `photo`
//!   are `null` (or empty) unless the verdict is VALID: what an unverified text says about a
//!   person is never shown. A verdict lowered afterwards ([`VerificationView::apply_revocation`])
//!   removes them again. For a presentation, `claims` holds only what the holder disclosed.
//! * **One masking rule.** Unless [`ViewOptions::show_nik`] is set, the NIK is shown with every
//!   character but the last four replaced by `*` ([`mask_nik`]), wherever it appears.
//! * **The photo.** `photo.present` and `photo.bytes` always (when VALID); the image itself only
//!   when asked ([`PhotoData`]), as a `data:` URL.
//!
//! Front ends add their own fields beside these by wrapping the view in their own struct with
//! `#[serde(flatten)]` (the server adds `demo`, `index`, `warnings`, `scan`; the CLI `source` and
//! `lists`), so these names stay the same everywhere.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

pub use crate::claims_view::{ClaimValue, ClaimsView, mask_nik};
use crate::{Lang, Outcome, Reason, Verdict, Verification};

/// What a text holds: a full credential, or a live or static presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A full credential (every claim; a printed card or a file).
    Credential,
    /// A presentation signed by the holder's phone just now.
    Live,
    /// A selective-disclosure presentation without a holder signature.
    Static,
}

impl Kind {
    /// From a VALID verification, or else from the text's kind byte and flags.
    pub fn of(v: &Verification, text: &str) -> Option<Kind> {
        if v.credential().is_some() {
            return Some(Kind::Credential);
        }
        if let Some(p) = v.presentation() {
            return Some(if p.is_live() { Kind::Live } else { Kind::Static });
        }
        Kind::of_text(text)
    }

    /// From the text's kind byte and flags, without verifying anything (`docs/FORMAT.md` §6:
    /// kind 0x01 credential, 0x02 presentation, flag bit 0 live). `None` when the text does not
    /// decode that far.
    pub fn of_text(text: &str) -> Option<Kind> {
        let payload = crate::format::text_to_payload(text).ok()?;
        match payload.first().copied()? {
            crate::credential::KIND_CREDENTIAL => Some(Kind::Credential),
            crate::present::KIND_PRESENTATION
                if payload.get(1).is_some_and(|f| f & crate::present::PFLAG_LIVE != 0) =>
            {
                Some(Kind::Live)
            }
            crate::present::KIND_PRESENTATION => Some(Kind::Static),
            _ => None,
        }
    }

    /// `credential` or `presentation`, as in the view's `kind`.
    pub fn as_str(self) -> &'static str {
        self.text_kind().as_str()
    }

    /// The view's `kind`.
    pub fn text_kind(self) -> TextKind {
        match self {
            Kind::Credential => TextKind::Credential,
            Kind::Live | Kind::Static => TextKind::Presentation,
        }
    }

    /// A plain-language description.
    pub fn label(self, lang: Lang) -> String {
        pick(
            lang,
            match self {
                Kind::Credential => (
                    "Kredensial lengkap (semua data, tanpa tanda tangan ponsel)",
                    "Full credential (every claim, not phone-signed)",
                ),
                Kind::Live => (
                    "Presentasi langsung (ditandatangani ponsel pemegang)",
                    "Live presentation (signed by the holder's phone)",
                ),
                Kind::Static => (
                    "Presentasi statis (sebagian data, tanpa tanda tangan ponsel)",
                    "Static presentation (some claims, not phone-signed)",
                ),
            },
        )
    }

    /// A short lower-case name, e.g. `live presentation`.
    pub fn short_label(self, lang: Lang) -> String {
        pick(
            lang,
            match self {
                Kind::Credential => ("kredensial lengkap", "full credential"),
                Kind::Live => ("presentasi langsung", "live presentation"),
                Kind::Static => ("presentasi statis", "static presentation"),
            },
        )
    }
}

fn pick(lang: Lang, (id, en): (&str, &str)) -> String {
    match lang {
        Lang::En => en.to_owned(),
        _ => id.to_owned(),
    }
}

/// The view's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextKind {
    /// A full credential.
    Credential,
    /// A presentation (live or static).
    Presentation,
}

impl TextKind {
    /// `credential` or `presentation`.
    pub fn as_str(self) -> &'static str {
        match self {
            TextKind::Credential => "credential",
            TextKind::Presentation => "presentation",
        }
    }
}

/// More about why a verification is not VALID, beyond its message: the decoding problem, the
/// unknown issuer key id, the claims a policy needs that were withheld. `None` for other
/// reasons.
pub fn reason_detail(reason: Option<&Reason>, lang: Lang) -> Option<String> {
    match reason? {
        Reason::Malformed(e) => Some(e.message(lang)),
        Reason::IssuerUnknown(id) => Some(match lang {
            Lang::En => format!("issuer key id {id}"),
            _ => format!("id kunci penerbit {id}"),
        }),
        Reason::PolicyClaimsMissing(m) => {
            let names = m.split(',').collect::<Vec<_>>().join(", ");
            Some(match lang {
                Lang::En => format!("not shown: {names}"),
                _ => format!("tidak ditampilkan: {names}"),
            })
        }
        _ => None,
    }
}

/// Whether and how the photo's image is put in the view (`photo.data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PhotoData {
    /// Only `photo.present` and `photo.bytes`.
    #[default]
    None,
    /// The embedded photo as it is (WebP or JPEG), as a `data:` URL.
    Embedded,
    /// The embedded photo converted to PNG (for browsers without WebP), as a `data:` URL.
    /// When it cannot be converted, `data` is `null`.
    #[cfg(feature = "photo")]
    Png,
}

/// How a view is made.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewOptions<'a> {
    /// The language of `message` and `detail`.
    pub lang: Lang,
    /// Show the full NIK (masked by [`mask_nik`] otherwise).
    pub show_nik: bool,
    /// Whether the photo's image is included.
    pub photo: PhotoData,
    /// The name of the service policy that was applied.
    pub policy: Option<&'a str>,
}

/// The credential header, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderView {
    /// The issuer key id (hex).
    pub key_id: String,
    /// The serial.
    pub serial: u64,
    /// The status-list index.
    pub status_index: u64,
    /// When issued (RFC 3339).
    pub issued_at: String,
    /// Start of validity (RFC 3339).
    pub valid_from: String,
    /// End of validity (RFC 3339).
    pub expires_at: String,
    /// The holder's public key (`ikdpk1:…`), for credentials bound to a phone.
    pub holder_key: Option<String>,
}

impl HeaderView {
    /// The view of a credential's header.
    pub fn of(h: &crate::Header) -> HeaderView {
        HeaderView {
            key_id: h.key_id.to_string(),
            serial: h.serial.get(),
            status_index: u64::from(h.status_index.get()),
            issued_at: h.issued_at.to_string(),
            valid_from: h.valid_from.to_string(),
            expires_at: h.expires_at.to_string(),
            holder_key: h.holder_key.map(|k| k.to_text()),
        }
    }
}

/// The trusted issuer, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerView {
    /// The issuer's name.
    pub name: String,
    /// The key id (hex).
    pub key_id: String,
    /// The public key (`ikdpk1:…`).
    pub public_key: String,
    /// Start of the key's validity (RFC 3339).
    pub not_before: String,
    /// End of the key's validity (RFC 3339).
    pub not_after: String,
}

/// The age predicates that are known: every one for a full credential, the disclosed ones
/// for a presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeOverView {
    /// 17 or older.
    #[serde(rename = "17")]
    pub over_17: Option<bool>,
    /// 21 or older.
    #[serde(rename = "21")]
    pub over_21: Option<bool>,
    /// 60 or older.
    #[serde(rename = "60")]
    pub over_60: Option<bool>,
}

/// A presentation's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationView {
    /// Signed by the holder's phone.
    pub live: bool,
    /// When the phone signed it (RFC 3339).
    pub signed_at: Option<String>,
    /// The counter's challenge it answers.
    pub challenge: Option<String>,
}

/// The photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoView {
    /// Whether a photo was shown (embedded, or disclosed).
    pub present: bool,
    /// Its size in bytes.
    pub bytes: Option<usize>,
    /// The image as a `data:` URL, when asked ([`PhotoData`]).
    pub data: Option<String>,
}

/// One check of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckView {
    /// The check's name (`decode`, …, `status`; a front end may add its own, e.g. the server's
    /// `revocation`).
    pub check: Cow<'static, str>,
    /// `passed`, `failed`, `undetermined`, `skipped` or `not_checked`.
    pub outcome: Cow<'static, str>,
    /// The reason code of a failed or undetermined check.
    pub code: Option<Cow<'static, str>>,
}

/// The verification as shown: see the [module documentation](self) for its rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationView {
    /// VALID, INVALID or UNDETERMINED.
    pub verdict: Verdict,
    /// The reason code (`ok` when VALID), `docs/CODES.md`.
    pub code: Cow<'static, str>,
    /// For the officer, in `lang`.
    pub message: String,
    /// `id` or `en`.
    pub lang: Cow<'static, str>,
    /// More about the reason ([`reason_detail`]).
    pub detail: Option<String>,
    /// `credential` or `presentation`, when the text decodes that far.
    pub kind: Option<TextKind>,
    /// Whether it is a live (phone-signed) presentation, when known.
    pub live: Option<bool>,
    /// The header, when the text decodes.
    pub credential: Option<HeaderView>,
    /// The issuer whose key verified the signature.
    pub issuer: Option<IssuerView>,
    /// The claims: only when VALID; the NIK masked unless asked.
    pub claims: Option<ClaimsView>,
    /// The claims a presentation's holder withheld (only when VALID).
    pub withheld: Vec<Cow<'static, str>>,
    /// The known age predicates (only when VALID).
    pub age_over: Option<AgeOverView>,
    /// A presentation's details (only when VALID).
    pub presentation: Option<PresentationView>,
    /// The service policy applied, by name.
    pub policy: Option<String>,
    /// The photo (only when VALID).
    pub photo: Option<PhotoView>,
    /// Each check's outcome.
    pub report: Vec<CheckView>,
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        _ => "id",
    }
}

fn data_url(bytes: &[u8], mode: PhotoData) -> Option<String> {
    let mime = |b: &[u8]| {
        if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
            "image/webp"
        } else if b.starts_with(&[0xFF, 0xD8]) {
            "image/jpeg"
        } else if b.starts_with(b"\x89PNG") {
            "image/png"
        } else {
            "application/octet-stream"
        }
    };
    match mode {
        PhotoData::None => None,
        PhotoData::Embedded => Some(format!("data:{};base64,{}", mime(bytes), STANDARD.encode(bytes))),
        #[cfg(feature = "photo")]
        PhotoData::Png => {
            crate::photo::thumbnail_png(bytes).ok().map(|png| format!("data:image/png;base64,{}", STANDARD.encode(png)))
        }
    }
}

impl VerificationView {
    /// The view's field names, sorted: every front end answers these (and may add its own).
    pub const FIELDS: [&'static str; 16] = [
        "age_over",
        "claims",
        "code",
        "credential",
        "detail",
        "issuer",
        "kind",
        "lang",
        "live",
        "message",
        "photo",
        "policy",
        "presentation",
        "report",
        "verdict",
        "withheld",
    ];

    /// The view of `v`, the verification of `text`.
    pub fn new(v: &Verification, text: &str, opts: &ViewOptions<'_>) -> VerificationView {
        let lang = opts.lang;
        let valid = v.verdict() == Verdict::Valid;
        let kind = Kind::of(v, text);
        let credential = v.credential().filter(|_| valid);
        let presentation = v.presentation().filter(|_| valid);
        let claims = if valid { v.claims_view() } else { None };
        let age_over = match (credential, &claims) {
            (Some(c), _) => {
                let a = c.age_over();
                Some(AgeOverView { over_17: Some(a.over_17), over_21: Some(a.over_21), over_60: Some(a.over_60) })
            }
            (None, Some(cl)) => {
                let get = |n: &str| cl.get(n).and_then(ClaimValue::as_bool);
                let a = AgeOverView {
                    over_17: get("age_over_17"),
                    over_21: get("age_over_21"),
                    over_60: get("age_over_60"),
                };
                (a.over_17.is_some() || a.over_21.is_some() || a.over_60.is_some()).then_some(a)
            }
            (None, None) => None,
        };
        let photo = valid.then(|| {
            let bytes = credential.and_then(|c| c.photo()).or_else(|| presentation.and_then(|p| p.photo()));
            PhotoView {
                present: bytes.is_some(),
                bytes: bytes.map(<[u8]>::len),
                data: bytes.and_then(|b| data_url(b, opts.photo)),
            }
        });
        VerificationView {
            verdict: v.verdict(),
            code: Cow::Borrowed(v.code()),
            message: v.message(lang),
            lang: Cow::Borrowed(lang_tag(lang)),
            detail: reason_detail(v.reason(), lang),
            kind: kind.map(Kind::text_kind),
            live: kind.map(|k| k == Kind::Live),
            credential: v.header().map(HeaderView::of),
            issuer: v.issuer().map(|i| IssuerView {
                name: i.name.clone(),
                key_id: i.key_id().to_string(),
                public_key: i.public_key.to_text(),
                not_before: i.not_before.to_string(),
                not_after: i.not_after.to_string(),
            }),
            claims: claims.map(|c| c.masked(opts.show_nik)),
            withheld: if valid { v.withheld().iter().map(|s| Cow::Borrowed(*s)).collect() } else { Vec::new() },
            age_over,
            presentation: presentation.map(|p| PresentationView {
                live: p.is_live(),
                signed_at: p.signed_at().map(|t| t.to_string()),
                challenge: p.challenge().map(|c| String::from_utf8_lossy(c).into_owned()),
            }),
            policy: opts.policy.map(str::to_owned),
            photo,
            report: v
                .report()
                .entries()
                .iter()
                .map(|(c, o)| CheckView {
                    check: Cow::Borrowed(c.name()),
                    outcome: Cow::Borrowed(o.as_str()),
                    code: match o {
                        Outcome::Failed(r) | Outcome::Undetermined(r) => Some(Cow::Borrowed(r.code())),
                        _ => None,
                    },
                })
                .collect(),
        }
    }

    /// Adds a front end's own revocation check (the server's, for credentials its own issuer
    /// revoked), as the check `revocation` at the end of the report. When `revoked`, the
    /// verdict becomes INVALID `revoked` and everything only shown when VALID is removed; a
    /// verdict is never raised.
    pub fn apply_revocation(&mut self, revoked: bool, lang: Lang) {
        self.report.push(CheckView {
            check: Cow::Borrowed("revocation"),
            outcome: Cow::Borrowed(if revoked { "failed" } else { "passed" }),
            code: revoked.then(|| Cow::Borrowed(Reason::Revoked.code())),
        });
        if !revoked || self.verdict == Verdict::Invalid {
            return;
        }
        self.verdict = Verdict::Invalid;
        self.code = Cow::Borrowed(Reason::Revoked.code());
        self.message = Reason::Revoked.message(lang);
        self.detail = None;
        self.claims = None;
        self.withheld.clear();
        self.age_over = None;
        self.presentation = None;
        self.photo = None;
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Verdict, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "VALID" => Ok(Verdict::Valid),
            "INVALID" => Ok(Verdict::Invalid),
            "UNDETERMINED" => Ok(Verdict::Undetermined),
            other => Err(serde::de::Error::unknown_variant(other, &["VALID", "INVALID", "UNDETERMINED"])),
        }
    }
}

/// The short answer for one text of a bulk verification: its verdict and reason code, and the
/// officer's message only when it is not VALID. Nothing about the person or the credential: for
/// a caller that needs to know only which texts pass (data minimisation, UU PDP), such as the
/// server's `POST /v1/verify/batch` with `"answer": "verdicts"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictLine {
    /// VALID, INVALID or UNDETERMINED.
    pub verdict: Verdict,
    /// The reason code (`ok` when VALID), `docs/CODES.md`.
    pub code: Cow<'static, str>,
    /// For the officer, in the language asked; only when not VALID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl VerdictLine {
    /// The short answer for `v`.
    pub fn new(v: &Verification, lang: Lang) -> VerdictLine {
        let verdict = v.verdict();
        let message = (verdict != Verdict::Valid).then(|| v.message(lang));
        VerdictLine { verdict, code: Cow::Borrowed(v.code()), message }
    }

    /// As [`VerificationView::apply_revocation`]: a front end that knows the credential was
    /// revoked (the server, for its own credentials) lowers a VALID verdict to INVALID `revoked`.
    pub fn apply_revocation(&mut self, revoked: bool, lang: Lang) {
        if !revoked || self.verdict == Verdict::Invalid {
            return;
        }
        self.verdict = Verdict::Invalid;
        self.code = Cow::Borrowed(Reason::Revoked.code());
        self.message = Some(Reason::Revoked.message(lang));
    }
}

/// How many texts had which verdict and, for those that are not VALID, which reason code: the
/// summary of a bulk verification (`ikd verify --batch --json`, `POST /v1/verify/batch`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// Texts counted.
    pub total: usize,
    /// VALID ones.
    pub valid: usize,
    /// INVALID ones.
    pub invalid: usize,
    /// UNDETERMINED ones.
    pub undetermined: usize,
    /// The texts that are not VALID, by verdict and reason code, sorted by verdict then code.
    pub by_code: Vec<CodeCount>,
}

/// One row of [`BatchSummary::by_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCount {
    /// INVALID or UNDETERMINED.
    pub verdict: Verdict,
    /// The reason code.
    pub code: Cow<'static, str>,
    /// How many texts.
    pub count: usize,
}

impl BatchSummary {
    /// The batch's verdict as a whole: INVALID if any text is, else UNDETERMINED if any is,
    /// else VALID (also for an empty batch). `ikd verify --batch` exits with it.
    pub fn overall(&self) -> Verdict {
        if self.invalid > 0 {
            Verdict::Invalid
        } else if self.undetermined > 0 {
            Verdict::Undetermined
        } else {
            Verdict::Valid
        }
    }

    /// Counts one text with `verdict` and reason `code`.
    pub fn add(&mut self, verdict: Verdict, code: &'static str) {
        self.total += 1;
        match verdict {
            Verdict::Valid => {
                self.valid += 1;
                return;
            }
            Verdict::Invalid => self.invalid += 1,
            Verdict::Undetermined => self.undetermined += 1,
        }
        let key = (verdict.as_str(), code);
        match self.by_code.binary_search_by(|c| (c.verdict.as_str(), c.code.as_ref()).cmp(&key)) {
            Ok(i) => {
                if let Some(c) = self.by_code.get_mut(i) {
                    c.count += 1;
                }
            }
            Err(i) => self.by_code.insert(i, CodeCount { verdict, code: Cow::Borrowed(code), count: 1 }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    // Issue 14: one masking rule for every front end.
    #[test]
    fn mask_nik_keeps_only_the_last_four_characters() {
        assert_eq!(mask_nik("3604011203880007"), "************0007");
        assert_eq!(mask_nik("12345"), "*2345");
        assert_eq!(mask_nik("123"), "123");
        let v: ClaimsView =
            serde_json::from_value(serde_json::json!({"nama": "BUDI", "nik": "3604011203880007"})).unwrap();
        assert_eq!(v.clone().masked(false).text("nik"), Some("************0007"));
        assert_eq!(v.clone().masked(false).text("nama"), Some("BUDI"));
        assert_eq!(v.masked(true).text("nik"), Some("3604011203880007"));
    }

    #[test]
    fn batch_summary_counts_verdicts_and_sorts_codes() {
        let mut s = BatchSummary::default();
        s.add(Verdict::Valid, "ok");
        s.add(Verdict::Undetermined, "status_unknown");
        s.add(Verdict::Invalid, "signature_invalid");
        s.add(Verdict::Invalid, "expired");
        s.add(Verdict::Invalid, "signature_invalid");
        s.add(Verdict::Valid, "ok");
        assert_eq!((s.total, s.valid, s.invalid, s.undetermined), (6, 2, 3, 1));
        assert_eq!(s.overall(), Verdict::Invalid);
        let rows: Vec<(&str, &str, usize)> =
            s.by_code.iter().map(|c| (c.verdict.as_str(), c.code.as_ref(), c.count)).collect();
        assert_eq!(
            rows,
            [("INVALID", "expired", 1), ("INVALID", "signature_invalid", 2), ("UNDETERMINED", "status_unknown", 1)]
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json["by_code"][1],
            serde_json::json!({"verdict": "INVALID", "code": "signature_invalid", "count": 2})
        );
    }

    #[test]
    fn batch_summary_overall_verdict() {
        let mut s = BatchSummary::default();
        assert_eq!(s.overall(), Verdict::Valid);
        s.add(Verdict::Valid, "ok");
        assert_eq!(s.overall(), Verdict::Valid);
        s.add(Verdict::Undetermined, "status_unknown");
        assert_eq!(s.overall(), Verdict::Undetermined);
        s.add(Verdict::Invalid, "expired");
        assert_eq!(s.overall(), Verdict::Invalid);
    }

    #[test]
    fn verdict_line_has_a_message_only_when_not_valid_and_can_be_revoked() {
        let v = crate::Verifier::new(crate::TrustStore::new()).verify("not a credential");
        let line = VerdictLine::new(&v, Lang::En);
        assert_eq!(line.verdict, Verdict::Invalid);
        assert_eq!(line.code, v.code());
        assert_eq!(line.message, Some(v.message(Lang::En)));
        let mut ok = VerdictLine { verdict: Verdict::Valid, code: Cow::Borrowed("ok"), message: None };
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"verdict":"VALID","code":"ok"}"#);
        ok.apply_revocation(false, Lang::Id);
        assert_eq!(ok.verdict, Verdict::Valid);
        ok.apply_revocation(true, Lang::Id);
        assert_eq!((ok.verdict, ok.code.as_ref()), (Verdict::Invalid, "revoked"));
        assert_eq!(ok.message, Some(Reason::Revoked.message(Lang::Id)));
        // An INVALID answer keeps its own reason.
        let mut bad = VerdictLine::new(&v, Lang::Id);
        bad.apply_revocation(true, Lang::Id);
        assert_eq!(bad.code, v.code());
    }
}
