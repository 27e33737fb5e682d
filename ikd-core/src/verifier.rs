//! The verifier: checks credential and presentation texts against a trust store, a clock
//! and (optionally) trust and status lists.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::claims::{AgeOver, BerlakuHingga, Claims, SlotValue, slot};
use crate::clock::{Clock, SystemClock};
use crate::credential::{Header, Timestamp, UnverifiedCredential, text_to_payload};
use crate::error::DecodeError;
use crate::keys::verify_signature_strict;
use crate::lang::Lang;
use crate::nik::{Nik, Sex};
use crate::present::{
    DEFAULT_PRESENTATION_SKEW_SECS, DEFAULT_PRESENTATION_WINDOW_SECS, Disclosure, KIND_PRESENTATION,
    ParsedPresentation, Policy, ReplayCache, ReplayCheck, replay_id, replay_owner,
};
use crate::reason::{Reason, Verdict};
use crate::report::{Check, Outcome, Report};
use crate::status::{CredentialStatus, Freshness, FreshnessPolicy, StatusList};
use crate::trust_store::{TrustStore, TrustedIssuer};
use crate::trustlist::{IssuanceProblem, TrustList};

/// Default tolerance for clock differences between issuer, holder and counter: 5 minutes.
pub const DEFAULT_SKEW_SECS: i64 = 300;

/// A credential that passed every check. Only [`Verifier::verify`] produces one.
#[derive(Clone)]
pub struct VerifiedCredential {
    inner: UnverifiedCredential,
    issuer: TrustedIssuer,
}

impl fmt::Debug for VerifiedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedCredential")
            .field("issuer", &self.issuer.name)
            .field("serial", &self.inner.header.serial)
            .finish_non_exhaustive()
    }
}

impl VerifiedCredential {
    /// The resident claims.
    pub fn claims(&self) -> &Claims {
        self.inner.claims()
    }
    /// The age predicates.
    pub fn age_over(&self) -> AgeOver {
        self.inner.age_over()
    }
    /// The face thumbnail (WebP), if any.
    pub fn photo(&self) -> Option<&[u8]> {
        self.inner.photo()
    }
    /// The issuer part.
    pub fn header(&self) -> &Header {
        self.inner.header()
    }
    /// The trusted issuer whose key verified the signature.
    pub fn issuer(&self) -> &TrustedIssuer {
        &self.issuer
    }
}

/// A presentation that passed every check: only the disclosed claims. Only
/// [`Verifier::verify`] produces one.
#[derive(Clone)]
pub struct VerifiedPresentation {
    header: Header,
    issuer: TrustedIssuer,
    disclosure: Disclosure,
    values: Vec<(usize, SlotValue)>,
    live: bool,
    signed_at: Option<Timestamp>,
    challenge: Option<Vec<u8>>,
}

impl fmt::Debug for VerifiedPresentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedPresentation")
            .field("issuer", &self.issuer.name)
            .field("serial", &self.header.serial)
            .field("disclosed", &self.disclosure)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

impl VerifiedPresentation {
    /// The issuer part.
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The trusted issuer.
    pub fn issuer(&self) -> &TrustedIssuer {
        &self.issuer
    }
    /// Which slots were disclosed.
    pub fn disclosure(&self) -> Disclosure {
        self.disclosure
    }
    /// Names of the withheld slots.
    pub fn withheld(&self) -> Vec<&'static str> {
        self.disclosure.complement_names()
    }
    /// Whether the holder signed it (a live presentation).
    pub fn is_live(&self) -> bool {
        self.live
    }
    /// When the holder signed it (live presentations).
    pub fn signed_at(&self) -> Option<Timestamp> {
        self.signed_at
    }
    /// The counter challenge it answers, if any.
    pub fn challenge(&self) -> Option<&[u8]> {
        self.challenge.as_deref()
    }
    /// The disclosed claims as a JSON object with the claims JSON's field names (age
    /// predicates as booleans, `foto` as base64 WebP).
    pub fn disclosed_json(&self) -> serde_json::Value {
        self.disclosed().to_json()
    }
    /// The disclosed claims, typed: the same names and values as
    /// [`VerifiedPresentation::disclosed_json`].
    pub fn disclosed(&self) -> crate::claims_view::ClaimsView {
        let mut m = crate::claims_view::ClaimsView::with_capacity(self.values.len() + 6);
        for (i, v) in &self.values {
            v.put_view(*i, &mut m);
        }
        m.finish()
    }
    /// The disclosed face thumbnail (WebP), if the photo slot was disclosed and holds one.
    pub fn photo(&self) -> Option<&[u8]> {
        self.values.iter().find_map(|(_, v)| match v {
            SlotValue::Foto(Some(p)) => Some(p.as_slice()),
            _ => None,
        })
    }
}

/// The result of verifying one credential or presentation text.
#[derive(Debug, Clone)]
pub struct Verification {
    verdict: Verdict,
    reason: Option<Reason>,
    report: Report,
    header: Option<Header>,
    issuer: Option<TrustedIssuer>,
    credential: Option<VerifiedCredential>,
    presentation: Option<VerifiedPresentation>,
    withheld: Vec<&'static str>,
    replay: Option<ReplayToken>,
}

/// What a replay store shared beyond one [`Verifier`] records for an accepted live
/// presentation: a 16-byte key (a hash of the holder signature, which holds no personal
/// data) and the time its window ends, after which the entry may be forgotten.
///
/// A verifier's own cache catches a replay to the same verifier. Counters whose verifications
/// run in several processes (one `ikd verify` per scan, servers behind a load balancer) also
/// record the token in a shared store and, if it was there already, turn the verification
/// into a rejection with [`Verification::reject_replayed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayToken {
    id: [u8; 16],
    until: Timestamp,
}

impl ReplayToken {
    /// The key under which to record the presentation.
    pub fn id(&self) -> [u8; 16] {
        self.id
    }
    /// The key as 32 lowercase hex digits.
    pub fn id_hex(&self) -> String {
        self.id.iter().map(|b| format!("{b:02x}")).collect()
    }
    /// When the presentation's window (plus the skew tolerance) ends.
    pub fn until(&self) -> Timestamp {
        self.until
    }
}

impl Verification {
    /// VALID, INVALID or UNDETERMINED.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }
    /// Why it is not VALID.
    pub fn reason(&self) -> Option<&Reason> {
        self.reason.as_ref()
    }
    /// The reason code, or `ok` when VALID.
    pub fn code(&self) -> &'static str {
        self.reason.as_ref().map(Reason::code).unwrap_or("ok")
    }
    /// Each check's outcome.
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// The issuer part, when the text could be decoded (for audit logs: serial, key id).
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }
    /// The issuer whose key verified the signature, when it did.
    pub fn issuer(&self) -> Option<&TrustedIssuer> {
        self.issuer.as_ref()
    }
    /// The verified full credential, only when VALID and the text was a full credential.
    pub fn credential(&self) -> Option<&VerifiedCredential> {
        self.credential.as_ref()
    }
    /// Takes the verified credential, only when VALID.
    pub fn into_credential(self) -> Option<VerifiedCredential> {
        self.credential
    }
    /// The verified presentation, only when VALID and the text was a presentation.
    pub fn presentation(&self) -> Option<&VerifiedPresentation> {
        self.presentation.as_ref()
    }
    /// The claims the holder withheld (empty for a full credential).
    pub fn withheld(&self) -> &[&'static str] {
        &self.withheld
    }
    /// For a VALID live presentation, what a shared replay store must record (see
    /// [`ReplayToken`]); `None` otherwise.
    pub fn replay_token(&self) -> Option<ReplayToken> {
        self.replay
    }
    /// Turns a VALID live presentation into the `presentation_replayed` rejection, for a
    /// replay found by a store shared beyond this verifier (another process or server had
    /// recorded its [`ReplayToken`]). Any other verification is returned unchanged: a verdict
    /// can be lowered this way, never raised.
    pub fn reject_replayed(self) -> Verification {
        if self.replay.is_none() {
            return self;
        }
        let reason = Reason::PresentationReplayed;
        let mut entries = Vec::with_capacity(self.report.entries.len());
        let mut after = false;
        for (c, o) in self.report.entries {
            if after {
                entries.push((c, Outcome::Skipped));
            } else if c == Check::HolderBinding {
                entries.push((c, Outcome::Failed(reason.clone())));
                after = true;
            } else {
                entries.push((c, o));
            }
        }
        Verification {
            verdict: reason.verdict(),
            reason: Some(reason),
            report: Report { entries },
            header: self.header,
            issuer: self.issuer,
            credential: None,
            presentation: None,
            withheld: Vec::new(),
            replay: None,
        }
    }
    /// The disclosed claims as JSON, when VALID (full credentials: every claim plus the age
    /// predicates; presentations: what was disclosed).
    pub fn claims_json(&self) -> Option<serde_json::Value> {
        self.claims_view().map(|c| c.to_json())
    }
    /// The disclosed claims, typed ([`crate::claims_view::ClaimsView`]), when VALID: the same names
    /// and values as [`Verification::claims_json`].
    pub fn claims_view(&self) -> Option<crate::claims_view::ClaimsView> {
        use crate::claims_view::{ClaimValue, ClaimsView};
        if let Some(c) = &self.credential {
            let mut m = ClaimsView::with_capacity(22);
            c.claims().put_view(&mut m);
            let age = c.age_over();
            m.put("age_over_17", ClaimValue::Bool(age.over_17));
            m.put("age_over_21", ClaimValue::Bool(age.over_21));
            m.put("age_over_60", ClaimValue::Bool(age.over_60));
            return Some(m.finish());
        }
        self.presentation.as_ref().map(VerifiedPresentation::disclosed)
    }
    /// A message for the officer.
    pub fn message(&self, lang: Lang) -> String {
        match (&self.reason, &self.presentation) {
            (Some(r), _) => r.message(lang),
            (None, Some(p)) if p.live => match lang {
                Lang::Id => {
                    "Presentasi langsung sah: data yang ditampilkan asli dan berasal dari ponsel pemiliknya.".to_owned()
                }
                Lang::En => {
                    "Valid live presentation: the data shown is genuine and came from the owner's phone.".to_owned()
                }
            },
            (None, Some(_)) => match lang {
                Lang::Id => "Data yang ditampilkan sah.".to_owned(),
                Lang::En => "The data shown is valid.".to_owned(),
            },
            (None, None) => match lang {
                Lang::Id => "Kredensial sah.".to_owned(),
                Lang::En => "The credential is valid.".to_owned(),
            },
        }
    }
}

/// Per-verification options: the service policy and the counter's challenge.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// The service policy to apply, if any.
    pub policy: Option<&'a Policy>,
    /// The challenge this counter showed, if it runs in challenge mode.
    pub challenge: Option<&'a [u8]>,
    /// The time to verify at, instead of the verifier's clock: for a caller that verifies
    /// for many clocks at once (a binding called from several threads, a browser with no
    /// clock the core can read). `None` reads the verifier's [`Clock`].
    pub now: Option<Timestamp>,
}

/// How many live presentations a [`Verifier`]'s replay cache holds unless
/// [`Verifier::with_replay_capacity`] says otherwise; a snapshot of it
/// ([`Verifier::replay_snapshot`]) is at most 9 + 40 × this bytes (4 MB).
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

/// Checks credentials against a trust store and a clock, fully offline.
#[derive(Clone)]
pub struct Verifier {
    trust: TrustStore,
    clock: Arc<dyn Clock>,
    skew_secs: i64,
    window_secs: i64,
    live_skew_secs: i64,
    replay: Arc<Mutex<ReplayCache>>,
    trust_list: Option<Arc<TrustList>>,
    status_lists: Option<Arc<HashMap<[u8; 32], StatusList>>>,
    freshness: FreshnessPolicy,
    /// On wasm32, the issuer keys' precomputed tables ([`crate::PrecomputedKey`]), made when a
    /// key first checks a signature; shared by the verifiers made from this one (the tables
    /// depend on the key alone). At most one entry per trusted key ever held.
    #[cfg(target_arch = "wasm32")]
    key_tables: Arc<Mutex<HashMap<[u8; 32], Arc<crate::keys::PrecomputedKey>>>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("issuers", &self.trust.issuers.len())
            .field("skew_secs", &self.skew_secs)
            .field("window_secs", &self.window_secs)
            .field("live_skew_secs", &self.live_skew_secs)
            .finish_non_exhaustive()
    }
}

struct Run {
    entries: Vec<(Check, Outcome)>,
    checks: Vec<Check>,
}

impl Run {
    fn new(opts: &VerifyOptions<'_>) -> Run {
        // Room for what a run may add (status, policy, holder binding): one allocation.
        let mut checks = Vec::with_capacity(Check::BASE.len() + 3);
        checks.extend_from_slice(&Check::BASE);
        // Always reported: `not_checked` when the verifier holds no status lists.
        checks.push(Check::Status);
        if opts.policy.is_some() {
            checks.push(Check::Policy);
        }
        Run { entries: Vec::with_capacity(checks.len()), checks }
    }
    fn pass(&mut self, c: Check) {
        self.entries.push((c, Outcome::Passed));
    }
    fn finish(
        mut self,
        c: Check,
        reason: Reason,
        header: Option<Header>,
        issuer: Option<TrustedIssuer>,
    ) -> Verification {
        let outcome = match reason.verdict() {
            Verdict::Undetermined => Outcome::Undetermined(reason.clone()),
            _ => Outcome::Failed(reason.clone()),
        };
        self.entries.push((c, outcome));
        for rest in &self.checks {
            if !self.entries.iter().any(|(d, _)| d == rest) {
                self.entries.push((*rest, Outcome::Skipped));
            }
        }
        Verification {
            verdict: reason.verdict(),
            reason: Some(reason),
            report: Report { entries: self.entries },
            header,
            issuer,
            credential: None,
            presentation: None,
            withheld: Vec::new(),
            replay: None,
        }
    }
}

/// What is being verified: a full credential or a presentation.
enum Subject {
    Full(Box<UnverifiedCredential>),
    Presentation(Box<ParsedPresentation>),
}

impl Subject {
    fn decode(text: &str) -> Result<Subject, DecodeError> {
        let payload = text_to_payload(text)?;
        match payload.first() {
            Some(&KIND_PRESENTATION) => Ok(Subject::Presentation(Box::new(ParsedPresentation::parse(payload)?))),
            _ => Ok(Subject::Full(Box::new(UnverifiedCredential::from_payload(payload)?))),
        }
    }
    fn header(&self) -> &Header {
        match self {
            Subject::Full(c) => &c.header,
            Subject::Presentation(p) => &p.header,
        }
    }
    fn issuer_message(&self) -> Vec<u8> {
        match self {
            Subject::Full(c) => c.signed_message(),
            Subject::Presentation(p) => p.issuer_message(),
        }
    }
    fn signature(&self) -> &[u8; 64] {
        match self {
            Subject::Full(c) => &c.signature,
            Subject::Presentation(p) => &p.issuer_signature,
        }
    }
    fn disclosure(&self) -> Disclosure {
        match self {
            Subject::Full(_) => Disclosure::ALL,
            Subject::Presentation(p) => p.disclosure,
        }
    }
    fn is_live(&self) -> bool {
        matches!(self, Subject::Presentation(p) if p.live.is_some())
    }
    /// (nik, birth date, sex, age predicates, berlaku_hingga), each if disclosed.
    #[allow(clippy::type_complexity)]
    fn consistency_inputs(
        &self,
    ) -> (Option<Nik>, Option<time::Date>, Option<Sex>, [Option<bool>; 3], Option<BerlakuHingga>) {
        match self {
            Subject::Full(c) => {
                let cl = c.claims();
                let a = c.age_over();
                (
                    Some(cl.nik),
                    Some(cl.tanggal_lahir),
                    Some(cl.jenis_kelamin),
                    [Some(a.over_17), Some(a.over_21), Some(a.over_60)],
                    Some(cl.berlaku_hingga),
                )
            }
            Subject::Presentation(p) => {
                let (mut nik, mut date, mut sex, mut age, mut until) = (None, None, None, [None; 3], None);
                for (i, v) in &p.values {
                    match (i, v) {
                        (_, SlotValue::Nik(n)) => nik = Some(*n),
                        (_, SlotValue::Date(d)) => date = Some(*d),
                        (_, SlotValue::Sex(s)) => sex = Some(*s),
                        (_, SlotValue::BerlakuHingga(b)) => until = Some(*b),
                        (&slot::AGE_OVER_17, SlotValue::Bool(b)) => age[0] = Some(*b),
                        (&slot::AGE_OVER_21, SlotValue::Bool(b)) => age[1] = Some(*b),
                        (&slot::AGE_OVER_60, SlotValue::Bool(b)) => age[2] = Some(*b),
                        _ => {}
                    }
                }
                (nik, date, sex, age, until)
            }
        }
    }
}

impl Verifier {
    /// A verifier with the system clock, the default skew tolerance, the default 90 s
    /// window for live presentations with 30 s of future skew, and a replay cache of
    /// 100 000 entries of which one holder key may hold [`crate::DEFAULT_LIVE_PER_HOLDER`].
    pub fn new(trust: TrustStore) -> Verifier {
        Verifier {
            trust,
            clock: Arc::new(SystemClock),
            skew_secs: DEFAULT_SKEW_SECS,
            window_secs: DEFAULT_PRESENTATION_WINDOW_SECS,
            live_skew_secs: DEFAULT_PRESENTATION_SKEW_SECS,
            replay: Arc::new(Mutex::new(ReplayCache::new(DEFAULT_REPLAY_CAPACITY))),
            trust_list: None,
            status_lists: None,
            freshness: FreshnessPolicy::default(),
            #[cfg(target_arch = "wasm32")]
            key_tables: Arc::default(),
        }
    }

    /// A verifier that trusts the keys of a signed trust list (already verified against the
    /// pinned root keys with [`TrustList::verify`]) and applies its key statuses (retired,
    /// compromised) and scopes, and its freshness (`trust_list_stale` when past grace).
    pub fn from_trust_list(list: TrustList) -> Verifier {
        let mut v = Verifier::new(list.to_trust_store());
        v.trust_list = Some(Arc::new(list));
        v
    }

    /// Checks revocation against these status lists (each already verified with
    /// [`StatusList::verify`]). A credential whose issuer has no list here is UNDETERMINED
    /// (`status_unknown`).
    pub fn with_status_lists(mut self, lists: impl IntoIterator<Item = StatusList>) -> Verifier {
        let map: HashMap<[u8; 32], StatusList> = lists.into_iter().map(|l| (*l.issuer_key().as_bytes(), l)).collect();
        self.status_lists = Some(Arc::new(map));
        self
    }

    /// Sets the freshness periods for trust and status lists (defaults in
    /// [`FreshnessPolicy::default`]: status lists 1 day fresh + 30 days grace, trust lists
    /// 7 days + 90 days).
    pub fn with_freshness(mut self, policy: FreshnessPolicy) -> Verifier {
        self.freshness = policy;
        self
    }

    /// The trust list, if the verifier was made from one.
    pub fn trust_list(&self) -> Option<&TrustList> {
        self.trust_list.as_deref()
    }

    /// Uses `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Verifier {
        self.clock = clock;
        self
    }

    /// Sets the clock-skew tolerance in seconds (default [`DEFAULT_SKEW_SECS`]).
    pub fn with_skew_secs(mut self, secs: i64) -> Verifier {
        self.skew_secs = secs.max(0);
        self
    }

    /// Sets how long a live presentation is accepted after it was signed (default 90 s).
    pub fn with_presentation_window_secs(mut self, secs: i64) -> Verifier {
        self.window_secs = secs.max(1);
        self
    }

    /// Sets how far in the future (by this verifier's clock) a live presentation's time may
    /// be (default [`crate::DEFAULT_PRESENTATION_SKEW_SECS`], 30 s), for a phone whose clock
    /// runs ahead. A presentation is accepted while `time − skew ≤ now < time + window`, so
    /// the whole span in which one code is accepted is the window plus this skew. The
    /// credential's own skew tolerance ([`Verifier::with_skew_secs`]) does not apply to it.
    pub fn with_presentation_skew_secs(mut self, secs: i64) -> Verifier {
        self.live_skew_secs = secs.max(0);
        self
    }

    /// Uses a replay cache of `capacity` entries (a fresh one, not shared with clones made
    /// before this call), with the default limit per holder key.
    pub fn with_replay_capacity(mut self, capacity: usize) -> Verifier {
        self.replay = Arc::new(Mutex::new(ReplayCache::new(capacity)));
        self
    }

    /// Sets how many live presentations of one holder key the replay cache holds within
    /// their windows (default [`crate::DEFAULT_LIVE_PER_HOLDER`]); more are answered
    /// UNDETERMINED `presentation_rate_limited` until older ones expire. This is both the
    /// per-credential rate limit of live checks and the bound on one resident's share of the
    /// cache. Applies to the cache this verifier holds (and shares).
    pub fn with_live_limit_per_holder(self, limit: usize) -> Verifier {
        self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner).set_owner_limit(limit);
        self
    }

    /// The same verifier (clock, skew, freshness, live-presentation settings and the very
    /// same replay cache) trusting a new signed trust list instead, with no status lists yet.
    /// This is how a holder of lists rebuilds its verifier after a trust-list change, so that
    /// no setting is lost and a presentation accepted just before the change is still
    /// refused as a replay just after it.
    pub fn with_trust_list(&self, list: TrustList) -> Verifier {
        let mut v = self.clone();
        v.trust = list.to_trust_store();
        v.trust_list = Some(Arc::new(list));
        v.status_lists = None;
        v
    }

    /// Like [`Verifier::with_trust_list`], trusting a plain trust store.
    pub fn with_trust_store(&self, trust: TrustStore) -> Verifier {
        let mut v = self.clone();
        v.trust = trust;
        v.trust_list = None;
        v.status_lists = None;
        v
    }

    /// A snapshot of the live presentations this verifier's replay cache holds whose window
    /// has not ended at `now` ([`ReplayCache::snapshot`]): what a counter saves so that a code
    /// it accepted stays refused after a restart or a page reload. No personal data.
    pub fn replay_snapshot(&self, now: Timestamp) -> Vec<u8> {
        self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner).snapshot(now.unix())
    }

    /// Adds a [`Verifier::replay_snapshot`]'s live entries to this verifier's replay cache
    /// ([`ReplayCache::restore`]: strict, size-capped, only ever adding what to refuse), and
    /// answers how many it added. On an error nothing is added.
    pub fn restore_replay(&self, snapshot: &[u8], now: Timestamp) -> Result<usize, crate::ReplayStateError> {
        self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner).restore(snapshot, now.unix())
    }

    /// Shares `other`'s replay cache. A verifier rebuilt after a trust-list change should
    /// take over the cache of the one it replaces: otherwise a presentation accepted just
    /// before the change could be used a second time just after it.
    pub fn with_replay_cache_of(mut self, other: &Verifier) -> Verifier {
        self.replay = Arc::clone(&other.replay);
        self
    }

    /// The trust store.
    pub fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies one credential or presentation text, from text to verdict.
    pub fn verify(&self, text: &str) -> Verification {
        self.verify_with(text, &VerifyOptions::default())
    }

    /// Verifies with a policy and/or a counter challenge.
    pub fn verify_with(&self, text: &str, opts: &VerifyOptions<'_>) -> Verification {
        let run = Run::new(opts);
        match Subject::decode(text) {
            Ok(s) => self.verify_subject(s, run, opts, false),
            Err(e) => run.finish(Check::Decode, Reason::Malformed(e), None, None),
        }
    }

    /// Verifies many texts at once. Signatures are checked together with Ed25519 batch
    /// verification (feature `batch`); if the batch fails, each is checked alone with the
    /// strict check, so the verdicts are those of [`Verifier::verify`]. See `docs/FORMAT.md`,
    /// "Batch verification", for the one documented difference (signatures only the issuer
    /// could have made, with a mixed-order `R`).
    #[cfg(feature = "batch")]
    pub fn verify_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Verification> {
        let opts = VerifyOptions::default();
        self.verify_many(texts.len(), |i| texts.get(i).map(AsRef::as_ref).unwrap_or(""), |_| opts)
    }

    /// Verifies many texts at once, each with its own options (policy, challenge, time): what
    /// [`Verifier::verify_with`] answers for each, with the issuer signatures checked together
    /// as in [`Verifier::verify_batch`]. For a server that gathers the texts of concurrent
    /// requests (`docs/SERVER.md`, "Signature batching").
    #[cfg(feature = "batch")]
    pub fn verify_batch_with<S: AsRef<str>>(&self, items: &[(S, VerifyOptions<'_>)]) -> Vec<Verification> {
        let none = VerifyOptions::default();
        self.verify_many(
            items.len(),
            |i| items.get(i).map(|(t, _)| t.as_ref()).unwrap_or(""),
            |i| items.get(i).map_or(none, |(_, o)| *o),
        )
    }

    /// The one batch path: item `i` is `text(i)` verified with `opts(i)`.
    #[cfg(feature = "batch")]
    fn verify_many<'t, 'o>(
        &self,
        n: usize,
        text: impl Fn(usize) -> &'t str,
        opts: impl Fn(usize) -> VerifyOptions<'o>,
    ) -> Vec<Verification> {
        let decoded: Vec<Result<Subject, DecodeError>> = (0..n).map(|i| Subject::decode(text(i))).collect();
        // Issue 18: which texts the batch covers, by position (a `contains` on a list of
        // positions made a batch of n texts cost n² comparisons).
        let mut in_batch = vec![false; decoded.len()];
        // Sized once (growing it copied every entry again at each doubling: issue 18, `perf`).
        let mut items: Vec<(&crate::PublicKey, Vec<u8>, &[u8; 64])> = Vec::with_capacity(decoded.len());
        for (d, covered) in decoded.iter().zip(in_batch.iter_mut()) {
            if let Ok(s) = d {
                let mut cands = self.trust.candidates(s.header().key_id);
                if let (Some(k), None) = (cands.next(), cands.next()) {
                    *covered = true;
                    items.push((&k.public_key, s.issuer_message(), s.signature()));
                }
            }
        }
        let refs: Vec<(&crate::PublicKey, &[u8], &[u8; 64])> =
            items.iter().map(|(k, m, s)| (*k, m.as_slice(), *s)).collect();
        // One signature alone: the single strict check (a batch of one costs more than it).
        let batch_ok = refs.len() > 1 && crate::keys::verify_batch_strict(&refs);
        // Pushed into a vector of the final size: `collect` reused the decoded texts' buffer
        // and then reallocated it, copying every result (issue 18, `perf`).
        let mut out = Vec::with_capacity(n);
        for (i, (d, covered)) in decoded.into_iter().zip(in_batch).enumerate() {
            let o = opts(i);
            let run = Run::new(&o);
            out.push(match d {
                Ok(s) => self.verify_subject(s, run, &o, batch_ok && covered),
                Err(e) => run.finish(Check::Decode, Reason::Malformed(e), None, None),
            });
        }
        out
    }

    /// The strict check of an issuer signature: [`verify_signature_strict`], natively.
    #[cfg(not(target_arch = "wasm32"))]
    fn issuer_signature_ok(&self, key: &crate::PublicKey, message: &[u8], signature: &[u8; 64]) -> bool {
        verify_signature_strict(key, message, signature)
    }

    /// The strict check of an issuer signature: on wasm32 through the key's precomputed tables
    /// ([`crate::PrecomputedKey`], the same answers, about a quarter faster there).
    #[cfg(target_arch = "wasm32")]
    fn issuer_signature_ok(&self, key: &crate::PublicKey, message: &[u8], signature: &[u8; 64]) -> bool {
        let cached =
            self.key_tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key.as_bytes()).cloned();
        let tables = match cached {
            Some(t) => t,
            None => {
                let Some(t) = crate::keys::PrecomputedKey::new(key) else { return false };
                let t = Arc::new(t);
                self.key_tables
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(*key.as_bytes(), Arc::clone(&t));
                t
            }
        };
        tables.verify_strict(message, signature)
    }

    /// `signature_checked`: the issuer signature already verified in a batch under the
    /// single candidate key.
    fn verify_subject(
        &self,
        subject: Subject,
        mut run: Run,
        opts: &VerifyOptions<'_>,
        signature_checked: bool,
    ) -> Verification {
        run.pass(Check::Decode);
        if subject.is_live() {
            run.checks.push(Check::HolderBinding);
        }
        let header = subject.header().clone();
        let now = opts.now.unwrap_or_else(|| self.clock.now());
        let trust_stale = match self.trust_list.as_ref().map(|l| l.freshness(now, &self.freshness)) {
            Some(Freshness::Stale { age_secs }) => Some(age_secs),
            _ => None,
        };
        let mut candidates = self.trust.candidates(header.key_id).peekable();
        if candidates.peek().is_none() {
            return run.finish(Check::IssuerKnown, Reason::IssuerUnknown(header.key_id), Some(header), None);
        }
        run.pass(Check::IssuerKnown);
        let found = if signature_checked {
            candidates.next().cloned()
        } else {
            let message = subject.issuer_message();
            candidates.find(|i| self.issuer_signature_ok(&i.public_key, &message, subject.signature())).cloned()
        };
        let Some(issuer) = found else {
            return run.finish(Check::Signature, Reason::SignatureInvalid, Some(header), None);
        };
        run.pass(Check::Signature);
        let fail = |run: Run, c: Check, r: Reason| run.finish(c, r, Some(header.clone()), Some(issuer.clone()));
        let (nik, birth, sex, age, until) = subject.consistency_inputs();
        if let Some(age_secs) = trust_stale {
            // A stale trust list may lack a later compromise, retirement or scope change, so
            // nothing past the signature is decided from it, except a revocation, which is
            // final: UNDETERMINED stating the list's age, or INVALID if revoked.
            let revoked = self
                .status_lists
                .as_ref()
                .and_then(|l| l.get(issuer.public_key.as_bytes()))
                .is_some_and(|l| matches!(l.get(header.status_index), Ok(CredentialStatus::Revoked)));
            if revoked {
                run.checks.retain(|c| *c != Check::Status);
                run.checks.push(Check::Status);
                return fail(run, Check::Status, Reason::Revoked);
            }
            return fail(run, Check::KeyValidAtIssuance, Reason::TrustListStale { age_secs });
        }
        let entry = self.trust_list.as_ref().and_then(|l| l.entry(&issuer.public_key));
        if let Some(entry) = entry {
            let checked = match &nik {
                Some(nik) => entry.check_issuance(header.issued_at, nik),
                None => entry.check_issuance_time(header.issued_at),
            };
            if let Err(problem) = checked {
                let reason = match problem {
                    IssuanceProblem::IssuedAfterCompromise { .. } => Reason::KeyCompromisedAtIssuance,
                    IssuanceProblem::IssuedBeforeKeyValid => Reason::KeyNotYetValidAtIssuance,
                    IssuanceProblem::IssuedAfterKeyExpired => Reason::KeyExpiredAtIssuance,
                    IssuanceProblem::IssuedAfterRetirement { .. } => Reason::KeyRetiredAtIssuance,
                    _ => Reason::IssuerOutOfScope,
                };
                return fail(run, Check::KeyValidAtIssuance, reason);
            }
        } else {
            if header.issued_at < issuer.not_before {
                return fail(run, Check::KeyValidAtIssuance, Reason::KeyNotYetValidAtIssuance);
            }
            if header.issued_at > issuer.not_after {
                return fail(run, Check::KeyValidAtIssuance, Reason::KeyExpiredAtIssuance);
            }
        }
        run.pass(Check::KeyValidAtIssuance);
        if now.plus(self.skew_secs) < header.valid_from {
            return fail(run, Check::ValidityWindow, Reason::NotYetValid);
        }
        if now.plus(-self.skew_secs) >= header.expires_at {
            return fail(run, Check::ValidityWindow, Reason::Expired);
        }
        // The card is valid through the whole of its `berlaku_hingga` day in WIB: the same
        // instant the issuing policy caps `expires_at` at (`Timestamp::end_of_day_exclusive`).
        if let Some(BerlakuHingga::Tanggal(d)) = until
            && now.plus(-self.skew_secs) >= Timestamp::end_of_day_exclusive(d)
        {
            return fail(run, Check::ValidityWindow, Reason::CardExpired);
        }
        run.pass(Check::ValidityWindow);
        if let (Some(nik), Some(birth)) = (nik, birth)
            && !nik.matches_birth_date(birth)
        {
            return fail(run, Check::NikConsistency, Reason::NikBirthDateMismatch);
        }
        if let (Some(nik), Some(sex)) = (nik, sex)
            && nik.sex() != sex
        {
            return fail(run, Check::NikConsistency, Reason::NikSexMismatch);
        }
        if let Some(birth) = birth {
            let expected = AgeOver::compute(birth, header.issued_at.date());
            let want = [expected.over_17, expected.over_21, expected.over_60];
            if age.iter().zip(want).any(|(got, want)| got.is_some_and(|g| g != want)) {
                return fail(run, Check::NikConsistency, Reason::AgeClaimsInconsistent);
            }
        }
        run.pass(Check::NikConsistency);
        if let Some(lists) = &self.status_lists {
            let Some(list) = lists.get(issuer.public_key.as_bytes()) else {
                return fail(run, Check::Status, Reason::StatusUnknown);
            };
            let stale = match list.freshness(now, &self.freshness) {
                Freshness::Stale { age_secs } => Some(age_secs),
                _ => None,
            };
            match list.get(header.status_index) {
                // Revocation is final: a stale list that says revoked is still right.
                Ok(CredentialStatus::Revoked) => return fail(run, Check::Status, Reason::Revoked),
                _ if stale.is_some() => {
                    return fail(run, Check::Status, Reason::StatusListStale { age_secs: stale.unwrap_or(0) });
                }
                Ok(CredentialStatus::Suspended) => return fail(run, Check::Status, Reason::Suspended),
                Ok(_) => {}
                Err(_) if header.issued_at > list.issued_at() => {
                    // Issued after this list was published: the list cannot know it yet.
                    return fail(run, Check::Status, Reason::StatusUnknown);
                }
                Err(_) => return fail(run, Check::Status, Reason::StatusIndexOutOfRange),
            }
            run.pass(Check::Status);
        } else {
            run.entries.push((Check::Status, Outcome::NotChecked));
        }
        let mut replay = None;
        if let Subject::Presentation(p) = &subject
            && let Some(live) = &p.live
        {
            let Some(holder) = header.holder_key else {
                return fail(run, Check::HolderBinding, Reason::HolderKeyMissing);
            };
            let message = p.holder_message().unwrap_or_default();
            if !verify_signature_strict(&holder, &message, &live.signature) {
                return fail(run, Check::HolderBinding, Reason::HolderSignatureInvalid);
            }
            if live.time > now.plus(self.live_skew_secs) {
                return fail(run, Check::HolderBinding, Reason::PresentationInFuture);
            }
            let deadline = live.time.plus(self.window_secs);
            if now >= deadline {
                return fail(run, Check::HolderBinding, Reason::PresentationExpired);
            }
            match (opts.challenge, live.challenge.as_deref()) {
                (Some(set), answered) if Some(set) != answered => {
                    return fail(run, Check::HolderBinding, Reason::ChallengeMismatch);
                }
                (None, Some(_)) => return fail(run, Check::HolderBinding, Reason::ChallengeUnexpected),
                _ => {}
            }
            let id = replay_id(&live.signature);
            let owner = replay_owner(holder.as_bytes());
            let seen = self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner).check_and_insert(
                id,
                owner,
                now.unix(),
                deadline.unix(),
            );
            match seen {
                ReplayCheck::Fresh => replay = Some(ReplayToken { id, until: deadline }),
                ReplayCheck::Replayed => return fail(run, Check::HolderBinding, Reason::PresentationReplayed),
                ReplayCheck::OwnerLimit => return fail(run, Check::HolderBinding, Reason::PresentationRateLimited),
                _ => return fail(run, Check::HolderBinding, Reason::ReplayCacheFull),
            }
            run.pass(Check::HolderBinding);
        } else if opts.challenge.is_some() {
            run.checks.push(Check::HolderBinding);
            return fail(run, Check::HolderBinding, Reason::ChallengeMismatch);
        }
        if let Some(policy) = opts.policy {
            if !subject.disclosure().covers(policy.required) {
                let missing = Disclosure::from_bits(policy.required.bits() & !subject.disclosure().bits());
                return fail(run, Check::Policy, Reason::PolicyClaimsMissing(missing.names().join(",")));
            }
            if policy.require_live && !subject.is_live() {
                return fail(run, Check::Policy, Reason::PolicyRequiresLive);
            }
            if policy.require_challenge && opts.challenge.is_none() {
                return fail(run, Check::Policy, Reason::PolicyRequiresChallenge);
            }
            run.pass(Check::Policy);
        }
        let withheld = subject.disclosure().complement_names();
        let (credential, presentation) = match subject {
            Subject::Full(c) => (Some(VerifiedCredential { inner: *c, issuer: issuer.clone() }), None),
            Subject::Presentation(p) => {
                let p = *p;
                let live = p.live.is_some();
                let (signed_at, challenge) = match p.live {
                    Some(l) => (Some(l.time), l.challenge),
                    None => (None, None),
                };
                (
                    None,
                    Some(VerifiedPresentation {
                        header: header.clone(),
                        issuer: issuer.clone(),
                        disclosure: p.disclosure,
                        values: p.values,
                        live,
                        signed_at,
                        challenge,
                    }),
                )
            }
        };
        Verification {
            verdict: Verdict::Valid,
            reason: None,
            report: Report { entries: run.entries },
            header: Some(header),
            issuer: Some(issuer),
            credential,
            presentation,
            withheld,
            replay,
        }
    }
}
