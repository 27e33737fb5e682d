//! Fixtures shared by the fuzz targets: the test-vector keys, a fixed clock, a verifier built
//! from a signed trust list and status list, and a panic hook for the image targets.
//!
//! Every fixture is deterministic, so a crash input reproduces exactly. The keys are the
//! public test keys of `test-vectors` (seeds `0x11`, `0x22`, `0x48`, root `0x77`), so seeds
//! taken from the test vectors pass the signature checks and reach the deeper checks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use ikd_core::status::{CredentialStatus, StatusList, StatusListBuilder};
use ikd_core::trustlist::{Scope, TrustList, TrustListBuilder, TrustListEntry};
use ikd_core::{FixedClock, PublicKey, SecretKey, StatusIndex, Timestamp, TrustStore, TrustedIssuer, Verifier};

/// The verifier's clock: the test vectors' `clock`.
pub const CLOCK: &str = "2026-11-28T00:00:00Z";
/// The test vectors' clock-skew tolerance.
pub const SKEW_SECS: i64 = 300;
/// Seed of the trusted issuer key.
pub const ISSUER_SEED: [u8; 32] = [0x11; 32];
/// Seed of the untrusted ("other") issuer key.
pub const OTHER_SEED: [u8; 32] = [0x22; 32];
/// Seed of the trust-list root key.
pub const ROOT_SEED: [u8; 32] = [0x77; 32];
/// Name of the trusted issuer, as in the test vectors.
pub const ISSUER_NAME: &str = "DISDUKCAPIL KABUPATEN SERANG (TEST VECTORS)";

/// The fixed "now".
pub fn now() -> Timestamp {
    Timestamp::parse_rfc3339(CLOCK).unwrap_or(Timestamp::from_unix(1_795_824_000))
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap_or(Timestamp::from_unix(0))
}

/// The trusted issuer's secret key.
pub fn issuer_key() -> SecretKey {
    SecretKey::from_seed(&ISSUER_SEED)
}

/// The trust-list root secret key.
pub fn root_key() -> SecretKey {
    SecretKey::from_seed(&ROOT_SEED)
}

/// The trust store of the test vectors: the `0x11` issuer, valid 2024-11-27 to 2034-11-25.
pub fn trust_store() -> TrustStore {
    let mut t = TrustStore::new();
    t.add(TrustedIssuer {
        name: ISSUER_NAME.to_owned(),
        public_key: issuer_key().public_key(),
        not_before: ts("2024-11-27T00:00:00Z"),
        not_after: ts("2034-11-25T00:00:00Z"),
    });
    t
}

/// A trust list signed by the root: the `0x11` issuer (all regions, active) and the `0x22`
/// issuer (compromised since 2025-06-01), issued a day before [`CLOCK`].
pub fn trust_list_bytes() -> Vec<u8> {
    let mut b = TrustListBuilder::new(7, now().plus(-86_400), now().plus(6 * 86_400));
    let active = TrustListEntry::new(
        ISSUER_NAME,
        issuer_key().public_key(),
        ts("2024-11-27T00:00:00Z"),
        ts("2034-11-25T00:00:00Z"),
        Scope::all(),
    );
    let mut other = TrustListEntry::new(
        "DISDUKCAPIL KOTA LAIN (TEST VECTORS)",
        SecretKey::from_seed(&OTHER_SEED).public_key(),
        ts("2024-11-27T00:00:00Z"),
        ts("2034-11-25T00:00:00Z"),
        Scope::all(),
    );
    other.status = ikd_core::trustlist::KeyStatus::Compromised { since: ts("2025-06-01T00:00:00Z") };
    let _ = b.add(active);
    let _ = b.add(other);
    b.sign(&[&root_key()]).unwrap_or_default()
}

/// The verified trust list of [`trust_list_bytes`].
pub fn trust_list() -> Option<TrustList> {
    TrustList::verify(&trust_list_bytes(), &[root_key().public_key()]).ok()
}

/// A status list of 4096 entries for the `0x11` issuer: index 3 revoked, index 9 suspended.
pub fn status_list_bytes() -> Vec<u8> {
    let Ok(mut b) = StatusListBuilder::new(4096) else { return Vec::new() };
    let _ = b.set(StatusIndex::new(3), CredentialStatus::Revoked);
    let _ = b.set(StatusIndex::new(9), CredentialStatus::Suspended);
    b.sign(&issuer_key(), now().plus(-3_600), 86_400, 5).unwrap_or_default()
}

/// The verified status list of [`status_list_bytes`].
pub fn status_list() -> Option<StatusList> {
    StatusList::verify(&status_list_bytes(), &issuer_key().public_key()).ok()
}

/// A verifier over the test-vector trust store with the fixed clock (built once; call
/// [`fresh`] for a copy with an empty replay cache).
pub fn store_verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| Verifier::new(trust_store()).with_clock(Arc::new(FixedClock(now()))).with_skew_secs(SKEW_SECS))
}

/// A verifier over the signed trust list and status list, with the fixed clock (built once).
pub fn list_verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let v = match trust_list() {
            Some(l) => Verifier::from_trust_list(l),
            None => Verifier::new(trust_store()),
        };
        v.with_status_lists(status_list()).with_clock(Arc::new(FixedClock(now()))).with_skew_secs(SKEW_SECS)
    })
}

/// A copy of `v` with its own small, empty replay cache, so every input is verified the same
/// way whatever ran before it.
pub fn fresh(v: &Verifier) -> Verifier {
    v.clone().with_replay_capacity(16)
}

/// The public key of the trusted issuer.
pub fn issuer_public() -> PublicKey {
    issuer_key().public_key()
}

static CONTAINED: AtomicU64 = AtomicU64::new(0);

/// How many panics in third-party code were contained so far (see [`contain_dependency_panics`]).
pub fn contained_panics() -> u64 {
    CONTAINED.load(Ordering::Relaxed)
}

/// Installs a panic hook for targets whose code under test catches panics on purpose.
///
/// `ikd_core::scan` runs the QR decoders (`rxing`) and the image decoders under
/// `catch_unwind`, so a decoder bug gives an error instead of taking the process down.
/// libfuzzer-sys's own hook aborts on every panic, caught or not, which would report those
/// contained third-party panics as crashes. This hook lets a panic whose location is in a
/// dependency (a path under a Cargo registry) unwind to the project's `catch_unwind`, and
/// counts it; a panic anywhere else (project code) still aborts, so it is still a crash, and a
/// dependency panic that is not caught still reaches libfuzzer-sys's check, which aborts.
pub fn contain_dependency_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_dependency = info
                .location()
                .is_some_and(|l| l.file().contains("/registry/src/") || l.file().contains("/git/checkouts/"));
            if in_dependency {
                if CONTAINED.fetch_add(1, Ordering::Relaxed) < 3 {
                    eprintln!("fuzz: a dependency panicked (contained by the code under test): {info}");
                }
                return;
            }
            previous(info);
            std::process::abort();
        }));
    });
}

/// Reads everything a caller may read from a verification result, so the fuzzer covers the
/// report, the messages and the claims JSON as well as the checks.
pub fn exercise(v: &ikd_core::Verification) {
    let _ = v.verdict().as_str();
    let _ = v.code();
    let _ = v.reason().map(|r| (r.code(), r.verdict()));
    let _ = v.report().to_json();
    let _ = v.message(ikd_core::Lang::Id);
    let _ = v.message(ikd_core::Lang::En);
    let _ = v.claims_json();
    let _ = v.withheld();
    let _ = v.header().map(|h| format!("{h:?}"));
    let _ = v.replay_token().map(|t| (t.id_hex(), t.until()));
    if let Some(c) = v.credential() {
        let _ = c.claims().to_json_value();
        let _ = c.age_over();
        if let Some(photo) = c.photo() {
            let _ = ikd_core::photo::thumbnail_png(photo);
        }
    }
    if let Some(p) = v.presentation() {
        let _ = (p.disclosure().names(), p.withheld(), p.is_live(), p.signed_at(), p.challenge());
        let _ = p.disclosed_json();
        if let Some(photo) = p.photo() {
            let _ = ikd_core::photo::thumbnail_png(photo);
        }
    }
}
