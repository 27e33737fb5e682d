//! Configuration: built-in defaults, then the TOML file, then environment variables, then
//! command-line flags. Every setting is documented in `docs/SERVER.md`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ikd_core::PublicKey;
use ikd_core::status::FreshnessPolicy;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory (relative to the working directory).
pub const DEFAULT_DATA_DIR: &str = "ikd-data";
/// Default residents file for `--demo` (relative to the working directory: the workspace root).
pub const DEFAULT_DEMO_RESIDENTS: &str = "../shared/reference/residents.json";
/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 16;

/// Why the configuration could not be loaded. Messages never hold secret values.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("config file {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A setting has a value that is not allowed.
    #[error("setting `{name}`: {message}")]
    Invalid {
        /// The setting (TOML key or environment variable).
        name: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(name: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { name: name.to_owned(), message: message.into() }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The admin bearer token. Never printed: `Debug` is redacted and the bytes are wiped on drop.
#[derive(Clone)]
pub struct AdminToken {
    digest: [u8; 32],
    _raw: Zeroizing<String>,
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl AdminToken {
    /// A token from its text (surrounding whitespace removed). At least
    /// [`MIN_ADMIN_TOKEN_CHARS`] printable ASCII characters.
    pub fn new(text: &str) -> Result<AdminToken, &'static str> {
        let t = text.trim();
        if t.chars().count() < MIN_ADMIN_TOKEN_CHARS {
            return Err("the admin token must be at least 16 characters");
        }
        if !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err("the admin token must be printable ASCII without spaces");
        }
        Ok(AdminToken { digest: Sha256::digest(t.as_bytes()).into(), _raw: Zeroizing::new(t.to_owned()) })
    }

    /// Compares a presented token in constant time (over SHA-256 digests, so neither the
    /// content nor the length of the real token leaks through timing).
    pub fn matches(&self, presented: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(self.digest.ct_eq(&d))
    }
}

/// Size, count and time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON body for `/v1/verify`, issuing and revoking (bytes).
    pub max_text_body: usize,
    /// Largest JSON body for `/v1/verify/batch` (bytes).
    pub max_batch_body: usize,
    /// Largest image body for `/v1/verify/image` (bytes).
    pub max_image_body: usize,
    /// Most credential texts in one batch.
    pub max_batch_items: usize,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Images decoded at the same time (the rest wait). Default: the core count, at most
    /// [`DEFAULT_MAX_IMAGE_WORKERS`] (each decode may hold tens of MB).
    pub image_workers: usize,
    /// Image requests allowed to wait for a decode slot, beyond those decoding; more are
    /// answered 503 `busy` with `Retry-After` before their body is read.
    pub image_queue: usize,
    /// Largest image accepted for decoding, in pixels (width × height, read from the image's
    /// header before decoding; larger is 413 `image_too_large`).
    pub max_image_pixels: u64,
    /// Longest time a client may take to send a request's headers (counted from the
    /// connection's start, or for a keep-alive connection from the first byte of the next
    /// request); then the connection is closed.
    pub header_read_timeout: Duration,
    /// Longest time a keep-alive connection may stay idle between requests (no request in
    /// progress, nothing read or written); then it is closed.
    pub idle_timeout: Duration,
    /// Most open client connections. At the cap, a new connection closes the longest-idle one
    /// that has no request in progress, or waits up to 1 s for a slot and is then answered 503
    /// and closed.
    pub max_connections: usize,
    /// Most requests handled at the same time; more are answered 503 `busy` with `Retry-After`
    /// at once (load shedding) instead of queueing.
    pub max_in_flight_requests: usize,
    /// Most `/v1/verify` requests whose issuer signatures are checked together (signature
    /// batching: concurrent requests share one Ed25519 batch verification,
    /// `docs/SERVER.md` §3, "Signature batching"). 1 checks each request's signature alone.
    pub signature_batch: usize,
    /// On shutdown, how long open requests may take to finish; then every connection still
    /// open is closed and the audit log is flushed.
    pub shutdown_grace: Duration,
}

/// Default [`Limits::signature_batch`]: enough for every request two workers can have ready at
/// once under the loads measured (the mean was 1.55, docs/SERVER.md §11), while a full batch
/// holds its worker for at most about 2 ms (64 verifications of about 35 µs, fewer with the
/// batch).
pub const DEFAULT_SIGNATURE_BATCH: usize = 64;
/// Largest default [`Limits::image_workers`]: decode slots do not grow with the core count.
pub const DEFAULT_MAX_IMAGE_WORKERS: usize = 2;
/// Default [`Limits::max_image_pixels`]: 16 MP (4096 × 4096), above every phone photo's
/// usual 12 MP output.
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 4096 * 4096;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_body: 64 * 1024,
            max_batch_body: 2 * 1024 * 1024,
            max_image_body: 8 * 1024 * 1024,
            max_batch_items: 256,
            request_timeout: Duration::from_secs(15),
            image_workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .min(DEFAULT_MAX_IMAGE_WORKERS),
            image_queue: 4,
            max_image_pixels: DEFAULT_MAX_IMAGE_PIXELS,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_in_flight_requests: 256,
            signature_batch: DEFAULT_SIGNATURE_BATCH,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Issuing settings (only used when the server holds an issuer key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuanceConfig {
    /// Validity when a request gives no `valid_days`.
    pub default_valid_days: u32,
    /// Longest validity a request may ask for.
    pub max_valid_days: u32,
    /// Size of the status list: status indices are drawn at random below it.
    pub status_list_size: u32,
}

impl Default for IssuanceConfig {
    fn default() -> Self {
        IssuanceConfig { default_valid_days: 5 * 365, max_valid_days: 20 * 365, status_list_size: 1 << 20 }
    }
}

/// Trust lists, status lists and their sync from an upstream server (`docs/SERVER.md` §13).
#[derive(Debug, Clone, PartialEq)]
pub struct ListsConfig {
    /// A signed trust list file, used instead of a plain trust store (needs `root_keys`).
    pub trust_list_file: Option<PathBuf>,
    /// Pinned root public keys that sign trust lists.
    pub root_keys: Vec<PublicKey>,
    /// The server to sync the trust list and status lists from (`https://host[:port]`, or
    /// `http://host:port` on loopback or a trusted network).
    pub upstream_url: Option<String>,
    /// PEM file of the CA(s) an `https://` upstream's certificate must chain to; when set, only
    /// these are trusted (not the system roots).
    pub upstream_ca_file: Option<PathBuf>,
    /// Time between two syncs (and between two checks of `trust_list_file` for a new version).
    pub sync_interval: Duration,
    /// Time-to-live written into the status list this server signs for its issuer key.
    pub status_list_ttl_secs: u64,
    /// How long trust and status lists stay fresh, then usable.
    pub freshness: FreshnessPolicy,
    /// How long a live presentation is accepted after the phone signed it: 1 to 900 seconds,
    /// 90 by default.
    pub presentation_window_secs: i64,
    /// How far ahead of the server's clock a live presentation's time may be: 0 to 300
    /// seconds, 30 by default. One code is accepted for the window plus this skew in all.
    pub presentation_skew_secs: i64,
    /// How many live presentations of one holder key (one credential) are accepted within
    /// their windows: 1 to 1 000, 10 by default. Past it, UNDETERMINED
    /// `presentation_rate_limited`; this bounds one resident's share of the replay cache.
    pub live_per_holder: usize,
    /// How many live presentations the replay cache holds (`docs/FORMAT.md` §6): 1 000 to
    /// 10 000 000, 100 000 by default (about 80 bytes each).
    pub replay_cache_entries: usize,
    /// DANGER, tests only: the verifier's clock runs this many seconds ahead (or behind). Only
    /// accepted with a loopback listen address.
    pub danger_clock_offset_secs: i64,
}

/// Default time between syncs: 15 minutes.
pub const DEFAULT_SYNC_INTERVAL_SECS: u64 = 900;
/// Default size of the replay cache of live presentations.
pub const DEFAULT_REPLAY_CACHE_ENTRIES: usize = 100_000;
/// Default time-to-live of the status list this server signs: 1 day.
pub const DEFAULT_STATUS_LIST_TTL_SECS: u64 = 86_400;

impl Default for ListsConfig {
    fn default() -> Self {
        ListsConfig {
            trust_list_file: None,
            root_keys: Vec::new(),
            upstream_url: None,
            upstream_ca_file: None,
            sync_interval: Duration::from_secs(DEFAULT_SYNC_INTERVAL_SECS),
            status_list_ttl_secs: DEFAULT_STATUS_LIST_TTL_SECS,
            freshness: FreshnessPolicy::default(),
            presentation_window_secs: ikd_core::DEFAULT_PRESENTATION_WINDOW_SECS,
            presentation_skew_secs: ikd_core::DEFAULT_PRESENTATION_SKEW_SECS,
            live_per_holder: ikd_core::DEFAULT_LIVE_PER_HOLDER,
            replay_cache_entries: DEFAULT_REPLAY_CACHE_ENTRIES,
            danger_clock_offset_secs: 0,
        }
    }
}

fn parse_root_keys(name: &str, keys: &[String]) -> Result<Vec<PublicKey>, ConfigError> {
    keys.iter()
        .map(|k| {
            PublicKey::from_text(k.trim())
                .map_err(|e| invalid(name, format!("`{}` is not a public key (ikdpk1:...): {e}", k.trim())))
        })
        .collect()
}

/// Checks and normalises an upstream URL: `https://host[:port]` or `http://host[:port]`, no
/// path, query or credentials.
pub fn normalize_upstream_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let Some(rest) = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")) else {
        return Err(format!("`{s}` is not an https:// or http:// URL"));
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!("`{s}` must be https://host[:port] (or http://) without a path, query or user name"));
    }
    let uri: axum::http::Uri = s.parse().map_err(|_| format!("`{s}` is not a valid URL"))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("`{s}` has no host"));
    }
    Ok(s.to_owned())
}

/// Whether a (normalised) upstream URL is plain `http://` to a host that is not loopback
/// (`localhost`, `127.0.0.0/8`, `::1`): the sync then travels in clear over a network.
pub fn upstream_is_plain_remote(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => rest.split(':').next().unwrap_or(""),
    };
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    !loopback
}

pub use crate::store::AuditSync;
use crate::store::{PgOptions, PgStore, SpoolConfig, SqliteOptions, SqliteStore, Store, StoreError};

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
    /// Data directory (the SQLite database and demo files).
    pub data_dir: PathBuf,
    /// Trust store file (JSON, trust store format v1).
    pub trust_store: Option<PathBuf>,
    /// Issuer secret key file: enables the issuing endpoints.
    pub issuer_key: Option<PathBuf>,
    /// Issuer name shown with issued credentials (informational).
    pub issuer_name: Option<String>,
    /// Admin bearer token.
    pub admin_token: Option<AdminToken>,
    /// Log format.
    pub log_format: LogFormat,
    /// Log filter (`tracing_subscriber::EnvFilter` syntax).
    pub log_filter: String,
    /// Demo mode.
    pub demo: bool,
    /// Residents file for demo mode.
    pub demo_residents: PathBuf,
    /// Limits.
    pub limits: Limits,
    /// Issuing settings.
    pub issuance: IssuanceConfig,
    /// Audit commit durability.
    pub audit_sync: AuditSync,
    /// PostgreSQL instead of the embedded SQLite store (`IKD_DATABASE_URL`); never printed.
    pub database_url: Option<crate::store::DatabaseUrl>,
    /// PEM file of the CA(s) PostgreSQL's certificate must chain to (like `sslrootcert` in the
    /// URL; only these are trusted). Read when the store opens.
    pub database_ca_file: Option<PathBuf>,
    /// PostgreSQL connections per server instance.
    pub database_pool_size: usize,
    /// Largest local audit spool kept while PostgreSQL is unreachable (bytes).
    pub audit_spool_max_bytes: u64,
    /// Ed25519 key signing checkpoints of the audit chain (an `ikd key new` secret key file,
    /// 0600; created at start when missing). Off when unset.
    pub audit_checkpoint_key: Option<PathBuf>,
    /// Audit entries between two checkpoints.
    pub audit_checkpoint_every: u64,
    /// Trust lists, status lists and sync.
    pub lists: ListsConfig,
    /// Service policies (JSON, `Policy::list_from_json` format) added to the built-in ones.
    pub policies_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: DEFAULT_LISTEN.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            trust_store: None,
            issuer_key: None,
            issuer_name: None,
            admin_token: None,
            log_format: LogFormat::Text,
            log_filter: "info".to_owned(),
            demo: false,
            demo_residents: PathBuf::from(DEFAULT_DEMO_RESIDENTS),
            limits: Limits::default(),
            issuance: IssuanceConfig::default(),
            audit_sync: AuditSync::Normal,
            database_url: None,
            database_ca_file: None,
            database_pool_size: crate::store::DEFAULT_POOL_SIZE,
            audit_spool_max_bytes: 256 * 1024 * 1024,
            audit_checkpoint_key: None,
            audit_checkpoint_every: crate::audit::DEFAULT_CHECKPOINT_EVERY,
            lists: ListsConfig::default(),
            policies_file: None,
        }
    }
}

/// The TOML file.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    #[serde(alias = "trust")]
    trust_store: Option<PathBuf>,
    issuer_key: Option<PathBuf>,
    issuer_name: Option<String>,
    admin_token_file: Option<PathBuf>,
    demo: Option<bool>,
    demo_residents: Option<PathBuf>,
    audit_sync: Option<AuditSync>,
    database_url: Option<String>,
    database_ca_file: Option<PathBuf>,
    database_pool_size: Option<usize>,
    audit_spool_max_bytes: Option<u64>,
    audit_checkpoint_key: Option<PathBuf>,
    audit_checkpoint_every: Option<u64>,
    log: Option<FileLog>,
    limits: Option<FileLimits>,
    issuance: Option<FileIssuance>,
    trust_list_file: Option<PathBuf>,
    root_keys: Option<Vec<String>>,
    upstream_url: Option<String>,
    upstream_ca_file: Option<PathBuf>,
    sync_interval_secs: Option<u64>,
    #[serde(alias = "policy_file")]
    policies_file: Option<PathBuf>,
    danger_clock_offset_secs: Option<i64>,
    freshness: Option<FileFreshness>,
    presentation_window_secs: Option<i64>,
    presentation_skew_secs: Option<i64>,
    live_per_holder: Option<usize>,
    replay_cache_entries: Option<usize>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileFreshness {
    status_fresh_secs: Option<i64>,
    status_grace_secs: Option<i64>,
    trust_fresh_secs: Option<i64>,
    trust_grace_secs: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileLog {
    format: Option<LogFormat>,
    level: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    max_text_body: Option<usize>,
    max_batch_body: Option<usize>,
    max_image_body: Option<usize>,
    max_batch_items: Option<usize>,
    request_timeout_secs: Option<u64>,
    image_workers: Option<usize>,
    image_queue: Option<usize>,
    max_image_pixels: Option<u64>,
    header_read_timeout_secs: Option<u64>,
    idle_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    max_in_flight_requests: Option<usize>,
    signature_batch: Option<usize>,
    shutdown_grace_secs: Option<u64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileIssuance {
    default_valid_days: Option<u32>,
    max_valid_days: Option<u32>,
    status_list_size: Option<u32>,
    status_list_ttl_secs: Option<u64>,
}

/// Command-line overrides (parsed in `main.rs`).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--demo`.
    pub demo: bool,
    /// `--demo-residents`.
    pub demo_residents: Option<PathBuf>,
    /// `--trust` (`IKD_TRUST`): the trust store file.
    pub trust: Option<PathBuf>,
    /// `--policy-file` (`IKD_POLICY_FILE`): more service policies.
    pub policy_file: Option<PathBuf>,
    /// `--window` (`IKD_PRESENTATION_WINDOW_SECS`): seconds a live presentation is accepted.
    pub window: Option<i64>,
    /// `--presentation-skew` (`IKD_PRESENTATION_SKEW_SECS`): seconds a live presentation's time
    /// may be ahead of the server's clock.
    pub presentation_skew: Option<i64>,
    /// `--root` (repeatable): pinned root public keys of the signed trust list; when given,
    /// they replace `root_keys`/`IKD_ROOT_KEYS`.
    pub root: Vec<String>,
}

/// Environment variables kept working under an older name: `(deprecated, current)`. The
/// current name wins; both set to different values is an error. `ikd-server` logs a warning
/// at start for each deprecated name it finds set.
pub const DEPRECATED_ENV: &[(&str, &str)] =
    &[("IKD_TRUST_STORE", "IKD_TRUST"), ("IKD_POLICIES_FILE", "IKD_POLICY_FILE")];

/// The value of the environment variable `current`, or else of its deprecated alias `old`;
/// an error when both are set to different values (which one was meant cannot be known).
fn aliased(env: EnvFn<'_>, current: &str, old: &str) -> Result<Option<String>, ConfigError> {
    let non_empty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    match (non_empty(current), non_empty(old)) {
        (Some(a), Some(b)) if a != b => Err(invalid(
            current,
            format!("{current} and {old} (its deprecated name) are both set, to different files: keep {current} only"),
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

/// Reads a source of environment variables (a function so tests need not touch the process
/// environment).
pub type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

fn read_secret_file(name: &str, path: &Path) -> Result<AdminToken, ConfigError> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| invalid(name, format!("cannot read the token file {}: {e}", path.display())))?,
    );
    AdminToken::new(&text).map_err(|m| invalid(name, m))
}

fn parse_listen(name: &str, s: &str) -> Result<SocketAddr, ConfigError> {
    s.trim().parse().map_err(|_| invalid(name, format!("`{s}` is not an address like 127.0.0.1:8080")))
}

fn parse_num<T: std::str::FromStr>(name: &str, s: &str) -> Result<T, ConfigError> {
    s.trim().parse().map_err(|_| invalid(name, format!("`{s}` is not a number")))
}

impl Config {
    /// Loads the configuration: defaults, then the TOML file (`--config` or `IKD_CONFIG`), then
    /// environment variables, then flags.
    pub fn load(over: &Overrides, env: EnvFn<'_>) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let path = over.config.clone().or_else(|| env("IKD_CONFIG").map(PathBuf::from));
        if let Some(path) = path {
            let text =
                std::fs::read_to_string(&path).map_err(|error| ConfigError::Read { path: path.clone(), error })?;
            c.apply_file(&path, &text)?;
        }
        c.apply_env(env)?;
        if let Some(l) = &over.listen {
            c.listen = parse_listen("--listen", l)?;
        }
        if let Some(d) = &over.data_dir {
            c.data_dir = d.clone();
        }
        if over.demo {
            c.demo = true;
        }
        if let Some(r) = &over.demo_residents {
            c.demo_residents = r.clone();
        }
        if let Some(t) = &over.trust {
            c.trust_store = Some(t.clone());
        }
        if let Some(p) = &over.policy_file {
            c.policies_file = Some(p.clone());
        }
        if let Some(w) = over.window {
            c.lists.presentation_window_secs = w;
        }
        if let Some(s) = over.presentation_skew {
            c.lists.presentation_skew_secs = s;
        }
        if !over.root.is_empty() {
            c.lists.root_keys = parse_root_keys("--root", &over.root)?;
        }
        c.check()?;
        Ok(c)
    }

    /// Opens the store the configuration names: PostgreSQL when `database_url` is set, otherwise
    /// the SQLite file in `data_dir`. Migrations are applied unless `read_only` (which only checks
    /// that the schema is not newer than this server knows).
    pub async fn open_store(&self, read_only: bool) -> Result<Arc<dyn Store>, StoreError> {
        match &self.database_url {
            Some(url) => {
                let opts = PgOptions {
                    url: url.clone().with_ca_file(self.database_ca_file.as_deref()),
                    pool_size: self.database_pool_size,
                    spool: (!read_only).then(|| SpoolConfig {
                        dir: self.data_dir.join("audit-spool"),
                        max_bytes: self.audit_spool_max_bytes,
                    }),
                    read_only,
                };
                Ok(Arc::new(PgStore::open(opts).await?))
            }
            None => {
                let store =
                    SqliteStore::open(&self.data_dir, SqliteOptions { audit_sync: self.audit_sync, read_only })?;
                Ok(Arc::new(store))
            }
        }
    }

    /// Applies a TOML document. Relative paths in it are taken relative to the file's folder.
    pub fn apply_file(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let f: FileConfig =
            toml::from_str(text).map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        if let Some(l) = f.listen {
            self.listen = parse_listen("listen", &l)?;
        }
        if let Some(d) = f.data_dir {
            self.data_dir = rel(d);
        }
        if let Some(t) = f.trust_store {
            self.trust_store = Some(rel(t));
        }
        if let Some(k) = f.issuer_key {
            self.issuer_key = Some(rel(k));
        }
        if let Some(n) = f.issuer_name {
            self.issuer_name = Some(n);
        }
        if let Some(t) = f.admin_token_file {
            self.admin_token = Some(read_secret_file("admin_token_file", &rel(t))?);
        }
        if let Some(d) = f.demo {
            self.demo = d;
        }
        if let Some(r) = f.demo_residents {
            self.demo_residents = rel(r);
        }
        if let Some(s) = f.audit_sync {
            self.audit_sync = s;
        }
        if let Some(u) = f.database_url {
            self.database_url = Some(crate::store::DatabaseUrl::parse(&u).map_err(|m| invalid("database_url", m))?);
        }
        if let Some(p) = f.database_ca_file {
            self.database_ca_file = Some(rel(p));
        }
        self.database_pool_size = f.database_pool_size.unwrap_or(self.database_pool_size);
        self.audit_spool_max_bytes = f.audit_spool_max_bytes.unwrap_or(self.audit_spool_max_bytes);
        if let Some(k) = f.audit_checkpoint_key {
            self.audit_checkpoint_key = Some(rel(k));
        }
        self.audit_checkpoint_every = f.audit_checkpoint_every.unwrap_or(self.audit_checkpoint_every);
        if let Some(l) = f.log {
            if let Some(fmt) = l.format {
                self.log_format = fmt;
            }
            if let Some(level) = l.level {
                self.log_filter = level;
            }
        }
        if let Some(l) = f.limits {
            let lim = &mut self.limits;
            lim.max_text_body = l.max_text_body.unwrap_or(lim.max_text_body);
            lim.max_batch_body = l.max_batch_body.unwrap_or(lim.max_batch_body);
            lim.max_image_body = l.max_image_body.unwrap_or(lim.max_image_body);
            lim.max_batch_items = l.max_batch_items.unwrap_or(lim.max_batch_items);
            if let Some(s) = l.request_timeout_secs {
                lim.request_timeout = Duration::from_secs(s);
            }
            lim.image_workers = l.image_workers.unwrap_or(lim.image_workers);
            lim.image_queue = l.image_queue.unwrap_or(lim.image_queue);
            lim.max_image_pixels = l.max_image_pixels.unwrap_or(lim.max_image_pixels);
            lim.max_connections = l.max_connections.unwrap_or(lim.max_connections);
            lim.max_in_flight_requests = l.max_in_flight_requests.unwrap_or(lim.max_in_flight_requests);
            lim.signature_batch = l.signature_batch.unwrap_or(lim.signature_batch);
            for (secs, field) in [
                (l.header_read_timeout_secs, &mut lim.header_read_timeout),
                (l.idle_timeout_secs, &mut lim.idle_timeout),
                (l.shutdown_grace_secs, &mut lim.shutdown_grace),
            ] {
                if let Some(s) = secs {
                    *field = Duration::from_secs(s);
                }
            }
        }
        if let Some(i) = f.issuance {
            let iss = &mut self.issuance;
            iss.default_valid_days = i.default_valid_days.unwrap_or(iss.default_valid_days);
            iss.max_valid_days = i.max_valid_days.unwrap_or(iss.max_valid_days);
            iss.status_list_size = i.status_list_size.unwrap_or(iss.status_list_size);
            if let Some(ttl) = i.status_list_ttl_secs {
                self.lists.status_list_ttl_secs = ttl;
            }
        }
        if let Some(t) = f.trust_list_file {
            self.lists.trust_list_file = Some(rel(t));
        }
        if let Some(k) = f.root_keys {
            self.lists.root_keys = parse_root_keys("root_keys", &k)?;
        }
        if let Some(u) = f.upstream_url {
            self.lists.upstream_url = Some(normalize_upstream_url(&u).map_err(|m| invalid("upstream_url", m))?);
        }
        if let Some(p) = f.upstream_ca_file {
            self.lists.upstream_ca_file = Some(rel(p));
        }
        if let Some(s) = f.sync_interval_secs {
            self.lists.sync_interval = Duration::from_secs(s);
        }
        if let Some(p) = f.policies_file {
            self.policies_file = Some(rel(p));
        }
        if let Some(o) = f.danger_clock_offset_secs {
            self.lists.danger_clock_offset_secs = o;
        }
        if let Some(w) = f.presentation_window_secs {
            self.lists.presentation_window_secs = w;
        }
        if let Some(n) = f.replay_cache_entries {
            self.lists.replay_cache_entries = n;
        }
        if let Some(n) = f.presentation_skew_secs {
            self.lists.presentation_skew_secs = n;
        }
        if let Some(n) = f.live_per_holder {
            self.lists.live_per_holder = n;
        }
        if let Some(fr) = f.freshness {
            let p = &mut self.lists.freshness;
            p.status_fresh_secs = fr.status_fresh_secs.unwrap_or(p.status_fresh_secs);
            p.status_grace_secs = fr.status_grace_secs.unwrap_or(p.status_grace_secs);
            p.trust_fresh_secs = fr.trust_fresh_secs.unwrap_or(p.trust_fresh_secs);
            p.trust_grace_secs = fr.trust_grace_secs.unwrap_or(p.trust_grace_secs);
        }
        Ok(())
    }

    /// Applies `IKD_*` environment variables.
    pub fn apply_env(&mut self, env: EnvFn<'_>) -> Result<(), ConfigError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = get("IKD_LISTEN") {
            self.listen = parse_listen("IKD_LISTEN", &v)?;
        }
        if let Some(v) = get("IKD_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = aliased(env, "IKD_TRUST", "IKD_TRUST_STORE")? {
            self.trust_store = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_ISSUER_KEY") {
            self.issuer_key = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_ISSUER_NAME") {
            self.issuer_name = Some(v);
        }
        if let Some(v) = get("IKD_ADMIN_TOKEN").map(Zeroizing::new) {
            self.admin_token = Some(AdminToken::new(&v).map_err(|m| invalid("IKD_ADMIN_TOKEN", m))?);
        } else if let Some(v) = get("IKD_ADMIN_TOKEN_FILE") {
            self.admin_token = Some(read_secret_file("IKD_ADMIN_TOKEN_FILE", Path::new(&v))?);
        }
        if let Some(v) = get("IKD_DEMO") {
            self.demo = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = get("IKD_DEMO_RESIDENTS") {
            self.demo_residents = PathBuf::from(v);
        }
        if let Some(v) = get("IKD_LOG") {
            self.log_filter = v;
        }
        if let Some(v) = get("IKD_LOG_FORMAT") {
            self.log_format = match v.trim() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                other => return Err(invalid("IKD_LOG_FORMAT", format!("`{other}` is not `text` or `json`"))),
            };
        }
        if let Some(v) = get("IKD_AUDIT_SYNC") {
            self.audit_sync = match v.trim() {
                "normal" => AuditSync::Normal,
                "full" => AuditSync::Full,
                other => return Err(invalid("IKD_AUDIT_SYNC", format!("`{other}` is not `normal` or `full`"))),
            };
        }
        if let Some(v) = get("IKD_DATABASE_URL").map(Zeroizing::new) {
            self.database_url = Some(crate::store::DatabaseUrl::parse(&v).map_err(|m| invalid("IKD_DATABASE_URL", m))?);
        }
        if let Some(v) = get("IKD_DATABASE_CA_FILE") {
            self.database_ca_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_DATABASE_POOL_SIZE") {
            self.database_pool_size = parse_num("IKD_DATABASE_POOL_SIZE", &v)?;
        }
        if let Some(v) = get("IKD_AUDIT_SPOOL_MAX_BYTES") {
            self.audit_spool_max_bytes = parse_num("IKD_AUDIT_SPOOL_MAX_BYTES", &v)?;
        }
        if let Some(v) = get("IKD_AUDIT_CHECKPOINT_KEY") {
            self.audit_checkpoint_key = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_AUDIT_CHECKPOINT_EVERY") {
            self.audit_checkpoint_every = parse_num("IKD_AUDIT_CHECKPOINT_EVERY", &v)?;
        }
        if let Some(v) = get("IKD_REQUEST_TIMEOUT_SECS") {
            self.limits.request_timeout = Duration::from_secs(parse_num("IKD_REQUEST_TIMEOUT_SECS", &v)?);
        }
        if let Some(v) = get("IKD_IMAGE_WORKERS") {
            self.limits.image_workers = parse_num("IKD_IMAGE_WORKERS", &v)?;
        }
        self.apply_env_net(env)?;
        if let Some(v) = get("IKD_TRUST_LIST_FILE") {
            self.lists.trust_list_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_ROOT_KEYS") {
            let keys: Vec<String> =
                v.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            self.lists.root_keys = parse_root_keys("IKD_ROOT_KEYS", &keys)?;
        }
        if let Some(v) = get("IKD_UPSTREAM_URL") {
            self.lists.upstream_url = Some(normalize_upstream_url(&v).map_err(|m| invalid("IKD_UPSTREAM_URL", m))?);
        }
        if let Some(v) = get("IKD_UPSTREAM_CA_FILE") {
            self.lists.upstream_ca_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_PRESENTATION_WINDOW_SECS") {
            self.lists.presentation_window_secs = parse_num("IKD_PRESENTATION_WINDOW_SECS", &v)?;
        }
        if let Some(v) = get("IKD_REPLAY_CACHE_ENTRIES") {
            self.lists.replay_cache_entries = parse_num("IKD_REPLAY_CACHE_ENTRIES", &v)?;
        }
        if let Some(v) = get("IKD_PRESENTATION_SKEW_SECS") {
            self.lists.presentation_skew_secs = parse_num("IKD_PRESENTATION_SKEW_SECS", &v)?;
        }
        if let Some(v) = get("IKD_LIVE_PER_HOLDER") {
            self.lists.live_per_holder = parse_num("IKD_LIVE_PER_HOLDER", &v)?;
        }
        if let Some(v) = get("IKD_SYNC_INTERVAL_SECS") {
            self.lists.sync_interval = Duration::from_secs(parse_num("IKD_SYNC_INTERVAL_SECS", &v)?);
        }
        if let Some(v) = get("IKD_STATUS_LIST_TTL_SECS") {
            self.lists.status_list_ttl_secs = parse_num("IKD_STATUS_LIST_TTL_SECS", &v)?;
        }
        if let Some(v) = aliased(env, "IKD_POLICY_FILE", "IKD_POLICIES_FILE")? {
            self.policies_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("IKD_DANGER_CLOCK_OFFSET_SECS") {
            self.lists.danger_clock_offset_secs = parse_num("IKD_DANGER_CLOCK_OFFSET_SECS", &v)?;
        }
        Ok(())
    }

    /// Applies the connection and load limits' `IKD_*` variables.
    fn apply_env_net(&mut self, env: EnvFn<'_>) -> Result<(), ConfigError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let l = &mut self.limits;
        if let Some(v) = get("IKD_IMAGE_QUEUE") {
            l.image_queue = parse_num("IKD_IMAGE_QUEUE", &v)?;
        }
        if let Some(v) = get("IKD_MAX_IMAGE_PIXELS") {
            l.max_image_pixels = parse_num("IKD_MAX_IMAGE_PIXELS", &v)?;
        }
        if let Some(v) = get("IKD_MAX_CONNECTIONS") {
            l.max_connections = parse_num("IKD_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = get("IKD_MAX_IN_FLIGHT_REQUESTS") {
            l.max_in_flight_requests = parse_num("IKD_MAX_IN_FLIGHT_REQUESTS", &v)?;
        }
        if let Some(v) = get("IKD_SIGNATURE_BATCH") {
            l.signature_batch = parse_num("IKD_SIGNATURE_BATCH", &v)?;
        }
        for (name, field) in [
            ("IKD_HEADER_READ_TIMEOUT_SECS", &mut l.header_read_timeout),
            ("IKD_IDLE_TIMEOUT_SECS", &mut l.idle_timeout),
            ("IKD_SHUTDOWN_GRACE_SECS", &mut l.shutdown_grace),
        ] {
            if let Some(v) = get(name) {
                *field = Duration::from_secs(parse_num(name, &v)?);
            }
        }
        Ok(())
    }

    /// Checks the connection and load limits.
    fn check_net(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        if l.image_queue > 1024 {
            return Err(invalid("limits.image_queue", "must be at most 1024"));
        }
        if !(1..=1 << 28).contains(&l.max_image_pixels) {
            return Err(invalid("limits.max_image_pixels", "must be between 1 and 268435456"));
        }
        if l.max_connections == 0 || l.max_connections > 1_000_000 {
            return Err(invalid("limits.max_connections", "must be between 1 and 1000000"));
        }
        if l.max_in_flight_requests == 0 || l.max_in_flight_requests > 1_000_000 {
            return Err(invalid("limits.max_in_flight_requests", "must be between 1 and 1000000"));
        }
        if !(1..=256).contains(&l.signature_batch) {
            return Err(invalid("limits.signature_batch", "must be between 1 (no batching) and 256"));
        }
        for (name, d) in
            [("limits.header_read_timeout_secs", l.header_read_timeout), ("limits.idle_timeout_secs", l.idle_timeout)]
        {
            if d.is_zero() || d > Duration::from_secs(3600) {
                return Err(invalid(name, "must be between 1 and 3600"));
            }
        }
        if l.shutdown_grace > Duration::from_secs(3600) {
            return Err(invalid("limits.shutdown_grace_secs", "must be at most 3600"));
        }
        Ok(())
    }

    fn check(&self) -> Result<(), ConfigError> {
        self.check_net()?;
        let l = &self.limits;
        if l.max_text_body < 1024 {
            return Err(invalid("limits.max_text_body", "must be at least 1024 bytes"));
        }
        if l.max_batch_body < l.max_text_body {
            return Err(invalid("limits.max_batch_body", "must be at least limits.max_text_body"));
        }
        if l.max_image_body < 1024 {
            return Err(invalid("limits.max_image_body", "must be at least 1024 bytes"));
        }
        if l.max_batch_items == 0 || l.max_batch_items > 10_000 {
            return Err(invalid("limits.max_batch_items", "must be between 1 and 10000"));
        }
        if l.request_timeout.is_zero() {
            return Err(invalid("limits.request_timeout_secs", "must be at least 1"));
        }
        if l.image_workers == 0 || l.image_workers > 256 {
            return Err(invalid("limits.image_workers", "must be between 1 and 256"));
        }
        let i = &self.issuance;
        if i.default_valid_days == 0 || i.default_valid_days > i.max_valid_days {
            return Err(invalid("issuance.default_valid_days", "must be between 1 and issuance.max_valid_days"));
        }
        if i.max_valid_days > 20 * 365 {
            return Err(invalid("issuance.max_valid_days", "must be at most 7300 (20 years)"));
        }
        if i.status_list_size < 1024 {
            return Err(invalid("issuance.status_list_size", "must be at least 1024"));
        }
        if self.database_pool_size == 0 || self.database_pool_size > 1024 {
            return Err(invalid("database_pool_size", "must be between 1 and 1024"));
        }
        if self.audit_checkpoint_every == 0 {
            return Err(invalid("audit_checkpoint_every", "must be at least 1"));
        }
        self.check_lists()?;
        self.check_tls()?;
        if self.issuer_key.is_some() && self.admin_token.is_none() && !self.demo {
            return Err(invalid(
                "issuer_key",
                "an issuer key is configured but no admin token (IKD_ADMIN_TOKEN, IKD_ADMIN_TOKEN_FILE or \
                 admin_token_file): the issuing endpoints would be unusable",
            ));
        }
        Ok(())
    }
}

impl Config {
    /// The TLS settings of the sync and the database (`docs/SERVER.md` §2 and §13).
    fn check_tls(&self) -> Result<(), ConfigError> {
        if self.lists.upstream_ca_file.is_some()
            && !self.lists.upstream_url.as_deref().is_some_and(|u| u.starts_with("https://"))
        {
            return Err(invalid(
                "upstream_ca_file",
                "a pinned CA for the upstream needs an https:// upstream_url (IKD_UPSTREAM_URL)",
            ));
        }
        if self.database_ca_file.is_some() {
            let Some(url) = &self.database_url else {
                return Err(invalid("database_ca_file", "a CA for PostgreSQL needs database_url (IKD_DATABASE_URL)"));
            };
            url.check_ca_file_allowed().map_err(|m| invalid("database_ca_file", m))?;
        }
        Ok(())
    }

    fn check_lists(&self) -> Result<(), ConfigError> {
        let l = &self.lists;
        let secs = l.sync_interval.as_secs();
        if secs == 0 || secs > 7 * 86_400 {
            return Err(invalid("sync_interval_secs", "must be between 1 and 604800 (7 days)"));
        }
        if !(60..=ikd_core::status::MAX_STATUS_TTL_SECS).contains(&l.status_list_ttl_secs) {
            return Err(invalid("issuance.status_list_ttl_secs", "must be between 60 and 31622400 (366 days)"));
        }
        if !(1..=900).contains(&l.presentation_window_secs) {
            return Err(invalid("presentation_window_secs", "must be between 1 and 900 seconds"));
        }
        if !(1_000..=10_000_000).contains(&l.replay_cache_entries) {
            return Err(invalid("replay_cache_entries", "must be between 1000 and 10000000"));
        }
        if !(0..=300).contains(&l.presentation_skew_secs) {
            return Err(invalid("presentation_skew_secs", "must be between 0 and 300 seconds"));
        }
        if !(1..=1_000).contains(&l.live_per_holder) {
            return Err(invalid("live_per_holder", "must be between 1 and 1000"));
        }
        let f = &l.freshness;
        for (name, v) in
            [("freshness.status_fresh_secs", f.status_fresh_secs), ("freshness.trust_fresh_secs", f.trust_fresh_secs)]
        {
            if !(1..=10 * 366 * 86_400).contains(&v) {
                return Err(invalid(name, "must be between 1 and 316224000 (10 years)"));
            }
        }
        for (name, v) in
            [("freshness.status_grace_secs", f.status_grace_secs), ("freshness.trust_grace_secs", f.trust_grace_secs)]
        {
            if !(0..=10 * 366 * 86_400).contains(&v) {
                return Err(invalid(name, "must be between 0 and 316224000 (10 years)"));
            }
        }
        if self.issuance.status_list_size > ikd_core::status::MAX_STATUS_LIST_ENTRIES {
            return Err(invalid("issuance.status_list_size", "must be at most 268435456 (2^28)"));
        }
        if l.root_keys.len() > 16 {
            return Err(invalid("root_keys", "at most 16 root keys"));
        }
        if l.trust_list_file.is_some() && l.root_keys.is_empty() {
            return Err(invalid(
                "trust_list_file",
                "a trust list is only accepted under pinned root keys: set root_keys (IKD_ROOT_KEYS) too",
            ));
        }
        if !l.root_keys.is_empty() && self.trust_store.is_some() && !self.demo {
            return Err(invalid(
                "root_keys",
                "root keys (a signed trust list) and trust_store (a plain trust store) exclude each other: keep one",
            ));
        }
        if !l.root_keys.is_empty() && l.trust_list_file.is_none() && l.upstream_url.is_none() {
            return Err(invalid(
                "root_keys",
                "root keys are set, but there is no trust list to check with them: set trust_list_file or upstream_url",
            ));
        }
        if l.upstream_url.is_some() && l.root_keys.is_empty() && self.trust_store.is_none() && !self.demo {
            return Err(invalid(
                "upstream_url",
                "syncing needs root_keys (to verify the upstream's trust list) or a trust_store (to know whose \
                 status lists to fetch)",
            ));
        }
        if l.danger_clock_offset_secs != 0 && !self.listen.ip().is_loopback() {
            return Err(invalid(
                "danger_clock_offset_secs",
                "shifts the verifier's clock and is for tests only: it is refused unless the server listens on a \
                 loopback address",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn token_debug_is_redacted_and_compare_works() {
        let t = AdminToken::new("correct-horse-battery-staple").unwrap();
        assert_eq!(format!("{t:?}"), "AdminToken(<redacted>)");
        assert!(t.matches("correct-horse-battery-staple"));
        assert!(!t.matches("correct-horse-battery-stapl"));
        assert!(AdminToken::new("short").is_err());
    }

    // Issue 14: the trust store and policy file carry the CLI's names in every layer (`--trust`,
    // `IKD_TRUST`, `trust`; `--policy-file`, `IKD_POLICY_FILE`, `policy_file`), the old names
    // still work, and the precedence is flag > environment > file.
    #[test]
    fn trust_and_policy_names_match_the_cli_with_old_names_as_aliases() {
        let dir = std::env::temp_dir().join(format!("ikd-config-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ikd-server.toml");
        std::fs::write(&file, "trust = \"file-trust.json\"\npolicy_file = \"file-policies.json\"\n").unwrap();
        let over = Overrides { config: Some(file.clone()), ..Overrides::default() };
        let none = |_: &str| None;
        let c = Config::load(&over, &none).unwrap();
        assert_eq!(c.trust_store, Some(dir.join("file-trust.json")));
        assert_eq!(c.policies_file, Some(dir.join("file-policies.json")));
        for (trust_var, policy_var) in [("IKD_TRUST", "IKD_POLICY_FILE"), ("IKD_TRUST_STORE", "IKD_POLICIES_FILE")] {
            let env = |k: &str| {
                (k == trust_var)
                    .then(|| "/env/trust.json".to_owned())
                    .or_else(|| (k == policy_var).then(|| "/env/p.json".to_owned()))
            };
            let c = Config::load(&over, &env).unwrap();
            assert_eq!(c.trust_store.as_deref(), Some(Path::new("/env/trust.json")), "{trust_var}");
            assert_eq!(c.policies_file.as_deref(), Some(Path::new("/env/p.json")), "{policy_var}");
            let flags = Overrides {
                trust: Some("/flag/trust.json".into()),
                policy_file: Some("/flag/p.json".into()),
                window: Some(120),
                presentation_skew: Some(5),
                ..over.clone()
            };
            let c = Config::load(&flags, &env).unwrap();
            assert_eq!(c.trust_store.as_deref(), Some(Path::new("/flag/trust.json")));
            assert_eq!(c.policies_file.as_deref(), Some(Path::new("/flag/p.json")));
            assert_eq!((c.lists.presentation_window_secs, c.lists.presentation_skew_secs), (120, 5));
        }
        // Both names of one setting given, to different files: refused, naming the new one.
        let both = |k: &str| match k {
            "IKD_POLICY_FILE" => Some("/a.json".to_owned()),
            "IKD_POLICIES_FILE" => Some("/b.json".to_owned()),
            _ => None,
        };
        let e = Config::load(&over, &both).unwrap_err();
        assert!(matches!(&e, ConfigError::Invalid { name, .. } if name == "IKD_POLICY_FILE"), "{e:?}");
        // The same file under both names is no conflict.
        let same = |k: &str| matches!(k, "IKD_TRUST" | "IKD_TRUST_STORE").then(|| "/same.json".to_owned());
        assert_eq!(Config::load(&over, &same).unwrap().trust_store.as_deref(), Some(Path::new("/same.json")));
        // A bad --root key is refused under the flag's name.
        let bad = Overrides { root: vec!["ikdpk1:nope".into()], ..over.clone() };
        let e = Config::load(&bad, &none).unwrap_err();
        assert!(matches!(&e, ConfigError::Invalid { name, .. } if name == "--root"), "{e:?}");
        // Old and new key in one file: serde refuses the duplicate.
        let mut c = Config::default();
        assert!(matches!(
            c.apply_file(&file, "trust = \"a.json\"\ntrust_store = \"b.json\"\n"),
            Err(ConfigError::Parse { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn file_then_env_then_flags() {
        let mut c = Config::default();
        c.apply_file(
            Path::new("/etc/ikd/ikd-server.toml"),
            "listen = \"0.0.0.0:9000\"\ntrust_store = \"trust.json\"\n[limits]\nmax_batch_items = 10\n",
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.trust_store.as_deref(), Some(Path::new("/etc/ikd/trust.json")));
        assert_eq!(c.limits.max_batch_items, 10);
        let env = |k: &str| (k == "IKD_LISTEN").then(|| "127.0.0.1:9100".to_owned());
        c.apply_env(&env).unwrap();
        assert_eq!(c.listen.port(), 9100);
        c.apply_file(
            Path::new("x.toml"),
            "[limits]\nheader_read_timeout_secs = 3\nidle_timeout_secs = 4\nmax_connections = 50\n\
             max_in_flight_requests = 40\nshutdown_grace_secs = 5\nimage_queue = 6\nmax_image_pixels = 1000\n",
        )
        .unwrap();
        let l = c.limits;
        assert_eq!((l.header_read_timeout, l.idle_timeout), (Duration::from_secs(3), Duration::from_secs(4)));
        assert_eq!((l.max_connections, l.max_in_flight_requests, l.shutdown_grace), (50, 40, Duration::from_secs(5)));
        assert_eq!((l.image_queue, l.max_image_pixels), (6, 1000));
        let env = |k: &str| match k {
            "IKD_IDLE_TIMEOUT_SECS" => Some("7".to_owned()),
            "IKD_MAX_CONNECTIONS" => Some("70".to_owned()),
            "IKD_SHUTDOWN_GRACE_SECS" => Some("0".to_owned()),
            _ => None,
        };
        c.apply_env(&env).unwrap();
        assert_eq!((c.limits.idle_timeout, c.limits.max_connections), (Duration::from_secs(7), 70));
        assert_eq!(c.limits.shutdown_grace, Duration::ZERO);
        assert!(c.check_net().is_ok());
        c.limits.max_connections = 0;
        assert!(c.check_net().is_err());
        assert!(Limits::default().image_workers <= DEFAULT_MAX_IMAGE_WORKERS);
        let err = c.apply_file(Path::new("x.toml"), "nonsense = 1").unwrap_err();
        assert!(err.to_string().contains("nonsense"), "{err}");
    }

    #[test]
    fn signature_batch_is_read_and_bounded() {
        let mut c = Config::default();
        assert_eq!(c.limits.signature_batch, DEFAULT_SIGNATURE_BATCH);
        c.apply_file(Path::new("x.toml"), "[limits]\nsignature_batch = 1\n").unwrap();
        assert_eq!(c.limits.signature_batch, 1);
        assert!(c.check_net().is_ok());
        let env = |k: &str| (k == "IKD_SIGNATURE_BATCH").then(|| "300".to_owned());
        c.apply_env(&env).unwrap();
        assert_eq!(c.limits.signature_batch, 300);
        let err = c.check_net().unwrap_err().to_string();
        assert!(err.contains("limits.signature_batch") && err.contains("between 1"), "{err}");
        c.limits.signature_batch = 0;
        assert!(c.check_net().unwrap_err().to_string().contains("limits.signature_batch"));
    }
}
