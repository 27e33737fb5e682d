//! # ikd-core
//!
//! The IKD (Identitas Kependudukan Digital) credential: its QR text format, issuing, and
//! fully offline verification.
//!
//! * [`Claims`] is a resident's KTP-el record, parsed into types from the claims JSON.
//! * `Issuer` (feature `issue`) signs claims into credential text (`IKD1:` + Base45).
//! * [`Verifier`] checks a credential text against a [`TrustStore`] and a [`Clock`], and
//!   returns a [`Verification`]: VALID with a [`VerifiedCredential`], INVALID or
//!   UNDETERMINED with a stable reason code, and a [`Report`] of every check.
//! * `render` (feature `render`) draws QR codes; `scan` (feature `scan`) reads them from
//!   photos; `photo` (feature `photo`) makes face thumbnails.
//!
//! The byte-level format is specified in `docs/FORMAT.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The encoder is only reachable through `Issuer`, behind the `issue` feature.
#![cfg_attr(not(feature = "issue"), allow(dead_code))]

mod claims;
mod clock;
pub mod codes;
mod credential;
mod error;
pub mod format;
mod freshness;
mod keys;
mod lang;
mod nik;
mod present;
mod reason;
mod report;
pub mod status;
mod trust_store;
pub mod trustlist;
mod verifier;
mod wire;

#[cfg(feature = "issue")]
mod issue;

#[cfg(feature = "render")]
pub mod render;

#[cfg(feature = "scan")]
pub mod scan;

#[cfg(feature = "photo")]
pub mod photo;

pub use claims::{
    Agama, AgeOver, Alamat, BerlakuHingga, ClaimField, ClaimText, Claims, ClaimsError, FieldProblem, GolonganDarah,
    Kewarganegaraan, MAX_PHOTO_BYTES, Nama, PEKERJAAN_DICTIONARY, RtRw, SLOT_NAMES, StatusPerkawinan,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use credential::{Header, SaltSecret, Serial, StatusIndex, Timestamp, UnverifiedCredential};
pub use error::DecodeError;
#[cfg(feature = "issue")]
pub use issue::{
    DangerIssueOptions, IssueError, IssueRequest, IssuedCredential, Issuer, PHOTO_CREDENTIAL_MAX_CHARS,
    photo_byte_budget,
};
#[cfg(feature = "issue")]
pub use keys::SecretKey;
pub use keys::verify_signature_strict;
pub use keys::{KeyError, KeyId, PublicKey};
pub use lang::Lang;
pub use nik::{Nik, NikError, PROVINCES, Sex};
#[cfg(feature = "issue")]
pub use present::create_presentation;
pub use present::{
    DEFAULT_LIVE_PER_HOLDER, DEFAULT_PRESENTATION_SKEW_SECS, DEFAULT_PRESENTATION_WINDOW_SECS, Disclosure,
    DisclosureError, MAX_CHALLENGE_BYTES, Policy, PolicyError, PresentError, ReplayCache, ReplayCheck,
};
pub use reason::{Reason, Verdict};
pub use report::{Check, Outcome, Report};
pub use trust_store::{TrustStore, TrustStoreError, TrustedIssuer};
pub use verifier::{
    DEFAULT_SKEW_SECS, ReplayToken, Verification, VerifiedCredential, VerifiedPresentation, Verifier, VerifyOptions,
};
