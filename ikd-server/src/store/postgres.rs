//! The PostgreSQL store, shared by several `ikd-server` instances (`IKD_DATABASE_URL`).
//!
//! * **Serials**: one `key_serials` row per issuer key, incremented with
//!   `INSERT … ON CONFLICT DO UPDATE … RETURNING` inside the reserve transaction. The row lock
//!   serialises reservations of one key across every instance until commit, so a serial is
//!   never handed out twice, and a rolled-back reservation leaves no gap.
//! * **Status indices**: random, `UNIQUE (key_id, status_index)`, inserted with
//!   `ON CONFLICT (key_id, status_index) DO NOTHING` and retried with another random index.
//! * **Audit chain**: every append locks the single `audit_head` row (`SELECT … FOR UPDATE`),
//!   computes each `prev_hash` from the true head inside that transaction, and moves the head.
//!   Appends of all instances are thereby serialised; the chain cannot fork. Each batch carries
//!   a random id (`audit_batches`): a batch written again after a commit whose outcome was
//!   unknown (connection lost at `COMMIT`) is skipped instead of entering the chain twice.
//! * **Status lists**: `status_lists`, one row per signed list of a key. Publishing takes a
//!   transaction-scoped advisory lock per key and schema (`pg_advisory_xact_lock`), reads the
//!   newest list and every revoked status index, lets the caller sign the successor and inserts
//!   it, all in one transaction: the instances write one linear history of the list.
//! * **Migrations**: `schema_migrations`, applied at open under a session advisory lock (two
//!   instances starting at once do not race); a schema newer than this server is refused.
//!
//! Every operation runs on the runtime that opened the store (the pool's connections live
//! there, whichever thread calls), bounded by [`OP_TIMEOUT`]. Connections are TCP, with TLS
//! (rustls) as `sslmode` in the URL says (libpq's meanings, see [`SslMode`]), or a Unix socket
//! (never TLS).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use zeroize::Zeroizing;

use super::sqlite::{STATUS_INDEX_TRIES, random_below};
use super::{
    Appended, AuditBatch, AuditCheckpoint, AuditEntry, AuditRecord, CredentialRecord, CredentialState,
    POSTGRES_MIGRATIONS, Published, Reservation, RevokeOutcome, RevokedCredential, STATUS_LISTS_KEPT, SpoolConfig,
    StatusListSigner, Store, StoreError, StoreFuture, StoredStatusList, check_stored_successor, entry_hash, prune_due,
    schema_too_new, static_event, static_source,
};

/// Longest any one store operation may take (waiting for a connection included).
pub const OP_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a pooled connection, or to open one.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// Default pool size per server instance.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// How connections use TLS: `sslmode` in the URL, with libpq's meanings (the default is
/// `prefer`). `allow` is not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, plain otherwise; the certificate is not checked.
    Prefer,
    /// TLS or no connection; the certificate is not checked unless a root certificate is given
    /// (`sslrootcert`, `database_ca_file`), which makes it `verify-ca`.
    Require,
    /// TLS; the certificate must chain to the root certificate (or the system roots).
    VerifyCa,
    /// TLS; the certificate must chain to the root certificate (or the system roots) and name
    /// the host of the URL.
    VerifyFull,
}

impl SslMode {
    fn parse(v: &str) -> Result<SslMode, String> {
        match v {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            _ => Err("sslmode must be disable, prefer, require, verify-ca or verify-full".to_owned()),
        }
    }

    /// The name in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The roots PostgreSQL's certificate is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RootCert {
    /// A PEM file: only its certificates are trusted.
    File(PathBuf),
    /// `sslrootcert=system`: the operating system's roots.
    System,
}

/// A PostgreSQL connection URL (`postgres://user[:password]@host[:port]/db[?options]`). It may
/// hold a password, so it is never printed: `Debug` and [`DatabaseUrl::redacted`] show user,
/// hosts, ports and database only, and parse errors never quote it.
#[derive(Clone)]
pub struct DatabaseUrl {
    /// The URL as tokio-postgres reads it: `verify-ca`/`verify-full` become `require` (the
    /// certificate checks are the connector's) and `sslrootcert` is taken out.
    raw: Zeroizing<String>,
    redacted: String,
    ssl_mode: SslMode,
    root_cert: Option<RootCert>,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({}, sslmode={})", self.redacted, self.ssl_mode.as_str())
    }
}

/// Percent-decoding of a URL parameter (`%2F` → `/`); invalid escapes stay as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let byte = b.get(i).copied().unwrap_or(0);
        let hex =
            b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Takes `sslmode` and `sslrootcert` out of the URL's parameters (found where tokio-postgres finds
/// them: the first `?` after the first `@`). Returns the URL for tokio-postgres, the mode and the
/// root certificate. Errors never quote the URL.
fn split_tls_params(url: &str) -> Result<(Zeroizing<String>, SslMode, Option<RootCert>), String> {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let from = url.get(after_scheme..).and_then(|r| r.find('@')).map_or(after_scheme, |i| after_scheme + i);
    let Some(q) = url.get(from..).and_then(|r| r.find('?')).map(|i| from + i) else {
        return Ok((Zeroizing::new(url.to_owned()), SslMode::Prefer, None));
    };
    let (base, query) = (url.get(..q).unwrap_or(url), url.get(q + 1..).unwrap_or(""));
    let mut mode = SslMode::Prefer;
    let mut root = None;
    let mut kept: Vec<Zeroizing<String>> = Vec::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match percent_decode(k).as_str() {
            "sslmode" => {
                mode = SslMode::parse(&percent_decode(v))?;
                let for_client = match mode {
                    SslMode::VerifyCa | SslMode::VerifyFull => SslMode::Require,
                    m => m,
                };
                kept.push(Zeroizing::new(format!("sslmode={}", for_client.as_str())));
            }
            "sslrootcert" => {
                let path = percent_decode(v);
                if path.is_empty() {
                    return Err("sslrootcert is empty".to_owned());
                }
                root = Some(if path == "system" { RootCert::System } else { RootCert::File(PathBuf::from(path)) });
            }
            _ => kept.push(Zeroizing::new(pair.to_owned())),
        }
    }
    if root.is_some() && mode < SslMode::Require {
        return Err("sslrootcert needs sslmode=verify-full, verify-ca or require (it is not used by disable or \
                    prefer, which do not check the certificate)"
            .to_owned());
    }
    if root == Some(RootCert::System) && mode != SslMode::VerifyFull {
        return Err("sslrootcert=system needs sslmode=verify-full (as in libpq)".to_owned());
    }
    let mut out = Zeroizing::new(base.to_owned());
    for (i, p) in kept.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(p);
    }
    Ok((out, mode, root))
}

impl DatabaseUrl {
    /// Checks the URL. The error names what is wrong without quoting the URL.
    pub fn parse(text: &str) -> Result<DatabaseUrl, String> {
        let t = text.trim();
        if !(t.starts_with("postgres://") || t.starts_with("postgresql://")) {
            return Err("must start with postgres:// or postgresql://".to_owned());
        }
        let (raw, ssl_mode, root_cert) =
            split_tls_params(t).map_err(|m| format!("not a valid PostgreSQL URL ({m})"))?;
        let cfg = tokio_postgres::Config::from_str(&raw).map_err(|e| {
            // The parser's cause names the option, never the URL's text.
            let cause = std::error::Error::source(&e).map(|c| format!(": {c}")).unwrap_or_default();
            format!("not a valid PostgreSQL URL ({e}{cause})")
        })?;
        Ok(DatabaseUrl { raw, redacted: redact(&cfg), ssl_mode, root_cert })
    }

    /// The TLS mode (`sslmode`, `prefer` when not given).
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    /// Whether a root certificate file (`database_ca_file`) may be added: the URL names none
    /// (`sslrootcert`) and its `sslmode` checks certificates (`require` or stronger).
    pub fn check_ca_file_allowed(&self) -> Result<(), String> {
        if self.root_cert.is_some() {
            return Err(
                "the database URL already names a root certificate (sslrootcert): keep one of the two".to_owned()
            );
        }
        if self.ssl_mode < SslMode::Require {
            return Err(format!(
                "the database URL has sslmode={}, which does not check the certificate: add \
                 sslmode=verify-full (or verify-ca) to the URL",
                self.ssl_mode.as_str()
            ));
        }
        Ok(())
    }

    /// The same URL trusting only the certificates of `ca_file` (`database_ca_file`), when given.
    pub fn with_ca_file(mut self, ca_file: Option<&Path>) -> DatabaseUrl {
        if let Some(p) = ca_file {
            self.root_cert = Some(RootCert::File(p.to_owned()));
        }
        self
    }

    /// The TLS connector of this URL: how the certificate is checked follows `sslmode` and the
    /// root certificate. Fails when the root certificate file cannot be used.
    fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
        use crate::tls::{Roots, Verify};
        let roots = |r: &Option<RootCert>| match r {
            Some(RootCert::File(p)) => {
                Roots::from_ca_file(Some(p)).map_err(|m| StoreError::Open(format!("PostgreSQL TLS: {m}")))
            }
            Some(RootCert::System) | None => Ok(Roots::System),
        };
        let verify = match (self.ssl_mode, &self.root_cert) {
            (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => Verify::Nothing,
            (SslMode::Require | SslMode::VerifyCa, r) => Verify::ChainOnly(roots(r)?),
            (SslMode::VerifyFull, r) => Verify::Full(roots(r)?),
        };
        let mut config =
            crate::tls::client_config(&verify).map_err(|m| StoreError::Open(format!("PostgreSQL TLS: {m}")))?;
        // What libpq offers (PostgreSQL 17 checks it when given).
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    /// The URL without its password (for logs and the start-up banner).
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    fn config(&self) -> Result<tokio_postgres::Config, StoreError> {
        tokio_postgres::Config::from_str(&self.raw).map_err(|e| StoreError::Open(format!("database URL: {e}")))
    }
}

fn redact(cfg: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = cfg
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(s) => s.clone(),
                #[cfg(unix)]
                Host::Unix(p) => p.display().to_string(),
            };
            match cfg.get_ports().get(i).or_else(|| cfg.get_ports().first()) {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        })
        .collect();
    let user = cfg.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let db = cfg.get_dbname().unwrap_or("");
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

/// Options for opening the PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Where.
    pub url: DatabaseUrl,
    /// Connections per server instance.
    pub pool_size: usize,
    /// The local audit spool for outages (none: audit writes fail while the database is down).
    pub spool: Option<SpoolConfig>,
    /// Only check the schema version, apply no migration (for `audit-verify`).
    pub read_only: bool,
}

/// The PostgreSQL store. Cheap to clone (shares one pool).
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// The runtime that opened the store: connections are spawned and used there.
    handle: tokio::runtime::Handle,
    describe: String,
    spool: Option<SpoolConfig>,
    /// When `seen_presentations` was last pruned by this handle (Unix seconds).
    last_prune: AtomicI64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("db", &self.inner.describe).finish_non_exhaustive()
    }
}

/// A database error for the log and the store error. Only PostgreSQL's message and SQLSTATE
/// (never a row's detail) for server errors; the client's own message otherwise.
fn pg(e: &tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(d) => StoreError::Database(format!("PostgreSQL: {} ({})", d.message(), d.code().code())),
        None => {
            // The cause (refused, timed out, closed) says more than the kind alone.
            let cause = std::error::Error::source(e).map(|c| format!(": {c}")).unwrap_or_default();
            StoreError::Database(format!("PostgreSQL: {e}{cause}"))
        }
    }
}

fn pool_err(e: &deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(b) => pg(b),
        other => StoreError::Database(format!("PostgreSQL connection pool: {other}")),
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl PgStore {
    /// Connects, checks the schema, and (unless read-only) applies pending migrations. Must be
    /// called inside the Tokio runtime that will serve the store.
    pub async fn open(opts: PgOptions) -> Result<PgStore, StoreError> {
        let mut cfg = opts.url.config()?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(POOL_TIMEOUT);
        }
        if cfg.get_application_name().is_none() {
            cfg.application_name("ikd-server");
        }
        if cfg.get_tcp_user_timeout().is_none() {
            // A database that stops answering (not just refusing) fails fast instead of hanging.
            cfg.tcp_user_timeout(OP_TIMEOUT);
        }
        cfg.keepalives(true).keepalives_idle(Duration::from_secs(30));
        // A session stuck inside a transaction (its server paused or cut off while holding the
        // serial counter's or the chain head's row lock) is ended by PostgreSQL itself.
        let options = cfg.get_options().unwrap_or("").to_owned();
        if !options.contains("idle_in_transaction_session_timeout") {
            cfg.options(format!("{options} -c idle_in_transaction_session_timeout=30000").trim_start());
        }
        let tls = opts.url.tls()?;
        let manager = Manager::from_config(cfg, tls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(opts.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Open(format!("PostgreSQL connection pool: {e}")))?;
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| StoreError::Open("the PostgreSQL store needs a Tokio runtime".to_owned()))?;
        let where_ = opts.url.redacted().to_owned();
        let open_err = |e: StoreError| match e {
            StoreError::Open(m) => StoreError::Open(m),
            other => StoreError::Open(format!("PostgreSQL at {where_}: {other}")),
        };
        let mut client = pool.get().await.map_err(|e| open_err(pool_err(&e)))?;
        let schema = migrate(&mut client, opts.read_only).await.map_err(open_err)?;
        drop(client);
        let describe = format!(
            "PostgreSQL at {where_} (sslmode={}), schema {schema}, pool {}",
            opts.url.ssl_mode().as_str(),
            opts.pool_size.max(1)
        );
        Ok(PgStore {
            inner: Arc::new(Inner { pool, handle, describe, spool: opts.spool, last_prune: AtomicI64::new(0) }),
        })
    }

    /// Runs `f` on the store's runtime, bounded by [`OP_TIMEOUT`].
    fn run<T, F>(&self, what: &'static str, f: impl FnOnce(Arc<Inner>) -> F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let fut = f(Arc::clone(&self.inner));
        let handle = self.inner.handle.clone();
        Box::pin(async move {
            let task = handle.spawn(async move {
                match tokio::time::timeout(OP_TIMEOUT, fut).await {
                    Ok(r) => r,
                    Err(_) => Err(StoreError::Database(format!(
                        "{what}: no answer from PostgreSQL within {} s",
                        OP_TIMEOUT.as_secs()
                    ))),
                }
            });
            task.await.map_err(|e| StoreError::Database(format!("{what}: store task failed: {e}")))?
        })
    }
}

/// Checks the schema and applies pending migrations under an advisory lock. Returns the schema
/// name.
async fn migrate(client: &mut deadpool_postgres::Object, read_only: bool) -> Result<String, StoreError> {
    let latest = POSTGRES_MIGRATIONS.last().map_or(0, |m| m.version);
    let schema: Option<String> =
        client.query_one("SELECT current_schema()::text", &[]).await.map_err(|e| pg(&e))?.get(0);
    let Some(schema) = schema else {
        return Err(StoreError::Open(
            "no schema to work in: the search_path (for example options=-csearch_path%3Dikd in the URL) names \
             no existing schema; create it first (CREATE SCHEMA ...)"
                .to_owned(),
        ));
    };
    if read_only {
        return match schema_version(client).await? {
            None => Err(StoreError::Open(format!(
                "schema {schema} holds no ikd-server tables (schema_migrations is missing)"
            ))),
            Some(v) if v > latest => Err(schema_too_new(v, latest)),
            Some(_) => Ok(schema),
        };
    }
    let lock_key = format!("ikd-server migrations {schema}");
    client.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", &[&lock_key]).await.map_err(|e| pg(&e))?;
    let result = async {
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER     PRIMARY KEY,
                    name       TEXT        NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )",
            )
            .await
            .map_err(|e| pg(&e))?;
        let current = schema_version(client).await?.unwrap_or(0);
        if current > latest {
            return Err(schema_too_new(current, latest));
        }
        for m in POSTGRES_MIGRATIONS.iter().filter(|m| m.version > current) {
            let tx = client.transaction().await.map_err(|e| pg(&e))?;
            tx.batch_execute(m.sql)
                .await
                .map_err(|e| StoreError::Open(format!("migration {} ({}) failed: {}", m.version, m.name, pg(&e))))?;
            let v = i32::try_from(m.version).unwrap_or(i32::MAX);
            tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&v, &m.name])
                .await
                .map_err(|e| pg(&e))?;
            tx.commit().await.map_err(|e| pg(&e))?;
            tracing::info!(version = m.version, name = m.name, schema = %schema, "PostgreSQL schema migration applied");
        }
        Ok(())
    }
    .await;
    let unlock = client.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", &[&lock_key]).await;
    if let Err(e) = unlock {
        tracing::warn!(error = %pg(&e), "could not release the migration lock (it goes with the connection)");
    }
    result.map(|()| schema)
}

/// The highest applied migration, or `None` when `schema_migrations` does not exist.
async fn schema_version(c: &tokio_postgres::Client) -> Result<Option<i64>, StoreError> {
    let exists: bool =
        c.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[]).await.map_err(|e| pg(&e))?.get(0);
    if !exists {
        return Ok(None);
    }
    let v: i32 =
        c.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[]).await.map_err(|e| pg(&e))?.get(0);
    Ok(Some(i64::from(v)))
}

/// The newest stored status list of a key above a sequence (`$2`; -1 for any).
const LATEST_LIST_SQL: &str = "SELECT sequence, issued_at, bytes FROM status_lists \
     WHERE key_id = $1 AND sequence > $2 ORDER BY sequence DESC LIMIT 1";

fn row_to_list(r: &tokio_postgres::Row) -> StoredStatusList {
    StoredStatusList { sequence: to_u64(r.get(0)), issued_at: r.get(1), bytes: r.get(2) }
}

fn row_to_record(r: &tokio_postgres::Row) -> CredentialRecord {
    let state: String = r.get(4);
    CredentialRecord {
        key_id: r.get(0),
        serial: to_u64(r.get(1)),
        status_index: u32::try_from(r.get::<_, i64>(2)).unwrap_or(u32::MAX),
        issued_at: r.get(3),
        state: CredentialState::parse(&state).unwrap_or(CredentialState::Void),
        revoked: r.get(5),
        revoked_at: r.get(6),
    }
}

impl Store for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn describe(&self) -> String {
        self.inner.describe.clone()
    }

    fn shared(&self) -> bool {
        true
    }

    fn audit_spool(&self) -> Option<SpoolConfig> {
        self.inner.spool.clone()
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        self.run("ping", |inner| async move {
            // A pooled connection that broke meanwhile is not the database being down.
            retrying(&inner, |c| async move { c.simple_query("SELECT 1").await.map(|_| ()) }).await
        })
    }

    fn reserve_credential(&self, key_id: &str, issued_at: i64, status_list_size: u32) -> StoreFuture<'_, Reservation> {
        let key_id = key_id.to_owned();
        self.run("reserve", move |inner| async move {
            let c = inner.pool.get().await.map_err(|e| pool_err(&e))?;
            // One statement, so one implicit transaction and one round trip: the counter row is
            // incremented (and stays locked until the commit, serialising reservations of one
            // key across every instance) and the registry row inserted with it. Seeded from the
            // registry the first time (a registry moved from elsewhere keeps counting from its
            // highest serial). A taken status index fails the whole statement, counter
            // included: retried with another index, leaving no gap in the serials.
            let st = c
                .prepare_cached(
                    "WITH s AS ( \
                       INSERT INTO key_serials AS k (key_id, last_serial) \
                       VALUES ($1, (SELECT COALESCE(MAX(serial), 0) + 1 FROM credentials WHERE key_id = $1)) \
                       ON CONFLICT (key_id) DO UPDATE SET last_serial = \
                         GREATEST(k.last_serial, (SELECT COALESCE(MAX(serial), 0) FROM credentials WHERE key_id = $1)) + 1 \
                       RETURNING last_serial) \
                     INSERT INTO credentials (key_id, serial, status_index, issued_at, state) \
                     SELECT $1, last_serial, $2, $3, 'reserved' FROM s RETURNING serial",
                )
                .await
                .map_err(|e| pg(&e))?;
            for _ in 0..STATUS_INDEX_TRIES {
                let idx = random_below(status_list_size)?;
                match c.query_one(&st, &[&key_id, &i64::from(idx), &issued_at]).await {
                    Ok(row) => return Ok(Reservation { serial: to_u64(row.get(0)), status_index: idx }),
                    Err(e) => match e.as_db_error() {
                        Some(d)
                            if *d.code() == SqlState::UNIQUE_VIOLATION
                                && d.constraint().is_some_and(|n| n.contains("status_index")) =>
                        {
                            continue;
                        }
                        // CHECK (serial <= 2^53 - 1): the serial space of this key is used up.
                        Some(d) if *d.code() == SqlState::CHECK_VIOLATION => return Err(StoreError::SerialsExhausted),
                        _ => return Err(pg(&e)),
                    },
                }
            }
            Err(StoreError::StatusListFull)
        })
    }

    fn finish_credential(&self, key_id: &str, serial: u64, state: CredentialState) -> StoreFuture<'_, ()> {
        let key_id = key_id.to_owned();
        self.run("finish", move |inner| async move {
            // Idempotent (only a `reserved` row changes), so a broken connection is retried.
            retrying(&inner, |c| {
                let key_id = key_id.clone();
                async move {
                    let st = c
                        .prepare_cached(
                            "UPDATE credentials SET state = $3 \
                             WHERE key_id = $1 AND serial = $2 AND state = 'reserved'",
                        )
                        .await?;
                    c.execute(&st, &[&key_id, &to_i64(serial), &state.as_str()]).await?;
                    Ok(())
                }
            })
            .await
        })
    }

    fn credential(&self, key_id: &str, serial: u64) -> StoreFuture<'_, Option<CredentialRecord>> {
        let key_id = key_id.to_owned();
        self.run("credential", move |inner| async move {
            retrying(&inner, |c| {
                let key_id = key_id.clone();
                async move {
                    let st = c
                        .prepare_cached(
                            "SELECT key_id, serial, status_index, issued_at, state, revoked, revoked_at \
                             FROM credentials WHERE key_id = $1 AND serial = $2",
                        )
                        .await?;
                    let row = c.query_opt(&st, &[&key_id, &to_i64(serial)]).await?;
                    Ok(row.as_ref().map(row_to_record))
                }
            })
            .await
        })
    }

    fn revoke(&self, key_id: &str, serial: u64, at: i64) -> StoreFuture<'_, RevokeOutcome> {
        let key_id = key_id.to_owned();
        self.run("revoke", move |inner| async move {
            // Revocation is final, so "update if not yet revoked, else read" needs no lock. A
            // retry after a lost answer finds the row revoked at this very `at`: that is this
            // revocation, reported as such (so its audit entry is written).
            retrying(&inner, |c| {
                let key_id = key_id.clone();
                async move {
                    let serial = to_i64(serial);
                    let upd = c
                        .prepare_cached(
                            "UPDATE credentials SET revoked = TRUE, revoked_at = $3 \
                             WHERE key_id = $1 AND serial = $2 AND NOT revoked RETURNING revoked_at",
                        )
                        .await?;
                    if let Some(r) = c.query_opt(&upd, &[&key_id, &serial, &at]).await? {
                        return Ok(RevokeOutcome::Revoked { at: r.get::<_, Option<i64>>(0).unwrap_or(at) });
                    }
                    let sel = c
                        .prepare_cached("SELECT revoked_at FROM credentials WHERE key_id = $1 AND serial = $2")
                        .await?;
                    Ok(match c.query_opt(&sel, &[&key_id, &serial]).await? {
                        None => RevokeOutcome::NotFound,
                        Some(r) => match r.get::<_, Option<i64>>(0) {
                            Some(when) if when == at => RevokeOutcome::Revoked { at },
                            when => RevokeOutcome::AlreadyRevoked { at: when.unwrap_or(0) },
                        },
                    })
                }
            })
            .await
        })
    }

    fn revoked_serials(&self, key_id: &str) -> StoreFuture<'_, Vec<u64>> {
        let key_id = key_id.to_owned();
        self.run("revoked_serials", move |inner| async move {
            retrying(&inner, |c| {
                let key_id = key_id.clone();
                async move {
                    let st = c.prepare_cached("SELECT serial FROM credentials WHERE key_id = $1 AND revoked").await?;
                    let rows = c.query(&st, &[&key_id]).await?;
                    Ok(rows.iter().map(|r| to_u64(r.get(0))).collect())
                }
            })
            .await
        })
    }

    fn revoked_status_indices(&self, key_id: &str) -> StoreFuture<'_, Vec<u32>> {
        let key_id = key_id.to_owned();
        self.run("revoked_status_indices", move |inner| async move {
            retrying(&inner, |c| {
                let key_id = key_id.clone();
                async move {
                    let st = c
                        .prepare_cached(
                            "SELECT status_index FROM credentials WHERE key_id = $1 AND revoked ORDER BY status_index",
                        )
                        .await?;
                    let rows = c.query(&st, &[&key_id]).await?;
                    Ok(rows.iter().map(|r| u32::try_from(r.get::<_, i64>(0)).unwrap_or(u32::MAX)).collect())
                }
            })
            .await
        })
    }

    fn latest_status_list(&self, key_id: &str, newer_than: Option<u64>) -> StoreFuture<'_, Option<StoredStatusList>> {
        let key_id = key_id.to_owned();
        let above = newer_than.map_or(-1, to_i64);
        self.run("latest_status_list", move |inner| async move {
            retrying(&inner, |c| {
                let key_id = key_id.clone();
                async move {
                    let st = c.prepare_cached(LATEST_LIST_SQL).await?;
                    Ok(c.query_opt(&st, &[&key_id, &above]).await?.as_ref().map(row_to_list))
                }
            })
            .await
        })
    }

    fn publish_status_list(&self, key_id: &str, sign: StatusListSigner) -> StoreFuture<'_, Published> {
        let key_id = key_id.to_owned();
        self.run("publish_status_list", move |inner| async move {
            // Not retried here (the signer runs once); the caller tries again later, and a
            // commit whose answer was lost is found as the newest stored list.
            let mut c = inner.pool.get().await.map_err(|e| pool_err(&e))?;
            let tx = c.transaction().await.map_err(|e| pg(&e))?;
            // One lock per key and schema, held until commit or rollback (also when the
            // connection breaks): publishing is serialised across every instance, and each
            // reads (READ COMMITTED: after the lock is granted) the newest list and every
            // revocation committed before.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('ikd-server status list ' || current_schema() \
                 || ' ' || $1, 0))",
                &[&key_id],
            )
            .await
            .map_err(|e| pg(&e))?;
            let latest = tx.query_opt(LATEST_LIST_SQL, &[&key_id, &-1i64]).await.map_err(|e| pg(&e))?;
            let latest = latest.as_ref().map(row_to_list);
            let rows = tx
                .query("SELECT serial, status_index FROM credentials WHERE key_id = $1 AND revoked", &[&key_id])
                .await
                .map_err(|e| pg(&e))?;
            let revoked: Vec<RevokedCredential> = rows
                .iter()
                .map(|r| RevokedCredential {
                    serial: to_u64(r.get(0)),
                    status_index: u32::try_from(r.get::<_, i64>(1)).unwrap_or(u32::MAX),
                })
                .collect();
            let revoked_serials = revoked.iter().map(|r| r.serial).collect();
            // Building and signing a large list takes milliseconds of CPU: off the runtime's
            // threads, while the transaction waits.
            let (latest, made) = tokio::task::spawn_blocking(move || {
                let made = sign(latest.as_ref(), &revoked);
                (latest, made)
            })
            .await
            .map_err(|e| StoreError::StatusListSigning(format!("the signer failed: {e}")))?;
            let Some(new) = made.map_err(StoreError::StatusListSigning)? else {
                tx.commit().await.map_err(|e| pg(&e))?;
                return Ok(Published { latest, inserted: false, revoked_serials });
            };
            check_stored_successor(latest.as_ref(), &new)?;
            tx.execute(
                "INSERT INTO status_lists (key_id, sequence, issued_at, bytes) VALUES ($1, $2, $3, $4)",
                &[&key_id, &to_i64(new.sequence), &new.issued_at, &new.bytes],
            )
            .await
            .map_err(|e| pg(&e))?;
            tx.execute(
                "DELETE FROM status_lists WHERE key_id = $1 AND sequence < (SELECT sequence FROM status_lists \
                 WHERE key_id = $1 ORDER BY sequence DESC LIMIT 1 OFFSET $2)",
                &[&key_id, &(STATUS_LISTS_KEPT - 1)],
            )
            .await
            .map_err(|e| pg(&e))?;
            tx.commit().await.map_err(|e| pg(&e))?;
            Ok(Published { latest: Some(new), inserted: true, revoked_serials })
        })
    }

    fn append_audit(&self, batches: Vec<AuditBatch>) -> StoreFuture<'_, Vec<Appended>> {
        self.run("append_audit", move |inner| async move {
            let c = inner.pool.get().await.map_err(|e| pool_err(&e))?;
            if let Some(out) = append_fast(c, &batches).await? {
                return Ok(out);
            }
            // A batch id is already stored: this is a re-append of a batch whose first commit
            // went through after all. Batch by batch, skipping the known ones.
            let c = inner.pool.get().await.map_err(|e| pool_err(&e))?;
            append_checked(c, &batches).await
        })
    }

    fn audit_entries(&self, after: u64, limit: usize) -> StoreFuture<'_, Vec<AuditEntry>> {
        self.run("audit_entries", move |inner| async move {
            retrying(&inner, |c| async move {
                let st = c
                    .prepare_cached(
                        "SELECT seq, at, event, actor, source, serial, key_id, verdict, code, prev_hash, hash, items \
                         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                    )
                    .await?;
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = c.query(&st, &[&to_i64(after), &limit]).await?;
                Ok(rows.iter().map(row_to_entry).collect())
            })
            .await
        })
    }

    fn append_checkpoint(&self, cp: AuditCheckpoint) -> StoreFuture<'_, ()> {
        self.run("append_checkpoint", move |inner| async move {
            // Idempotent (`DO NOTHING`), so a retry after a lost answer is harmless.
            retrying(&inner, |c| {
                let cp = cp.clone();
                async move {
                    let st = c
                        .prepare_cached(
                            "INSERT INTO audit_checkpoints (seq, head_hash, at, public_key, signature) \
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
                        )
                        .await?;
                    c.execute(&st, &[&to_i64(cp.seq), &cp.head_hash, &cp.at, &cp.public_key, &cp.signature]).await?;
                    Ok(())
                }
            })
            .await
        })
    }

    fn audit_checkpoints(&self) -> StoreFuture<'_, Vec<AuditCheckpoint>> {
        self.run("audit_checkpoints", move |inner| async move {
            retrying(&inner, |c| async move {
                let rows = c
                    .query("SELECT seq, head_hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq", &[])
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| AuditCheckpoint {
                        seq: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                        head_hash: r.get(1),
                        at: r.get(2),
                        public_key: r.get(3),
                        signature: r.get(4),
                    })
                    .collect())
            })
            .await
        })
    }

    fn record_presentation(&self, id: [u8; 16], until: i64, now: i64) -> StoreFuture<'_, bool> {
        self.run("record_presentation", move |inner| async move {
            // The insert is not idempotent (a retry after a lost answer would find its own row
            // and call the presentation replayed), so it is sent once. A pooled connection
            // found broken while preparing (before anything was sent) is replaced, as in
            // `retrying`.
            let mut tries = 0;
            let (c, st) = loop {
                tries += 1;
                let c = inner.pool.get().await.map_err(|e| pool_err(&e))?;
                match c
                    .prepare_cached(
                        "INSERT INTO seen_presentations (id, until) VALUES ($1, $2) \
                         ON CONFLICT (id) DO UPDATE SET until = EXCLUDED.until WHERE seen_presentations.until < $3",
                    )
                    .await
                {
                    Ok(st) => break (c, st),
                    Err(e) if tries < 3 && transient(&e) => {
                        tracing::debug!(error = %pg(&e), "PostgreSQL connection lost; retrying on a fresh one");
                    }
                    Err(e) => return Err(pg(&e)),
                }
            };
            let changed = c.execute(&st, &[&&id[..], &until, &now]).await.map_err(|e| pg(&e))?;
            if prune_due(&inner.last_prune, now)
                && let Err(e) = c.execute("DELETE FROM seen_presentations WHERE until < $1", &[&now]).await
            {
                tracing::debug!(error = %pg(&e), "cannot prune expired live presentations; retried later");
            }
            Ok(changed > 0)
        })
    }

    fn prune_presentations(&self, now: i64) -> StoreFuture<'_, u64> {
        self.run("prune_presentations", move |inner| async move {
            retrying(
                &inner,
                |c| async move { c.execute("DELETE FROM seen_presentations WHERE until < $1", &[&now]).await },
            )
            .await
        })
    }
}

fn row_to_entry(r: &tokio_postgres::Row) -> AuditEntry {
    let event: String = r.get(2);
    let source: String = r.get(4);
    AuditEntry {
        seq: to_u64(r.get(0)),
        record: AuditRecord {
            at: r.get(1),
            event: static_event(&event),
            actor: r.get(3),
            source: static_source(&source),
            serial: r.get::<_, Option<i64>>(5).map(to_u64),
            key_id: r.get(6),
            verdict: r.get(7),
            code: r.get(8),
            items: r.get(11),
        },
        prev_hash: r.get(9),
        hash: r.get(10),
    }
}

/// Whether an error means the connection broke (closed, terminated by the administrator, the
/// server restarting) rather than the statement being wrong.
fn transient(e: &tokio_postgres::Error) -> bool {
    match e.as_db_error() {
        None => true,
        Some(d) => {
            let code = d.code().code();
            code.starts_with("08") || code.starts_with("57P")
        }
    }
}

/// Runs an **idempotent** operation; when its connection broke, again on a fresh connection
/// (three tries in all). A connection lost under one request is then invisible to the client.
async fn retrying<T, F, Fut>(inner: &Inner, mut f: F) -> Result<T, StoreError>
where
    F: FnMut(deadpool_postgres::Object) -> Fut,
    Fut: Future<Output = Result<T, tokio_postgres::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        let c = inner.pool.get().await.map_err(|e| pool_err(&e))?;
        match f(c).await {
            Ok(v) => return Ok(v),
            Err(e) if tries < 3 && transient(&e) => {
                tracing::debug!(error = %pg(&e), "PostgreSQL connection lost; retrying on a fresh one");
            }
            Err(e) => return Err(pg(&e)),
        }
    }
}

/// The chain head update, the batch ids and the entries in one statement (the fast path).
const APPEND_SQL: &str = "WITH b AS ( \
      INSERT INTO audit_batches (id, first_seq, last_seq) \
      SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[])), \
    l AS ( \
      INSERT INTO audit_log (seq, at, event, actor, source, serial, key_id, verdict, code, prev_hash, hash, \
                             items) \
      SELECT * FROM UNNEST($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], \
                           $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $17::text[])) \
    UPDATE audit_head SET seq = $15, hash = $16 WHERE id = 1";

/// A pooled connection that is thrown away (not returned to the pool) unless the transaction
/// it is in was ended cleanly: a cancelled or failed append never leaves an open transaction
/// (holding the chain head's lock) in the pool. PostgreSQL rolls back when the connection goes.
struct Discard {
    obj: Option<deadpool_postgres::Object>,
    clean: bool,
}

impl Discard {
    fn client(&self) -> Result<&tokio_postgres::Client, StoreError> {
        self.obj.as_deref().map(|w| &**w).ok_or_else(|| StoreError::Database("no connection".to_owned()))
    }
}

impl Drop for Discard {
    fn drop(&mut self) {
        if !self.clean
            && let Some(o) = self.obj.take()
        {
            drop(deadpool_postgres::Object::take(o));
        }
    }
}

/// Appends assuming every batch id is new, in two round trips while holding the chain head:
/// `BEGIN; SELECT … FOR UPDATE`, then the whole append pipelined with its `COMMIT`. `None` when
/// a batch id was already stored (nothing was written; the caller takes the slow path).
async fn append_fast(
    c: deadpool_postgres::Object,
    batches: &[AuditBatch],
) -> Result<Option<Vec<Appended>>, StoreError> {
    if batches.iter().all(|b| b.records.is_empty()) {
        return Ok(Some(batches.iter().map(|_| Appended::New(Vec::new())).collect()));
    }
    // Prepared before the head is locked (a no-op once cached on this connection).
    let st = c.prepare_cached(APPEND_SQL).await.map_err(|e| pg(&e))?;
    let mut conn = Discard { obj: Some(c), clean: false };
    let client = conn.client()?;
    let msgs = client
        .simple_query("BEGIN; SELECT seq::text, hash FROM audit_head WHERE id = 1 FOR UPDATE")
        .await
        .map_err(|e| pg(&e))?;
    let head = msgs.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => {
            Some((r.get(0).and_then(|v| v.parse::<u64>().ok())?, r.get(1)?.to_owned()))
        }
        _ => None,
    });
    let Some((mut seq, mut prev)) = head else {
        return Err(StoreError::Database("the audit chain head row is missing".to_owned()));
    };
    let total: usize = batches.iter().map(|b| b.records.len()).sum();
    let mut cols = Columns::with_capacity(total);
    let (mut ids, mut firsts, mut lasts) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        if batch.records.is_empty() {
            out.push(Appended::New(Vec::new()));
            continue;
        }
        ids.push(batch.id.as_str());
        firsts.push(to_i64(seq + 1));
        let mut seqs = Vec::with_capacity(batch.records.len());
        for r in &batch.records {
            seq += 1;
            let hash = entry_hash(seq, &prev, r);
            cols.push(seq, r, &prev, &hash);
            seqs.push(seq);
            prev = hash;
        }
        lasts.push(to_i64(seq));
        out.push(Appended::New(seqs));
    }
    let head_seq = to_i64(seq);
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 17] = [
        &ids,
        &firsts,
        &lasts,
        &cols.seq,
        &cols.at,
        &cols.event,
        &cols.actor,
        &cols.source,
        &cols.serial,
        &cols.key_id,
        &cols.verdict,
        &cols.code,
        &cols.prev_hash,
        &cols.hash,
        &head_seq,
        &prev,
        &cols.items,
    ];
    // Pipelined: sent back to back, in this order (`biased`), answered in one round trip. If
    // the append fails, the COMMIT ends the aborted transaction (as a rollback).
    let (written, commit) = tokio::join!(biased; client.execute(&st, &params), client.simple_query("COMMIT"));
    match written {
        Ok(_) => {
            commit.map_err(|e| pg(&e))?;
            conn.clean = true;
            Ok(Some(out))
        }
        Err(e) => {
            let known_batch = e.as_db_error().is_some_and(|d| {
                *d.code() == SqlState::UNIQUE_VIOLATION && d.table().is_some_and(|t| t == "audit_batches")
            });
            if known_batch && commit.is_ok() {
                conn.clean = true;
                return Ok(None);
            }
            Err(pg(&e))
        }
    }
}

/// Appends batch by batch, skipping the ids already stored (the slow path, for re-appends).
async fn append_checked(mut c: deadpool_postgres::Object, batches: &[AuditBatch]) -> Result<Vec<Appended>, StoreError> {
    let tx = c.transaction().await.map_err(|e| pg(&e))?;
    // The head row lock serialises appends of every instance until commit.
    let head = tx.query_one("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", &[]).await;
    let head = head.map_err(|e| pg(&e))?;
    let (mut seq, mut prev): (u64, String) = (to_u64(head.get(0)), head.get(1));
    let start_seq = seq;
    let mark = tx
        .prepare_cached(
            "INSERT INTO audit_batches (id, first_seq, last_seq) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .await
        .map_err(|e| pg(&e))?;
    let total: usize = batches.iter().map(|b| b.records.len()).sum();
    let mut cols = Columns::with_capacity(total);
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        if batch.records.is_empty() {
            out.push(Appended::New(Vec::new()));
            continue;
        }
        let n = u64::try_from(batch.records.len()).unwrap_or(u64::MAX);
        let fresh = tx
            .execute(&mark, &[&batch.id, &to_i64(seq + 1), &to_i64(seq.saturating_add(n))])
            .await
            .map_err(|e| pg(&e))?;
        if fresh == 0 {
            out.push(Appended::AlreadyPresent);
            continue;
        }
        let mut seqs = Vec::with_capacity(batch.records.len());
        for r in &batch.records {
            seq += 1;
            let hash = entry_hash(seq, &prev, r);
            cols.push(seq, r, &prev, &hash);
            seqs.push(seq);
            prev = hash;
        }
        out.push(Appended::New(seqs));
    }
    if seq > start_seq {
        let insert = tx
            .prepare_cached(
                "INSERT INTO audit_log (seq, at, event, actor, source, serial, key_id, verdict, code, \
                 prev_hash, hash, items) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])",
            )
            .await
            .map_err(|e| pg(&e))?;
        tx.execute(
            &insert,
            &[
                &cols.seq,
                &cols.at,
                &cols.event,
                &cols.actor,
                &cols.source,
                &cols.serial,
                &cols.key_id,
                &cols.verdict,
                &cols.code,
                &cols.prev_hash,
                &cols.hash,
                &cols.items,
            ],
        )
        .await
        .map_err(|e| pg(&e))?;
        tx.execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", &[&to_i64(seq), &prev])
            .await
            .map_err(|e| pg(&e))?;
    }
    tx.commit().await.map_err(|e| pg(&e))?;
    Ok(out)
}

/// Audit entries column by column, for one `INSERT … SELECT * FROM UNNEST(…)`.
struct Columns {
    seq: Vec<i64>,
    at: Vec<String>,
    event: Vec<&'static str>,
    actor: Vec<String>,
    source: Vec<&'static str>,
    serial: Vec<Option<i64>>,
    key_id: Vec<Option<String>>,
    verdict: Vec<String>,
    code: Vec<String>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
    items: Vec<Option<String>>,
}

impl Columns {
    fn with_capacity(n: usize) -> Columns {
        Columns {
            seq: Vec::with_capacity(n),
            at: Vec::with_capacity(n),
            event: Vec::with_capacity(n),
            actor: Vec::with_capacity(n),
            source: Vec::with_capacity(n),
            serial: Vec::with_capacity(n),
            key_id: Vec::with_capacity(n),
            verdict: Vec::with_capacity(n),
            code: Vec::with_capacity(n),
            prev_hash: Vec::with_capacity(n),
            hash: Vec::with_capacity(n),
            items: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, seq: u64, r: &AuditRecord, prev: &str, hash: &str) {
        self.seq.push(to_i64(seq));
        self.at.push(r.at.clone());
        self.event.push(r.event);
        self.actor.push(r.actor.clone());
        self.source.push(r.source);
        self.serial.push(r.serial.map(to_i64));
        self.key_id.push(r.key_id.clone());
        self.verdict.push(r.verdict.clone());
        self.code.push(r.code.clone());
        self.prev_hash.push(prev.to_owned());
        self.hash.push(hash.to_owned());
        self.items.push(r.items.clone());
    }
}
