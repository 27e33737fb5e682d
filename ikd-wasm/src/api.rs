//! The bindings as plain Rust: every function the JS API exports, with Rust types in and JSON
//! text out, so that the host build can test them (`cargo test -p ikd-wasm`). The `js` module
//! only converts JS values to these types and back.
//!
//! Nothing here decides anything about a credential: verification, the view, the masking
//! rule, the policy set and the list rules are ikd-core's.

use std::sync::atomic::{AtomicI64, Ordering};

use ikd_core::list_holder::{self, RepinPolicy, Roots};
use ikd_core::session::{CallOptions, SessionError, SessionOptions};
use ikd_core::status::FreshnessPolicy;
use ikd_core::{
    DEFAULT_SKEW_SECS, Disclosure, InspectionView, Lang, PresentError, PublicKey, Timestamp, UnverifiedCredential,
};
use serde_json::Value;

pub use ikd_core::session::{BAD_ARGUMENT, BindingError};
/// Code of a policy name that is neither built in nor in the given policy file (the same code
/// as `ikd verify --policy` and the server's `policy` parameter).
pub const POLICY_UNKNOWN: &str = "policy_unknown";

/// Options of a verification (all optional; the JS `options` object).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Language of messages (Bahasa Indonesia unless English is asked for).
    pub lang: Lang,
    /// The service policy to apply, by name: built in, or from `policies_json`.
    pub policy: Option<String>,
    /// A policy file (JSON array, `docs/FORMAT.md` §6.1) merged over the built-in policies.
    pub policies_json: Option<String>,
    /// The counter's challenge bytes (a JS string is taken as its UTF-8 bytes).
    pub challenge: Option<Vec<u8>>,
    /// Clock-skew tolerance in seconds (the core's default otherwise).
    pub skew_secs: Option<i64>,
    /// Show the full NIK (masked by the core's rule otherwise).
    pub show_nik: bool,
    /// Put the embedded face photo in the answer as a `data:` URL.
    pub photo: bool,
    /// Trust-list offers: accept a successor signed by the pinned roots even though the held
    /// list's `next_roots` did not sign it ([`RepinPolicy::AllowPinnedRoots`], the operator's
    /// explicit re-pin). Off by default.
    pub repin: bool,
    /// List offers: the root keys kept beside the held trust list (the `roots` of the answer
    /// that accepted it), under which it is verified together with the pinned roots.
    pub held_roots: Vec<String>,
    /// How long lists stay fresh and in grace offline (the core's default otherwise); read
    /// when the verifier is made. A counter page passes its server's (`freshness_policy` of
    /// `GET /v1/offline/bundle`), so that page and server answer alike.
    pub freshness: Option<FreshnessPolicy>,
}

pub use ikd_core::session::ListError;

/// A JS number of Unix seconds as a timestamp (fractions are dropped, as `Date.now() / 1000`
/// gives them).
pub fn timestamp(now_unix_seconds: f64, lang: Lang) -> Result<Timestamp, BindingError> {
    // ±2^53: every integer a JS number holds exactly.
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    if !now_unix_seconds.is_finite() || now_unix_seconds.abs() > LIMIT {
        return Err(BindingError::bad_argument("now", lang));
    }
    #[allow(clippy::cast_possible_truncation)] // finite and within ±2^53, checked above
    let secs = now_unix_seconds.floor() as i64;
    Ok(Timestamp::from_unix(secs))
}

impl Options {
    fn session(&self) -> SessionOptions {
        SessionOptions { skew_secs: self.skew_secs, freshness: self.freshness }
    }

    fn call(&self, now: Timestamp) -> CallOptions<'_> {
        CallOptions {
            lang: self.lang,
            now: Some(now),
            policy: self.policy.as_deref(),
            policies_json: self.policies_json.as_deref(),
            challenge: self.challenge.as_deref(),
            show_nik: self.show_nik,
            photo: self.photo,
        }
    }
}

/// A verifier that lives across calls, so that its replay memory for live presentations
/// does too (the JS class `Verifier`): [`ikd_core::session::Session`], where every rule is,
/// with the time always from the caller (the browser has no clock the core can read).
#[derive(Debug)]
pub struct Session {
    inner: ikd_core::session::Session,
    /// The language the session was made in: of `listErrors`.
    lang: Lang,
    /// The latest time the caller gave (Unix seconds): `exportReplay` without a time.
    latest: AtomicI64,
}

impl Session {
    fn wrap(made: Result<ikd_core::session::Session, SessionError>, lang: Lang) -> Result<Session, BindingError> {
        made.map(|inner| Session { inner, lang, latest: AtomicI64::new(i64::MIN) })
            .map_err(|e| BindingError::from_core(&e, lang))
    }

    /// A verifier over a trust store (JSON, `docs/FORMAT.md` §5.1).
    pub fn with_trust_store(trust_store_json: &str, opts: &Options) -> Result<Session, BindingError> {
        Session::wrap(ikd_core::session::Session::with_trust_store(trust_store_json, &opts.session()), opts.lang)
    }

    /// A verifier over a signed trust list verified against the pinned roots (`ikdpk1:` texts),
    /// holding the status lists that verify under it. A list that does not verify is not used
    /// and is reported in [`Session::list_errors`]
    /// ([`ikd_core::session::Session::with_trust_list`]).
    pub fn with_trust_list(
        trust_list: &[u8],
        pinned_roots: &[String],
        status_lists: &[Vec<u8>],
        opts: &Options,
    ) -> Result<Session, BindingError> {
        let roots: Vec<&str> = pinned_roots.iter().map(String::as_str).collect();
        let lists: Vec<&[u8]> = status_lists.iter().map(Vec::as_slice).collect();
        Session::wrap(
            ikd_core::session::Session::with_trust_list(trust_list, &roots, &lists, &opts.session()),
            opts.lang,
        )
    }

    fn seen(&self, now: Timestamp) {
        self.latest.fetch_max(now.unix(), Ordering::SeqCst);
    }

    /// A snapshot of the live presentations this session accepted (or imported) whose window
    /// has not ended at `now_unix_seconds`, or, without it, at the latest time the session
    /// was given ([`ikd_core::session::Session::replay_snapshot`]).
    pub fn export_replay(&self, now_unix_seconds: Option<f64>, lang: Lang) -> Result<Vec<u8>, BindingError> {
        let now = match now_unix_seconds {
            Some(n) => timestamp(n, lang)?,
            None => Timestamp::from_unix(self.latest.load(Ordering::SeqCst)),
        };
        Ok(self.inner.replay_snapshot(now))
    }

    /// Restores a snapshot from [`Session::export_replay`] at `now_unix_seconds`: its live
    /// entries are added to what this session refuses (nothing is ever removed), and
    /// answers how many were added. Bad bytes throw `replay_state_*` and change nothing.
    pub fn import_replay(&self, bytes: &[u8], now_unix_seconds: f64, lang: Lang) -> Result<usize, BindingError> {
        let now = timestamp(now_unix_seconds, lang)?;
        let added = self.inner.restore_replay(bytes, now).map_err(|e| BindingError::from_core(&e, lang))?;
        self.seen(now);
        Ok(added)
    }

    /// The lists that did not verify when the session was made.
    pub fn list_errors(&self) -> &[ListError] {
        self.inner.list_errors()
    }

    /// The lists that did not verify, as JSON (`[{list, index, code, message}]`), in the
    /// language the session was made in.
    pub fn list_errors_json(&self) -> Value {
        self.inner.list_errors_json(self.lang)
    }

    /// Verifies `text` at `now_unix_seconds`; the answer is the core's verification view as
    /// JSON text, with `list_errors` beside it.
    pub fn verify(&self, text: &str, now_unix_seconds: f64, opts: &Options) -> Result<String, BindingError> {
        let now = timestamp(now_unix_seconds, opts.lang)?;
        self.seen(now);
        let answer = self.inner.verify(text, &opts.call(now)).map_err(|e| BindingError::from_core(&e, opts.lang))?;
        // A view of strings, numbers and JSON values always serialises.
        Ok(serde_json::to_string(&answer).unwrap_or_default())
    }
}

/// `verify(text, trustStoreJson, now, options)`: one verification with a fresh verifier.
pub fn verify(
    text: &str,
    trust_store_json: &str,
    now_unix_seconds: f64,
    opts: &Options,
) -> Result<String, BindingError> {
    Session::with_trust_store(trust_store_json, opts)?.verify(text, now_unix_seconds, opts)
}

/// `verifyWithTrustList(text, trustList, pinnedRoots, now, options)`: one verification against
/// a signed trust list and the status lists in `options.statusLists`.
pub fn verify_with_trust_list(
    text: &str,
    trust_list: &[u8],
    pinned_roots: &[String],
    status_lists: &[Vec<u8>],
    now_unix_seconds: f64,
    opts: &Options,
) -> Result<String, BindingError> {
    Session::with_trust_list(trust_list, pinned_roots, status_lists, opts)?.verify(text, now_unix_seconds, opts)
}

/// `decode(text, options)`: what a credential text says, WITHOUT verifying it (`verified` is
/// `false` and `notice` says so). Throws the decoding error's code when the text is not a
/// well-formed credential.
pub fn decode(text: &str, opts: &Options) -> Result<String, BindingError> {
    let view =
        InspectionView::of_text(text, opts.lang, opts.show_nik).map_err(|e| BindingError::from_core(&e, opts.lang))?;
    Ok(serde_json::to_value(view).unwrap_or(Value::Null).to_string())
}

fn pinned_roots(pinned_roots: &[String], lang: Lang) -> Result<Vec<PublicKey>, BindingError> {
    pinned_roots.iter().map(|r| PublicKey::from_text(r.trim()).map_err(|e| BindingError::from_core(&e, lang))).collect()
}

/// `decideTrustList(held, offered, pinnedRoots, now, options)`: whether a downloaded trust
/// list replaces the one held, by the core's rule
/// ([`list_holder::answer_trust_list_offer`]); the answer is the core's
/// [`list_holder::OfferView`] as JSON text. `options.repin` allows a successor signed by the
/// pinned roots. A pinned root that is not a key throws its `key_*` code.
pub fn decide_trust_list(
    held: Option<&[u8]>,
    offered: &[u8],
    pinned: &[String],
    now_unix_seconds: f64,
    opts: &Options,
) -> Result<String, BindingError> {
    let now = timestamp(now_unix_seconds, opts.lang)?;
    let roots = pinned_roots(pinned, opts.lang)?;
    let held_roots = pinned_roots(&opts.held_roots, opts.lang)?;
    let repin = if opts.repin { RepinPolicy::AllowPinnedRoots } else { RepinPolicy::Refuse };
    let view = list_holder::answer_trust_list_offer(
        held,
        offered,
        Roots { pinned: &roots, held: &held_roots },
        repin,
        now,
        opts.lang,
    );
    Ok(serde_json::to_value(view).unwrap_or(Value::Null).to_string())
}

/// `decideStatusList(held, offered, trustList, pinnedRoots, now, options)`: whether a
/// downloaded status list replaces the one held, under the trust list verified with the
/// pinned roots ([`list_holder::answer_status_list_offer`], with `options.skewSeconds` of
/// clock tolerance, the core's default otherwise).
pub fn decide_status_list(
    held: Option<&[u8]>,
    offered: &[u8],
    trust_list: &[u8],
    pinned: &[String],
    now_unix_seconds: f64,
    opts: &Options,
) -> Result<String, BindingError> {
    let now = timestamp(now_unix_seconds, opts.lang)?;
    let roots = pinned_roots(pinned, opts.lang)?;
    let held_roots = pinned_roots(&opts.held_roots, opts.lang)?;
    let skew = opts.skew_secs.unwrap_or(DEFAULT_SKEW_SECS);
    let roots = Roots { pinned: &roots, held: &held_roots };
    let view = list_holder::answer_status_list_offer(held, offered, trust_list, roots, now, skew, opts.lang);
    Ok(serde_json::to_value(view).unwrap_or(Value::Null).to_string())
}

fn disclosure(names: &[String], lang: Lang) -> Result<Disclosure, BindingError> {
    Disclosure::from_names(names).map_err(|e| BindingError::from_core(&e, lang))
}

fn credential(text: &str, lang: Lang) -> Result<UnverifiedCredential, BindingError> {
    UnverifiedCredential::decode(text).map_err(PresentError::from).map_err(|e| BindingError::from_core(&e, lang))
}

/// A live presentation waiting for its holder signature (the JS class
/// `PreparedPresentation`): [`prepare_presentation`], then [`Prepared::finish`].
#[derive(Debug)]
pub struct Prepared {
    credential: UnverifiedCredential,
    disclose: Disclosure,
    time: Timestamp,
    challenge: Option<Vec<u8>>,
    signing_bytes: Vec<u8>,
    holder: PublicKey,
}

impl Prepared {
    /// The exact bytes the holder key signs (Ed25519, no pre-hashing).
    pub fn signing_bytes(&self) -> &[u8] {
        &self.signing_bytes
    }

    /// The key that must sign them: the credential's holder key.
    pub fn holder_key(&self) -> &PublicKey {
        &self.holder
    }

    /// The time the presentation is signed at (Unix seconds).
    pub fn time(&self) -> Timestamp {
        self.time
    }

    /// The claims it shows, by slot name.
    pub fn disclosed(&self) -> Vec<&'static str> {
        self.disclose.names()
    }

    /// The presentation text with `signature`; the core checks that the signature verifies
    /// under the holder key first (`present_holder_signature_invalid` otherwise).
    pub fn finish(&self, signature: &[u8], lang: Lang) -> Result<String, BindingError> {
        self.credential
            .finish_presentation(self.disclose, self.time, self.challenge.as_deref(), signature)
            .map_err(|e| BindingError::from_core(&e, lang))
    }
}

/// `preparePresentation(credentialText, disclose, now, challenge)`: step one of a live
/// presentation whose holder signature the caller makes (WebCrypto, a keystore), so that the
/// holder's secret key never passes through the bindings
/// ([`UnverifiedCredential::presentation_signing_bytes`]).
pub fn prepare_presentation(
    credential_text: &str,
    disclose: &[String],
    now_unix_seconds: f64,
    challenge: Option<Vec<u8>>,
    lang: Lang,
) -> Result<Prepared, BindingError> {
    let time = timestamp(now_unix_seconds, lang)?;
    let credential = credential(credential_text, lang)?;
    let disclose = disclosure(disclose, lang)?;
    let signing_bytes = credential
        .presentation_signing_bytes(disclose, time, challenge.as_deref())
        .map_err(|e| BindingError::from_core(&e, lang))?;
    let holder =
        credential.header().holder_key.ok_or_else(|| BindingError::from_core(&PresentError::NoHolderKey, lang))?;
    Ok(Prepared { credential, disclose, time, challenge, signing_bytes, holder })
}

/// `staticPresentation(credentialText, disclose)`: a presentation with no holder signature
/// ([`UnverifiedCredential::static_presentation`]).
pub fn static_presentation(credential_text: &str, disclose: &[String], lang: Lang) -> Result<String, BindingError> {
    credential(credential_text, lang)?
        .static_presentation(disclosure(disclose, lang)?)
        .map_err(|e| BindingError::from_core(&e, lang))
}
