//! The trust store: the issuer keys a verifier trusts, read from a JSON file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::credential::Timestamp;
use crate::keys::{KeyId, PublicKey};
use crate::lang::Lang;

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
    pub(crate) issuers: Vec<TrustedIssuer>,
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

impl TrustStoreError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (TrustStoreError::BadKey { index, error }, Lang::En) => format!("issuer {index}: {}", error.message(lang)),
            (_, Lang::En) => self.to_string(),
            (TrustStoreError::Json(m), Lang::Id) => format!("daftar penerbit tepercaya tidak sah: {m}"),
            (TrustStoreError::UnsupportedVersion(v), Lang::Id) => format!("versi daftar penerbit {v} tidak didukung"),
            (TrustStoreError::BadKey { index, error }, Lang::Id) => {
                format!("penerbit {index}: {}", error.message(lang))
            }
            (TrustStoreError::BadTime { index, field }, Lang::Id) => {
                format!("penerbit {index}: `{field}` bukan waktu RFC 3339")
            }
            (TrustStoreError::EmptyWindow { index }, Lang::Id) => {
                format!("penerbit {index}: not_after lebih awal dari not_before")
            }
            (TrustStoreError::EmptyName { index }, Lang::Id) => format!("penerbit {index}: nama kosong"),
            (TrustStoreError::KeyIdMismatch { index }, Lang::Id) => {
                format!("penerbit {index}: key_id tidak sesuai dengan kunci publik")
            }
            (TrustStoreError::DuplicateKey { index }, Lang::Id) => {
                format!("penerbit {index}: kunci publik yang sama tercantum dua kali")
            }
        }
    }
}

crate::lang::user_error!(TrustStoreError);
