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
//!
//! Modules by job: `hold` (the lists held, kept copies, offers decided by
//! `ikd_core::list_holder`; no HTTP), `publish` (the own status list through the store),
//! `upstream` (the HTTP client and one sync run), `task` (the background loop), `demo` (the
//! demo trust list and the start-up banner).
//! * The sync speaks `https://` (rustls; system roots, or only `upstream_ca_file`) and, warned
//!   about for hosts that are not loopback, plain `http://` (see [`upstream_client`]).

mod demo;
mod hold;
mod publish;
mod task;
mod upstream;

pub use demo::{banner_lines, demo_trust_list};
pub use task::start;
pub use upstream::{Fetched, HttpClient, fetch, http_client, upstream_client};

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
