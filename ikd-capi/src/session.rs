//! The bindings' common part in plain, safe Rust: a verifier made from a trust store or from a
//! signed trust list with pinned roots and status lists, and one verification with per-call
//! options, answered with the core's verification view as JSON. The C functions (`crate::ffi`)
//! and the Python package (`ikd-python`) both call this, so neither holds a rule of its own.
//!
//! Nothing here decides anything about a credential: decoding, the checks, the verdict, the
//! view and its masking rule, the policy set and the list rules are ikd-core's.

use ikd_core::session::SessionOptions;
use ikd_core::{Lang, Verdict, Verifier};
use serde_json::Value;

pub use ikd_core::session::{BAD_ARGUMENT, BindingError, INTERNAL_ERROR as INTERNAL};
/// Code of a policy name that is neither built in nor in the given policy file (the same code
/// as `ikd verify --policy`, the server and the WebAssembly package).
pub const POLICY_UNKNOWN: &str = "policy_unknown";

/// Runs `f`, turning a panic (a bug) into `internal_error`: no panic unwinds into C or Python.
pub fn guard<T>(lang: Lang, f: impl FnOnce() -> Result<T, BindingError>) -> Result<T, BindingError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| Err(BindingError::internal(lang)))
}

/// Reads a language name: `en…` is English, anything else (or nothing) Bahasa Indonesia; an
/// `Accept-Language` value also works ([`Lang::from_header`]).
pub fn lang(name: Option<&str>) -> Lang {
    name.map(Lang::from_header).unwrap_or_default()
}

pub use ikd_core::session::{Answer, CallOptions, ListError};

/// A verifier that lives across calls, so that its replay memory for live presentations does
/// too: [`ikd_core::session::Session`] (every rule is there), with its errors as
/// [`BindingError`]s. `Sync`: one session may verify on many threads at once, each call at
/// its own time ([`CallOptions::now`]).
#[derive(Debug)]
pub struct Session {
    inner: ikd_core::session::Session,
    /// The language the session was made in: of `list_errors_json`.
    lang: Lang,
}

impl Session {
    /// A verifier over a trust store (JSON, `docs/FORMAT.md` §5.1).
    pub fn with_trust_store(
        trust_store_json: &str,
        skew_secs: Option<i64>,
        lang: Lang,
    ) -> Result<Session, BindingError> {
        let options = SessionOptions { skew_secs, ..SessionOptions::default() };
        ikd_core::session::Session::with_trust_store(trust_store_json, &options)
            .map(|inner| Session { inner, lang })
            .map_err(|e| BindingError::from_core(&e, lang))
    }

    /// A verifier over a signed trust list verified against the pinned roots (`ikdpk1:` texts),
    /// holding the status lists that verify under it; a list that does not verify is not used
    /// and is reported in [`Session::list_errors`]
    /// ([`ikd_core::session::Session::with_trust_list`]).
    pub fn with_trust_list(
        trust_list: &[u8],
        pinned_roots: &[&str],
        status_lists: &[&[u8]],
        skew_secs: Option<i64>,
        lang: Lang,
    ) -> Result<Session, BindingError> {
        let options = SessionOptions { skew_secs, ..SessionOptions::default() };
        ikd_core::session::Session::with_trust_list(trust_list, pinned_roots, status_lists, &options)
            .map(|inner| Session { inner, lang })
            .map_err(|e| BindingError::from_core(&e, lang))
    }

    /// A session around a verifier made elsewhere (by a list holder).
    pub fn from_verifier(verifier: Verifier, skew_secs: Option<i64>) -> Session {
        let options = SessionOptions { skew_secs, ..SessionOptions::default() };
        Session { inner: ikd_core::session::Session::from_verifier(verifier, &options), lang: Lang::default() }
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

    /// Verifies `text`; the answer is the core's verification view with `list_errors` beside
    /// it. An error only for unusable options (a bad policy file, an unknown policy): a text
    /// that does not verify is an INVALID or UNDETERMINED answer.
    pub fn verify(&self, text: &str, opts: &CallOptions<'_>) -> Result<Answer, BindingError> {
        self.inner.verify(text, opts).map_err(|e| BindingError::from_core(&e, opts.lang))
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
