//! Issuing credentials (feature `issue`).

use crate::claims::{AgeOver, BerlakuHingga, Claims, ClaimsError, MAX_PHOTO_BYTES, SlotValues, is_webp};
use crate::credential::{
    Header, MAX_STATUS_INDEX, MAX_VALIDITY_SECS, SaltSecret, Serial, StatusIndex, Timestamp, WIRE_EPOCH,
    encode_unsigned, payload_to_text, signed_message,
};
use crate::keys::{PublicKey, SecretKey};

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// The resident's claims.
    pub claims: Claims,
    /// Serial number, unique for this issuer key.
    pub serial: Serial,
    /// Index in the issuer's status list.
    pub status_index: StatusIndex,
    /// When the credential is issued.
    pub issued_at: Timestamp,
    /// Start of validity (not before `issued_at`).
    pub valid_from: Timestamp,
    /// End of validity.
    pub expires_at: Timestamp,
    /// The holder's public key, for phone credentials.
    pub holder_key: Option<PublicKey>,
    /// A face thumbnail (WebP, as made by `photo::make_thumbnail`).
    pub photo: Option<Vec<u8>>,
}

/// Why a credential could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The claims are inconsistent (the NIK disagrees with the birth date or sex).
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    /// `issued_at` is before the format's epoch (2020-01-01) or too far in the future.
    #[error("issued_at is outside the range the format can carry")]
    IssuedAtOutOfRange,
    /// `valid_from` is before `issued_at`.
    #[error("valid_from must not be before issued_at")]
    ValidFromBeforeIssuedAt,
    /// `expires_at` is not after `valid_from`.
    #[error("expires_at must be after valid_from")]
    ExpiresBeforeValidFrom,
    /// The validity period is longer than 20 years.
    #[error("the validity period is longer than 20 years")]
    ValidityTooLong,
    /// The credential would outlive the KTP-el record: `expires_at` is after the end of the
    /// `berlaku_hingga` day (00:00 WIB of the next day).
    #[error("expires_at is after berlaku_hingga ({0})")]
    BeyondBerlakuHingga(String),
    /// The status index is above the maximum.
    #[error("status index is too large")]
    StatusIndexTooLarge,
    /// The photo is larger than the format allows.
    #[error("the photo is {size} bytes; the limit is {max}")]
    PhotoTooLarge {
        /// Bytes given.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The photo is not a WebP image.
    #[error("the photo must be a WebP thumbnail")]
    PhotoNotWebp,
    /// The operating system's random source failed.
    #[error("the random source failed")]
    Random,
}

impl IssueError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            IssueError::Claims(e) => e.code(),
            IssueError::IssuedAtOutOfRange => "issue_issued_at_out_of_range",
            IssueError::ValidFromBeforeIssuedAt => "issue_valid_from_before_issued_at",
            IssueError::ExpiresBeforeValidFrom => "issue_expires_before_valid_from",
            IssueError::ValidityTooLong => "issue_validity_too_long",
            IssueError::BeyondBerlakuHingga(_) => "issue_beyond_berlaku_hingga",
            IssueError::StatusIndexTooLarge => "issue_status_index_too_large",
            IssueError::PhotoTooLarge { .. } => "issue_photo_too_large",
            IssueError::PhotoNotWebp => "issue_photo_not_webp",
            IssueError::Random => "issue_random_failed",
        }
    }
}

/// An issued credential.
#[derive(Debug, Clone)]
pub struct IssuedCredential {
    text: String,
    payload_len: usize,
}

impl IssuedCredential {
    /// The QR text (`IKD1:` + Base45).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Size of the binary payload in bytes.
    pub fn payload_len(&self) -> usize {
        self.payload_len
    }
}

/// The largest credential text for phone scanning with a photo: QR version 22 at error
/// correction M holds 1134 alphanumeric characters (the SMART Health Cards limit).
pub const PHOTO_CREDENTIAL_MAX_CHARS: usize = 1134;

/// How many photo bytes fit, given the payload size of the same credential without a
/// photo, so that the whole text stays within `max_chars` characters.
pub fn photo_byte_budget(payload_len_without_photo: usize, max_chars: usize) -> usize {
    let chars = max_chars.saturating_sub(crate::credential::PREFIX.len());
    // Base45: 2 bytes -> 3 characters, a final single byte -> 2 characters.
    let max_bytes = chars / 3 * 2 + usize::from(chars % 3 == 2);
    // The empty photo slot is one byte (length 0); a photo of 128..=2048 bytes has a
    // two-byte length.
    let room = max_bytes.saturating_sub(payload_len_without_photo);
    let budget = room.saturating_sub(1);
    budget.min(MAX_PHOTO_BYTES)
}

/// Options that make [`Issuer::danger_issue_unchecked`] produce credentials a correct
/// issuer never would. For test vectors and interoperability tests only.
#[derive(Debug, Clone, Default)]
pub struct DangerIssueOptions {
    /// Extensions to add to the issuer part: `(type, value)`, types strictly ascending.
    /// Odd types are critical.
    pub extensions: Vec<(u64, Vec<u8>)>,
    /// Age predicates to sign instead of the ones computed from the birth date.
    pub age_override: Option<AgeOver>,
}

/// An issuer: a signing key that turns claims into signed credentials.
pub struct Issuer {
    key: SecretKey,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Issuer(key id {})", self.key.public_key().key_id())
    }
}

impl Issuer {
    /// An issuer signing with `key`.
    pub fn new(key: SecretKey) -> Issuer {
        Issuer { key }
    }

    /// The issuer's public key.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// Issues with a fresh random salt secret.
    pub fn issue(&self, req: &IssueRequest) -> Result<IssuedCredential, IssueError> {
        let secret = SaltSecret::generate().map_err(|_| IssueError::Random)?;
        self.issue_with_secret(req, &secret)
    }

    /// Issues with a given salt secret (deterministic; for test vectors). The secret must be
    /// random in real use.
    pub fn issue_with_secret(&self, req: &IssueRequest, secret: &SaltSecret) -> Result<IssuedCredential, IssueError> {
        check_request(req)?;
        Ok(self.sign(req, secret, &DangerIssueOptions::default()))
    }

    /// Signs without checking the request: the NIK may disagree with the claims, the
    /// validity may exceed `berlaku_hingga`, and `options` may add extensions or false age
    /// predicates. Values the format cannot carry are clamped. Only for building test
    /// vectors that exercise verifiers' rejection paths.
    pub fn danger_issue_unchecked(
        &self,
        req: &IssueRequest,
        secret: &SaltSecret,
        options: &DangerIssueOptions,
    ) -> IssuedCredential {
        self.sign(req, secret, options)
    }

    fn sign(&self, req: &IssueRequest, secret: &SaltSecret, options: &DangerIssueOptions) -> IssuedCredential {
        let header = Header {
            key_id: self.key.public_key().key_id(),
            serial: req.serial,
            status_index: req.status_index,
            issued_at: req.issued_at,
            valid_from: req.valid_from,
            expires_at: req.expires_at,
            holder_key: req.holder_key,
            extensions: options.extensions.clone(),
        };
        let values = SlotValues {
            age: options
                .age_override
                .unwrap_or_else(|| AgeOver::compute(req.claims.tanggal_lahir, req.issued_at.date())),
            claims: req.claims.clone(),
            photo: req.photo.clone().filter(|p| !p.is_empty()),
        };
        let (mut payload, header_len, root) = encode_unsigned(&header, secret, &values);
        let msg = signed_message(payload.get(..header_len).unwrap_or(&[]), &root);
        let sig = self.key.sign(&msg);
        payload.extend_from_slice(&sig);
        IssuedCredential { text: payload_to_text(&payload), payload_len: payload.len() }
    }
}

pub(crate) fn check_request(req: &IssueRequest) -> Result<(), IssueError> {
    req.claims.check_nik()?;
    let max_issue = WIRE_EPOCH + (1i64 << 34) - 1 - i64::try_from(MAX_VALIDITY_SECS).unwrap_or(0);
    if req.issued_at.unix() < WIRE_EPOCH || req.issued_at.unix() > max_issue {
        return Err(IssueError::IssuedAtOutOfRange);
    }
    if req.valid_from < req.issued_at {
        return Err(IssueError::ValidFromBeforeIssuedAt);
    }
    if req.valid_from.unix() > max_issue {
        return Err(IssueError::IssuedAtOutOfRange);
    }
    if req.expires_at <= req.valid_from {
        return Err(IssueError::ExpiresBeforeValidFrom);
    }
    let validity = u64::try_from(req.expires_at.unix() - req.valid_from.unix()).unwrap_or(u64::MAX);
    if validity > MAX_VALIDITY_SECS {
        return Err(IssueError::ValidityTooLong);
    }
    // The card is valid through the whole of its last day in WIB (see `issuance`): the
    // exclusive `expires_at` may be at most the next day's 00:00 WIB.
    if let BerlakuHingga::Tanggal(d) = req.claims.berlaku_hingga
        && req.expires_at > Timestamp::end_of_day_exclusive(d)
    {
        return Err(IssueError::BeyondBerlakuHingga(crate::claims::format_date(d)));
    }
    if u64::from(req.status_index.get()) > MAX_STATUS_INDEX {
        return Err(IssueError::StatusIndexTooLarge);
    }
    if let Some(p) = &req.photo {
        if p.len() > MAX_PHOTO_BYTES {
            return Err(IssueError::PhotoTooLarge { size: p.len(), max: MAX_PHOTO_BYTES });
        }
        if !is_webp(p) {
            return Err(IssueError::PhotoNotWebp);
        }
    }
    Ok(())
}

impl IssueError {
    /// A plain-language message in the language (claims errors without a JSON position).
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        use crate::lang::Lang;
        match (self, lang) {
            (IssueError::Claims(c), _) => c.message_without_position(lang),
            (e, Lang::En) => e.to_string(),
            (IssueError::IssuedAtOutOfRange, Lang::Id) => {
                "waktu terbit di luar rentang yang dapat dimuat format".into()
            }
            (IssueError::ValidFromBeforeIssuedAt, Lang::Id) => {
                "awal masa berlaku tidak boleh sebelum waktu terbit".into()
            }
            (IssueError::ExpiresBeforeValidFrom, Lang::Id) => "akhir masa berlaku harus setelah awalnya".into(),
            (IssueError::ValidityTooLong, Lang::Id) => "masa berlaku lebih dari 20 tahun".into(),
            (IssueError::BeyondBerlakuHingga(d), Lang::Id) => format!("masa berlaku melewati berlaku_hingga ({d})"),
            (IssueError::StatusIndexTooLarge, Lang::Id) => "indeks status terlalu besar".into(),
            (IssueError::PhotoTooLarge { size, max }, Lang::Id) => format!("foto {size} byte; batasnya {max}"),
            (IssueError::PhotoNotWebp, Lang::Id) => "foto harus thumbnail WebP".into(),
            (IssueError::Random, Lang::Id) => "sumber acak sistem gagal".into(),
        }
    }
}

crate::lang::user_error!(IssueError);
