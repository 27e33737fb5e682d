//! The bindings' common part in plain, safe Rust: a verifier made from a trust store or from a
//! signed trust list with pinned roots and status lists, and one verification with per-call
//! options, answered with the core's verification view as JSON. The C functions (`crate::ffi`)
//! and the Python package (`ikd-python`) both call this, so neither holds a rule of its own.
//!
//! Nothing here decides anything about a credential: decoding, the checks, the verdict, the
//! view and its masking rule, the policy set and the list rules are ikd-core's.

use std::cell::Cell;

use ikd_core::status::{StatusList, StatusListError};
use ikd_core::trustlist::TrustList;
use ikd_core::view::PhotoData;
use ikd_core::{
    Clock, Lang, Policy, PolicySet, PublicKey, Timestamp, TrustStore, UserError, Verdict, VerificationView, Verifier,
    VerifyOptions, ViewOptions,
};
use serde::Serialize;
use serde_json::{Value, json};

/// Code of an argument the bindings cannot use (a text that is not UTF-8, a null pointer, a
/// time out of range). Listed in `docs/BINDINGS.md`, as in `docs/WASM.md`.
pub const BAD_ARGUMENT: &str = "bad_argument";
/// Code of a policy name that is neither built in nor in the given policy file (the same code
/// as `ikd verify --policy`, the server and the WebAssembly package).
pub const POLICY_UNKNOWN: &str = "policy_unknown";
/// Code of a panic caught at the boundary (a bug: it is reported, never unwound into C or Python).
pub const INTERNAL: &str = "internal_error";

/// An error of the bindings: a stable code (`docs/CODES.md`, `docs/BINDINGS.md`) and a message
/// in the caller's language.
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

    /// An argument that cannot be used: `what` names it.
    pub fn bad_argument(what: &str, lang: Lang) -> BindingError {
        let message = match lang {
            Lang::Id => format!("argumen tidak dapat dipakai: {what}"),
            Lang::En => format!("unusable argument: {what}"),
        };
        BindingError { code: BAD_ARGUMENT.to_owned(), message }
    }

    /// A panic caught at the boundary.
    pub fn internal(lang: Lang) -> BindingError {
        let message = match lang {
            Lang::Id => "kesalahan internal pustaka IKD (mohon laporkan)".to_owned(),
            Lang::En => "internal error in the IKD library (please report it)".to_owned(),
        };
        BindingError { code: INTERNAL.to_owned(), message }
    }
}

impl std::fmt::Display for BindingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for BindingError {}

/// Runs `f`, turning a panic (a bug) into `internal_error`: no panic unwinds into C or Python.
pub fn guard<T>(lang: Lang, f: impl FnOnce() -> Result<T, BindingError>) -> Result<T, BindingError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| Err(BindingError::internal(lang)))
}

/// Reads a language name: `en…` is English, anything else (or nothing) Bahasa Indonesia; an
/// `Accept-Language` value also works ([`Lang::from_header`]).
pub fn lang(name: Option<&str>) -> Lang {
    name.map(Lang::from_header).unwrap_or_default()
}

/// A problem with one of the lists given to a trust-list verifier: the list is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    /// `trust_list` or `status_list`.
    pub list: &'static str,
    /// For a status list, its position in the `status_lists` argument.
    pub index: Option<usize>,
    /// The error.
    pub error: BindingError,
}

impl ListError {
    /// `{list, index, code, message}`, as the WebAssembly package's `list_errors`.
    pub fn to_json(&self) -> Value {
        json!({ "list": self.list, "index": self.index, "code": self.error.code, "message": self.error.message })
    }
}

thread_local! {
    /// The time of the verification running on this thread, when the caller gave one.
    static CALL_TIME: Cell<Option<i64>> = const { Cell::new(None) };
}

/// The verifier's clock: the time the caller gave for the verification running on this thread,
/// or the system clock. A thread-local rather than a shared cell, so that threads verifying at
/// once with different times (Python threads with the GIL released, C threads) never see each
/// other's time.
#[derive(Debug, Default)]
struct CallClock;

impl Clock for CallClock {
    fn now(&self) -> Timestamp {
        CALL_TIME.with(Cell::get).map_or_else(Timestamp::now, Timestamp::from_unix)
    }
}

/// Sets this thread's call time for as long as it lives.
struct CallTime;

impl CallTime {
    fn set(t: Option<Timestamp>) -> CallTime {
        CALL_TIME.with(|c| c.set(t.map(Timestamp::unix)));
        CallTime
    }
}

impl Drop for CallTime {
    fn drop(&mut self) {
        CALL_TIME.with(|c| c.set(None));
    }
}

/// Options of one verification (all optional).
#[derive(Debug, Clone, Default)]
pub struct CallOptions<'a> {
    /// Language of messages (Bahasa Indonesia unless English is asked for).
    pub lang: Lang,
    /// The time to verify at; the system clock when `None`.
    pub now: Option<Timestamp>,
    /// The service policy to apply, by name: built in, or from `policies_json`.
    pub policy: Option<&'a str>,
    /// A policy file (JSON array, `docs/FORMAT.md` §6.1) merged over the built-in policies.
    pub policies_json: Option<&'a str>,
    /// The counter's challenge bytes.
    pub challenge: Option<&'a [u8]>,
    /// Show the full NIK (masked by the core's rule otherwise).
    pub show_nik: bool,
    /// Put the embedded face photo in the answer as a `data:` URL.
    pub photo: bool,
}

/// Looks up the named policy in the built-in set merged with `policies_json`.
pub fn resolve_policy(opts: &CallOptions<'_>) -> Result<Option<Policy>, BindingError> {
    if opts.policy.is_none() && opts.policies_json.is_none() {
        return Ok(None); // the common case: no policy set to build
    }
    // A policy file is read even when no policy is named, so that a broken one is reported.
    let set = match opts.policies_json {
        Some(file) => PolicySet::with_file(file, "policies").map_err(|e| BindingError::from_core(&e, opts.lang))?,
        None => PolicySet::builtin(),
    };
    let Some(name) = opts.policy else { return Ok(None) };
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

/// The answer of one verification: the core's verification view with the bindings'
/// `list_errors` beside it, serialised in the view's own field order (`verdict`, `code`,
/// `message`, …, `report`, then `list_errors`). The Python package turns it into a dict, the C
/// interface into JSON text, both straight from this (no intermediate JSON value).
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The core's view.
    #[serde(flatten)]
    pub view: VerificationView,
    /// The lists that did not verify when the verifier was made (`[]` when all did).
    pub list_errors: Value,
}

impl Answer {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        self.view.verdict
    }
}

/// A verifier that lives across calls, so that its replay memory for live presentations does
/// too. `Sync`: one session may verify on many threads at once.
#[derive(Debug)]
pub struct Session {
    verifier: Verifier,
    list_errors: Vec<ListError>,
}

impl Session {
    /// A verifier over a trust store (JSON, `docs/FORMAT.md` §5.1).
    pub fn with_trust_store(
        trust_store_json: &str,
        skew_secs: Option<i64>,
        lang: Lang,
    ) -> Result<Session, BindingError> {
        let store = TrustStore::from_json(trust_store_json).map_err(|e| BindingError::from_core(&e, lang))?;
        Ok(Session::finish(Verifier::new(store), Vec::new(), skew_secs))
    }

    /// A verifier over a signed trust list verified against the pinned roots (`ikdpk1:` texts),
    /// holding the status lists that verify under it. A list that does not verify is not used
    /// and is reported in [`Session::list_errors`]: a bad trust list leaves nothing trusted
    /// (every credential is then UNDETERMINED `issuer_unknown`), a bad status list leaves its
    /// issuer's credentials UNDETERMINED `status_unknown`. A root that is not a public key is
    /// an error.
    pub fn with_trust_list(
        trust_list: &[u8],
        pinned_roots: &[&str],
        status_lists: &[&[u8]],
        skew_secs: Option<i64>,
        lang: Lang,
    ) -> Result<Session, BindingError> {
        let roots = pinned_roots
            .iter()
            .map(|r| PublicKey::from_text(r.trim()).map_err(|e| BindingError::from_core(&e, lang)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut errors = Vec::new();
        let list = match TrustList::verify(trust_list, &roots) {
            Ok(list) => Some(list),
            Err(e) => {
                errors.push(ListError { list: "trust_list", index: None, error: BindingError::from_core(&e, lang) });
                None
            }
        };
        let verifier = match &list {
            Some(l) => Verifier::from_trust_list(l.clone()),
            None => Verifier::new(TrustStore::new()),
        };
        let mut held = Vec::new();
        for (i, bytes) in status_lists.iter().enumerate() {
            let checked = match &list {
                Some(l) => StatusList::verify_under_trust_list(bytes, l),
                None => Err(StatusListError::IssuerNotTrusted),
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
        Ok(Session::finish(verifier, errors, skew_secs))
    }

    /// A session around a verifier made elsewhere (by a list holder): its clock is replaced by
    /// the per-call clock.
    pub fn from_verifier(verifier: Verifier, skew_secs: Option<i64>) -> Session {
        Session::finish(verifier, Vec::new(), skew_secs)
    }

    fn finish(verifier: Verifier, list_errors: Vec<ListError>, skew_secs: Option<i64>) -> Session {
        let mut verifier = verifier.with_clock(std::sync::Arc::new(CallClock));
        if let Some(s) = skew_secs {
            verifier = verifier.with_skew_secs(s);
        }
        Session { verifier, list_errors }
    }

    /// The lists that did not verify when the session was made.
    pub fn list_errors(&self) -> &[ListError] {
        &self.list_errors
    }

    /// The lists that did not verify, as JSON (`[{list, index, code, message}]`).
    pub fn list_errors_json(&self) -> Value {
        Value::Array(self.list_errors.iter().map(ListError::to_json).collect())
    }

    /// Verifies `text`; the answer is the core's verification view with `list_errors` beside
    /// it. An error only for unusable options (a bad policy file, an unknown policy): a text
    /// that does not verify is an INVALID or UNDETERMINED answer.
    pub fn verify(&self, text: &str, opts: &CallOptions<'_>) -> Result<Answer, BindingError> {
        let policy = resolve_policy(opts)?;
        let v = {
            let _time = CallTime::set(opts.now);
            self.verifier.verify_with(text, &VerifyOptions { policy: policy.as_ref(), challenge: opts.challenge })
        };
        let view = VerificationView::new(
            &v,
            text,
            &ViewOptions {
                lang: opts.lang,
                show_nik: opts.show_nik,
                photo: if opts.photo { PhotoData::Embedded } else { PhotoData::None },
                policy: opts.policy,
            },
        );
        Ok(Answer { view, list_errors: self.list_errors_json() })
    }

    /// As [`Session::verify`], with the answer as JSON text.
    pub fn verify_json(&self, text: &str, opts: &CallOptions<'_>) -> Result<(Verdict, String), BindingError> {
        let answer = self.verify(text, opts)?;
        let json = serde_json::to_string(&answer).map_err(|_| BindingError::internal(opts.lang))?;
        Ok((answer.verdict(), json))
    }
}

/// What a credential text says, WITHOUT verifying it (the core's inspection view: `verified`
/// is `false` and `notice` says so). An error when the text is not a well-formed credential.
pub fn decode(text: &str, lang: Lang, show_nik: bool) -> Result<Value, BindingError> {
    let view =
        ikd_core::InspectionView::of_text(text, lang, show_nik).map_err(|e| BindingError::from_core(&e, lang))?;
    Ok(serde_json::to_value(view).unwrap_or(Value::Null))
}
