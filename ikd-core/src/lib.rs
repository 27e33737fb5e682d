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
//! * Every error and [`Reason`] has a stable `code()` (all listed in [`codes::ALL`]) and a
//!   `message(lang)` in Bahasa Indonesia or English ([`Lang`]).
//! * [`trustlist`] and [`status`] hold signed trust lists and status (revocation) lists.
//! * `render` (feature `render`) draws QR codes; `scan` (feature `scan`) reads them from
//!   photos; `photo` (feature `photo`) makes face thumbnails.
//! * [`format`](mod@format) holds the wire internals, for tools that work on the format itself.
//!
//! The design notes behind the API are in [`manual`].
//!
//! ## Verifying a credential
//!
//! A counter verifies the text read from a QR code against the issuer keys it trusts, at
//! a fixed time here so that the example always gives the same answer:
//!
//! ```
//! use std::sync::Arc;
//! use ikd_core::{FixedClock, Lang, Timestamp, TrustStore, Verdict, Verifier};
//!
//! let trust = TrustStore::from_json(r#"{"version": 1, "issuers": [{
//!     "name": "DISDUKCAPIL KABUPATEN SERANG (TEST VECTORS)",
//!     "public_key": "ikdpk1:0EqyMnQrtKs6E2i9RhXk5tAiSrcaAWuvhSCjMsl3hzc",
//!     "key_id": "10ba68",
//!     "not_before": "2024-11-27T00:00:00Z",
//!     "not_after": "2034-11-25T00:00:00Z"}]}"#)?;
//! let now = Timestamp::parse_rfc3339("2026-11-28T00:00:00Z").expect("a valid time");
//! let verifier = Verifier::new(trust).with_clock(Arc::new(FixedClock(now)));
//!
//! let text = "IKD1:W50752GBDS/1RAORP0E7Q/0D4BGHBJF-Q.KOL8KIFNFFT7DAM0RTA6KYFY6DPYOE+26 U$L0*390AF000000000O:0/B9YS81Y8/SATP24QQXP5/J2PDQI1QEISHQ2V50W506G0%.H9P21L2FQ2.60K7EZ50324234S71/0195IPS0367U49-50/0195I3C1/Q2HR9/O1XUA367112U 5OHD8O31-F+8PO%2YEG$9788T*NC966BKG0SQW46$AMNX6W2DON9I556H91VF92OWKEJ60G38DDJVNTS09$.8K0ACS7%Z3";
//! let v = verifier.verify(text);
//! assert_eq!(v.verdict(), Verdict::Valid);
//! assert_eq!(v.code(), "ok");
//! let credential = v.credential().expect("a valid verification holds the credential");
//! assert_eq!(credential.claims().nama.as_str(), "UMI KALSUM");
//!
//! // A damaged text is INVALID, with a stable code and a message for the officer.
//! let bad = verifier.verify("IKD1:not base45!");
//! assert_eq!(bad.verdict(), Verdict::Invalid);
//! assert_eq!(bad.code(), "decode_bad_base45");
//! assert!(bad.reason().unwrap().message(Lang::Id).contains("Kode QR"));
//! # Ok::<(), ikd_core::TrustStoreError>(())
//! ```
//!
//! The byte-level format is specified in `docs/FORMAT.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The encoder is only reachable through `Issuer`, behind the `issue` feature.
#![cfg_attr(not(feature = "issue"), allow(dead_code))]

mod claims;
mod claims_view;
mod clock;
pub mod codes;
mod credential;
mod days;
mod error;
pub mod format;
mod freshness;
pub mod inspect;
mod keys;
mod lang;
pub mod manual;
mod nik;
mod policy_set;
mod present;
mod reason;
mod report;
mod stack_offset;
pub mod status;
mod trust_store;
pub mod trustlist;
mod verifier;
pub mod view;
mod wire;

#[cfg(feature = "issue")]
mod issue;

#[cfg(all(feature = "issue", feature = "photo"))]
pub mod issuance;

pub mod list_holder;

pub mod session;

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
pub use days::WIB_OFFSET_SECS;
pub use error::DecodeError;
pub use inspect::{InspectError, InspectionView};
#[cfg(feature = "issue")]
pub use issue::{
    DangerIssueOptions, IssueError, IssueRequest, IssuedCredential, Issuer, PHOTO_CREDENTIAL_MAX_CHARS,
    photo_byte_budget,
};
pub use keys::PrecomputedKey;
pub use keys::SecretKey;
pub use keys::verify_signature_strict;
pub use keys::{KeyError, KeyId, PublicKey};
pub use lang::{Lang, UserError};
pub use nik::{Nik, NikError, PROVINCES, Sex};
pub use policy_set::{PolicySet, PolicySource, UnknownPolicy};
#[cfg(feature = "issue")]
pub use present::create_presentation;
pub use present::{
    DEFAULT_LIVE_PER_HOLDER, DEFAULT_PRESENTATION_SKEW_SECS, DEFAULT_PRESENTATION_WINDOW_SECS, Disclosure,
    DisclosureError, MAX_CHALLENGE_BYTES, Policy, PolicyError, PresentError, ReplayCache, ReplayCheck,
    ReplayStateError,
};
pub use reason::{Reason, Verdict};
pub use report::{Check, Outcome, Report};
pub use trust_store::{TrustStore, TrustStoreError, TrustedIssuer};
pub use verifier::{
    DEFAULT_REPLAY_CAPACITY, DEFAULT_SKEW_SECS, ReplayToken, Verification, VerifiedCredential, VerifiedPresentation,
    Verifier, VerifyOptions,
};
pub use view::{BatchSummary, Kind, VerdictLine, VerificationView, ViewOptions};
