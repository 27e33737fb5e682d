//! The bindings as plain Rust: every function the JS API exports, with Rust types in and JSON
//! text out, so that the host build can test them (`cargo test -p ikd-wasm`). The `js` module
//! only converts JS values to these types and back.
//!
//! Nothing here decides anything about a credential: verification, the view, the masking
//! rule, the policy set and the list rules are ikd-core's.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use ikd_core::list_holder::{self, RepinPolicy, Roots};
use ikd_core::status::StatusList;
use ikd_core::trustlist::TrustList;
use ikd_core::view::PhotoData;
use ikd_core::{
    Clock, DEFAULT_SKEW_SECS, InspectionView, Lang, PolicySet, PublicKey, ReplayCache, ReplayCheck, Timestamp,
    TrustStore, UserError, Verification, VerificationView, Verifier, VerifyOptions, ViewOptions,
};
use serde_json::{Value, json};

/// Code of an argument the bindings cannot use (a time that is not a finite number, an
/// option of the wrong type). Documented in `docs/WASM.md`.
pub const BAD_ARGUMENT: &str = "bad_argument";
/// Code of a policy name that is neither built in nor in the given policy file (the same code
/// as `ikd verify --policy` and the server's `policy` parameter).
pub const POLICY_UNKNOWN: &str = "policy_unknown";

/// An error the bindings throw: a stable code (`docs/CODES.md`, `docs/WASM.md`) and a
/// message in the caller's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingError {
    /// The stable code.
    pub code: String,
    /// The message, in the language of the call.
    pub message: String,
}

impl BindingError {
    /// From any ikd-core error: its own code and message.
    pub fn from_core(e: &dyn UserError, lang: Lang) -> BindingError {
        BindingError { code: e.code().to_owned(), message: e.message(lang) }
    }

    /// An argument that cannot be used: `what` names it (`now`, `options.policy`, …).
    pub fn bad_argument(what: &str, lang: Lang) -> BindingError {
        let message = match lang {
            Lang::Id => format!("argumen tidak dapat dipakai: {what}"),
            Lang::En => format!("unusable argument: {what}"),
        };
        BindingError { code: BAD_ARGUMENT.to_owned(), message }
    }
}

impl std::fmt::Display for BindingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for BindingError {}

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
}

/// A problem with one of the lists given to a trust-list verification: the list is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    /// `trust_list` or `status_list`.
    pub list: &'static str,
    /// For a status list, its position in the `statusLists` argument.
    pub index: Option<usize>,
    /// The error.
    pub error: BindingError,
}

impl ListError {
    fn to_json(&self) -> Value {
        json!({ "list": self.list, "index": self.index, "code": self.error.code, "message": self.error.message })
    }
}

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

/// A clock the bindings set before each verification: the browser has no clock the core can
/// read (`SystemClock` is not available on `wasm32-unknown-unknown`), so the time always comes
/// from the caller.
#[derive(Debug, Default)]
pub struct CallerClock(AtomicI64);

impl CallerClock {
    /// Sets the time the next verification runs at.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.unix(), Ordering::SeqCst);
    }

    /// Moves the clock to `t` unless it already reads later (the last time the caller gave).
    fn advance(&self, t: Timestamp) {
        self.0.fetch_max(t.unix(), Ordering::SeqCst);
    }
}

impl Clock for CallerClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix(self.0.load(Ordering::SeqCst))
    }
}

fn policy(opts: &Options) -> Result<Option<ikd_core::Policy>, BindingError> {
    // A policy file is read even when no policy is named, so that a broken one is reported.
    let set = match opts.policies_json.as_deref() {
        Some(file) => {
            PolicySet::with_file(file, "options.policies").map_err(|e| BindingError::from_core(&e, opts.lang))?
        }
        None => PolicySet::builtin(),
    };
    let Some(name) = opts.policy.as_deref() else { return Ok(None) };
    match set.get(name) {
        Some(p) => Ok(Some(p.clone())),
        None => Err(BindingError {
            code: POLICY_UNKNOWN.to_owned(),
            message: match opts.lang {
                Lang::Id => format!("kebijakan tidak dikenal: {name}"),
                Lang::En => format!("unknown policy: {name}"),
            },
        }),
    }
}

/// The core's verification view of `v` as JSON, with the bindings' `list_errors` beside it.
fn view(v: &Verification, text: &str, opts: &Options, list_errors: Value) -> Value {
    let view = VerificationView::new(
        v,
        text,
        &ViewOptions {
            lang: opts.lang,
            show_nik: opts.show_nik,
            photo: if opts.photo { PhotoData::Embedded } else { PhotoData::None },
            policy: opts.policy.as_deref(),
        },
    );
    let mut out = serde_json::to_value(view).unwrap_or(Value::Null);
    if let Some(m) = out.as_object_mut() {
        m.insert("list_errors".to_owned(), list_errors);
    }
    out
}

/// A verifier that lives across calls, so that its replay memory for live presentations
/// does too (the JS class `Verifier`).
#[derive(Debug)]
pub struct Session {
    verifier: Verifier,
    clock: Arc<CallerClock>,
    list_errors: Vec<ListError>,
    /// Every live presentation this session accepted or imported, within its window: what
    /// [`Session::export_replay`] saves and [`Session::import_replay`] restores. The
    /// verifier's own cache cannot be read or filled from outside the core's verifier, so
    /// each accepted live presentation's replay token is also recorded here, and one found
    /// here already is rejected as a replay ([`Verification::reject_replayed`]).
    record: Mutex<ReplayCache>,
}

/// Capacity of a session's replay record: twice the verifier's own cache (100 000 live
/// presentations), so that a full cache's worth imported after a reload still leaves room
/// for a full cache's worth accepted since. A snapshot is at most 9 + 40 × this bytes (8 MB).
pub const REPLAY_RECORD_CAPACITY: usize = 200_000;

impl Session {
    /// A verifier over a trust store (JSON, `docs/FORMAT.md` §5.1).
    pub fn with_trust_store(trust_store_json: &str, opts: &Options) -> Result<Session, BindingError> {
        let store = TrustStore::from_json(trust_store_json).map_err(|e| BindingError::from_core(&e, opts.lang))?;
        Ok(Session::finish(Verifier::new(store), Vec::new(), opts))
    }

    /// A verifier over a signed trust list verified against the pinned roots (`ikdpk1:` texts),
    /// holding the status lists that verify under it. A list that does not verify is not used
    /// and is reported in [`Session::list_errors`]: a bad trust list leaves nothing trusted
    /// (every credential is then UNDETERMINED `issuer_unknown`), a bad status list leaves its
    /// issuer's credentials UNDETERMINED `status_unknown`.
    pub fn with_trust_list(
        trust_list: &[u8],
        pinned_roots: &[String],
        status_lists: &[Vec<u8>],
        opts: &Options,
    ) -> Result<Session, BindingError> {
        let lang = opts.lang;
        let roots = self::pinned_roots(pinned_roots, lang)?;
        let mut errors = Vec::new();
        let (verifier, list) = match TrustList::verify(trust_list, &roots) {
            Ok(list) => (Verifier::from_trust_list(list.clone()), Some(list)),
            Err(e) => {
                errors.push(ListError { list: "trust_list", index: None, error: BindingError::from_core(&e, lang) });
                (Verifier::new(TrustStore::new()), None)
            }
        };
        let mut held = Vec::new();
        for (i, bytes) in status_lists.iter().enumerate() {
            let checked = match &list {
                Some(l) => StatusList::verify_under_trust_list(bytes, l),
                None => Err(ikd_core::status::StatusListError::IssuerNotTrusted),
            };
            match checked {
                Ok(s) => held.push(s),
                Err(e) => errors.push(ListError {
                    list: "status_list",
                    index: Some(i),
                    error: BindingError::from_core(&e, lang),
                }),
            }
        }
        let verifier = if status_lists.is_empty() { verifier } else { verifier.with_status_lists(held) };
        Ok(Session::finish(verifier, errors, opts))
    }

    fn finish(verifier: Verifier, list_errors: Vec<ListError>, opts: &Options) -> Session {
        let clock = Arc::new(CallerClock::default());
        let mut verifier = verifier.with_clock(clock.clone());
        if let Some(s) = opts.skew_secs {
            verifier = verifier.with_skew_secs(s);
        }
        // No per-holder limit here: the verifier's own cache applies it; this record only
        // remembers what was accepted.
        let record = ReplayCache::new(REPLAY_RECORD_CAPACITY).with_owner_limit(REPLAY_RECORD_CAPACITY);
        Session { verifier, clock, list_errors, record: Mutex::new(record) }
    }

    fn record(&self) -> std::sync::MutexGuard<'_, ReplayCache> {
        self.record.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A snapshot of the live presentations this session remembers (accepted or imported)
    /// whose window has not ended at `now_unix_seconds`, or, without it, at the latest time
    /// the session was given ([`ReplayCache::snapshot`]).
    pub fn export_replay(&self, now_unix_seconds: Option<f64>, lang: Lang) -> Result<Vec<u8>, BindingError> {
        let now = match now_unix_seconds {
            Some(n) => timestamp(n, lang)?,
            None => self.clock.now(),
        };
        Ok(self.record().snapshot(now.unix()))
    }

    /// Restores a snapshot from [`Session::export_replay`] at `now_unix_seconds`: its live
    /// entries are added to what this session remembers (nothing is ever removed), and
    /// answers how many were added. Bad bytes throw `replay_state_*` and change nothing.
    pub fn import_replay(&self, bytes: &[u8], now_unix_seconds: f64, lang: Lang) -> Result<usize, BindingError> {
        let now = timestamp(now_unix_seconds, lang)?;
        let added = self.record().restore(bytes, now.unix()).map_err(|e| BindingError::from_core(&e, lang))?;
        self.clock.advance(now);
        Ok(added)
    }

    /// The lists that did not verify when the session was made.
    pub fn list_errors(&self) -> &[ListError] {
        &self.list_errors
    }

    /// The lists that did not verify, as JSON (`[{list, index, code, message}]`).
    pub fn list_errors_json(&self) -> Value {
        Value::Array(self.list_errors.iter().map(ListError::to_json).collect())
    }

    /// Verifies `text` at `now_unix_seconds`; the answer is the core's verification view as
    /// JSON text, with `list_errors` beside it.
    pub fn verify(&self, text: &str, now_unix_seconds: f64, opts: &Options) -> Result<String, BindingError> {
        let now = timestamp(now_unix_seconds, opts.lang)?;
        let policy = policy(opts)?;
        self.clock.set(now);
        let v = self
            .verifier
            .verify_with(text, &VerifyOptions { policy: policy.as_ref(), challenge: opts.challenge.as_deref() });
        let v = match (v.replay_token(), v.header().and_then(|h| h.holder_key)) {
            (Some(token), Some(holder)) => match self.record().record(&token, &holder, now) {
                ReplayCheck::Fresh => v,
                // Seen before (here or in an imported snapshot); or, past 200 000 live
                // entries, not recordable: refused, never accepted unrecorded.
                _ => v.reject_replayed(),
            },
            _ => v,
        };
        Ok(view(&v, text, opts, self.list_errors_json()).to_string())
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
