//! Offline verification: trust store, clock, verdicts and reports.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use ed25519_dalek::Signature;
use serde::{Deserialize, Serialize};

use crate::claims::{AgeOver, BerlakuHingga, Claims, SlotValue, slot};
use crate::credential::{Header, Timestamp, UnverifiedCredential, text_to_payload};
use crate::error::DecodeError;
use crate::keys::{KeyId, PublicKey};
use crate::nik::{Nik, Sex};
use crate::present::{
    DEFAULT_PRESENTATION_SKEW_SECS, DEFAULT_PRESENTATION_WINDOW_SECS, Disclosure, KIND_PRESENTATION,
    ParsedPresentation, Policy, ReplayCache, ReplayCheck, replay_id, replay_owner,
};
use crate::status::{CredentialStatus, Freshness, FreshnessPolicy, StatusList};
use crate::trustlist::{IssuanceProblem, TrustList};

/// Default tolerance for clock differences between issuer, holder and counter: 5 minutes.
pub const DEFAULT_SKEW_SECS: i64 = 300;

/// Language of user-facing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia (the default).
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Picks a language from an HTTP `Accept-Language` header or a `LANG` value:
    /// English if `en` comes before `id`, otherwise Indonesian.
    pub fn from_header(value: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag.starts_with("en") {
                Lang::En
            } else if tag.starts_with("id") || tag.starts_with("in") {
                Lang::Id
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A time source. Inject a fixed clock in tests and test vectors.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that always reads the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// One trusted issuer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// Human-readable issuer name, e.g. `DISDUKCAPIL KABUPATEN SERANG`.
    pub name: String,
    /// The key.
    pub public_key: PublicKey,
    /// Start of the key's validity: credentials issued before it are rejected.
    pub not_before: Timestamp,
    /// End of the key's validity: credentials issued after it are rejected.
    pub not_after: Timestamp,
}

impl TrustedIssuer {
    /// The key id.
    pub fn key_id(&self) -> KeyId {
        self.public_key.key_id()
    }
}

/// Errors from reading a trust store file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// The file is not JSON of the expected shape.
    #[error("trust store is not valid: {0}")]
    Json(String),
    /// The format version is not 1.
    #[error("trust store version {0} is not supported")]
    UnsupportedVersion(u64),
    /// An issuer entry has an invalid public key.
    #[error("issuer {index}: {error}")]
    BadKey {
        /// 0-based entry.
        index: usize,
        /// Why.
        error: crate::keys::KeyError,
    },
    /// An issuer entry has an invalid time.
    #[error("issuer {index}: `{field}` is not an RFC 3339 time")]
    BadTime {
        /// 0-based entry.
        index: usize,
        /// Which field.
        field: &'static str,
    },
    /// An issuer entry's window ends before it starts.
    #[error("issuer {index}: not_after is before not_before")]
    EmptyWindow {
        /// 0-based entry.
        index: usize,
    },
    /// An issuer entry has an empty name.
    #[error("issuer {index}: name is empty")]
    EmptyName {
        /// 0-based entry.
        index: usize,
    },
    /// The informational `key_id` does not match the public key.
    #[error("issuer {index}: key_id does not match the public key")]
    KeyIdMismatch {
        /// 0-based entry.
        index: usize,
    },
    /// The same key appears twice.
    #[error("issuer {index}: the same public key is listed twice")]
    DuplicateKey {
        /// 0-based entry.
        index: usize,
    },
}

impl TrustStoreError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustStoreError::Json(_) => "trust_bad_json",
            TrustStoreError::UnsupportedVersion(_) => "trust_unsupported_version",
            TrustStoreError::BadKey { .. } => "trust_bad_key",
            TrustStoreError::BadTime { .. } => "trust_bad_time",
            TrustStoreError::EmptyWindow { .. } => "trust_empty_window",
            TrustStoreError::EmptyName { .. } => "trust_empty_name",
            TrustStoreError::DuplicateKey { .. } => "trust_duplicate_key",
            TrustStoreError::KeyIdMismatch { .. } => "trust_key_id_mismatch",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustStoreFile {
    version: u64,
    issuers: Vec<TrustedIssuerFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustedIssuerFile {
    name: String,
    public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    not_before: String,
    not_after: String,
}

/// The issuer keys a verifier trusts (trust store file format v1, `docs/FORMAT.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustStore {
    issuers: Vec<TrustedIssuer>,
    /// Positions in `issuers` by key id, so that finding a credential's issuer costs the same
    /// with ten thousand trusted keys as with one (no key is hashed per verification).
    by_id: BTreeMap<KeyId, Vec<usize>>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Adds an issuer (replacing one with the same key).
    pub fn add(&mut self, issuer: TrustedIssuer) {
        if self.candidates(issuer.key_id()).any(|i| i.public_key == issuer.public_key) {
            self.issuers.retain(|i| i.public_key != issuer.public_key);
            self.by_id.clear();
            for (n, i) in self.issuers.iter().enumerate() {
                self.by_id.entry(i.key_id()).or_default().push(n);
            }
        }
        self.push(issuer);
    }

    fn push(&mut self, issuer: TrustedIssuer) {
        self.by_id.entry(issuer.key_id()).or_default().push(self.issuers.len());
        self.issuers.push(issuer);
    }

    /// Every trusted issuer.
    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.issuers
    }

    /// The issuers whose key id matches.
    pub fn candidates(&self, id: KeyId) -> impl Iterator<Item = &TrustedIssuer> {
        self.by_id.get(&id).into_iter().flatten().filter_map(|&n| self.issuers.get(n))
    }

    /// Reads the JSON trust store file.
    pub fn from_json(text: &str) -> Result<TrustStore, TrustStoreError> {
        let file: TrustStoreFile = serde_json::from_str(text).map_err(|e| TrustStoreError::Json(e.to_string()))?;
        if file.version != 1 {
            return Err(TrustStoreError::UnsupportedVersion(file.version));
        }
        let mut store = TrustStore::new();
        for (index, e) in file.issuers.into_iter().enumerate() {
            if e.name.trim().is_empty() {
                return Err(TrustStoreError::EmptyName { index });
            }
            let public_key =
                PublicKey::from_text(&e.public_key).map_err(|error| TrustStoreError::BadKey { index, error })?;
            let not_before = Timestamp::parse_rfc3339(&e.not_before)
                .ok_or(TrustStoreError::BadTime { index, field: "not_before" })?;
            let not_after =
                Timestamp::parse_rfc3339(&e.not_after).ok_or(TrustStoreError::BadTime { index, field: "not_after" })?;
            if not_after < not_before {
                return Err(TrustStoreError::EmptyWindow { index });
            }
            if e.key_id.as_ref().is_some_and(|id| !id.eq_ignore_ascii_case(&public_key.key_id().to_string())) {
                return Err(TrustStoreError::KeyIdMismatch { index });
            }
            if store.candidates(public_key.key_id()).any(|i| i.public_key == public_key) {
                return Err(TrustStoreError::DuplicateKey { index });
            }
            store.push(TrustedIssuer { name: e.name, public_key, not_before, not_after });
        }
        Ok(store)
    }

    /// Writes the JSON trust store file (with key ids, for people reading it).
    pub fn to_json(&self) -> String {
        let file = TrustStoreFile {
            version: 1,
            issuers: self
                .issuers
                .iter()
                .map(|i| TrustedIssuerFile {
                    name: i.name.clone(),
                    public_key: i.public_key.to_text(),
                    key_id: Some(i.key_id().to_string()),
                    not_before: i.not_before.to_string(),
                    not_after: i.not_after.to_string(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

/// The three verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// A check failed: the credential must not be accepted.
    Invalid,
    /// Something needed to decide is missing (for example the issuer is not in the trust store).
    Undetermined,
}

impl Verdict {
    /// `VALID`, `INVALID` or `UNDETERMINED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "VALID",
            Verdict::Invalid => "INVALID",
            Verdict::Undetermined => "UNDETERMINED",
        }
    }
}

/// Why a credential was not found valid. Codes are stable (see `docs/CODES.md`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// The text could not be decoded.
    #[error("{0}")]
    Malformed(DecodeError),
    /// No trusted key has the credential's key id.
    #[error("issuer key {0} is not in the trust store")]
    IssuerUnknown(KeyId),
    /// The signature does not verify under any trusted key with the key id.
    #[error("the issuer signature is not valid")]
    SignatureInvalid,
    /// The credential was issued before the issuer key's validity began.
    #[error("issued before the issuer key became valid")]
    KeyNotYetValidAtIssuance,
    /// The credential was issued after the issuer key's validity ended.
    #[error("issued after the issuer key expired")]
    KeyExpiredAtIssuance,
    /// The credential's validity has not started yet.
    #[error("the credential is not valid yet")]
    NotYetValid,
    /// The credential has expired.
    #[error("the credential has expired")]
    Expired,
    /// The KTP-el record itself has expired (`berlaku_hingga` has passed).
    #[error("the KTP-el record has expired (berlaku_hingga)")]
    CardExpired,
    /// The NIK disagrees with `tanggal_lahir`.
    #[error("the NIK does not agree with the birth date")]
    NikBirthDateMismatch,
    /// The NIK disagrees with `jenis_kelamin`.
    #[error("the NIK does not agree with the sex")]
    NikSexMismatch,
    /// The age predicates disagree with the birth date at the time of issue.
    #[error("the age claims do not agree with the birth date")]
    AgeClaimsInconsistent,
    /// A holder signature is present but the credential has no holder key.
    #[error("the presentation is holder-signed but the credential has no holder key")]
    HolderKeyMissing,
    /// The holder signature does not verify under the credential's holder key.
    #[error("the holder signature is not valid")]
    HolderSignatureInvalid,
    /// The live presentation is older than the acceptance window.
    #[error("the live presentation has expired")]
    PresentationExpired,
    /// The live presentation is timestamped in the future.
    #[error("the live presentation is timestamped in the future")]
    PresentationInFuture,
    /// The live presentation was already used within its window.
    #[error("the live presentation was already used")]
    PresentationReplayed,
    /// The replay cache is full of presentations still inside their windows, so a replay
    /// could not be ruled out.
    #[error("the replay cache is full; a replay cannot be ruled out")]
    ReplayCacheFull,
    /// The presentation does not answer the counter's challenge.
    #[error("the presentation does not answer this counter's challenge")]
    ChallengeMismatch,
    /// The presentation answers a challenge, but this counter set none: it was made for
    /// another counter (or relayed from one), so it is not accepted here.
    #[error("the presentation answers a challenge this counter did not set")]
    ChallengeUnexpected,
    /// The holder key already has as many live presentations accepted within their windows
    /// as one resident may have ([`crate::DEFAULT_LIVE_PER_HOLDER`]); try again later.
    #[error("too many live presentations from this credential within the window")]
    PresentationRateLimited,
    /// The policy requires claims that were not disclosed.
    #[error("the policy requires claims that were not shown: {0}")]
    PolicyClaimsMissing(String),
    /// The policy requires a live presentation; a static credential was shown.
    #[error("the policy requires a live presentation from the resident's phone")]
    PolicyRequiresLive,
    /// The policy requires the counter to set a challenge, and none was set.
    #[error("the policy requires a challenge from this counter, and none was set")]
    PolicyRequiresChallenge,
    /// The issuer key was compromised at or before the credential's issue time.
    #[error("issued after the issuer key was compromised")]
    KeyCompromisedAtIssuance,
    /// The issuer key was retired at or before the credential's issue time.
    #[error("issued after the issuer key was retired")]
    KeyRetiredAtIssuance,
    /// The issuer key may not issue for the NIK's region.
    #[error("the issuer may not issue credentials for this NIK's region")]
    IssuerOutOfScope,
    /// The trust list is older than its grace period.
    #[error("the trust list is {} days old, past its grace period", age_secs / 86_400)]
    TrustListStale {
        /// Seconds since the list was issued.
        age_secs: i64,
    },
    /// The issuer's status list says the credential is revoked (final).
    #[error("the credential has been revoked")]
    Revoked,
    /// The issuer's status list says the credential is suspended.
    #[error("the credential is suspended")]
    Suspended,
    /// The credential's status index is beyond the issuer's status list.
    #[error("the credential's status index is outside the issuer's status list")]
    StatusIndexOutOfRange,
    /// No status list for the credential's issuer is held.
    #[error("no status list is held for this issuer")]
    StatusUnknown,
    /// The status list is older than its grace period.
    #[error("the status list is {} days old, past its grace period", age_secs / 86_400)]
    StatusListStale {
        /// Seconds since the list was issued.
        age_secs: i64,
    },
}

impl Reason {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Malformed(e) => e.code(),
            Reason::IssuerUnknown(_) => "issuer_unknown",
            Reason::SignatureInvalid => "signature_invalid",
            Reason::KeyNotYetValidAtIssuance => "key_not_yet_valid_at_issuance",
            Reason::KeyExpiredAtIssuance => "key_expired_at_issuance",
            Reason::NotYetValid => "not_yet_valid",
            Reason::Expired => "expired",
            Reason::CardExpired => "card_expired",
            Reason::NikBirthDateMismatch => "nik_birth_date_mismatch",
            Reason::NikSexMismatch => "nik_sex_mismatch",
            Reason::AgeClaimsInconsistent => "age_claims_inconsistent",
            Reason::HolderKeyMissing => "holder_key_missing",
            Reason::HolderSignatureInvalid => "holder_signature_invalid",
            Reason::PresentationExpired => "presentation_expired",
            Reason::PresentationInFuture => "presentation_in_future",
            Reason::PresentationReplayed => "presentation_replayed",
            Reason::ReplayCacheFull => "replay_cache_full",
            Reason::ChallengeMismatch => "challenge_mismatch",
            Reason::ChallengeUnexpected => "challenge_unexpected",
            Reason::PresentationRateLimited => "presentation_rate_limited",
            Reason::PolicyClaimsMissing(_) => "policy_claims_missing",
            Reason::PolicyRequiresLive => "policy_requires_live",
            Reason::PolicyRequiresChallenge => "policy_requires_challenge",
            Reason::KeyCompromisedAtIssuance => "key_compromised_at_issuance",
            Reason::KeyRetiredAtIssuance => "key_retired_at_issuance",
            Reason::IssuerOutOfScope => "issuer_out_of_scope",
            Reason::TrustListStale { .. } => "trust_list_stale",
            Reason::Revoked => "revoked",
            Reason::Suspended => "suspended",
            Reason::StatusIndexOutOfRange => "status_index_out_of_range",
            Reason::StatusUnknown => "status_unknown",
            Reason::StatusListStale { .. } => "status_list_stale",
        }
    }

    /// The verdict this reason leads to.
    pub fn verdict(&self) -> Verdict {
        match self {
            Reason::IssuerUnknown(_)
            | Reason::TrustListStale { .. }
            | Reason::StatusUnknown
            | Reason::StatusListStale { .. }
            | Reason::ReplayCacheFull
            | Reason::PresentationRateLimited => Verdict::Undetermined,
            _ => Verdict::Invalid,
        }
    }

    /// A plain-language message for counter officers.
    pub fn message(&self, lang: Lang) -> String {
        let days = |age: i64| age.div_euclid(86_400);
        match (self, lang) {
            (Reason::TrustListStale { age_secs }, Lang::Id) => {
                return format!(
                    "Daftar penerbit tepercaya sudah {} hari tidak diperbarui, melewati masa tenggang. Sinkronkan perangkat ini.",
                    days(*age_secs)
                );
            }
            (Reason::TrustListStale { age_secs }, Lang::En) => {
                return format!(
                    "The trusted issuer list is {} days old, past its grace period. Sync this device.",
                    days(*age_secs)
                );
            }
            (Reason::StatusListStale { age_secs }, Lang::Id) => {
                return format!(
                    "Daftar status (pencabutan) sudah {} hari tidak diperbarui, melewati masa tenggang. Status kredensial tidak dapat dipastikan. Sinkronkan perangkat ini.",
                    days(*age_secs)
                );
            }
            (Reason::StatusListStale { age_secs }, Lang::En) => {
                return format!(
                    "The status (revocation) list is {} days old, past its grace period. The credential's status cannot be confirmed. Sync this device.",
                    days(*age_secs)
                );
            }
            _ => {}
        }
        let (id, en) = match self {
            Reason::Malformed(_) => (
                "Kode QR bukan kredensial IKD yang utuh atau rusak.",
                "The QR code is not a complete IKD credential, or it is damaged.",
            ),
            Reason::IssuerUnknown(_) => (
                "Penerbit kredensial tidak dikenal oleh perangkat ini. Perbarui daftar penerbit tepercaya.",
                "This device does not know the credential's issuer. Update the trusted issuer list.",
            ),
            Reason::SignatureInvalid => (
                "Tanda tangan penerbit tidak sah: isi kredensial telah diubah atau palsu.",
                "The issuer signature is not valid: the credential was altered or forged.",
            ),
            Reason::KeyNotYetValidAtIssuance => (
                "Kredensial diterbitkan sebelum kunci penerbit berlaku.",
                "The credential was issued before the issuer key became valid.",
            ),
            Reason::KeyExpiredAtIssuance => (
                "Kredensial diterbitkan setelah kunci penerbit kedaluwarsa.",
                "The credential was issued after the issuer key expired.",
            ),
            Reason::NotYetValid => ("Kredensial belum berlaku.", "The credential is not valid yet."),
            Reason::Expired => ("Kredensial sudah kedaluwarsa.", "The credential has expired."),
            Reason::CardExpired => ("Masa berlaku KTP-el sudah habis.", "The KTP-el record has expired."),
            Reason::NikBirthDateMismatch => {
                ("NIK tidak sesuai dengan tanggal lahir.", "The NIK does not match the date of birth.")
            }
            Reason::NikSexMismatch => ("NIK tidak sesuai dengan jenis kelamin.", "The NIK does not match the sex."),
            Reason::AgeClaimsInconsistent => {
                ("Klaim usia tidak sesuai dengan tanggal lahir.", "The age claims do not match the date of birth.")
            }
            Reason::HolderKeyMissing => (
                "Presentasi ditandatangani pemegang, tetapi kredensial tidak memiliki kunci pemegang.",
                "The presentation is holder-signed, but the credential has no holder key.",
            ),
            Reason::HolderSignatureInvalid => (
                "Tanda tangan ponsel pemegang tidak sah: kode ini bukan dari ponsel pemiliknya.",
                "The holder's phone signature is not valid: this code did not come from the owner's phone.",
            ),
            Reason::PresentationExpired => (
                "Kode QR langsung sudah kedaluwarsa. Minta warga menampilkan kode baru.",
                "The live QR code has expired. Ask the resident to show a fresh code.",
            ),
            Reason::PresentationInFuture => (
                "Waktu pada kode QR langsung di masa depan. Periksa jam perangkat dan ponsel.",
                "The live QR code is timestamped in the future. Check the clocks of this device and the phone.",
            ),
            Reason::PresentationReplayed => (
                "Kode QR langsung ini sudah pernah dipindai. Minta warga menampilkan kode baru.",
                "This live QR code was already scanned. Ask the resident to show a fresh code.",
            ),
            Reason::ReplayCacheFull => (
                "Sistem sedang menerima terlalu banyak kode QR langsung, sehingga pemakaian ulang tidak dapat disingkirkan. Coba lagi sebentar lagi.",
                "Too many live QR codes are being checked right now to rule out a reused one. Try again shortly.",
            ),
            Reason::ChallengeMismatch => (
                "Kode QR tidak menjawab kode tantangan loket ini.",
                "The QR code does not answer this counter's challenge code.",
            ),
            Reason::ChallengeUnexpected => (
                "Kode QR ini menjawab kode tantangan loket lain, bukan loket ini. Minta warga menampilkan kode baru.",
                "This QR code answers another counter's challenge code, not this one's. Ask the resident to show a fresh code.",
            ),
            Reason::PresentationRateLimited => (
                "Terlalu banyak kode QR langsung dari kredensial ini dalam waktu singkat. Coba lagi dalam satu-dua menit.",
                "Too many live QR codes from this credential in a short time. Try again in a minute or two.",
            ),
            Reason::PolicyClaimsMissing(_) => (
                "Data yang ditampilkan tidak mencukupi untuk layanan ini.",
                "The data shown is not enough for this service.",
            ),
            Reason::PolicyRequiresLive => (
                "Layanan ini memerlukan kode QR langsung dari ponsel warga, bukan kartu cetak.",
                "This service needs a live QR code from the resident's phone, not a printed card.",
            ),
            Reason::PolicyRequiresChallenge => (
                "Layanan ini memerlukan mode tantangan: tampilkan kode tantangan dan minta warga memasukkannya di ponselnya.",
                "This service needs challenge mode: show a challenge code and ask the resident to enter it on their phone.",
            ),
            Reason::KeyCompromisedAtIssuance => (
                "Kredensial diterbitkan dengan kunci penerbit yang sudah dinyatakan bocor.",
                "The credential was issued with an issuer key that had been reported compromised.",
            ),
            Reason::KeyRetiredAtIssuance => (
                "Kredensial diterbitkan setelah kunci penerbit dipensiunkan.",
                "The credential was issued after the issuer key was retired.",
            ),
            Reason::IssuerOutOfScope => (
                "Penerbit ini tidak berwenang menerbitkan kredensial untuk wilayah NIK tersebut.",
                "This issuer may not issue credentials for the NIK's region.",
            ),
            Reason::Revoked => ("Kredensial telah dicabut.", "The credential has been revoked."),
            Reason::Suspended => ("Kredensial sedang ditangguhkan.", "The credential is suspended."),
            Reason::StatusIndexOutOfRange => (
                "Nomor status kredensial di luar daftar status penerbit.",
                "The credential's status number is outside the issuer's status list.",
            ),
            Reason::StatusUnknown => (
                "Perangkat ini tidak memiliki daftar status untuk penerbit ini. Sinkronkan perangkat ini.",
                "This device holds no status list for this issuer. Sync this device.",
            ),
            Reason::TrustListStale { .. } | Reason::StatusListStale { .. } => ("", ""),
        };
        match lang {
            Lang::Id => id.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Check {
    /// Text layer and binary format.
    Decode,
    /// A trusted key has the credential's key id.
    IssuerKnown,
    /// The issuer signature verifies (strict Ed25519).
    Signature,
    /// The credential was issued inside the key's validity window.
    KeyValidAtIssuance,
    /// Now is inside the credential's validity window (and the KTP-el record has not expired).
    ValidityWindow,
    /// The NIK agrees with birth date and sex; age claims agree with the birth date.
    NikConsistency,
    /// Live presentations: holder signature, freshness, challenge and replay.
    HolderBinding,
    /// The service policy's required claims and liveness.
    Policy,
    /// Revocation status from the issuer's status list, and its freshness.
    Status,
}

impl Check {
    /// Every check, in order.
    pub const ALL: [Check; 6] = [
        Check::Decode,
        Check::IssuerKnown,
        Check::Signature,
        Check::KeyValidAtIssuance,
        Check::ValidityWindow,
        Check::NikConsistency,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Check::Decode => "decode",
            Check::IssuerKnown => "issuer_known",
            Check::Signature => "signature",
            Check::KeyValidAtIssuance => "key_valid_at_issuance",
            Check::ValidityWindow => "validity_window",
            Check::NikConsistency => "nik_consistency",
            Check::HolderBinding => "holder_binding",
            Check::Policy => "policy",
            Check::Status => "status",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed, with the reason.
    Failed(Reason),
    /// It could not be decided, with the reason.
    Undetermined(Reason),
    /// It did not run because an earlier check did not pass.
    Skipped,
    /// It could not run because the verifier holds nothing to check it against: the
    /// `status` check of a verifier without status lists (a plain trust store), which so
    /// cannot see any issuer's revocations. The verdict does not depend on it; front ends
    /// should say that revocation was not checked.
    NotChecked,
}

impl Outcome {
    /// `passed`, `failed`, `undetermined` or `skipped`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::Undetermined(_) => "undetermined",
            Outcome::Skipped => "skipped",
            Outcome::NotChecked => "not_checked",
        }
    }
}

/// Each check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    entries: Vec<(Check, Outcome)>,
}

impl Report {
    /// The checks in order with their outcomes.
    pub fn entries(&self) -> &[(Check, Outcome)] {
        &self.entries
    }

    /// The outcome of one check.
    pub fn outcome(&self, check: Check) -> &Outcome {
        self.entries.iter().find(|(c, _)| *c == check).map(|(_, o)| o).unwrap_or(&Outcome::Skipped)
    }

    /// As JSON: `[{"check": ..., "outcome": ..., "code": ...}]`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.entries
                .iter()
                .map(|(c, o)| {
                    let code = match o {
                        Outcome::Failed(r) | Outcome::Undetermined(r) => serde_json::Value::from(r.code()),
                        _ => serde_json::Value::Null,
                    };
                    serde_json::json!({"check": c.name(), "outcome": o.as_str(), "code": code})
                })
                .collect(),
        )
    }
}

/// A credential that passed every check. Only [`Verifier::verify`] produces one.
#[derive(Clone)]
pub struct VerifiedCredential {
    inner: UnverifiedCredential,
    issuer: TrustedIssuer,
}

impl fmt::Debug for VerifiedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedCredential")
            .field("issuer", &self.issuer.name)
            .field("serial", &self.inner.header.serial)
            .finish_non_exhaustive()
    }
}

impl VerifiedCredential {
    /// The resident claims.
    pub fn claims(&self) -> &Claims {
        self.inner.claims()
    }
    /// The age predicates.
    pub fn age_over(&self) -> AgeOver {
        self.inner.age_over()
    }
    /// The face thumbnail (WebP), if any.
    pub fn photo(&self) -> Option<&[u8]> {
        self.inner.photo()
    }
    /// The issuer part.
    pub fn header(&self) -> &Header {
        self.inner.header()
    }
    /// The trusted issuer whose key verified the signature.
    pub fn issuer(&self) -> &TrustedIssuer {
        &self.issuer
    }
}

/// A presentation that passed every check: only the disclosed claims. Only
/// [`Verifier::verify`] produces one.
#[derive(Clone)]
pub struct VerifiedPresentation {
    header: Header,
    issuer: TrustedIssuer,
    disclosure: Disclosure,
    values: Vec<(usize, SlotValue)>,
    live: bool,
    signed_at: Option<Timestamp>,
    challenge: Option<Vec<u8>>,
}

impl fmt::Debug for VerifiedPresentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedPresentation")
            .field("issuer", &self.issuer.name)
            .field("serial", &self.header.serial)
            .field("disclosed", &self.disclosure)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

impl VerifiedPresentation {
    /// The issuer part.
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The trusted issuer.
    pub fn issuer(&self) -> &TrustedIssuer {
        &self.issuer
    }
    /// Which slots were disclosed.
    pub fn disclosure(&self) -> Disclosure {
        self.disclosure
    }
    /// Names of the withheld slots.
    pub fn withheld(&self) -> Vec<&'static str> {
        self.disclosure.complement_names()
    }
    /// Whether the holder signed it (a live presentation).
    pub fn is_live(&self) -> bool {
        self.live
    }
    /// When the holder signed it (live presentations).
    pub fn signed_at(&self) -> Option<Timestamp> {
        self.signed_at
    }
    /// The counter challenge it answers, if any.
    pub fn challenge(&self) -> Option<&[u8]> {
        self.challenge.as_deref()
    }
    /// The disclosed claims as a JSON object with the claims JSON's field names (age
    /// predicates as booleans, `foto` as base64 WebP).
    pub fn disclosed_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (i, v) in &self.values {
            v.put_json(*i, &mut m);
        }
        serde_json::Value::Object(m)
    }
    /// The disclosed face thumbnail (WebP), if the photo slot was disclosed and holds one.
    pub fn photo(&self) -> Option<&[u8]> {
        self.values.iter().find_map(|(_, v)| match v {
            SlotValue::Foto(Some(p)) => Some(p.as_slice()),
            _ => None,
        })
    }
}

/// The result of verifying one credential or presentation text.
#[derive(Debug, Clone)]
pub struct Verification {
    verdict: Verdict,
    reason: Option<Reason>,
    report: Report,
    header: Option<Header>,
    issuer: Option<TrustedIssuer>,
    credential: Option<VerifiedCredential>,
    presentation: Option<VerifiedPresentation>,
    withheld: Vec<&'static str>,
    replay: Option<ReplayToken>,
}

/// What a replay store shared beyond one [`Verifier`] records for an accepted live
/// presentation: a 16-byte key (a hash of the holder signature, which holds no personal
/// data) and the time its window ends, after which the entry may be forgotten.
///
/// A verifier's own cache catches a replay to the same verifier. Counters whose verifications
/// run in several processes (one `ikd verify` per scan, servers behind a load balancer) also
/// record the token in a shared store and, if it was there already, turn the verification
/// into a rejection with [`Verification::reject_replayed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayToken {
    id: [u8; 16],
    until: Timestamp,
}

impl ReplayToken {
    /// The key under which to record the presentation.
    pub fn id(&self) -> [u8; 16] {
        self.id
    }
    /// The key as 32 lowercase hex digits.
    pub fn id_hex(&self) -> String {
        self.id.iter().map(|b| format!("{b:02x}")).collect()
    }
    /// When the presentation's window (plus the skew tolerance) ends.
    pub fn until(&self) -> Timestamp {
        self.until
    }
}

impl Verification {
    /// VALID, INVALID or UNDETERMINED.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }
    /// Why it is not VALID.
    pub fn reason(&self) -> Option<&Reason> {
        self.reason.as_ref()
    }
    /// The reason code, or `ok` when VALID.
    pub fn code(&self) -> &'static str {
        self.reason.as_ref().map(Reason::code).unwrap_or("ok")
    }
    /// Each check's outcome.
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// The issuer part, when the text could be decoded (for audit logs: serial, key id).
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }
    /// The issuer whose key verified the signature, when it did.
    pub fn issuer(&self) -> Option<&TrustedIssuer> {
        self.issuer.as_ref()
    }
    /// The verified full credential, only when VALID and the text was a full credential.
    pub fn credential(&self) -> Option<&VerifiedCredential> {
        self.credential.as_ref()
    }
    /// Takes the verified credential, only when VALID.
    pub fn into_credential(self) -> Option<VerifiedCredential> {
        self.credential
    }
    /// The verified presentation, only when VALID and the text was a presentation.
    pub fn presentation(&self) -> Option<&VerifiedPresentation> {
        self.presentation.as_ref()
    }
    /// The claims the holder withheld (empty for a full credential).
    pub fn withheld(&self) -> &[&'static str] {
        &self.withheld
    }
    /// For a VALID live presentation, what a shared replay store must record (see
    /// [`ReplayToken`]); `None` otherwise.
    pub fn replay_token(&self) -> Option<ReplayToken> {
        self.replay
    }
    /// Turns a VALID live presentation into the `presentation_replayed` rejection, for a
    /// replay found by a store shared beyond this verifier (another process or server had
    /// recorded its [`ReplayToken`]). Any other verification is returned unchanged: a verdict
    /// can be lowered this way, never raised.
    pub fn reject_replayed(self) -> Verification {
        if self.replay.is_none() {
            return self;
        }
        let reason = Reason::PresentationReplayed;
        let mut entries = Vec::with_capacity(self.report.entries.len());
        let mut after = false;
        for (c, o) in self.report.entries {
            if after {
                entries.push((c, Outcome::Skipped));
            } else if c == Check::HolderBinding {
                entries.push((c, Outcome::Failed(reason.clone())));
                after = true;
            } else {
                entries.push((c, o));
            }
        }
        Verification {
            verdict: reason.verdict(),
            reason: Some(reason),
            report: Report { entries },
            header: self.header,
            issuer: self.issuer,
            credential: None,
            presentation: None,
            withheld: Vec::new(),
            replay: None,
        }
    }
    /// The disclosed claims as JSON, when VALID (full credentials: every claim plus the age
    /// predicates; presentations: what was disclosed).
    pub fn claims_json(&self) -> Option<serde_json::Value> {
        if let Some(c) = &self.credential {
            let mut v = c.claims().to_json_value();
            let age = c.age_over();
            if let Some(m) = v.as_object_mut() {
                m.insert("age_over_17".into(), age.over_17.into());
                m.insert("age_over_21".into(), age.over_21.into());
                m.insert("age_over_60".into(), age.over_60.into());
            }
            return Some(v);
        }
        self.presentation.as_ref().map(VerifiedPresentation::disclosed_json)
    }
    /// A message for the officer.
    pub fn message(&self, lang: Lang) -> String {
        match (&self.reason, &self.presentation) {
            (Some(r), _) => r.message(lang),
            (None, Some(p)) if p.live => match lang {
                Lang::Id => {
                    "Presentasi langsung sah: data yang ditampilkan asli dan berasal dari ponsel pemiliknya.".to_owned()
                }
                Lang::En => {
                    "Valid live presentation: the data shown is genuine and came from the owner's phone.".to_owned()
                }
            },
            (None, Some(_)) => match lang {
                Lang::Id => "Data yang ditampilkan sah.".to_owned(),
                Lang::En => "The data shown is valid.".to_owned(),
            },
            (None, None) => match lang {
                Lang::Id => "Kredensial sah.".to_owned(),
                Lang::En => "The credential is valid.".to_owned(),
            },
        }
    }
}

/// Per-verification options: the service policy and the counter's challenge.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// The service policy to apply, if any.
    pub policy: Option<&'a Policy>,
    /// The challenge this counter showed, if it runs in challenge mode.
    pub challenge: Option<&'a [u8]>,
}

/// Checks credentials against a trust store and a clock, fully offline.
#[derive(Clone)]
pub struct Verifier {
    trust: TrustStore,
    clock: Arc<dyn Clock>,
    skew_secs: i64,
    window_secs: i64,
    live_skew_secs: i64,
    replay: Arc<Mutex<ReplayCache>>,
    trust_list: Option<Arc<TrustList>>,
    status_lists: Option<Arc<HashMap<[u8; 32], StatusList>>>,
    freshness: FreshnessPolicy,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("issuers", &self.trust.issuers.len())
            .field("skew_secs", &self.skew_secs)
            .field("window_secs", &self.window_secs)
            .field("live_skew_secs", &self.live_skew_secs)
            .finish_non_exhaustive()
    }
}

struct Run {
    entries: Vec<(Check, Outcome)>,
    checks: Vec<Check>,
}

impl Run {
    fn new(opts: &VerifyOptions<'_>) -> Run {
        let mut checks = Check::ALL.to_vec();
        // Always reported: `not_checked` when the verifier holds no status lists.
        checks.push(Check::Status);
        if opts.policy.is_some() {
            checks.push(Check::Policy);
        }
        Run { entries: Vec::with_capacity(checks.len()), checks }
    }
    fn pass(&mut self, c: Check) {
        self.entries.push((c, Outcome::Passed));
    }
    fn finish(
        mut self,
        c: Check,
        reason: Reason,
        header: Option<Header>,
        issuer: Option<TrustedIssuer>,
    ) -> Verification {
        let outcome = match reason.verdict() {
            Verdict::Undetermined => Outcome::Undetermined(reason.clone()),
            _ => Outcome::Failed(reason.clone()),
        };
        self.entries.push((c, outcome));
        for rest in &self.checks {
            if !self.entries.iter().any(|(d, _)| d == rest) {
                self.entries.push((*rest, Outcome::Skipped));
            }
        }
        Verification {
            verdict: reason.verdict(),
            reason: Some(reason),
            report: Report { entries: self.entries },
            header,
            issuer,
            credential: None,
            presentation: None,
            withheld: Vec::new(),
            replay: None,
        }
    }
}

/// Strict Ed25519 verification (RFC 8032 with canonical `S`, canonical encodings and no
/// small-order `R` or `A`), as used for every signature in the format.
pub fn verify_signature_strict(key: &PublicKey, message: &[u8], signature: &[u8; 64]) -> bool {
    let sig = Signature::from_bytes(signature);
    key.verifying_key().is_some_and(|k| k.verify_strict(message, &sig).is_ok())
}

/// What is being verified: a full credential or a presentation.
enum Subject {
    Full(Box<UnverifiedCredential>),
    Presentation(Box<ParsedPresentation>),
}

impl Subject {
    fn decode(text: &str) -> Result<Subject, DecodeError> {
        let payload = text_to_payload(text)?;
        match payload.first() {
            Some(&KIND_PRESENTATION) => Ok(Subject::Presentation(Box::new(ParsedPresentation::parse(payload)?))),
            _ => Ok(Subject::Full(Box::new(UnverifiedCredential::from_payload(payload)?))),
        }
    }
    fn header(&self) -> &Header {
        match self {
            Subject::Full(c) => &c.header,
            Subject::Presentation(p) => &p.header,
        }
    }
    fn issuer_message(&self) -> Vec<u8> {
        match self {
            Subject::Full(c) => c.signed_message(),
            Subject::Presentation(p) => p.issuer_message(),
        }
    }
    fn signature(&self) -> &[u8; 64] {
        match self {
            Subject::Full(c) => &c.signature,
            Subject::Presentation(p) => &p.issuer_signature,
        }
    }
    fn disclosure(&self) -> Disclosure {
        match self {
            Subject::Full(_) => Disclosure::ALL,
            Subject::Presentation(p) => p.disclosure,
        }
    }
    fn is_live(&self) -> bool {
        matches!(self, Subject::Presentation(p) if p.live.is_some())
    }
    /// (nik, birth date, sex, age predicates, berlaku_hingga), each if disclosed.
    #[allow(clippy::type_complexity)]
    fn consistency_inputs(
        &self,
    ) -> (Option<Nik>, Option<time::Date>, Option<Sex>, [Option<bool>; 3], Option<BerlakuHingga>) {
        match self {
            Subject::Full(c) => {
                let cl = c.claims();
                let a = c.age_over();
                (
                    Some(cl.nik),
                    Some(cl.tanggal_lahir),
                    Some(cl.jenis_kelamin),
                    [Some(a.over_17), Some(a.over_21), Some(a.over_60)],
                    Some(cl.berlaku_hingga),
                )
            }
            Subject::Presentation(p) => {
                let (mut nik, mut date, mut sex, mut age, mut until) = (None, None, None, [None; 3], None);
                for (i, v) in &p.values {
                    match (i, v) {
                        (_, SlotValue::Nik(n)) => nik = Some(*n),
                        (_, SlotValue::Date(d)) => date = Some(*d),
                        (_, SlotValue::Sex(s)) => sex = Some(*s),
                        (_, SlotValue::BerlakuHingga(b)) => until = Some(*b),
                        (&slot::AGE_OVER_17, SlotValue::Bool(b)) => age[0] = Some(*b),
                        (&slot::AGE_OVER_21, SlotValue::Bool(b)) => age[1] = Some(*b),
                        (&slot::AGE_OVER_60, SlotValue::Bool(b)) => age[2] = Some(*b),
                        _ => {}
                    }
                }
                (nik, date, sex, age, until)
            }
        }
    }
}

impl Verifier {
    /// A verifier with the system clock, the default skew tolerance, the default 90 s
    /// window for live presentations with 30 s of future skew, and a replay cache of
    /// 100 000 entries of which one holder key may hold [`crate::DEFAULT_LIVE_PER_HOLDER`].
    pub fn new(trust: TrustStore) -> Verifier {
        Verifier {
            trust,
            clock: Arc::new(SystemClock),
            skew_secs: DEFAULT_SKEW_SECS,
            window_secs: DEFAULT_PRESENTATION_WINDOW_SECS,
            live_skew_secs: DEFAULT_PRESENTATION_SKEW_SECS,
            replay: Arc::new(Mutex::new(ReplayCache::new(100_000))),
            trust_list: None,
            status_lists: None,
            freshness: FreshnessPolicy::default(),
        }
    }

    /// A verifier that trusts the keys of a signed trust list (already verified against the
    /// pinned root keys with [`TrustList::verify`]) and applies its key statuses (retired,
    /// compromised) and scopes, and its freshness (`trust_list_stale` when past grace).
    pub fn from_trust_list(list: TrustList) -> Verifier {
        let mut v = Verifier::new(list.to_trust_store());
        v.trust_list = Some(Arc::new(list));
        v
    }

    /// Checks revocation against these status lists (each already verified with
    /// [`StatusList::verify`]). A credential whose issuer has no list here is UNDETERMINED
    /// (`status_unknown`).
    pub fn with_status_lists(mut self, lists: impl IntoIterator<Item = StatusList>) -> Verifier {
        let map: HashMap<[u8; 32], StatusList> = lists.into_iter().map(|l| (*l.issuer_key().as_bytes(), l)).collect();
        self.status_lists = Some(Arc::new(map));
        self
    }

    /// Sets the freshness periods for trust and status lists (defaults in
    /// [`FreshnessPolicy::default`]: status lists 1 day fresh + 30 days grace, trust lists
    /// 7 days + 90 days).
    pub fn with_freshness(mut self, policy: FreshnessPolicy) -> Verifier {
        self.freshness = policy;
        self
    }

    /// The trust list, if the verifier was made from one.
    pub fn trust_list(&self) -> Option<&TrustList> {
        self.trust_list.as_deref()
    }

    /// Uses `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Verifier {
        self.clock = clock;
        self
    }

    /// Sets the clock-skew tolerance in seconds (default [`DEFAULT_SKEW_SECS`]).
    pub fn with_skew_secs(mut self, secs: i64) -> Verifier {
        self.skew_secs = secs.max(0);
        self
    }

    /// Sets how long a live presentation is accepted after it was signed (default 90 s).
    pub fn with_presentation_window_secs(mut self, secs: i64) -> Verifier {
        self.window_secs = secs.max(1);
        self
    }

    /// Sets how far in the future (by this verifier's clock) a live presentation's time may
    /// be (default [`crate::DEFAULT_PRESENTATION_SKEW_SECS`], 30 s), for a phone whose clock
    /// runs ahead. A presentation is accepted while `time − skew ≤ now < time + window`, so
    /// the whole span in which one code is accepted is the window plus this skew. The
    /// credential's own skew tolerance ([`Verifier::with_skew_secs`]) does not apply to it.
    pub fn with_presentation_skew_secs(mut self, secs: i64) -> Verifier {
        self.live_skew_secs = secs.max(0);
        self
    }

    /// Uses a replay cache of `capacity` entries (a fresh one, not shared with clones made
    /// before this call), with the default limit per holder key.
    pub fn with_replay_capacity(mut self, capacity: usize) -> Verifier {
        self.replay = Arc::new(Mutex::new(ReplayCache::new(capacity)));
        self
    }

    /// Sets how many live presentations of one holder key the replay cache holds within
    /// their windows (default [`crate::DEFAULT_LIVE_PER_HOLDER`]); more are answered
    /// UNDETERMINED `presentation_rate_limited` until older ones expire. This is both the
    /// per-credential rate limit of live checks and the bound on one resident's share of the
    /// cache. Applies to the cache this verifier holds (and shares).
    pub fn with_live_limit_per_holder(self, limit: usize) -> Verifier {
        let mut cache = self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = std::mem::replace(&mut *cache, ReplayCache::new(1));
        *cache = taken.with_owner_limit(limit);
        drop(cache);
        self
    }

    /// The same verifier (clock, skew, freshness, live-presentation settings and the very
    /// same replay cache) trusting a new signed trust list instead, with no status lists yet.
    /// This is how a holder of lists rebuilds its verifier after a trust-list change, so that
    /// no setting is lost and a presentation accepted just before the change is still
    /// refused as a replay just after it.
    pub fn with_trust_list(&self, list: TrustList) -> Verifier {
        let mut v = self.clone();
        v.trust = list.to_trust_store();
        v.trust_list = Some(Arc::new(list));
        v.status_lists = None;
        v
    }

    /// Like [`Verifier::with_trust_list`], trusting a plain trust store.
    pub fn with_trust_store(&self, trust: TrustStore) -> Verifier {
        let mut v = self.clone();
        v.trust = trust;
        v.trust_list = None;
        v.status_lists = None;
        v
    }

    /// Shares `other`'s replay cache. A verifier rebuilt after a trust-list change should
    /// take over the cache of the one it replaces: otherwise a presentation accepted just
    /// before the change could be used a second time just after it.
    pub fn with_replay_cache_of(mut self, other: &Verifier) -> Verifier {
        self.replay = Arc::clone(&other.replay);
        self
    }

    /// The trust store.
    pub fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies one credential or presentation text, from text to verdict.
    pub fn verify(&self, text: &str) -> Verification {
        self.verify_with(text, &VerifyOptions::default())
    }

    /// Verifies with a policy and/or a counter challenge.
    pub fn verify_with(&self, text: &str, opts: &VerifyOptions<'_>) -> Verification {
        let run = Run::new(opts);
        match Subject::decode(text) {
            Ok(s) => self.verify_subject(s, run, opts, false),
            Err(e) => run.finish(Check::Decode, Reason::Malformed(e), None, None),
        }
    }

    /// Verifies many texts at once. Signatures are checked together with Ed25519 batch
    /// verification (feature `batch`); if the batch fails, each is checked alone with the
    /// strict check, so the verdicts are those of [`Verifier::verify`]. See `docs/FORMAT.md`,
    /// "Batch verification", for the one documented difference (signatures only the issuer
    /// could have made, with a mixed-order `R`).
    #[cfg(feature = "batch")]
    pub fn verify_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Verification> {
        let decoded: Vec<Result<Subject, DecodeError>> = texts.iter().map(|t| Subject::decode(t.as_ref())).collect();
        let mut idx = Vec::new();
        let mut messages = Vec::new();
        let mut sigs = Vec::new();
        let mut keys = Vec::new();
        for (i, d) in decoded.iter().enumerate() {
            if let Ok(s) = d {
                let mut cands = self.trust.candidates(s.header().key_id);
                if let (Some(k), None) = (cands.next(), cands.next())
                    && let Some(vk) = k.public_key.verifying_key()
                {
                    idx.push(i);
                    messages.push(s.issuer_message());
                    sigs.push(Signature::from_bytes(s.signature()));
                    keys.push(vk);
                }
            }
        }
        let msg_refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let batch_ok = !idx.is_empty() && ed25519_dalek::verify_batch(&msg_refs, &sigs, &keys).is_ok();
        let opts = VerifyOptions::default();
        decoded
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let run = Run::new(&opts);
                match d {
                    Ok(s) => self.verify_subject(s, run, &opts, batch_ok && idx.contains(&i)),
                    Err(e) => run.finish(Check::Decode, Reason::Malformed(e), None, None),
                }
            })
            .collect()
    }

    /// `signature_checked`: the issuer signature already verified in a batch under the
    /// single candidate key.
    fn verify_subject(
        &self,
        subject: Subject,
        mut run: Run,
        opts: &VerifyOptions<'_>,
        signature_checked: bool,
    ) -> Verification {
        run.pass(Check::Decode);
        if subject.is_live() {
            run.checks.push(Check::HolderBinding);
        }
        let header = subject.header().clone();
        let now = self.clock.now();
        let trust_stale = match self.trust_list.as_ref().map(|l| l.freshness(now, &self.freshness)) {
            Some(Freshness::Stale { age_secs }) => Some(age_secs),
            _ => None,
        };
        let mut candidates = self.trust.candidates(header.key_id).peekable();
        if candidates.peek().is_none() {
            return run.finish(Check::IssuerKnown, Reason::IssuerUnknown(header.key_id), Some(header), None);
        }
        run.pass(Check::IssuerKnown);
        let found = if signature_checked {
            candidates.next().cloned()
        } else {
            let message = subject.issuer_message();
            candidates.find(|i| verify_signature_strict(&i.public_key, &message, subject.signature())).cloned()
        };
        let Some(issuer) = found else {
            return run.finish(Check::Signature, Reason::SignatureInvalid, Some(header), None);
        };
        run.pass(Check::Signature);
        let fail = |run: Run, c: Check, r: Reason| run.finish(c, r, Some(header.clone()), Some(issuer.clone()));
        let (nik, birth, sex, age, until) = subject.consistency_inputs();
        if let Some(age_secs) = trust_stale {
            // A stale trust list may lack a later compromise, retirement or scope change, so
            // nothing past the signature is decided from it, except a revocation, which is
            // final: UNDETERMINED stating the list's age, or INVALID if revoked.
            let revoked = self
                .status_lists
                .as_ref()
                .and_then(|l| l.get(issuer.public_key.as_bytes()))
                .is_some_and(|l| matches!(l.get(header.status_index), Ok(CredentialStatus::Revoked)));
            if revoked {
                run.checks.retain(|c| *c != Check::Status);
                run.checks.push(Check::Status);
                return fail(run, Check::Status, Reason::Revoked);
            }
            return fail(run, Check::KeyValidAtIssuance, Reason::TrustListStale { age_secs });
        }
        let entry = self.trust_list.as_ref().and_then(|l| l.entry(&issuer.public_key));
        if let Some(entry) = entry {
            let checked = match &nik {
                Some(nik) => entry.check_issuance(header.issued_at, nik),
                None => entry.check_issuance_time(header.issued_at),
            };
            if let Err(problem) = checked {
                let reason = match problem {
                    IssuanceProblem::IssuedAfterCompromise { .. } => Reason::KeyCompromisedAtIssuance,
                    IssuanceProblem::IssuedBeforeKeyValid => Reason::KeyNotYetValidAtIssuance,
                    IssuanceProblem::IssuedAfterKeyExpired => Reason::KeyExpiredAtIssuance,
                    IssuanceProblem::IssuedAfterRetirement { .. } => Reason::KeyRetiredAtIssuance,
                    _ => Reason::IssuerOutOfScope,
                };
                return fail(run, Check::KeyValidAtIssuance, reason);
            }
        } else {
            if header.issued_at < issuer.not_before {
                return fail(run, Check::KeyValidAtIssuance, Reason::KeyNotYetValidAtIssuance);
            }
            if header.issued_at > issuer.not_after {
                return fail(run, Check::KeyValidAtIssuance, Reason::KeyExpiredAtIssuance);
            }
        }
        run.pass(Check::KeyValidAtIssuance);
        if now.plus(self.skew_secs) < header.valid_from {
            return fail(run, Check::ValidityWindow, Reason::NotYetValid);
        }
        if now.plus(-self.skew_secs) >= header.expires_at {
            return fail(run, Check::ValidityWindow, Reason::Expired);
        }
        if let Some(BerlakuHingga::Tanggal(d)) = until
            && now.plus(-self.skew_secs).date() > d
        {
            return fail(run, Check::ValidityWindow, Reason::CardExpired);
        }
        run.pass(Check::ValidityWindow);
        if let (Some(nik), Some(birth)) = (nik, birth)
            && !nik.matches_birth_date(birth)
        {
            return fail(run, Check::NikConsistency, Reason::NikBirthDateMismatch);
        }
        if let (Some(nik), Some(sex)) = (nik, sex)
            && nik.sex() != sex
        {
            return fail(run, Check::NikConsistency, Reason::NikSexMismatch);
        }
        if let Some(birth) = birth {
            let expected = AgeOver::compute(birth, header.issued_at.date());
            let want = [expected.over_17, expected.over_21, expected.over_60];
            if age.iter().zip(want).any(|(got, want)| got.is_some_and(|g| g != want)) {
                return fail(run, Check::NikConsistency, Reason::AgeClaimsInconsistent);
            }
        }
        run.pass(Check::NikConsistency);
        if let Some(lists) = &self.status_lists {
            let Some(list) = lists.get(issuer.public_key.as_bytes()) else {
                return fail(run, Check::Status, Reason::StatusUnknown);
            };
            let stale = match list.freshness(now, &self.freshness) {
                Freshness::Stale { age_secs } => Some(age_secs),
                _ => None,
            };
            match list.get(header.status_index) {
                // Revocation is final: a stale list that says revoked is still right.
                Ok(CredentialStatus::Revoked) => return fail(run, Check::Status, Reason::Revoked),
                _ if stale.is_some() => {
                    return fail(run, Check::Status, Reason::StatusListStale { age_secs: stale.unwrap_or(0) });
                }
                Ok(CredentialStatus::Suspended) => return fail(run, Check::Status, Reason::Suspended),
                Ok(_) => {}
                Err(_) if header.issued_at > list.issued_at() => {
                    // Issued after this list was published: the list cannot know it yet.
                    return fail(run, Check::Status, Reason::StatusUnknown);
                }
                Err(_) => return fail(run, Check::Status, Reason::StatusIndexOutOfRange),
            }
            run.pass(Check::Status);
        } else {
            run.entries.push((Check::Status, Outcome::NotChecked));
        }
        let mut replay = None;
        if let Subject::Presentation(p) = &subject
            && let Some(live) = &p.live
        {
            let Some(holder) = header.holder_key else {
                return fail(run, Check::HolderBinding, Reason::HolderKeyMissing);
            };
            let message = p.holder_message().unwrap_or_default();
            if !verify_signature_strict(&holder, &message, &live.signature) {
                return fail(run, Check::HolderBinding, Reason::HolderSignatureInvalid);
            }
            if live.time > now.plus(self.live_skew_secs) {
                return fail(run, Check::HolderBinding, Reason::PresentationInFuture);
            }
            let deadline = live.time.plus(self.window_secs);
            if now >= deadline {
                return fail(run, Check::HolderBinding, Reason::PresentationExpired);
            }
            match (opts.challenge, live.challenge.as_deref()) {
                (Some(set), answered) if Some(set) != answered => {
                    return fail(run, Check::HolderBinding, Reason::ChallengeMismatch);
                }
                (None, Some(_)) => return fail(run, Check::HolderBinding, Reason::ChallengeUnexpected),
                _ => {}
            }
            let id = replay_id(&live.signature);
            let owner = replay_owner(holder.as_bytes());
            let seen = self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner).check_and_insert(
                id,
                owner,
                now.unix(),
                deadline.unix(),
            );
            match seen {
                ReplayCheck::Fresh => replay = Some(ReplayToken { id, until: deadline }),
                ReplayCheck::Replayed => return fail(run, Check::HolderBinding, Reason::PresentationReplayed),
                ReplayCheck::OwnerLimit => return fail(run, Check::HolderBinding, Reason::PresentationRateLimited),
                _ => return fail(run, Check::HolderBinding, Reason::ReplayCacheFull),
            }
            run.pass(Check::HolderBinding);
        } else if opts.challenge.is_some() {
            run.checks.push(Check::HolderBinding);
            return fail(run, Check::HolderBinding, Reason::ChallengeMismatch);
        }
        if let Some(policy) = opts.policy {
            if !subject.disclosure().covers(policy.required) {
                let missing = Disclosure::from_bits(policy.required.bits() & !subject.disclosure().bits());
                return fail(run, Check::Policy, Reason::PolicyClaimsMissing(missing.names().join(",")));
            }
            if policy.require_live && !subject.is_live() {
                return fail(run, Check::Policy, Reason::PolicyRequiresLive);
            }
            if policy.require_challenge && opts.challenge.is_none() {
                return fail(run, Check::Policy, Reason::PolicyRequiresChallenge);
            }
            run.pass(Check::Policy);
        }
        let withheld = subject.disclosure().complement_names();
        let (credential, presentation) = match subject {
            Subject::Full(c) => (Some(VerifiedCredential { inner: *c, issuer: issuer.clone() }), None),
            Subject::Presentation(p) => {
                let p = *p;
                let live = p.live.is_some();
                let (signed_at, challenge) = match p.live {
                    Some(l) => (Some(l.time), l.challenge),
                    None => (None, None),
                };
                (
                    None,
                    Some(VerifiedPresentation {
                        header: header.clone(),
                        issuer: issuer.clone(),
                        disclosure: p.disclosure,
                        values: p.values,
                        live,
                        signed_at,
                        challenge,
                    }),
                )
            }
        };
        Verification {
            verdict: Verdict::Valid,
            reason: None,
            report: Report { entries: run.entries },
            header: Some(header),
            issuer: Some(issuer),
            credential,
            presentation,
            withheld,
            replay,
        }
    }
}
