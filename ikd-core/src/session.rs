//! A verifier for a binding: made from a trust store, or from a signed trust list with pinned
//! roots and status lists, and one verification with per-call options (time, language, policy
//! by name, challenge), answered with the [`VerificationView`]. The WebAssembly package, the
//! Python package and the C interface all wrap this one type, so that none of them holds a
//! rule of its own: how a list that does not verify is treated, how a policy name is looked
//! up, and which time a verification runs at are decided here once.
//!
//! ```
//! use ikd_core::session::{CallOptions, Session, SessionOptions};
//!
//! let session = Session::with_trust_store(r#"{"version":1,"issuers":[]}"#, &SessionOptions::default()).unwrap();
//! let answer = session.verify("not a credential", &CallOptions::default()).unwrap();
//! assert_eq!(answer.view.code, "decode_wrong_prefix");
//! ```

use serde::Serialize;
use serde_json::{Value, json};

use crate::keys::KeyError;
use crate::policy_set::UnknownPolicy;
use crate::status::{FreshnessPolicy, StatusList, StatusListError};
use crate::trust_store::TrustStoreError;
use crate::trustlist::{TrustList, TrustListError};
use crate::view::PhotoData;
use crate::{
    Lang, Policy, PolicyError, PolicySet, PublicKey, ReplayStateError, Timestamp, TrustStore, UserError, Verdict,
    VerificationView, Verifier, VerifyOptions, ViewOptions,
};

/// Why a session could not be made, or a call's options could not be used. A credential that
/// does not verify is not an error: it is an INVALID or UNDETERMINED answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The trust store is not a valid trust store (`trust_store_*`).
    #[error("trust store: {0}")]
    TrustStore(TrustStoreError),
    /// A pinned root is not a public key (`key_*`).
    #[error("pinned root {index}: {error}")]
    Root {
        /// Its position among the pinned roots.
        index: usize,
        /// Why it is not a key.
        error: KeyError,
    },
    /// The policy file cannot be used (`policy_*`).
    #[error("policy file: {0}")]
    PolicyFile(PolicyError),
    /// No policy has the name asked for (`policy_unknown`).
    #[error(transparent)]
    PolicyUnknown(UnknownPolicy),
    /// A replay-memory snapshot cannot be restored (`replay_state_*`); nothing was added.
    #[error("replay state: {0}")]
    ReplayState(ReplayStateError),
}

impl SessionError {
    /// The stable code: the underlying error's (`docs/CODES.md`).
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::TrustStore(e) => e.code(),
            SessionError::Root { error, .. } => error.code(),
            SessionError::PolicyFile(e) => e.code(),
            SessionError::PolicyUnknown(e) => e.code(),
            SessionError::ReplayState(e) => e.code(),
        }
    }

    /// The message in `lang`: the underlying error's.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SessionError::TrustStore(e) => e.message(lang),
            SessionError::Root { error, .. } => error.message(lang),
            SessionError::PolicyFile(e) => e.message(lang),
            SessionError::PolicyUnknown(e) => e.message(lang),
            SessionError::ReplayState(e) => e.message(lang),
        }
    }
}

crate::lang::user_error!(SessionError);

/// Code of an argument a binding cannot use (`BindingFault::BadArgument`).
pub const BAD_ARGUMENT: &str = "bad_argument";
/// Code of a bug caught at a binding's boundary (`BindingFault::Internal`).
pub const INTERNAL_ERROR: &str = "internal_error";

/// What only a binding's boundary can go wrong on, beside the core's own errors: the codes
/// every binding (WebAssembly, C, Python) answers with the same messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindingFault {
    /// An argument of the wrong type, size or range (`bad_argument`); the text names it
    /// (`now`, `options.challenge`, `seed (32 bytes)`, ...).
    #[error("unusable argument: {0}")]
    BadArgument(String),
    /// A panic caught at the boundary (`internal_error`): a bug, reported instead of being
    /// unwound into the host language.
    #[error("internal error in the IKD library")]
    Internal,
}

impl BindingFault {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            BindingFault::BadArgument(_) => BAD_ARGUMENT,
            BindingFault::Internal => INTERNAL_ERROR,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (BindingFault::BadArgument(what), Lang::Id) => format!("argumen tidak dapat dipakai: {what}"),
            (BindingFault::BadArgument(what), Lang::En) => format!("unusable argument: {what}"),
            (BindingFault::Internal, Lang::Id) => "kesalahan internal pustaka IKD (mohon laporkan)".to_owned(),
            (BindingFault::Internal, Lang::En) => "internal error in the IKD library (please report it)".to_owned(),
        }
    }
}

crate::lang::user_error!(BindingFault);

/// An error as a binding hands it to its host language (a thrown JS `Error`, a Python
/// exception, a C error out-parameter): a stable code (`docs/CODES.md`) and the message in the
/// caller's language, from any core error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingError {
    /// The stable code.
    pub code: String,
    /// The message, in the language of the call.
    pub message: String,
}

impl BindingError {
    /// From any core error: its own code and message.
    pub fn from_core(e: &dyn UserError, lang: Lang) -> BindingError {
        BindingError { code: e.code().to_owned(), message: e.message(lang) }
    }

    /// An argument that cannot be used: `what` names it ([`BindingFault::BadArgument`]).
    pub fn bad_argument(what: &str, lang: Lang) -> BindingError {
        BindingError::from_core(&BindingFault::BadArgument(what.to_owned()), lang)
    }

    /// A panic caught at the boundary ([`BindingFault::Internal`]).
    pub fn internal(lang: Lang) -> BindingError {
        BindingError::from_core(&BindingFault::Internal, lang)
    }
}

impl std::fmt::Display for BindingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for BindingError {}

/// Which list a [`ListError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListKind {
    /// The signed trust list.
    TrustList,
    /// One of the status lists.
    StatusList,
}

impl ListKind {
    /// `trust_list` or `status_list`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::TrustList => "trust_list",
            ListKind::StatusList => "status_list",
        }
    }
}

/// A list given to [`Session::with_trust_list`] that did not verify: it is not used. With no
/// good trust list nothing is trusted (every credential is UNDETERMINED `issuer_unknown`);
/// with a bad status list its issuer's credentials are UNDETERMINED `status_unknown`. Never
/// VALID on a list that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    list: ListKind,
    index: Option<usize>,
    code: &'static str,
    message_id: String,
    message_en: String,
}

impl ListError {
    fn new(list: ListKind, index: Option<usize>, e: &dyn UserError) -> ListError {
        ListError { list, index, code: e.code(), message_id: e.message(Lang::Id), message_en: e.message(Lang::En) }
    }

    /// Which list.
    pub fn list(&self) -> ListKind {
        self.list
    }

    /// For a status list, its position among the status lists given.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// The stable code of why it did not verify.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Why it did not verify, in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.message_id,
            Lang::En => &self.message_en,
        }
    }

    /// `{list, index, code, message}`: the shape every binding answers in `list_errors`.
    pub fn to_json(&self, lang: Lang) -> Value {
        json!({ "list": self.list.as_str(), "index": self.index, "code": self.code, "message": self.message(lang) })
    }
}

/// How a session's verifier is set up (all optional).
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionOptions {
    /// Clock-skew tolerance in seconds (the core's default otherwise).
    pub skew_secs: Option<i64>,
    /// How long lists stay fresh and in grace offline (the core's default otherwise): a
    /// counter page takes its server's, so that both answer alike.
    pub freshness: Option<FreshnessPolicy>,
}

/// Options of one verification (all optional).
#[derive(Debug, Clone, Default)]
pub struct CallOptions<'a> {
    /// Language of messages (Bahasa Indonesia unless English is asked for).
    pub lang: Lang,
    /// The time to verify at; the verifier's clock (the system clock) when `None`.
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

/// Looks up the named policy in the built-in set merged with `policies_json`. A policy file is
/// read even when no policy is named, so that a broken one is reported.
pub fn resolve_policy(policy: Option<&str>, policies_json: Option<&str>) -> Result<Option<Policy>, SessionError> {
    if policy.is_none() && policies_json.is_none() {
        return Ok(None); // the common case: no policy set to build
    }
    let set = match policies_json {
        Some(file) => PolicySet::with_file(file, "policies").map_err(SessionError::PolicyFile)?,
        None => PolicySet::builtin(),
    };
    match policy {
        Some(name) => set.resolve(name).cloned().map(Some).map_err(SessionError::PolicyUnknown),
        None => Ok(None),
    }
}

/// The answer of one verification: the core's verification view with `list_errors` beside
/// it, serialised in the view's own field order, then `list_errors`.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The core's view.
    #[serde(flatten)]
    pub view: VerificationView,
    /// The lists that did not verify when the session was made (`[]` when all did), each as
    /// [`ListError::to_json`].
    pub list_errors: Value,
}

impl Answer {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        self.view.verdict
    }
}

/// A verifier that lives across calls, so that its replay memory for live presentations does
/// too. `Sync`: one session may verify on many threads at once, each call at its own time.
#[derive(Debug)]
pub struct Session {
    verifier: Verifier,
    list_errors: Vec<ListError>,
}

impl Session {
    /// A verifier over a trust store (JSON, `docs/FORMAT.md` §5.1).
    pub fn with_trust_store(trust_store_json: &str, options: &SessionOptions) -> Result<Session, SessionError> {
        let store = TrustStore::from_json(trust_store_json).map_err(SessionError::TrustStore)?;
        Ok(Session::from_verifier(Verifier::new(store), options))
    }

    /// A verifier over a signed trust list verified against the pinned roots (`ikdpk1:` texts),
    /// holding the status lists that verify under it. A list that does not verify is not used
    /// and is reported in [`Session::list_errors`] ([`ListError`]). A root that is not a public
    /// key is an error.
    pub fn with_trust_list(
        trust_list: &[u8],
        pinned_roots: &[&str],
        status_lists: &[&[u8]],
        options: &SessionOptions,
    ) -> Result<Session, SessionError> {
        let roots = pinned_roots
            .iter()
            .enumerate()
            .map(|(index, r)| PublicKey::from_text(r.trim()).map_err(|error| SessionError::Root { index, error }))
            .collect::<Result<Vec<_>, _>>()?;
        let mut errors = Vec::new();
        let list = match TrustList::verify(trust_list, &roots) {
            Ok(list) => Some(list),
            Err(e) => {
                errors.push(ListError::new(ListKind::TrustList, None, &e as &TrustListError));
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
                Err(e) => errors.push(ListError::new(ListKind::StatusList, Some(i), &e)),
            }
        }
        let verifier = if status_lists.is_empty() { verifier } else { verifier.with_status_lists(held) };
        let mut session = Session::from_verifier(verifier, options);
        session.list_errors = errors;
        Ok(session)
    }

    /// A session around a verifier made elsewhere (by a list holder), with `options` applied.
    pub fn from_verifier(verifier: Verifier, options: &SessionOptions) -> Session {
        let mut verifier = verifier;
        if let Some(s) = options.skew_secs {
            verifier = verifier.with_skew_secs(s);
        }
        if let Some(f) = options.freshness {
            verifier = verifier.with_freshness(f);
        }
        Session { verifier, list_errors: Vec::new() }
    }

    /// The verifier the session runs.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The lists that did not verify when the session was made.
    pub fn list_errors(&self) -> &[ListError] {
        &self.list_errors
    }

    /// The lists that did not verify, as JSON (`[{list, index, code, message}]`).
    pub fn list_errors_json(&self, lang: Lang) -> Value {
        Value::Array(self.list_errors.iter().map(|e| e.to_json(lang)).collect())
    }

    /// Verifies `text`; the answer is the core's verification view with `list_errors` beside
    /// it. An error only for unusable options (a bad policy file, an unknown policy).
    pub fn verify(&self, text: &str, opts: &CallOptions<'_>) -> Result<Answer, SessionError> {
        let policy = resolve_policy(opts.policy, opts.policies_json)?;
        let v = self
            .verifier
            .verify_with(text, &VerifyOptions { policy: policy.as_ref(), challenge: opts.challenge, now: opts.now });
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
        Ok(Answer { view, list_errors: self.list_errors_json(opts.lang) })
    }

    /// A snapshot of the live presentations this session accepted (or restored) whose window
    /// has not ended at `now` ([`Verifier::replay_snapshot`]), to be kept across a reload.
    pub fn replay_snapshot(&self, now: Timestamp) -> Vec<u8> {
        self.verifier.replay_snapshot(now)
    }

    /// Restores a [`Session::replay_snapshot`] at `now`: its live entries are added to what
    /// this session refuses (nothing is ever removed); answers how many were added. Bad bytes
    /// are an error and change nothing.
    pub fn restore_replay(&self, snapshot: &[u8], now: Timestamp) -> Result<usize, SessionError> {
        self.verifier.restore_replay(snapshot, now).map_err(SessionError::ReplayState)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const EMPTY_STORE: &str = r#"{"version":1,"issuers":[]}"#;

    #[test]
    fn a_bad_trust_store_is_its_own_code() {
        let e = Session::with_trust_store("{", &SessionOptions::default()).unwrap_err();
        assert_eq!(e.code(), "trust_bad_json");
    }

    #[test]
    fn a_pinned_root_that_is_not_a_key_names_its_position() {
        let e = Session::with_trust_list(b"x", &["ikdpk1:nope"], &[], &SessionOptions::default()).unwrap_err();
        assert!(matches!(e, SessionError::Root { index: 0, .. }), "{e:?}");
        assert!(e.code().starts_with("key_"), "{}", e.code());
    }

    #[test]
    fn a_trust_list_that_does_not_verify_is_reported_and_nothing_is_trusted() {
        let root = crate::keys::SecretKey::generate().unwrap().public_key().to_text();
        let s = Session::with_trust_list(b"garbage", &[&root], &[b"x"], &SessionOptions::default()).unwrap();
        let kinds: Vec<_> = s.list_errors().iter().map(|e| (e.list(), e.index())).collect();
        assert_eq!(kinds, vec![(ListKind::TrustList, None), (ListKind::StatusList, Some(0))]);
        assert_eq!(s.list_errors()[1].code(), "status_issuer_not_trusted");
        let j = s.list_errors_json(Lang::En);
        assert_eq!(j[0]["list"], "trust_list");
    }

    #[test]
    fn an_unknown_policy_and_a_bad_policy_file_are_errors_not_verdicts() {
        let s = Session::with_trust_store(EMPTY_STORE, &SessionOptions::default()).unwrap();
        let e = s.verify("x", &CallOptions { policy: Some("kantor-pos"), ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), "policy_unknown");
        let e = s.verify("x", &CallOptions { policies_json: Some("{"), ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), "policy_bad_json");
    }

    #[test]
    fn bad_replay_bytes_are_replay_state_errors() {
        let s = Session::with_trust_store(EMPTY_STORE, &SessionOptions::default()).unwrap();
        let e = s.restore_replay(b"nope", Timestamp::from_unix(1_800_000_000)).unwrap_err();
        assert_eq!(e.code(), "replay_state_invalid");
        let snap = s.replay_snapshot(Timestamp::from_unix(1_800_000_000));
        assert_eq!(s.restore_replay(&snap, Timestamp::from_unix(1_800_000_000)).unwrap(), 0);
    }
}
