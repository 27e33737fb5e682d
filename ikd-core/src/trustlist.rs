//! Signed trust lists: which issuer keys a verifier trusts, for which regions, and which
//! keys are retired or compromised.
//!
//! A trust list is signed by a root key (the national Dukcapil role); a verifier pins only
//! the root public key(s). The byte format is specified in `docs/TRUST-AND-STATUS.md`
//! (section "Trust list"); in short, a file is
//!
//! ```text
//! body || "\n" || one or more lines "ikdsig1 <root public key> <signature>\n"
//! ```
//!
//! where `body` is a one-line canonical JSON document (RFC 8785 JCS, restricted so that no
//! string needs escaping) and each signature is Ed25519 over `"IKD1 trust list\0" || body`,
//! verified over the exact bytes received. After verifying, the body is parsed and checked
//! to be in its one canonical form, so one list has exactly one encoding.
//!
//! Rollback is refused with [`TrustList::check_successor`], and root rotation works through
//! `next_roots`: each list names the complete set of roots that may sign the next one
//! ([`TrustList::verify_successor`]).

use crate::lang::Lang;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::credential::Timestamp;
use crate::freshness::{Freshness, FreshnessPolicy, staleness};
use crate::keys::{KeyId, PublicKey};
use crate::nik::{Nik, PROVINCES};
use crate::trust_store::{TrustStore, TrustedIssuer};

/// Domain-separation tag of the trust-list signature.
pub const TRUST_LIST_TAG: &[u8] = b"IKD1 trust list\0";
/// The format version this library reads and writes.
pub const TRUST_LIST_VERSION: u64 = 1;
/// The start of every signature line.
pub const SIGNATURE_LINE_PREFIX: &str = "ikdsig1 ";
/// Largest trust list file accepted: 4 MiB.
pub const MAX_TRUST_LIST_BYTES: usize = 4 << 20;
/// Most issuer keys in one list.
pub const MAX_TRUST_LIST_ENTRIES: usize = 10_000;
/// Most region codes in one entry's scope.
pub const MAX_SCOPE_CODES: usize = 1_000;
/// Most signatures on a list, and most keys in `next_roots`.
pub const MAX_ROOTS: usize = 4;
/// Longest issuer name, in characters.
pub const MAX_ISSUER_NAME_CHARS: usize = 120;

const MAX_SEQUENCE: u64 = (1 << 53) - 1;
/// 9999-12-31T23:59:59Z: the last time RFC 3339 can write with a four-digit year.
const MAX_UNIX: i64 = 253_402_300_799;

// ---------------------------------------------------------------------------------------
// Errors.

/// Errors from reading, building or updating a trust list. Every variant has a stable code
/// ([`TrustListError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// The file is larger than [`MAX_TRUST_LIST_BYTES`].
    #[error("the trust list is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Bytes received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The file or its JSON body does not have the required shape.
    #[error("the trust list is malformed: {0}")]
    Malformed(String),
    /// The body is valid but not in its one canonical form.
    #[error("the trust list body is not in canonical form")]
    NonCanonical,
    /// The body's `version` is not one this library reads.
    #[error("trust list version {0} is not supported")]
    UnsupportedVersion(u64),
    /// No signature on the list is by a pinned root key.
    #[error("the trust list is not signed by any pinned root key")]
    UnknownRoot,
    /// A signature by a pinned root key does not verify (strict Ed25519).
    #[error("a trust list signature by a pinned root key is not valid")]
    BadSignature,
    /// An issuer entry breaks a rule.
    #[error("trust list entry {index}: {reason}")]
    BadEntry {
        /// 0-based entry, in the order of the file (or of addition to a builder).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The same issuer public key is listed twice.
    #[error("trust list entry {index}: the public key is listed twice")]
    DuplicateKey {
        /// 0-based entry.
        index: usize,
    },
    /// A count or length is over its cap (entries, scope codes, roots, name length).
    #[error("the trust list exceeds a limit: {0}")]
    LimitExceeded(&'static str),
    /// The newer list has a lower sequence number (a rollback to an older list).
    #[error("the new trust list has sequence {new}, older than the current {old}")]
    Rollback {
        /// Sequence of the list held.
        old: u64,
        /// Sequence of the list offered.
        new: u64,
    },
    /// The newer list has the same sequence number but different contents.
    #[error("sequence {sequence} was reused for a different trust list")]
    SequenceReused {
        /// The sequence number.
        sequence: u64,
    },
    /// The newer list was issued before the list held.
    #[error("the new trust list was issued before the current one")]
    IssuedAtBackwards,
    /// The newer list drops a compromised key, marks it not compromised, or moves its
    /// compromise date later. A compromise is final, like a revocation.
    #[error("the new trust list lifts the compromise of key {key_id}")]
    CompromiseLifted {
        /// The key's id.
        key_id: KeyId,
    },
    /// A builder was asked to sign with no root key.
    #[error("a trust list needs at least one signing root key")]
    NoSigningKey,
}

impl TrustListError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustListError::TooLarge { .. } => "trust_list_too_large",
            TrustListError::Malformed(_) => "trust_list_malformed",
            TrustListError::NonCanonical => "trust_list_noncanonical",
            TrustListError::UnsupportedVersion(_) => "trust_list_unsupported_version",
            TrustListError::UnknownRoot => "trust_list_unknown_root",
            TrustListError::BadSignature => "trust_list_bad_signature",
            TrustListError::BadEntry { .. } => "trust_list_bad_entry",
            TrustListError::DuplicateKey { .. } => "trust_list_duplicate_key",
            TrustListError::LimitExceeded(_) => "trust_list_limit_exceeded",
            TrustListError::Rollback { .. } => "trust_list_rollback",
            TrustListError::SequenceReused { .. } => "trust_list_sequence_reused",
            TrustListError::IssuedAtBackwards => "trust_list_issued_at_backwards",
            TrustListError::CompromiseLifted { .. } => "trust_list_compromise_lifted",
            TrustListError::NoSigningKey => "trust_list_no_signing_key",
        }
    }
}

/// Why a scope could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// No codes were given (use [`Scope::all`], written `"*"`, for everywhere).
    #[error("a scope needs at least one region code, or \"*\" for everywhere")]
    Empty,
    /// `"*"` was combined with region codes.
    #[error("\"*\" must be the only entry of a scope")]
    MixedAll,
    /// A code is not 2, 4 or 6 digits (optionally written with dots, as `36.04.05`).
    #[error("region code {0:?} is not 2, 4 or 6 digits")]
    BadCode(String),
    /// A code's first two digits are not a province code.
    #[error("region code {0:?} does not start with a province code")]
    UnknownProvince(String),
    /// More than [`MAX_SCOPE_CODES`] codes.
    #[error("a scope has at most 1000 region codes")]
    TooMany,
}

impl ScopeError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ScopeError::Empty => "scope_empty",
            ScopeError::MixedAll => "scope_mixed_all",
            ScopeError::BadCode(_) => "scope_bad_code",
            ScopeError::UnknownProvince(_) => "scope_unknown_province",
            ScopeError::TooMany => "scope_too_many",
        }
    }
}

/// Why an issuer key may not vouch for a credential (see
/// [`TrustListEntry::check_issuance`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssuanceProblem {
    /// The key was compromised at or before the credential's issue time.
    #[error("issued after the issuer key was compromised ({since})")]
    IssuedAfterCompromise {
        /// The compromise date in the trust list.
        since: Timestamp,
    },
    /// Issued before the key's validity window began.
    #[error("issued before the issuer key became valid")]
    IssuedBeforeKeyValid,
    /// Issued after the key's validity window ended.
    #[error("issued after the issuer key expired")]
    IssuedAfterKeyExpired,
    /// Issued at or after the key was retired.
    #[error("issued after the issuer key was retired ({since})")]
    IssuedAfterRetirement {
        /// The retirement date in the trust list.
        since: Timestamp,
    },
    /// The NIK's region is outside the regions the key may issue for.
    #[error("the issuer key may not issue for this NIK's region")]
    OutOfScope,
}

impl IssuanceProblem {
    /// Stable machine-readable code. The window codes are the verifier's existing
    /// `key_*_at_issuance` codes.
    pub fn code(&self) -> &'static str {
        match self {
            IssuanceProblem::IssuedAfterCompromise { .. } => "key_compromised_at_issuance",
            IssuanceProblem::IssuedBeforeKeyValid => "key_not_yet_valid_at_issuance",
            IssuanceProblem::IssuedAfterKeyExpired => "key_expired_at_issuance",
            IssuanceProblem::IssuedAfterRetirement { .. } => "key_retired_at_issuance",
            IssuanceProblem::OutOfScope => "issuer_out_of_scope",
        }
    }
}

fn malformed(what: impl Into<String>) -> TrustListError {
    TrustListError::Malformed(what.into())
}

fn bad_entry(index: usize, reason: impl Into<String>) -> TrustListError {
    TrustListError::BadEntry { index, reason: reason.into() }
}

// ---------------------------------------------------------------------------------------
// Scope, status, entry.

/// The regions an issuer key may issue for: everywhere (`"*"`), or a set of region codes
/// that are prefixes of the NIK (2 digits = province, 4 = regency/city, 6 = district).
///
/// An empty scope does not exist: "everywhere" must be written explicitly.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Empty means everywhere; otherwise sorted, without duplicates and without a code
    /// covered by a shorter one.
    codes: Vec<String>,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.to_strings().join(","))
    }
}

impl Scope {
    /// Everywhere (`"*"`).
    pub fn all() -> Scope {
        Scope { codes: Vec::new() }
    }

    /// A set of region codes: NIK prefixes of 2, 4 or 6 digits, or the same kode wilayah
    /// written with dots (`36`, `36.04`, `36.04.05`). The list is normalised: sorted,
    /// duplicates and codes covered by a shorter code removed. A single `"*"` is
    /// [`Scope::all`].
    pub fn regions<I, S>(codes: I) -> Result<Scope, ScopeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        let mut all = false;
        for (n, code) in codes.into_iter().enumerate() {
            if n >= MAX_SCOPE_CODES {
                return Err(ScopeError::TooMany);
            }
            let code = code.as_ref();
            if code == "*" {
                all = true;
                continue;
            }
            out.push(normalise_code(code)?);
        }
        match (all, out.is_empty()) {
            (true, true) => return Ok(Scope::all()),
            (true, false) => return Err(ScopeError::MixedAll),
            (false, true) => return Err(ScopeError::Empty),
            (false, false) => {}
        }
        out.sort();
        out.dedup();
        let mut kept: Vec<String> = Vec::with_capacity(out.len());
        for c in out {
            // Sorted order puts a covering prefix before everything it covers.
            if !kept.iter().any(|k| c.starts_with(k.as_str())) {
                kept.push(c);
            }
        }
        Ok(Scope { codes: kept })
    }

    /// Whether the scope is everywhere.
    pub fn is_all(&self) -> bool {
        self.codes.is_empty()
    }

    /// The region codes (digits only); empty for [`Scope::all`].
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// Whether a credential for this NIK is within the scope: the NIK starts with one of
    /// the codes.
    ///
    /// The NIK's digits name the region of *first registration*, which a resident keeps
    /// after moving; see `docs/TRUST-AND-STATUS.md` on choosing scopes.
    pub fn allows(&self, nik: &Nik) -> bool {
        if self.is_all() {
            return true;
        }
        let prefix = nik.region_prefix();
        self.codes.iter().any(|c| prefix.starts_with(c.as_str()))
    }

    fn to_strings(&self) -> Vec<String> {
        if self.is_all() { vec!["*".to_owned()] } else { self.codes.clone() }
    }
}

fn normalise_code(code: &str) -> Result<String, ScopeError> {
    let bad = || ScopeError::BadCode(code.chars().take(20).collect());
    let digits: String = if code.contains('.') {
        let parts: Vec<&str> = code.split('.').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
            return Err(bad());
        }
        parts.concat()
    } else {
        code.to_owned()
    };
    if !matches!(digits.len(), 2 | 4 | 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let province: u8 = digits.get(..2).and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if !PROVINCES.iter().any(|(c, _)| *c == province) {
        return Err(ScopeError::UnknownProvince(digits));
    }
    Ok(digits)
}

/// The lifecycle state of an issuer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyStatus {
    /// In use.
    Active,
    /// No longer issuing since `since`; credentials issued before `since` stay valid.
    Retired {
        /// When the key stopped issuing.
        since: Timestamp,
    },
    /// Compromised, as far as is known, from `since`: credentials issued at or after it are
    /// rejected. Because whoever holds a stolen key can backdate `issued_at`, `since` must be
    /// the earliest time the key may have been exposed (see `docs/TRUST-AND-STATUS.md`).
    Compromised {
        /// The earliest time the key may have been exposed.
        since: Timestamp,
    },
}

impl KeyStatus {
    /// `active`, `retired` or `compromised` (as in the file).
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Retired { .. } => "retired",
            KeyStatus::Compromised { .. } => "compromised",
        }
    }

    /// The date of a retirement or compromise.
    pub fn since(&self) -> Option<Timestamp> {
        match self {
            KeyStatus::Active => None,
            KeyStatus::Retired { since } | KeyStatus::Compromised { since } => Some(*since),
        }
    }
}

/// One issuer key in a trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrustListEntry {
    /// Human-readable issuer name, e.g. `DISDUKCAPIL KABUPATEN SERANG`: 1 to 120 printable
    /// ASCII characters other than `"` and `\`, without leading, trailing or doubled spaces.
    pub name: String,
    /// The issuer key.
    pub public_key: PublicKey,
    /// Credentials issued before this are rejected.
    pub not_before: Timestamp,
    /// Credentials issued after this are rejected. (The window is about *issue* time:
    /// a key past `not_after` still verifies what it issued inside the window.)
    pub not_after: Timestamp,
    /// Active, retired or compromised.
    pub status: KeyStatus,
    /// The regions the key may issue for.
    pub scope: Scope,
    /// A separate key that signs this key's status list, if the issuer keeps the issuing
    /// key offline (or has retired it). `None`: the issuer key signs it itself.
    pub status_key: Option<PublicKey>,
}

impl TrustListEntry {
    /// An active entry without a separate status key.
    pub fn new(
        name: impl Into<String>,
        public_key: PublicKey,
        not_before: Timestamp,
        not_after: Timestamp,
        scope: Scope,
    ) -> TrustListEntry {
        TrustListEntry {
            name: name.into(),
            public_key,
            not_before,
            not_after,
            status: KeyStatus::Active,
            scope,
            status_key: None,
        }
    }

    /// The key id.
    pub fn key_id(&self) -> KeyId {
        self.public_key.key_id()
    }

    /// The key that signs this issuer key's status list.
    pub fn status_signing_key(&self) -> &PublicKey {
        self.status_key.as_ref().unwrap_or(&self.public_key)
    }

    /// Whether this key may vouch for a credential issued at `issued_at` for `nik`. Checks,
    /// in order: compromise (issued at or after the compromise date), the validity window,
    /// retirement (issued at or after the retirement date), then the scope.
    ///
    /// Keys do not expire for verification: a credential issued inside the window stays
    /// verifiable after `not_after`.
    pub fn check_issuance(&self, issued_at: Timestamp, nik: &Nik) -> Result<(), IssuanceProblem> {
        self.check_issuance_time(issued_at)?;
        if !self.scope.allows(nik) {
            return Err(IssuanceProblem::OutOfScope);
        }
        Ok(())
    }

    /// [`TrustListEntry::check_issuance`] without the scope, for presentations that withhold
    /// the NIK: compromise, window and retirement only.
    pub fn check_issuance_time(&self, issued_at: Timestamp) -> Result<(), IssuanceProblem> {
        if let KeyStatus::Compromised { since } = self.status
            && issued_at >= since
        {
            return Err(IssuanceProblem::IssuedAfterCompromise { since });
        }
        if issued_at < self.not_before {
            return Err(IssuanceProblem::IssuedBeforeKeyValid);
        }
        if issued_at > self.not_after {
            return Err(IssuanceProblem::IssuedAfterKeyExpired);
        }
        if let KeyStatus::Retired { since } = self.status
            && issued_at >= since
        {
            return Err(IssuanceProblem::IssuedAfterRetirement { since });
        }
        Ok(())
    }

    /// This entry as a [`TrustedIssuer`] for the existing [`crate::Verifier`]: the window
    /// ends just before a retirement or compromise date. The scope and the reason for a
    /// shortened window are lost; use [`TrustListEntry::check_issuance`] for those.
    pub fn to_trusted_issuer(&self) -> TrustedIssuer {
        let not_after = match self.status.since() {
            Some(since) => self.not_after.min(since.plus(-1)),
            None => self.not_after,
        };
        TrustedIssuer { name: self.name.clone(), public_key: self.public_key, not_before: self.not_before, not_after }
    }

    fn validate(&self, index: usize) -> Result<(), TrustListError> {
        check_name(&self.name).map_err(|r| bad_entry(index, r))?;
        for (field, t) in [("not_before", self.not_before), ("not_after", self.not_after)] {
            check_time(t).map_err(|_| bad_entry(index, format!("`{field}` is out of range")))?;
        }
        if let Some(since) = self.status.since() {
            check_time(since).map_err(|_| bad_entry(index, "`since` is out of range"))?;
        }
        if self.not_after < self.not_before {
            return Err(bad_entry(index, "`not_after` is before `not_before`"));
        }
        if self.scope.codes.len() > MAX_SCOPE_CODES {
            return Err(TrustListError::LimitExceeded("scope codes per entry"));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.chars().count() > MAX_ISSUER_NAME_CHARS {
        return Err("`name` must be 1 to 120 characters");
    }
    if !name.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\') {
        return Err("`name` must be printable ASCII without `\"` or `\\`");
    }
    if name.starts_with(' ') || name.ends_with(' ') || name.contains("  ") {
        return Err("`name` has leading, trailing or doubled spaces");
    }
    Ok(())
}

fn check_time(t: Timestamp) -> Result<(), ()> {
    if (0..=MAX_UNIX).contains(&t.unix()) { Ok(()) } else { Err(()) }
}

// ---------------------------------------------------------------------------------------
// The JSON body.

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyFile {
    entries: Vec<EntryFile>,
    issued_at: String,
    next_roots: Vec<String>,
    next_update: String,
    sequence: u64,
    version: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    key_id: String,
    name: String,
    not_after: String,
    not_before: String,
    public_key: String,
    scope: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_key: Option<String>,
}

#[derive(Deserialize)]
struct VersionOnly {
    version: u64,
}

/// A verified trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    sequence: u64,
    issued_at: Timestamp,
    next_update: Timestamp,
    entries: Vec<TrustListEntry>,
    /// The entries' key ids, in the same (ascending) order, for binary search.
    ids: Vec<KeyId>,
    next_roots: Vec<PublicKey>,
    signed_by: Vec<PublicKey>,
}

fn entry_order(e: &TrustListEntry) -> (String, String) {
    (e.key_id().to_string(), e.public_key.to_text())
}

impl TrustList {
    /// Verifies a trust list file against the pinned root keys and parses it.
    ///
    /// Checks, in order: the size cap; the envelope (body line, 1 to 4 signature lines,
    /// sorted by key, each key at most once); that at least one signature is by a key in
    /// `roots` ([`TrustListError::UnknownRoot`] otherwise) and that every signature by a key
    /// in `roots` verifies strictly over `"IKD1 trust list\0" || body` exactly as received
    /// ([`TrustListError::BadSignature`]); then the version, the schema and every rule; and
    /// last that the body is in its canonical form.
    pub fn verify(bytes: &[u8], roots: &[PublicKey]) -> Result<TrustList, TrustListError> {
        if bytes.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustListError::TooLarge { len: bytes.len(), max: MAX_TRUST_LIST_BYTES });
        }
        let newline = bytes.iter().position(|b| *b == b'\n').ok_or_else(|| malformed("no signature line"))?;
        let (body, rest) = bytes.split_at(newline);
        let rest = rest.get(1..).unwrap_or(&[]);
        let signatures = parse_signature_lines(rest)?;
        let mut message = Vec::with_capacity(TRUST_LIST_TAG.len() + body.len());
        message.extend_from_slice(TRUST_LIST_TAG);
        message.extend_from_slice(body);
        let mut signed_by = Vec::new();
        for (key, signature) in &signatures {
            if roots.contains(key) {
                if !crate::keys::verify_signature_strict(key, &message, signature) {
                    return Err(TrustListError::BadSignature);
                }
                signed_by.push(*key);
            }
        }
        if signed_by.is_empty() {
            return Err(TrustListError::UnknownRoot);
        }
        let version: VersionOnly =
            serde_json::from_slice(body).map_err(|e| malformed(format!("body is not the expected JSON: {e}")))?;
        if version.version != TRUST_LIST_VERSION {
            return Err(TrustListError::UnsupportedVersion(version.version));
        }
        let file: BodyFile =
            serde_json::from_slice(body).map_err(|e| malformed(format!("body is not the expected JSON: {e}")))?;
        let mut list = TrustList::from_file(file)?;
        if list.body_bytes()? != body {
            return Err(TrustListError::NonCanonical);
        }
        list.signed_by = signed_by;
        Ok(list)
    }

    /// Verifies a list offered to replace `current`: it must be signed by one of
    /// `current`'s [`TrustList::next_roots`], and pass [`TrustList::check_successor`].
    pub fn verify_successor(bytes: &[u8], current: &TrustList) -> Result<TrustList, TrustListError> {
        let new = TrustList::verify(bytes, &current.next_roots)?;
        TrustList::check_successor(current, &new)?;
        Ok(new)
    }

    /// Whether `new` may replace `old`: a sequence number at least as high (equal only for
    /// the same contents), not issued earlier, and every key compromised in `old` still
    /// listed as compromised in `new`, from the same date or earlier.
    ///
    /// It does not check who signed `new`; [`TrustList::verify_successor`] does.
    pub fn check_successor(old: &TrustList, new: &TrustList) -> Result<(), TrustListError> {
        if new.sequence < old.sequence {
            return Err(TrustListError::Rollback { old: old.sequence, new: new.sequence });
        }
        if new.sequence == old.sequence {
            return if new.same_contents(old) {
                Ok(())
            } else {
                Err(TrustListError::SequenceReused { sequence: new.sequence })
            };
        }
        if new.issued_at < old.issued_at {
            return Err(TrustListError::IssuedAtBackwards);
        }
        for e in &old.entries {
            if let KeyStatus::Compromised { since } = e.status {
                let kept = new.entry(&e.public_key).is_some_and(
                    |n| matches!(n.status, KeyStatus::Compromised { since: new_since } if new_since <= since),
                );
                if !kept {
                    return Err(TrustListError::CompromiseLifted { key_id: e.key_id() });
                }
            }
        }
        Ok(())
    }

    fn same_contents(&self, other: &TrustList) -> bool {
        self.sequence == other.sequence
            && self.issued_at == other.issued_at
            && self.next_update == other.next_update
            && self.entries == other.entries
            && self.next_roots == other.next_roots
    }

    /// The sequence number: higher is newer.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When the list was made.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// When the root authority plans to publish the next list. It is a refresh hint, not an
    /// expiry: see [`TrustList::freshness`].
    pub fn next_update(&self) -> Timestamp {
        self.next_update
    }

    /// Every issuer key, sorted by key id then public key.
    pub fn entries(&self) -> &[TrustListEntry] {
        &self.entries
    }

    /// The entries whose key id matches (usually one; ids are short and may collide, so
    /// try each).
    pub fn lookup(&self, key_id: KeyId) -> impl Iterator<Item = &TrustListEntry> {
        let start = self.ids.partition_point(|id| *id < key_id);
        let end = start + self.ids.get(start..).unwrap_or(&[]).partition_point(|id| *id == key_id);
        self.entries.get(start..end).unwrap_or(&[]).iter()
    }

    /// The entry for this exact key.
    pub fn entry(&self, key: &PublicKey) -> Option<&TrustListEntry> {
        self.lookup(key.key_id()).find(|e| e.public_key == *key)
    }

    /// The root keys that may sign the next list (the complete set: a verifier replaces its
    /// pinned roots with these after accepting this list).
    pub fn next_roots(&self) -> &[PublicKey] {
        &self.next_roots
    }

    /// The pinned root keys whose signatures on this list were verified.
    pub fn signed_by(&self) -> &[PublicKey] {
        &self.signed_by
    }

    /// How fresh the list is at `now` under `policy`: fresh until the earlier of
    /// `next_update` and `issued_at + policy.trust_fresh_secs`, then in grace for
    /// `policy.trust_grace_secs`.
    pub fn freshness(&self, now: Timestamp, policy: &FreshnessPolicy) -> Freshness {
        let until_next = self.next_update.unix().saturating_sub(self.issued_at.unix());
        staleness(self.issued_at, now, until_next.min(policy.trust_fresh_secs), policy.trust_grace_secs)
    }

    /// The entries as a [`TrustStore`] for the existing [`crate::Verifier`] (see
    /// [`TrustListEntry::to_trusted_issuer`] for what is lost).
    pub fn to_trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        for e in &self.entries {
            store.add(e.to_trusted_issuer());
        }
        store
    }

    fn from_file(file: BodyFile) -> Result<TrustList, TrustListError> {
        let time = |s: &str, field: &str| {
            Timestamp::parse_rfc3339(s)
                .filter(|t| check_time(*t).is_ok())
                .ok_or_else(|| malformed(format!("`{field}` is not an RFC 3339 time")))
        };
        let issued_at = time(&file.issued_at, "issued_at")?;
        let next_update = time(&file.next_update, "next_update")?;
        if file.next_roots.is_empty() || file.next_roots.len() > MAX_ROOTS {
            return Err(malformed("`next_roots` must hold 1 to 4 keys"));
        }
        let mut next_roots = Vec::with_capacity(file.next_roots.len());
        for k in &file.next_roots {
            next_roots.push(PublicKey::from_text(k).map_err(|e| malformed(format!("`next_roots`: {e}")))?);
        }
        if file.entries.len() > MAX_TRUST_LIST_ENTRIES {
            return Err(TrustListError::LimitExceeded("entries"));
        }
        let mut entries = Vec::with_capacity(file.entries.len());
        for (index, e) in file.entries.into_iter().enumerate() {
            entries.push(entry_from_file(index, e)?);
        }
        TrustList::assemble(sequence_checked(file.sequence)?, issued_at, next_update, entries, next_roots)
    }

    /// Validates and normalises the parts of a list (shared by parsing and building).
    fn assemble(
        sequence: u64,
        issued_at: Timestamp,
        next_update: Timestamp,
        mut entries: Vec<TrustListEntry>,
        mut next_roots: Vec<PublicKey>,
    ) -> Result<TrustList, TrustListError> {
        check_time(issued_at).map_err(|_| malformed("`issued_at` is out of range"))?;
        check_time(next_update).map_err(|_| malformed("`next_update` is out of range"))?;
        if next_update <= issued_at {
            return Err(malformed("`next_update` must be after `issued_at`"));
        }
        if entries.len() > MAX_TRUST_LIST_ENTRIES {
            return Err(TrustListError::LimitExceeded("entries"));
        }
        if next_roots.is_empty() || next_roots.len() > MAX_ROOTS {
            return Err(malformed("`next_roots` must hold 1 to 4 keys"));
        }
        for (index, e) in entries.iter_mut().enumerate() {
            e.validate(index)?;
            if e.status_key.as_ref() == Some(&e.public_key) {
                e.status_key = None;
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        for (index, e) in entries.iter().enumerate() {
            if !seen.insert(*e.public_key.as_bytes()) {
                return Err(TrustListError::DuplicateKey { index });
            }
        }
        entries.sort_by_cached_key(entry_order);
        next_roots.sort_by_cached_key(PublicKey::to_text);
        next_roots.dedup();
        let ids = entries.iter().map(TrustListEntry::key_id).collect();
        Ok(TrustList { sequence, issued_at, next_update, entries, ids, next_roots, signed_by: Vec::new() })
    }

    /// The canonical body bytes.
    fn body_bytes(&self) -> Result<Vec<u8>, TrustListError> {
        let file = BodyFile {
            entries: self
                .entries
                .iter()
                .map(|e| EntryFile {
                    key_id: e.key_id().to_string(),
                    name: e.name.clone(),
                    not_after: e.not_after.to_string(),
                    not_before: e.not_before.to_string(),
                    public_key: e.public_key.to_text(),
                    scope: e.scope.to_strings(),
                    since: e.status.since().map(|t| t.to_string()),
                    status: e.status.as_str().to_owned(),
                    status_key: e.status_key.map(|k| k.to_text()),
                })
                .collect(),
            issued_at: self.issued_at.to_string(),
            next_roots: self.next_roots.iter().map(PublicKey::to_text).collect(),
            next_update: self.next_update.to_string(),
            sequence: self.sequence,
            version: TRUST_LIST_VERSION,
        };
        serde_json::to_vec(&file).map_err(|e| malformed(e.to_string()))
    }
}

fn sequence_checked(s: u64) -> Result<u64, TrustListError> {
    if s > MAX_SEQUENCE { Err(malformed("`sequence` is above 2^53 - 1")) } else { Ok(s) }
}

fn entry_from_file(index: usize, e: EntryFile) -> Result<TrustListEntry, TrustListError> {
    let public_key = PublicKey::from_text(&e.public_key).map_err(|err| bad_entry(index, err.to_string()))?;
    if !e.key_id.eq_ignore_ascii_case(&public_key.key_id().to_string()) {
        return Err(bad_entry(index, "`key_id` does not match the public key"));
    }
    let time = |s: &str, field: &str| {
        Timestamp::parse_rfc3339(s)
            .filter(|t| check_time(*t).is_ok())
            .ok_or_else(|| bad_entry(index, format!("`{field}` is not an RFC 3339 time")))
    };
    let not_before = time(&e.not_before, "not_before")?;
    let not_after = time(&e.not_after, "not_after")?;
    let since = e.since.as_deref().map(|s| time(s, "since")).transpose()?;
    let status = match (e.status.as_str(), since) {
        ("active", None) => KeyStatus::Active,
        ("retired", Some(since)) => KeyStatus::Retired { since },
        ("compromised", Some(since)) => KeyStatus::Compromised { since },
        ("active", Some(_)) => return Err(bad_entry(index, "an active key has no `since`")),
        ("retired" | "compromised", None) => return Err(bad_entry(index, "`since` is missing")),
        _ => return Err(bad_entry(index, "`status` must be active, retired or compromised")),
    };
    if e.scope.len() > MAX_SCOPE_CODES {
        return Err(TrustListError::LimitExceeded("scope codes per entry"));
    }
    let scope = Scope::regions(&e.scope).map_err(|err| bad_entry(index, err.to_string()))?;
    let status_key = e
        .status_key
        .as_deref()
        .map(PublicKey::from_text)
        .transpose()
        .map_err(|err| bad_entry(index, format!("`status_key`: {err}")))?;
    Ok(TrustListEntry { name: e.name, public_key, not_before, not_after, status, scope, status_key })
}

/// Parses the signature lines: 1 to [`MAX_ROOTS`], sorted by key text, distinct keys.
fn parse_signature_lines(rest: &[u8]) -> Result<Vec<(PublicKey, [u8; 64])>, TrustListError> {
    let text = std::str::from_utf8(rest).map_err(|_| malformed("signature lines are not ASCII"))?;
    let Some(text) = text.strip_suffix('\n') else {
        return Err(malformed("the file must end with a newline after the last signature line"));
    };
    let mut out: Vec<(PublicKey, [u8; 64])> = Vec::new();
    let mut last_key: Option<String> = None;
    for line in text.split('\n') {
        if out.len() >= MAX_ROOTS {
            return Err(TrustListError::LimitExceeded("signatures"));
        }
        let body = line.strip_prefix(SIGNATURE_LINE_PREFIX).ok_or_else(|| malformed("bad signature line"))?;
        let (key_text, sig_text) = body.split_once(' ').ok_or_else(|| malformed("bad signature line"))?;
        let key = PublicKey::from_text(key_text).map_err(|e| malformed(format!("signature line key: {e}")))?;
        if key.to_text() != key_text {
            return Err(malformed("signature line key is not written as ikdpk1:<base64url>"));
        }
        let sig_bytes = URL_SAFE_NO_PAD.decode(sig_text).map_err(|_| malformed("signature is not base64url"))?;
        let sig: [u8; 64] = sig_bytes.try_into().map_err(|_| malformed("signature is not 64 bytes"))?;
        if URL_SAFE_NO_PAD.encode(sig) != sig_text {
            return Err(malformed("signature is not canonical base64url"));
        }
        if last_key.as_deref().is_some_and(|l| l >= key_text) {
            return Err(malformed("signature lines must be sorted by key, each key once"));
        }
        last_key = Some(key_text.to_owned());
        out.push((key, sig));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Building and signing.

#[cfg(feature = "issue")]
pub use builder::TrustListBuilder;

#[cfg(feature = "issue")]
mod builder {
    use super::*;
    use crate::keys::SecretKey;

    /// Builds and signs trust lists (feature `issue`).
    #[derive(Debug, Clone)]
    pub struct TrustListBuilder {
        sequence: u64,
        issued_at: Timestamp,
        next_update: Timestamp,
        entries: Vec<TrustListEntry>,
        next_roots: Vec<PublicKey>,
    }

    impl TrustListBuilder {
        /// An empty list. `sequence` must be higher than the last published list's.
        pub fn new(sequence: u64, issued_at: Timestamp, next_update: Timestamp) -> TrustListBuilder {
            TrustListBuilder { sequence, issued_at, next_update, entries: Vec::new(), next_roots: Vec::new() }
        }

        /// The entries and next roots of a published list, for its successor.
        pub fn from_list(
            list: &TrustList,
            sequence: u64,
            issued_at: Timestamp,
            next_update: Timestamp,
        ) -> TrustListBuilder {
            TrustListBuilder {
                sequence,
                issued_at,
                next_update,
                entries: list.entries.clone(),
                next_roots: list.next_roots.clone(),
            }
        }

        /// Adds an issuer key; fails on an invalid entry or a key already present.
        pub fn add(&mut self, entry: TrustListEntry) -> Result<&mut Self, TrustListError> {
            let index = self.entries.len();
            entry.validate(index)?;
            if self.entries.iter().any(|e| e.public_key == entry.public_key) {
                return Err(TrustListError::DuplicateKey { index });
            }
            self.entries.push(entry);
            Ok(self)
        }

        /// The entry for a key, to retire it, mark it compromised or change its scope.
        pub fn entry_mut(&mut self, key: &PublicKey) -> Option<&mut TrustListEntry> {
            self.entries.iter_mut().find(|e| e.public_key == *key)
        }

        /// Removes a key's entry (never do this for a compromised key: successors must keep
        /// it, see [`TrustList::check_successor`]).
        pub fn remove(&mut self, key: &PublicKey) -> Option<TrustListEntry> {
            let i = self.entries.iter().position(|e| e.public_key == *key)?;
            Some(self.entries.remove(i))
        }

        /// Sets the complete set of roots that may sign the next list. By default (when never
        /// set, or set empty) it is the keys this list is signed with.
        pub fn next_roots(&mut self, roots: &[PublicKey]) -> &mut Self {
            self.next_roots = roots.to_vec();
            self
        }

        /// Encodes and signs the list with each root key (one signature line each; during a
        /// root rotation, sign with both the old and the new root).
        pub fn sign(&self, roots: &[&SecretKey]) -> Result<Vec<u8>, TrustListError> {
            if roots.is_empty() {
                return Err(TrustListError::NoSigningKey);
            }
            if roots.len() > MAX_ROOTS {
                return Err(TrustListError::LimitExceeded("signatures"));
            }
            let signer_keys: Vec<PublicKey> = roots.iter().map(|k| k.public_key()).collect();
            let next_roots = if self.next_roots.is_empty() { signer_keys.clone() } else { self.next_roots.clone() };
            let list = TrustList::assemble(
                sequence_checked(self.sequence)?,
                self.issued_at,
                self.next_update,
                self.entries.clone(),
                next_roots,
            )?;
            let body = list.body_bytes()?;
            let mut message = Vec::with_capacity(TRUST_LIST_TAG.len() + body.len());
            message.extend_from_slice(TRUST_LIST_TAG);
            message.extend_from_slice(&body);
            let mut lines: Vec<(String, String)> =
                roots.iter().map(|k| (k.public_key().to_text(), URL_SAFE_NO_PAD.encode(k.sign(&message)))).collect();
            lines.sort();
            lines.dedup_by(|a, b| a.0 == b.0);
            let mut out = body;
            out.push(b'\n');
            for (key, sig) in lines {
                out.extend_from_slice(format!("{SIGNATURE_LINE_PREFIX}{key} {sig}\n").as_bytes());
            }
            // Self-check: what we publish must be what verifiers accept.
            TrustList::verify(&out, &signer_keys)?;
            Ok(out)
        }
    }
}

impl TrustListError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            TrustListError::TooLarge { len, max } => format!("daftar penerbit {len} byte, melebihi batas {max}"),
            TrustListError::Malformed(m) => format!("daftar penerbit rusak atau bukan daftar penerbit IKD: {m}"),
            TrustListError::NonCanonical => "isi daftar penerbit tidak dalam bentuk kanonik".into(),
            TrustListError::UnsupportedVersion(v) => format!("versi daftar penerbit {v} tidak didukung"),
            TrustListError::UnknownRoot => "daftar penerbit tidak ditandatangani kunci akar yang dipercaya".into(),
            TrustListError::BadSignature => {
                "tanda tangan kunci akar pada daftar penerbit tidak sah (isi diubah atau palsu)".into()
            }
            TrustListError::BadEntry { index, reason } => format!("penerbit ke-{}: {reason}", index + 1),
            TrustListError::DuplicateKey { index } => {
                format!("penerbit ke-{}: kunci publik yang sama tercantum dua kali", index + 1)
            }
            TrustListError::LimitExceeded(what) => format!("daftar penerbit melebihi batas: {what}"),
            TrustListError::Rollback { old, new } => {
                format!("daftar baru bernomor urut {new}, lebih lama dari daftar yang dipegang ({old})")
            }
            TrustListError::SequenceReused { sequence } => {
                format!("nomor urut {sequence} dipakai lagi untuk daftar yang berbeda")
            }
            TrustListError::IssuedAtBackwards => "daftar baru dibuat sebelum daftar yang dipegang".into(),
            TrustListError::CompromiseLifted { key_id } => {
                format!("daftar baru mencabut status bocor kunci {key_id} (status bocor bersifat final)")
            }
            TrustListError::NoSigningKey => "perlu sedikitnya satu kunci akar untuk menandatangani".into(),
        }
    }
}

impl ScopeError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ScopeError::Empty => "wilayah kosong; tulis kode wilayah, atau \"*\" untuk semua wilayah".into(),
            ScopeError::MixedAll => "\"*\" harus satu-satunya isi wilayah".into(),
            ScopeError::BadCode(c) => format!("kode wilayah {c:?} bukan 2, 4 atau 6 angka"),
            ScopeError::UnknownProvince(c) => format!("kode wilayah {c:?} tidak diawali kode provinsi"),
            ScopeError::TooMany => "paling banyak 1000 kode wilayah".into(),
        }
    }
}

crate::lang::user_error!(TrustListError, ScopeError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn scope_normalises() {
        let s = Scope::regions(["3604", "36.04.05", "36", "11"]).unwrap();
        assert_eq!(s.codes(), ["11", "36"]);
        assert_eq!(Scope::regions(["*"]).unwrap(), Scope::all());
        assert_eq!(Scope::regions(["*", "36"]), Err(ScopeError::MixedAll));
        assert_eq!(Scope::regions(Vec::<String>::new()), Err(ScopeError::Empty));
        assert_eq!(Scope::regions(["360"]).unwrap_err().code(), "scope_bad_code");
        assert_eq!(Scope::regions(["36.4"]).unwrap_err().code(), "scope_bad_code");
        assert_eq!(Scope::regions(["20"]).unwrap_err().code(), "scope_unknown_province");
        assert_eq!(Scope::regions(["3a"]).unwrap_err().code(), "scope_bad_code");
    }

    #[test]
    fn names() {
        assert!(check_name("DISDUKCAPIL KABUPATEN SERANG").is_ok());
        for bad in ["", " A", "A ", "A  B", "A\"B", "A\\B", "Ä", "A\nB"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
