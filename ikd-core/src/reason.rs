//! Verdicts and the reasons behind them, with stable codes and messages.

use serde::Serialize;

use crate::error::DecodeError;
use crate::keys::KeyId;
use crate::lang::Lang;

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

crate::lang::user_error!(Reason);
