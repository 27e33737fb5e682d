//! The manual: the design notes in `docs/` that explain this API, brought into the API
//! documentation (in the spirit of `rustls::manual`).
//!
//! * [`format`](mod@format): the byte-level credential and presentation format (`docs/FORMAT.md`),
//!   implemented by [`crate::UnverifiedCredential`], [`crate::Verifier`] and
//!   [`crate::format`].
//! * [`codes`]: every stable code (`docs/CODES.md`), the same list as [`crate::codes::ALL`].
//! * [`trust_and_status`]: trust lists, status lists and offline freshness.
//! * [`photo`]: the face photo thumbnail (`docs/PHOTO.md`).
//!
//! Reading QR codes from camera images is described in `docs/QR-READING.md` and in the
//! documentation of the `scan` module (feature `scan`).

#[doc = include_str!("../../docs/FORMAT.md")]
pub mod format {}

#[doc = include_str!("../../docs/CODES.md")]
pub mod codes {}

/// # Trust lists, status lists and offline freshness
///
/// The full specification is `docs/TRUST-AND-STATUS.md`; in short:
///
/// * A verifier caches two kinds of signed files: the **trust list**
///   ([`crate::trustlist::TrustList`]: which issuer keys to trust, for which regions, and
///   which are retired or compromised) and one **status list** per issuer key
///   ([`crate::status::StatusList`]: which credentials are revoked or suspended).
/// * A list has no hard expiry. Past its refresh time it is *in grace* (used, with a
///   warning), and past the grace period *stale* ([`crate::status::Freshness`],
///   [`crate::status::FreshnessPolicy`]). Staleness degrades answers to warnings or
///   UNDETERMINED (`trust_list_stale`, `status_list_stale`), never to INVALID.
/// * A key's `not_before` / `not_after` bound the credential's **issue time**, never the
///   verification time: a key that stopped issuing years ago still verifies what it issued
///   inside its window.
/// * Lists carry a monotonic `sequence`; [`crate::trustlist::TrustList::check_successor`] and
///   [`crate::status::StatusList::check_transition`] refuse a lower one, and refuse a newer
///   list that lifts a compromise or a revocation (both are final).
/// * [`crate::Verifier::with_trust_list`] and [`crate::Verifier::with_status_lists`] give a
///   verifier the lists it holds; without status lists the `status` check is reported
///   `not_checked`.
pub mod trust_and_status {}

#[doc = include_str!("../../docs/PHOTO.md")]
pub mod photo {}
