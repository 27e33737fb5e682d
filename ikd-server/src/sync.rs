//! Trust lists and status lists: what the server holds, publishes (`GET /v1/trust-list`,
//! `GET /v1/status/{key_id}`) and verifies with, and the background sync of a counter's server
//! from an upstream server. See `docs/SERVER.md` §13 and `docs/TRUST-AND-STATUS.md`.
//!
//! * The **trust list** comes from `trust_list_file` (checked against the pinned `root_keys`),
//!   from the last synced copy kept in `<data_dir>/lists/`, or from the upstream server. A new
//!   list is only accepted as the core list holder decides (`ikd_core::list_holder`).
//! * The **status lists**: the server signs one for its own issuer key from the store's
//!   revocations (re-signed when a revocation happens and when half its TTL has passed). The
//!   store keeps its one linear history (`Store::publish_status_list`: the successor is signed
//!   inside a transaction serialised per key), so instances sharing a database publish one list,
//!   and each instance installs the newest stored list once it verifies and follows the one
//!   held. The lists of other issuer keys are synced from upstream and only replace the copy
//!   held when they verify and pass `StatusList::check_transition`.
//! * The **verifier** is rebuilt whenever a list changes and swapped in atomically
//!   (`RwLock<Arc<Verifier>>`): requests in flight finish with the verifier they started with.
//! * Anything that fails (network, signature, rollback) keeps the previous good copy.
//! * The sync speaks `https://` (rustls; system roots, or only `upstream_ca_file`) and, warned
//!   about for hosts that are not loopback, plain `http://` (see [`upstream_client`]).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use ikd_core::list_holder::{Decision, RepinPolicy, decide_status_list, decide_trust_list, next_status_sequence};
use ikd_core::status::{CredentialStatus, Freshness, FreshnessPolicy, StatusList, StatusListBuilder, StatusListError};
use ikd_core::trustlist::{MAX_TRUST_LIST_BYTES, Scope, TrustList, TrustListBuilder, TrustListEntry, TrustListError};
use ikd_core::{Clock, KeyId, Policy, PublicKey, SecretKey, StatusIndex, Timestamp, TrustStore, Verifier};
use prometheus::{IntCounterVec, IntGauge, IntGaugeVec, Opts};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::app::{AppState, StartupError};
use crate::config::{ConfigError, IssuanceConfig, ListsConfig};
use crate::metrics::Metrics;
use crate::store::{RevokedCredential, StatusListSigner, StoredStatusList};

/// Largest status list the sync accepts from upstream: 8 MiB (two bitmaps of 2^25 entries).
pub const MAX_SYNC_STATUS_BYTES: usize = 8 << 20;
/// Time limit of one download (connecting, headers, and body each).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);
/// File of the synced trust list in `<data_dir>/lists/`.
pub const TRUST_LIST_FILE: &str = "trust-list.ikdtl";
/// The roots under which the synced trust list was accepted (one `ikdpk1:` key per line).
pub const TRUST_ROOTS_FILE: &str = "trust-list.roots";

/// The strong ETag of a published list: a SHA-256 of its bytes.
pub fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", hex::encode(Sha256::digest(bytes)))
}

/// File name of a status list in `<data_dir>/lists/`: the full issuer key, so key ids that
/// collide cannot overwrite each other.
pub fn status_file_name(issuer: &PublicKey) -> String {
    format!("status-{}.iksl", hex::encode(issuer.as_bytes()))
}

/// Where a held list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `trust_list_file`.
    File,
    /// Synced from upstream (now or before a restart: the copy kept in the data directory).
    Synced,
    /// Signed by this server for its own issuer key.
    Own,
    /// Made by demo mode.
    Demo,
}

/// A list as published: the exact bytes, their strong ETag, and the verified list.
#[derive(Debug, Clone)]
pub struct Held<T> {
    /// The bytes, exactly as received or signed.
    pub bytes: Bytes,
    /// `"<sha-256 hex>"`.
    pub etag: String,
    /// The verified list.
    pub list: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Held<T> {
    fn new(bytes: Bytes, list: T, source: Source) -> Held<T> {
        Held { etag: etag(&bytes), bytes, list, source }
    }
}

/// What offering a list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// The same bytes as held.
    Unchanged,
    /// Verified and installed.
    Installed {
        /// Sequence of the list it replaced.
        old: Option<u64>,
        /// Its sequence.
        new: u64,
    },
}

/// A clock shifted by a fixed offset (`danger_clock_offset_secs`, tests only).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock(pub i64);

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        Timestamp::now().plus(self.0)
    }
}

/// What the server is built from besides [`crate::AppParts`]: lists, sync and policies.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Trust lists, status lists and sync.
    pub lists: ListsConfig,
    /// Keep synced lists (and the own status list) in `<data_dir>/lists/`; `None`: memory only.
    pub data_dir: Option<PathBuf>,
    /// The service policies (`None`: the built-in ones).
    pub policies: Option<Vec<Policy>>,
}

struct OwnKey {
    key: SecretKey,
    public: PublicKey,
    key_id: String,
}

impl std::fmt::Debug for OwnKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnKey").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Inner {
    trust: Option<Held<TrustList>>,
    /// Root keys under which the held trust list was accepted.
    trust_roots: Vec<PublicKey>,
    status: BTreeMap<[u8; 32], Held<StatusList>>,
    /// Own revoked serials known to be in the own status list held (always a subset of
    /// `AppState::revoked`, so comparing the two sizes tells whether one is missing).
    own_included: HashSet<u64>,
}

/// One problem of a sync round.
#[derive(Debug, Clone, Serialize)]
pub struct SyncProblem {
    /// `trust_list` or `status:<key id>`.
    pub list: String,
    /// Stable code: a list error code (`trust_list_rollback`, `status_bad_signature`, ...),
    /// `upstream_unreachable`, `upstream_status` or `trust_list_not_published`.
    pub code: String,
    /// What happened.
    pub message: String,
}

/// The state of the sync, for `/v1/sync/status` and `/readyz`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Rounds run since start.
    pub rounds: u64,
    /// When the last round started (RFC 3339).
    pub last_attempt: Option<String>,
    /// When the last round ended without a problem.
    pub last_success: Option<String>,
    /// Rounds in a row with a problem.
    pub consecutive_failures: u64,
    /// The problems of the last round (empty when it succeeded).
    pub problems: Vec<SyncProblem>,
    /// Lists replaced in the last round (`trust_list`, `status:<key id>`).
    pub updated: Vec<String>,
}

#[derive(Debug, Clone)]
struct ListMetrics {
    last_attempt: IntGauge,
    last_success: IntGauge,
    runs: IntCounterVec,
    issued_at: IntGaugeVec,
    sequence: IntGaugeVec,
    rejected: IntCounterVec,
}

impl ListMetrics {
    fn new(m: &Metrics) -> Result<ListMetrics, prometheus::Error> {
        let last_attempt = IntGauge::new("sync_last_attempt_timestamp_seconds", "Start of the last sync round")?;
        let last_success =
            IntGauge::new("sync_last_success_timestamp_seconds", "End of the last sync round without a problem")?;
        let runs = IntCounterVec::new(Opts::new("sync_runs_total", "Sync rounds by outcome"), &["outcome"])?;
        let issued_at = IntGaugeVec::new(
            Opts::new("list_issued_at_timestamp_seconds", "issued_at of each list held (age = time() - this)"),
            &["list", "key_id"],
        )?;
        let sequence = IntGaugeVec::new(Opts::new("list_sequence", "Sequence of each list held"), &["list", "key_id"])?;
        let rejected = IntCounterVec::new(
            Opts::new("list_rejected_total", "Lists offered by upstream or a file and refused, by reason"),
            &["list", "code"],
        )?;
        m.register(Box::new(last_attempt.clone()))?;
        m.register(Box::new(last_success.clone()))?;
        m.register(Box::new(runs.clone()))?;
        m.register(Box::new(issued_at.clone()))?;
        m.register(Box::new(sequence.clone()))?;
        m.register(Box::new(rejected.clone()))?;
        Ok(ListMetrics { last_attempt, last_success, runs, issued_at, sequence, rejected })
    }

    fn held(&self, list: &str, key_id: &str, issued_at: Timestamp, sequence: u64) {
        self.issued_at.with_label_values(&[list, key_id]).set(issued_at.unix());
        self.sequence.with_label_values(&[list, key_id]).set(i64::try_from(sequence).unwrap_or(i64::MAX));
    }
}

/// The lists the server holds, the verifier made from them, and the sync state.
pub struct Lists {
    roots: Vec<PublicKey>,
    trust_list_file: Option<PathBuf>,
    upstream: Option<String>,
    /// The client of the sync (`None` without an upstream): https with the configured roots.
    client: Option<HttpClient>,
    interval: Duration,
    dir: Option<PathBuf>,
    freshness: FreshnessPolicy,
    status_ttl_secs: u64,
    status_size: u32,
    clock: Arc<dyn Clock>,
    danger_offset: i64,
    own: Option<OwnKey>,
    base_trust: TrustStore,
    inner: RwLock<Inner>,
    verifier: RwLock<Arc<Verifier>>,
    report: Mutex<SyncReport>,
    /// Serialises publishing the own status list within this process.
    own_lock: tokio::sync::Mutex<()>,
    /// The last attempt to publish the own status list failed: requests no longer try (they
    /// would wait for the store); the background task retries every few seconds.
    own_failing: AtomicBool,
    /// The last read of the newest stored own status list failed (warned once).
    own_read_failing: AtomicBool,
    /// The newest stored own status list could not be installed: publish a successor of both.
    own_repair: AtomicBool,
    metrics: ListMetrics,
}

impl std::fmt::Debug for Lists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lists")
            .field("roots", &self.roots.len())
            .field("upstream", &self.upstream)
            .field("own", &self.own)
            .field("danger_offset", &self.danger_offset)
            .finish_non_exhaustive()
    }
}

fn lists_error(name: &str, message: String) -> StartupError {
    StartupError::Config(ConfigError::Invalid { name: name.to_owned(), message })
}

fn read_roots_file(path: &Path) -> Vec<PublicKey> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().filter_map(|l| PublicKey::from_text(l.trim()).ok()).collect())
        .unwrap_or_default()
}

/// Writes a file atomically (temporary file, fsync, rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

impl Lists {
    /// Loads the trust list (file and synced copy) and the synced status lists kept in the
    /// data directory, and builds the first verifier. The own status list is made afterwards
    /// by [`AppState::start_own_status`] (from the store).
    pub fn open(
        base_trust: TrustStore,
        own_key: Option<&SecretKey>,
        issuance: IssuanceConfig,
        extras: &Extras,
        metrics: &Metrics,
    ) -> Result<Lists, StartupError> {
        let cfg = &extras.lists;
        let own = match own_key {
            Some(k) => {
                let copy = SecretKey::from_file_text(&k.to_file_text())
                    .map_err(|e| lists_error("issuer_key", format!("cannot copy the issuer key: {e}")))?;
                let public = copy.public_key();
                Some(OwnKey { key: copy, public, key_id: public.key_id().to_string() })
            }
            None => None,
        };
        let clock: Arc<dyn Clock> = if cfg.danger_clock_offset_secs != 0 {
            Arc::new(OffsetClock(cfg.danger_clock_offset_secs))
        } else {
            Arc::new(ikd_core::SystemClock)
        };
        let metrics = ListMetrics::new(metrics)
            .map_err(|e| lists_error("metrics", format!("cannot register the list metrics: {e}")))?;
        let first = Verifier::new(base_trust.clone())
            .with_clock(Arc::clone(&clock))
            .with_freshness(cfg.freshness)
            .with_presentation_window_secs(cfg.presentation_window_secs)
            .with_presentation_skew_secs(cfg.presentation_skew_secs)
            .with_replay_capacity(cfg.replay_cache_entries)
            .with_live_limit_per_holder(cfg.live_per_holder);
        let lists = Lists {
            roots: cfg.root_keys.clone(),
            trust_list_file: cfg.trust_list_file.clone(),
            upstream: cfg.upstream_url.clone(),
            client: match &cfg.upstream_url {
                Some(_) => Some(
                    upstream_client(cfg.upstream_ca_file.as_deref()).map_err(|m| lists_error("upstream_ca_file", m))?,
                ),
                None => None,
            },
            interval: cfg.sync_interval,
            dir: extras.data_dir.as_ref().map(|d| d.join("lists")),
            freshness: cfg.freshness,
            status_ttl_secs: cfg.status_list_ttl_secs,
            status_size: issuance.status_list_size,
            clock,
            danger_offset: cfg.danger_clock_offset_secs,
            own,
            base_trust,
            inner: RwLock::new(Inner::default()),
            verifier: RwLock::new(Arc::new(first)),
            report: Mutex::new(SyncReport::default()),
            own_lock: tokio::sync::Mutex::new(()),
            own_failing: AtomicBool::new(false),
            own_read_failing: AtomicBool::new(false),
            own_repair: AtomicBool::new(false),
            metrics,
        };
        lists.load_trust_list()?;
        lists.load_status_lists();
        let inner = lists.read_inner();
        lists.rebuild(&inner, true);
        drop(inner);
        Ok(lists)
    }

    fn read_inner(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_inner(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn persist(&self, name: &str, bytes: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let res = std::fs::create_dir_all(dir).and_then(|()| write_atomic(&dir.join(name), bytes));
        if let Err(e) = res {
            tracing::error!(error = %e, file = name, dir = %dir.display(), "cannot keep a copy of a list");
        }
    }

    /// The configured trust list file (must verify under the pinned roots) and the synced copy
    /// from an earlier run: the newer one is used.
    fn load_trust_list(&self) -> Result<(), StartupError> {
        let mut candidates: Vec<(TrustList, Bytes, Source, Vec<PublicKey>)> = Vec::new();
        if let Some(path) = &self.trust_list_file {
            let err = |m: String| lists_error("trust_list_file", format!("{}: {m}", path.display()));
            let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
            let list = TrustList::verify(&bytes, &self.roots).map_err(|e| err(format!("{e} ({})", e.code())))?;
            candidates.push((list, Bytes::from(bytes), Source::File, self.roots.clone()));
        }
        if let Some(dir) = &self.dir
            && let Ok(bytes) = std::fs::read(dir.join(TRUST_LIST_FILE))
        {
            let mut roots = self.roots.clone();
            for r in read_roots_file(&dir.join(TRUST_ROOTS_FILE)) {
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
            match TrustList::verify(&bytes, &roots) {
                Ok(list) => candidates.push((list, Bytes::from(bytes), Source::Synced, roots)),
                Err(e) => {
                    tracing::warn!(code = e.code(), error = %e, "the kept trust list copy is not usable; ignored")
                }
            }
        }
        candidates.sort_by_key(|(l, ..)| l.sequence());
        let Some(mut chosen) = candidates.pop() else { return Ok(()) };
        if let Some(older) = candidates.pop()
            && let Err(e) = TrustList::check_successor(&older.0, &chosen.0)
        {
            // The file and the kept copy do not form one line of lists: the configured file wins.
            tracing::warn!(code = e.code(), error = %e, "the kept synced trust list and trust_list_file disagree");
            if chosen.2 != Source::File {
                chosen = older;
            }
        }
        let (list, bytes, source, roots) = chosen;
        self.metrics.held("trust", "", list.issued_at(), list.sequence());
        let mut inner = self.write_inner();
        inner.trust = Some(Held::new(bytes, list, source));
        inner.trust_roots = roots;
        Ok(())
    }

    /// Issuer keys whose status lists are wanted, with the key that signs each list.
    fn status_keys(&self, inner: &Inner) -> Vec<(PublicKey, PublicKey)> {
        match &inner.trust {
            Some(t) => t.list.entries().iter().map(|e| (e.public_key, *e.status_signing_key())).collect(),
            None => self.base_trust.issuers().iter().map(|i| (i.public_key, i.public_key)).collect(),
        }
    }

    /// Status lists kept from an earlier run, each verified again.
    fn load_status_lists(&self) {
        let Some(dir) = &self.dir else { return };
        let mut inner = self.write_inner();
        let mut keys = self.status_keys(&inner);
        let mut own_targets = Vec::new();
        if let Some(own) = &self.own {
            keys.retain(|(k, _)| *k != own.public);
            own_targets.push((own.public, own.public));
        }
        for (issuer, signer) in keys.iter().chain(own_targets.iter()) {
            let Ok(bytes) = std::fs::read(dir.join(status_file_name(issuer))) else { continue };
            let own = self.own.as_ref().is_some_and(|o| o.public == *issuer);
            let checked = match &inner.trust {
                Some(t) if !own => StatusList::verify_under_trust_list(&bytes, &t.list),
                _ => StatusList::verify_delegated(&bytes, issuer, signer),
            };
            match checked {
                Ok(list) => {
                    self.metrics.held("status", &issuer.key_id().to_string(), list.issued_at(), list.sequence());
                    let source = if own { Source::Own } else { Source::Synced };
                    inner.status.insert(*issuer.as_bytes(), Held::new(Bytes::from(bytes), list, source));
                }
                Err(e) => tracing::warn!(
                    key_id = %issuer.key_id(), code = e.code(), error = %e,
                    "a kept status list is not usable; ignored"
                ),
            }
        }
    }

    /// Whether status lists are checked: with a trust list, or when syncing from upstream.
    /// (A server with only a plain trust store checks revocation of its own credentials in
    /// its registry, as before.)
    fn applies_status(&self, inner: &Inner) -> bool {
        inner.trust.is_some() || self.upstream.is_some()
    }

    /// Rebuilds the verifier. Only a trust list change makes a new one, which takes over the
    /// replay cache of the current one; otherwise the current one is cloned (so it keeps its
    /// replay cache) with the new status lists.
    fn rebuild(&self, inner: &Inner, trust_changed: bool) {
        let mut v = if trust_changed {
            let current = self.verifier();
            match &inner.trust {
                Some(t) => current.with_trust_list(t.list.clone()),
                None => current.with_trust_store(self.base_trust.clone()),
            }
        } else {
            (*self.verifier()).clone()
        };
        if self.applies_status(inner) {
            v = v.with_status_lists(inner.status.values().map(|h| h.list.clone()));
        }
        let mut slot = self.verifier.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Arc::new(v);
    }

    /// The current verifier (without refreshing the own status list: see
    /// [`AppState::verifier_now`]).
    pub fn verifier(&self) -> Arc<Verifier> {
        Arc::clone(&self.verifier.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The clock of the verifier (shifted by `danger_clock_offset_secs`).
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The freshness policy.
    pub fn freshness(&self) -> FreshnessPolicy {
        self.freshness
    }

    /// Whether the trust list is expected from upstream (pinned roots, no list held yet).
    pub fn awaits_trust_list(&self) -> bool {
        self.upstream.is_some() && !self.roots.is_empty() && self.read_inner().trust.is_none()
    }

    /// Time between sync rounds.
    pub fn sync_interval(&self) -> Duration {
        self.interval
    }

    /// The upstream URL, when this server syncs.
    pub fn upstream(&self) -> Option<&str> {
        self.upstream.as_deref()
    }

    /// The client the background sync uses (https with the configured roots).
    pub fn sync_client(&self) -> HttpClient {
        self.client.clone().unwrap_or_else(http_client)
    }

    /// The clock offset (tests only; 0 normally).
    pub fn danger_clock_offset_secs(&self) -> i64 {
        self.danger_offset
    }

    /// The trust list as published.
    pub fn trust_list(&self) -> Option<Held<TrustList>> {
        self.read_inner().trust.clone()
    }

    /// The status lists held whose issuer key has this id.
    pub fn status_by_key_id(&self, key_id: KeyId) -> Vec<Held<StatusList>> {
        self.read_inner().status.values().filter(|h| h.list.key_id() == key_id).cloned().collect()
    }

    /// The status list of this issuer key, if held.
    pub fn status_by_key(&self, key: &PublicKey) -> Option<Held<StatusList>> {
        self.read_inner().status.get(key.as_bytes()).cloned()
    }

    /// The sync report.
    pub fn report(&self) -> SyncReport {
        self.report.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// A summary of every list held: source, sequence, age and freshness.
    pub fn summary(&self) -> serde_json::Value {
        let now = self.now();
        let inner = self.read_inner();
        let fresh = |f: Freshness| {
            let age = match f {
                Freshness::InGrace { age_secs } | Freshness::Stale { age_secs } => Some(age_secs),
                Freshness::Fresh => None,
            };
            (f.code(), age)
        };
        let trust = inner.trust.as_ref().map(|t| {
            let (code, _) = fresh(t.list.freshness(now, &self.freshness));
            serde_json::json!({
                "source": t.source,
                "sequence": t.list.sequence(),
                "issued_at": t.list.issued_at().to_string(),
                "next_update": t.list.next_update().to_string(),
                "age_secs": now.unix().saturating_sub(t.list.issued_at().unix()).max(0),
                "freshness": code,
                "issuers": t.list.entries().len(),
                "etag": t.etag,
            })
        });
        let status: Vec<_> = inner
            .status
            .values()
            .map(|h| {
                let l = &h.list;
                let (code, _) = fresh(l.freshness(now, &self.freshness));
                serde_json::json!({
                    "key_id": l.key_id().to_string(),
                    "source": h.source,
                    "sequence": l.sequence(),
                    "issued_at": l.issued_at().to_string(),
                    "ttl_secs": l.ttl_secs(),
                    "size": l.len(),
                    "revoked": l.revoked_count(),
                    "suspended": l.suspended_count(),
                    "age_secs": now.unix().saturating_sub(l.issued_at().unix()).max(0),
                    "freshness": code,
                    "etag": h.etag,
                })
            })
            .collect();
        let p = self.freshness;
        serde_json::json!({
            "now": now.to_string(),
            "checks_status_lists": self.applies_status(&inner),
            "trust_list": trust,
            "status_lists": status,
            "freshness_policy": {
                "status_fresh_secs": p.status_fresh_secs,
                "status_grace_secs": p.status_grace_secs,
                "trust_fresh_secs": p.trust_fresh_secs,
                "trust_grace_secs": p.trust_grace_secs,
            },
        })
    }

    /// Warnings for a VALID answer: the trust list or the issuer's status list is in its
    /// grace period (still used; the officer should sync).
    pub fn grace_warnings(&self, issuer: &PublicKey) -> Vec<(&'static str, i64)> {
        let now = self.now();
        let inner = self.read_inner();
        let mut out = Vec::new();
        if let Some(t) = &inner.trust
            && let Freshness::InGrace { age_secs } = t.list.freshness(now, &self.freshness)
        {
            out.push(("trust_list_in_grace", age_secs));
        }
        if self.applies_status(&inner)
            && let Some(h) = inner.status.get(issuer.as_bytes())
            && let Freshness::InGrace { age_secs } = h.list.freshness(now, &self.freshness)
        {
            out.push(("status_list_in_grace", age_secs));
        }
        out
    }

    /// Offers a trust list: accepted only as a successor of the one held (signed by its
    /// `next_roots`; or, after the operator re-pinned `root_keys`, by a pinned root and still a
    /// valid successor), or, when none is held, when signed by a pinned root.
    pub fn offer_trust_list(&self, bytes: Bytes, source: Source) -> Result<Offer, TrustListError> {
        let mut inner = self.write_inner();
        if inner.trust.as_ref().is_some_and(|cur| cur.bytes == bytes) {
            return Ok(Offer::Unchanged);
        }
        // The one rule for accepting a list (`ikd_core::list_holder`, shared with `ikd sync`).
        // The configured `root_keys` are the operator's explicit pin: a successor they sign is
        // accepted even if the held list did not announce them (the CLI's `--repin`).
        let held = inner.trust.as_ref().map(|t| &t.list);
        let (list, roots) = match decide_trust_list(held, &bytes, &self.roots, RepinPolicy::AllowPinnedRoots)? {
            Decision::Successor(l) => {
                let roots = held.map(|h| h.next_roots().to_vec()).unwrap_or_else(|| self.roots.clone());
                (l, roots)
            }
            Decision::First(l) | Decision::Repinned(l) => (l, self.roots.clone()),
            _ => return Ok(Offer::Unchanged),
        };
        let old = inner.trust.as_ref().map(|t| t.list.sequence());
        let new = list.sequence();
        self.metrics.held("trust", "", list.issued_at(), new);
        if source == Source::Synced {
            self.persist(TRUST_LIST_FILE, &bytes);
            let text: String = roots.iter().map(|r| format!("{}\n", r.to_text())).collect();
            self.persist(TRUST_ROOTS_FILE, text.as_bytes());
        }
        inner.trust = Some(Held::new(bytes, list, source));
        inner.trust_roots = roots;
        self.drop_untrusted_status_lists(&mut inner);
        self.rebuild(&inner, true);
        tracing::info!(?old, new, ?source, "trust list installed");
        Ok(Offer::Installed { old, new })
    }

    /// After a trust-list change, every held status list (but this server's own) is checked
    /// again under the new list ([`StatusList::verify_under_trust_list`]): one whose signer
    /// the list no longer names (a changed `status_key`), or marks compromised, is dropped
    /// with its kept copy, so that a list an attacker signed with that key (say, dated far
    /// ahead with the highest sequence) cannot keep shutting out the real successors.
    fn drop_untrusted_status_lists(&self, inner: &mut Inner) {
        let Some(trust) = inner.trust.as_ref().map(|t| t.list.clone()) else { return };
        let own = self.own.as_ref().map(|o| *o.public.as_bytes());
        inner.status.retain(|issuer, held| {
            if Some(*issuer) == own {
                return true;
            }
            let Err(e) = StatusList::verify_under_trust_list(&held.bytes, &trust) else { return true };
            let key = held.list.issuer_key();
            tracing::warn!(
                key_id = %key.key_id(), code = e.code(), error = %e,
                "a held status list is no longer trusted under the new trust list; dropped"
            );
            if let Some(dir) = &self.dir
                && let Err(e) = std::fs::remove_file(dir.join(status_file_name(key)))
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::error!(error = %e, "cannot remove the kept copy of a dropped status list");
            }
            false
        });
    }

    /// Offers a status list for `issuer`, signed by `signer` (the issuer key or the trust
    /// list's `status_key`): it must verify, be dated no later than the clock allows, and
    /// may only follow the list held ([`StatusList::check_offer`]).
    pub fn offer_status_list(
        &self,
        issuer: &PublicKey,
        signer: &PublicKey,
        bytes: Bytes,
    ) -> Result<Offer, StatusListError> {
        if self.read_inner().status.get(issuer.as_bytes()).is_some_and(|h| h.bytes == bytes) {
            return Ok(Offer::Unchanged);
        }
        let list = StatusList::verify_delegated(&bytes, issuer, signer)?;
        let mut inner = self.write_inner();
        let held = inner.status.get(issuer.as_bytes());
        let decided =
            decide_status_list(held.map(|h| &h.list), list, self.clock.now(), ikd_core::DEFAULT_SKEW_SECS)?;
        let Some(list) = decided.into_list() else { return Ok(Offer::Unchanged) };
        let old = held.map(|h| h.list.sequence());
        let new = list.sequence();
        self.metrics.held("status", &issuer.key_id().to_string(), list.issued_at(), new);
        self.persist(&status_file_name(issuer), &bytes);
        inner.status.insert(*issuer.as_bytes(), Held::new(bytes, list, Source::Synced));
        self.rebuild(&inner, false);
        tracing::info!(key_id = %issuer.key_id(), ?old, new, "status list installed");
        Ok(Offer::Installed { old, new })
    }

    /// Whether the own status list must be published again: a revocation it does not hold
    /// yet, none held yet, more than half its TTL old, or the newest stored list could not be
    /// installed.
    fn own_needs_refresh(&self, revoked: usize) -> bool {
        let Some(own) = &self.own else { return false };
        if self.own_repair.load(Ordering::SeqCst) {
            return true;
        }
        let inner = self.read_inner();
        match inner.status.get(own.public.as_bytes()) {
            Some(h) if h.source == Source::Own => {
                revoked != inner.own_included.len() || self.half_ttl_old(&h.list, Timestamp::now())
            }
            _ => true,
        }
    }

    /// Whether more than half of the list's TTL (`issuance.status_list_ttl_secs`) has passed.
    fn half_ttl_old(&self, list: &StatusList, now: Timestamp) -> bool {
        let half_ttl = i64::try_from(self.status_ttl_secs / 2).unwrap_or(i64::MAX);
        now.unix() - list.issued_at().unix() > half_ttl
    }

    /// The own status list held, if any.
    fn held_own(&self) -> Option<Held<StatusList>> {
        let own = self.own.as_ref()?;
        self.read_inner().status.get(own.public.as_bytes()).cloned()
    }

    /// The signer handed to `Store::publish_status_list`.
    fn own_signer(self: &Arc<Self>) -> StatusListSigner {
        let lists = Arc::clone(self);
        Box::new(move |latest, revoked| lists.sign_successor(latest, revoked))
    }

    /// Inside the store's publishing transaction: decides whether the newest stored own list
    /// (`latest`) needs a successor, and signs it. `None` when `latest` marks every revoked
    /// index, has the configured size, is less than half its TTL old and may follow the list
    /// held. With nothing stored, a list held from before (the copy kept in
    /// `<data_dir>/lists/` by an older version) is stored as it is when it would do. Otherwise
    /// the successor starts from the newer of the stored and the held list, also marks what the
    /// other one marks and every revoked index, never shrinks, has `issued_at` = now (never
    /// earlier than either) and sequence = the Unix time of signing (always above either).
    fn sign_successor(
        &self,
        latest: Option<&StoredStatusList>,
        revoked: &[RevokedCredential],
    ) -> Result<Option<StoredStatusList>, String> {
        let Some(own) = &self.own else { return Ok(None) };
        let held = self.held_own();
        let stored = match latest {
            None => None,
            Some(s) => {
                let list = match &held {
                    Some(h) if h.bytes.as_ref() == s.bytes.as_slice() => h.list.clone(),
                    _ => StatusList::verify(&s.bytes, &own.public).map_err(|e| {
                        format!(
                            "the newest stored status list of key id {} (sequence {}) does not verify under this \
                             server's issuer key ({}: {e}); if it belongs to another key, remove that row",
                            own.key_id,
                            s.sequence,
                            e.code()
                        )
                    })?,
                };
                if list.sequence() != s.sequence || list.issued_at().unix() != s.issued_at {
                    return Err(format!(
                        "the stored status list of key id {} has sequence {} and issued_at {} in its row but {} \
                         and {} in its bytes",
                        own.key_id,
                        s.sequence,
                        s.issued_at,
                        list.sequence(),
                        list.issued_at().unix()
                    ));
                }
                Some(list)
            }
        };
        let now = Timestamp::now();
        let indices: Vec<u32> = revoked.iter().map(|r| r.status_index).collect();
        let would_do = |l: &StatusList| {
            l.len() >= self.status_size
                && !self.half_ttl_old(l, now)
                && indices.iter().all(|i| matches!(l.get(StatusIndex::new(*i)), Ok(CredentialStatus::Revoked)))
        };
        match (&stored, &held) {
            (Some(s), h)
                if would_do(s) && h.as_ref().is_none_or(|h| StatusList::check_transition(&h.list, s).is_ok()) =>
            {
                return Ok(None);
            }
            (None, Some(h)) if would_do(&h.list) => {
                return Ok(Some(StoredStatusList {
                    sequence: h.list.sequence(),
                    issued_at: h.list.issued_at().unix(),
                    bytes: h.bytes.to_vec(),
                }));
            }
            _ => {}
        }
        let held_list = held.map(|h| h.list);
        let (base, other) = match (stored, held_list) {
            (Some(s), Some(h)) if h.sequence() > s.sequence() => (Some(h), Some(s)),
            (None, h) => (h, None),
            (s, h) => (s, h),
        };
        let err = |e: StatusListError| format!("{e} ({})", e.code());
        let mut b = match &base {
            Some(l) => StatusListBuilder::from_list(l),
            None => StatusListBuilder::new(self.status_size.max(1)).map_err(err)?,
        };
        let size = indices
            .iter()
            .map(|i| i.saturating_add(1))
            .max()
            .unwrap_or(0)
            .max(self.status_size)
            .max(b.len())
            .max(other.as_ref().map_or(0, StatusList::len));
        if size > b.len() {
            b.grow(size).map_err(err)?;
        }
        let carried = other.as_ref().map(|o| o.revoked().collect::<Vec<u32>>()).unwrap_or_default();
        for i in indices.iter().chain(carried.iter()) {
            b.set(StatusIndex::new(*i), CredentialStatus::Revoked).map_err(err)?;
        }
        let mut issued_at = now;
        let mut previous = None;
        for l in base.iter().chain(other.iter()) {
            issued_at = issued_at.max(l.issued_at());
            previous = previous.max(Some(l.sequence()));
        }
        // The one rule for the next sequence (shared with `ikd status publish`).
        let sequence = next_status_sequence(previous, now);
        let bytes = b.sign(&own.key, issued_at, self.status_ttl_secs, sequence).map_err(err)?;
        Ok(Some(StoredStatusList { sequence, issued_at: issued_at.unix(), bytes }))
    }

    /// Installs a list of the own key (published by this or another instance through the
    /// store): it must verify under the issuer key and follow the list held
    /// (`StatusList::check_transition`). A list the one held already follows is left alone.
    fn adopt_own(&self, bytes: Bytes, signed_here: bool) -> Result<Offer, StatusListError> {
        let Some(own) = &self.own else { return Ok(Offer::Unchanged) };
        if self.read_inner().status.get(own.public.as_bytes()).is_some_and(|h| h.bytes == bytes) {
            return Ok(Offer::Unchanged);
        }
        let list = StatusList::verify(&bytes, &own.public)?;
        let mut inner = self.write_inner();
        let old = match inner.status.get(own.public.as_bytes()) {
            Some(cur) if cur.bytes == bytes => return Ok(Offer::Unchanged),
            // Installed meanwhile by another request: the held list already follows this one.
            Some(cur)
                if cur.list.sequence() > list.sequence() && StatusList::check_transition(&list, &cur.list).is_ok() =>
            {
                return Ok(Offer::Unchanged);
            }
            Some(cur) => {
                StatusList::check_transition(&cur.list, &list)?;
                Some(cur.list.sequence())
            }
            None => None,
        };
        let new = list.sequence();
        self.metrics.held("status", &own.key_id, list.issued_at(), new);
        self.persist(&status_file_name(&own.public), &bytes);
        let revoked = list.revoked_count();
        inner.status.insert(*own.public.as_bytes(), Held::new(bytes, list, Source::Own));
        self.rebuild(&inner, false);
        drop(inner);
        if signed_here {
            tracing::info!(key_id = %own.key_id, ?old, sequence = new, revoked, "own status list signed and published");
        } else {
            tracing::info!(key_id = %own.key_id, ?old, sequence = new, revoked, "own status list installed from the store");
        }
        Ok(Offer::Installed { old, new })
    }

    /// Re-reads `trust_list_file` and installs it if it changed (and is a valid successor).
    pub fn reload_trust_list_file(&self) {
        let Some(path) = &self.trust_list_file else { return };
        let bytes = match std::fs::read(path) {
            Ok(b) => Bytes::from(b),
            Err(e) => {
                tracing::warn!(error = %e, file = %path.display(), "trust_list_file cannot be read; the list held stays");
                return;
            }
        };
        let held_source = self.read_inner().trust.as_ref().map(|t| (t.source, t.bytes == bytes));
        match held_source {
            Some((_, true)) => {}
            // A synced list newer than the file is not replaced by the file.
            Some((Source::Synced, false)) if self.upstream.is_some() => {}
            _ => match self.offer_trust_list(bytes, Source::File) {
                Ok(_) => {}
                Err(e) => {
                    self.metrics.rejected.with_label_values(&["trust", e.code()]).inc();
                    tracing::warn!(code = e.code(), error = %e, file = %path.display(), "new trust_list_file refused");
                }
            },
        }
    }

    /// One sync round: the trust list (when roots are pinned), then the status list of every
    /// issuer key it names (except this server's own key), each with `If-None-Match`.
    pub async fn sync_once(&self, client: &HttpClient) -> SyncReport {
        let Some(base) = self.upstream.clone() else { return self.report() };
        let started = Timestamp::now();
        self.metrics.last_attempt.set(started.unix());
        let mut problems = Vec::new();
        let mut updated = Vec::new();
        let mut reachable = true;
        if !self.roots.is_empty() {
            let held = self.read_inner().trust.as_ref().map(|t| t.etag.clone());
            match fetch(client, &format!("{base}/v1/trust-list"), held.as_deref(), MAX_TRUST_LIST_BYTES).await {
                Ok(Fetched::NotModified) => {}
                Ok(Fetched::Body(bytes)) => match self.offer_trust_list(bytes, Source::Synced) {
                    Ok(Offer::Installed { .. }) => updated.push("trust_list".to_owned()),
                    Ok(Offer::Unchanged) => {}
                    Err(e) => {
                        self.metrics.rejected.with_label_values(&["trust", e.code()]).inc();
                        problems.push(problem("trust_list", e.code(), format!("refused: {e}; the list held stays")));
                    }
                },
                Ok(Fetched::NotFound) => problems.push(problem(
                    "trust_list",
                    "trust_list_not_published",
                    "the upstream server publishes no trust list".to_owned(),
                )),
                Ok(Fetched::Status(s)) => {
                    problems.push(problem("trust_list", "upstream_status", format!("the upstream answered {s}")))
                }
                Err(e) => {
                    reachable = false;
                    problems.push(problem("trust_list", "upstream_unreachable", e));
                }
            }
        }
        if reachable {
            let targets: Vec<(PublicKey, PublicKey, Option<String>)> = {
                let inner = self.read_inner();
                self.status_keys(&inner)
                    .into_iter()
                    .filter(|(k, _)| self.own.as_ref().is_none_or(|o| o.public != *k))
                    .map(|(k, s)| {
                        let etag = inner.status.get(k.as_bytes()).map(|h| h.etag.clone());
                        (k, s, etag)
                    })
                    .collect()
            };
            for (issuer, signer, held) in targets {
                let name = format!("status:{}", issuer.key_id());
                let mut res = fetch(
                    client,
                    &format!("{base}/v1/status/{}", issuer.key_id()),
                    held.as_deref(),
                    MAX_SYNC_STATUS_BYTES,
                )
                .await;
                if matches!(res, Ok(Fetched::Status(409))) {
                    // Two keys share the id: ask by the full key.
                    let url = format!("{base}/v1/status/{}", hex::encode(issuer.as_bytes()));
                    res = fetch(client, &url, held.as_deref(), MAX_SYNC_STATUS_BYTES).await;
                }
                match res {
                    Ok(Fetched::NotModified | Fetched::NotFound) => {}
                    Ok(Fetched::Body(bytes)) => match self.offer_status_list(&issuer, &signer, bytes) {
                        Ok(Offer::Installed { .. }) => updated.push(name),
                        Ok(Offer::Unchanged) => {}
                        Err(e) => {
                            self.metrics.rejected.with_label_values(&["status", e.code()]).inc();
                            problems.push(problem(&name, e.code(), format!("refused: {e}; the list held stays")));
                        }
                    },
                    Ok(Fetched::Status(s)) => {
                        problems.push(problem(&name, "upstream_status", format!("the upstream answered {s}")))
                    }
                    Err(e) => {
                        problems.push(problem(&name, "upstream_unreachable", e));
                        break;
                    }
                }
            }
        }
        let ok = problems.is_empty();
        self.metrics.runs.with_label_values(&[if ok { "ok" } else { "problem" }]).inc();
        for p in &problems {
            tracing::warn!(list = %p.list, code = %p.code, message = %p.message, "sync problem");
        }
        let mut r = self.report.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        r.rounds += 1;
        r.last_attempt = Some(started.to_string());
        if ok {
            let end = Timestamp::now();
            r.last_success = Some(end.to_string());
            r.consecutive_failures = 0;
            self.metrics.last_success.set(end.unix());
        } else {
            r.consecutive_failures += 1;
        }
        r.problems = problems;
        r.updated = updated;
        r.clone()
    }

    /// Demo mode: installs a trust list naming the demo issuer, signed by the demo root.
    pub fn install_demo_trust_list(&self, bytes: Bytes, root: PublicKey) -> Result<(), TrustListError> {
        let list = TrustList::verify(&bytes, &[root])?;
        let mut inner = self.write_inner();
        self.metrics.held("trust", "", list.issued_at(), list.sequence());
        inner.trust = Some(Held::new(bytes, list, Source::Demo));
        inner.trust_roots = vec![root];
        self.rebuild(&inner, true);
        Ok(())
    }
}

fn problem(list: &str, code: &str, message: String) -> SyncProblem {
    SyncProblem { list: list.to_owned(), code: code.to_owned(), message }
}

/// The HTTP/1 client of the sync: `http://` and `https://` (rustls: TLS 1.2 or 1.3, the server's
/// certificate checked against the system roots or, with `upstream_ca_file`, only the pinned CA).
#[derive(Clone)]
pub struct HttpClient {
    /// The client, or why none could be made (every download then fails with this message).
    inner: Result<Client<HttpsConnector<HttpConnector>, Full<Bytes>>, String>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("usable", &self.inner.is_ok()).finish_non_exhaustive()
    }
}

/// A new sync client trusting the system roots for `https://` (plain `http://` as well).
pub fn http_client() -> HttpClient {
    upstream_client(None).unwrap_or_else(|e| HttpClient { inner: Err(e) })
}

/// A new sync client: `https://` upstreams are checked against the system roots, or against
/// only the certificates of `ca_file` when given (`upstream_ca_file`). Fails when the CA file
/// cannot be read or holds no usable certificate.
pub fn upstream_client(ca_file: Option<&Path>) -> Result<HttpClient, String> {
    let roots = crate::tls::Roots::from_ca_file(ca_file)?;
    let tls = crate::tls::client_config(&crate::tls::Verify::Full(roots))?;
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(FETCH_TIMEOUT));
    // Wrapped by the https connector, it is handed https:// URIs too (TCP only, TLS on top).
    http.enforce_http(false);
    let conn = HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().wrap_connector(http);
    let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(conn);
    Ok(HttpClient { inner: Ok(client) })
}

/// The answer to a download.
#[derive(Debug)]
pub enum Fetched {
    /// 304: the copy held is current.
    NotModified,
    /// 404: none published.
    NotFound,
    /// 200 with the bytes.
    Body(Bytes),
    /// Any other status.
    Status(u16),
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// `GET url` with `If-None-Match`, a time limit and a size limit.
pub async fn fetch(client: &HttpClient, url: &str, etag: Option<&str>, max: usize) -> Result<Fetched, String> {
    let mut req = Request::get(url)
        .header(header::USER_AGENT, concat!("ikd-server/", env!("CARGO_PKG_VERSION"), " (list sync)"))
        .header(header::ACCEPT, "*/*");
    if let Some(e) = etag {
        req = req.header(header::IF_NONE_MATCH, e);
    }
    let req = req.body(Full::new(Bytes::new())).map_err(|e| format!("{url}: {e}"))?;
    let client = client.inner.as_ref().map_err(|e| format!("{url}: no usable client: {e}"))?;
    let resp = tokio::time::timeout(FETCH_TIMEOUT, client.request(req))
        .await
        .map_err(|_| format!("{url}: no answer within {} s", FETCH_TIMEOUT.as_secs()))?
        .map_err(|e| format!("{url}: {}", error_chain(&e)))?;
    match resp.status() {
        StatusCode::NOT_MODIFIED => Ok(Fetched::NotModified),
        StatusCode::NOT_FOUND => Ok(Fetched::NotFound),
        StatusCode::OK => {
            let body = tokio::time::timeout(FETCH_TIMEOUT, Limited::new(resp.into_body(), max).collect())
                .await
                .map_err(|_| format!("{url}: the body did not arrive within {} s", FETCH_TIMEOUT.as_secs()))?
                .map_err(|e| format!("{url}: the body could not be read (limit {max} bytes): {e}"))?;
            Ok(Fetched::Body(body.to_bytes()))
        }
        s => Ok(Fetched::Status(s.as_u16())),
    }
}

impl AppState {
    /// The verifier to use now: publishes the own status list first when a revocation
    /// happened since it was signed (or it is half its TTL old), so a revocation shows at once.
    /// While publishing fails, requests do not wait for the store: the background task retries.
    pub async fn verifier_now(&self) -> Arc<Verifier> {
        if !self.lists.own_failing.load(Ordering::SeqCst) && self.lists.own_needs_refresh(self.revoked_count()) {
            self.publish_own(false).await;
        }
        self.lists.verifier()
    }

    fn revoked_count(&self) -> usize {
        self.revoked.read().map(|s| s.len()).unwrap_or(0)
    }

    /// Publishes the own status list through the store if needed (see
    /// [`AppState::verifier_now`]), also retrying after a failure. Failures are logged; the
    /// previous list stays.
    pub async fn refresh_own_status(&self) {
        let force = self.lists.own_failing.load(Ordering::SeqCst);
        self.publish_own(force).await;
    }

    /// At start-up: publishes the own status list through the store whatever the state, so the
    /// server holds the newest stored list (importing the copy kept by an older version when the
    /// store holds none) and it covers every revocation in the registry.
    pub async fn start_own_status(&self) {
        self.publish_own(true).await;
    }

    /// One publishing transaction (`Store::publish_status_list`); then installs the newest
    /// stored list. `force`: even when nothing seems to have changed here.
    async fn publish_own(&self, force: bool) {
        let Some(own) = &self.lists.own else { return };
        let _guard = self.lists.own_lock.lock().await;
        if !force && !self.lists.own_needs_refresh(self.revoked_count()) {
            return;
        }
        let repair = self.lists.own_repair.swap(false, Ordering::SeqCst);
        let published = match self.store.publish_status_list(&own.key_id, self.lists.own_signer()).await {
            Ok(p) => p,
            Err(e) => {
                if repair {
                    self.lists.own_repair.store(true, Ordering::SeqCst);
                }
                if self.lists.own_failing.swap(true, Ordering::SeqCst) {
                    tracing::debug!(error = %e, "the own status list still cannot be published");
                } else {
                    tracing::error!(
                        error = %e,
                        key_id = %own.key_id,
                        "cannot publish the own status list; the previous one stays (retried every few seconds)"
                    );
                }
                return;
            }
        };
        if self.lists.own_failing.swap(false, Ordering::SeqCst) {
            tracing::info!(key_id = %own.key_id, "the own status list is published again");
        }
        let Some(latest) = published.latest else { return };
        match self.lists.adopt_own(Bytes::from(latest.bytes), published.inserted) {
            Ok(_) => {
                // Revocation is final: the registry's revoked serials join the local set
                // first, so `own_included` stays a subset of it.
                if let Ok(mut set) = self.revoked.write() {
                    set.extend(published.revoked_serials.iter().copied());
                }
                self.lists.write_inner().own_included.extend(published.revoked_serials);
            }
            Err(e) => tracing::error!(
                code = e.code(), error = %e, key_id = %own.key_id,
                "the published own status list cannot be installed; the previous one stays"
            ),
        }
    }

    /// Installs the newest own status list in a shared store if it is newer than the one held
    /// (one primary-key lookup). `background`: the periodic task, which also tries while the
    /// store was failing (requests then serve the list held without waiting for the store).
    /// A stored list that cannot be installed (it does not follow the one held) makes the next
    /// publishing sign a successor of both.
    pub async fn adopt_stored_own_status(&self, background: bool) {
        let Some(own) = &self.lists.own else { return };
        if !self.store.shared() || (!background && self.lists.own_read_failing.load(Ordering::SeqCst)) {
            return;
        }
        let newer_than = self.lists.held_own().map(|h| h.list.sequence());
        let found = match self.store.latest_status_list(&own.key_id, newer_than).await {
            Ok(f) => f,
            Err(e) => {
                if !self.lists.own_read_failing.swap(true, Ordering::SeqCst) {
                    tracing::warn!(
                        error = %e,
                        "cannot read the newest own status list from the store; serving the one held"
                    );
                }
                return;
            }
        };
        if self.lists.own_read_failing.swap(false, Ordering::SeqCst) {
            tracing::info!("the newest own status list can be read from the store again");
        }
        let Some(stored) = found else { return };
        let sequence = stored.sequence;
        if let Err(e) = self.lists.adopt_own(Bytes::from(stored.bytes), false)
            && !self.lists.own_repair.swap(true, Ordering::SeqCst)
        {
            tracing::warn!(
                code = e.code(), error = %e, key_id = %own.key_id, sequence,
                "the newest stored own status list does not follow the one held; a successor of both is signed"
            );
        }
    }

    /// Whether `key` (6 hex digits of key id, or 64 of public key, lower case) names this
    /// server's own issuer key.
    pub fn is_own_status_key(&self, key: &str) -> bool {
        self.lists.own.as_ref().is_some_and(|o| o.key_id == key || hex::encode(o.public.as_bytes()) == key)
    }
}

/// Starts the background task (sync from upstream, re-reading `trust_list_file`, re-signing
/// the own status list) if the server needs one. It holds only a weak reference to the state,
/// so it stops once the server is gone.
pub fn start(state: &Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    let l = &state.lists;
    if l.upstream.is_none() && l.trust_list_file.is_none() && l.own.is_none() {
        return None;
    }
    let weak = Arc::downgrade(state);
    Some(tokio::spawn(run(weak)))
}

async fn run(weak: Weak<AppState>) {
    let client = match weak.upgrade() {
        Some(state) => state.lists.sync_client(),
        None => return,
    };
    loop {
        let lists = {
            let Some(state) = weak.upgrade() else { return };
            state.refresh_own_status().await;
            Arc::clone(&state.lists)
        };
        lists.reload_trust_list_file();
        if lists.upstream.is_some() {
            lists.sync_once(&client).await;
        }
        let interval = lists.interval;
        drop(lists);
        tokio::time::sleep(interval).await;
    }
}

/// Lines for the start-up banner.
pub fn banner_lines(state: &AppState) -> Vec<String> {
    let l = &state.lists;
    let mut out = Vec::new();
    if let Some(t) = l.trust_list() {
        out.push(format!(
            "Trust list: sequence {} issued {} ({:?}), {} issuer keys; published at GET /v1/trust-list",
            t.list.sequence(),
            t.list.issued_at(),
            t.source,
            t.list.entries().len()
        ));
    } else if !l.roots.is_empty() {
        out.push("Trust list: none held yet (pinned root keys are set; waiting for the first sync)".to_owned());
    }
    if let Some(own) = &l.own {
        out.push(format!(
            "Status list of key id {}: signed by this server, TTL {} s, published at GET /v1/status/{}",
            own.key_id, l.status_ttl_secs, own.key_id
        ));
        let delegated = l.trust_list().and_then(|t| t.list.entry(&own.public).and_then(|e| e.status_key));
        if let Some(k) = delegated {
            out.push(format!(
                "WARNING: the trust list names a separate status key ({}) for this server's issuer key, but this \
                 server signs its status list with the issuer key: verifiers will refuse it",
                k.to_text()
            ));
        }
    }
    if let Some(u) = &l.upstream {
        out.push(format!("Sync: from {u} every {} s (state at GET /v1/sync/status)", l.interval.as_secs()));
        if crate::config::upstream_is_plain_remote(u) {
            out.push(format!(
                "WARNING: the sync from {u} is plain http to a host that is not loopback: whoever sits on the \
                 path can withhold revocations (answers stay VALID through the grace period); use https://"
            ));
            tracing::warn!(upstream = %u, "the upstream sync uses plain http to a host that is not loopback");
        }
    }
    if l.danger_offset != 0 {
        out.push(format!(
            "DANGER: the verifier's clock is shifted by {} s (danger_clock_offset_secs): FOR TESTS ONLY",
            l.danger_offset
        ));
        tracing::warn!(offset = l.danger_offset, "danger_clock_offset_secs is set: the verifier's clock is shifted");
    }
    out
}

/// Demo mode: a demo root key (kept in `<demo dir>/root.key`, its public key in `root.pub`) signs a
/// trust list naming the demo issuer, so the demo server publishes a trust list and a status
/// list like a real issuing server. Returns the banner lines.
pub fn demo_trust_list(state: &AppState, dir: &Path) -> Result<Vec<String>, StartupError> {
    let err = |m: String| StartupError::Demo(format!("demo trust list: {m}"));
    let Some(own) = &state.issuer else { return Ok(Vec::new()) };
    let key_path = dir.join("root.key");
    let root = match std::fs::read_to_string(&key_path) {
        Ok(text) => {
            let text = zeroize::Zeroizing::new(text);
            SecretKey::from_file_text(&text).map_err(|e| err(e.to_string()))?
        }
        Err(_) => {
            let k = SecretKey::generate().map_err(|e| err(e.to_string()))?;
            write_private(&key_path, k.to_file_text().as_bytes()).map_err(|e| err(e.to_string()))?;
            k
        }
    };
    let root_pk = root.public_key();
    std::fs::write(dir.join("root.pub"), format!("{}\n", root_pk.to_text())).map_err(|e| err(e.to_string()))?;
    let now = Timestamp::now();
    let mut b = TrustListBuilder::new(u64::try_from(now.unix()).unwrap_or(1), now, now.plus(7 * 86_400));
    b.add(TrustListEntry::new(
        own.name.clone(),
        own.issuer.public_key(),
        Timestamp::from_unix(ikd_core::format::WIRE_EPOCH),
        now.plus(30 * 366 * 86_400),
        Scope::all(),
    ))
    .map_err(|e| err(e.to_string()))?;
    b.next_roots(&[root_pk]);
    let bytes = b.sign(&[&root]).map_err(|e| err(e.to_string()))?;
    state.lists.install_demo_trust_list(Bytes::from(bytes), root_pk).map_err(|e| err(e.to_string()))?;
    Ok(vec![format!(
        "Demo trust list: signed by the demo root key {} ({}); pin it to sync from this server",
        root_pk.to_text(),
        dir.join("root.pub").display()
    )])
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}
