//! Helpers for the PostgreSQL tests: a schema of their own per test (dropped at the end, also
//! when the test fails), the real `ikd-server` binary as a child process, a small HTTP client,
//! and a TCP proxy in front of PostgreSQL that can cut the database off (an outage without
//! stopping the shared server).
//!
//! The database: `IKD_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`
//! (trust authentication, as on the project machines and CI). `IKD_SKIP_POSTGRES_TESTS=1`
//! skips these tests; otherwise a missing database fails them with that advice.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use ikd_core::{SecretKey, Timestamp};
use ikd_server::store::{AuditRecord, DatabaseUrl, PgOptions, PgStore};

// Issue 14: the helpers every server test shares live once, in `tests/common`.
#[path = "../common/mod.rs"]
mod common;
#[allow(unused_imports)]
pub use common::{NAME, NIK, TempDir, claims_json as claims, collect_lines, random_seed, sqlite_of_schema_2};

pub const TOKEN: &str = "pg-test-admin-token-0123456789";
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The database URL for the tests.
pub fn base_url() -> String {
    std::env::var("IKD_TEST_DATABASE_URL").ok().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| DEFAULT_URL.into())
}

/// Whether to skip (prints why).
pub fn skip() -> bool {
    if std::env::var("IKD_SKIP_POSTGRES_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("IKD_SKIP_POSTGRES_TESTS=1: skipping a PostgreSQL test");
        return true;
    }
    false
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).unwrap();
    hex::encode(b)
}

/// A plain connection for the test's own queries.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach PostgreSQL for the tests ({e}). Start it (trust auth, database `test`), set \
             IKD_TEST_DATABASE_URL, or skip with IKD_SKIP_POSTGRES_TESTS=1"
        )
    });
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// A schema of the test's own, `ikd_test_<pid>_<random>`, dropped (CASCADE) on drop, also when
/// the test panics.
#[derive(Debug)]
pub struct TestSchema {
    pub name: String,
    base: String,
}

impl TestSchema {
    pub async fn create(tag: &str) -> TestSchema {
        let name = format!("ikd_test_{}_{}_{}", tag, std::process::id(), random_hex(4));
        let base = base_url();
        let c = connect(&base).await;
        c.batch_execute(&format!("CREATE SCHEMA {name}")).await.unwrap();
        TestSchema { name, base }
    }

    /// A URL whose connections work in this schema, named `application_name` = the schema (so
    /// the fault test can cut exactly this test's connections).
    pub fn url(&self) -> String {
        with_params(&self.base, &self.name)
    }

    /// The same through another host and port (the proxy).
    pub fn url_via(&self, port: u16) -> String {
        let cfg = tokio_postgres::Config::from_str(&self.base).unwrap();
        let user = cfg.get_user().unwrap_or("postgres");
        let db = cfg.get_dbname().unwrap_or("test");
        with_params(&format!("postgres://{user}@127.0.0.1:{port}/{db}"), &self.name)
    }

    /// A client working in this schema.
    pub async fn client(&self) -> tokio_postgres::Client {
        let c = connect(&self.base).await;
        c.batch_execute(&format!("SET search_path TO {}", self.name)).await.unwrap();
        c
    }
}

fn with_params(base: &str, schema: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}")
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let (name, base) = (self.name.clone(), self.base.clone());
        // Drop runs outside (or at the end of) the test's runtime: use a thread of its own.
        let t = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let Ok((c, conn)) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await else { return };
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                let _ = c
                    .execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name = $1 AND pid <> pg_backend_pid()",
                        &[&name],
                    )
                    .await;
                if let Err(e) = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).await {
                    eprintln!("could not drop test schema {name}: {e}");
                }
            });
        });
        let _ = t.join();
    }
}

/// A store on this test's schema with a pool of `pool_size` connections.
pub async fn pg_store(schema: &TestSchema, pool_size: usize) -> PgStore {
    let opts = PgOptions { url: DatabaseUrl::parse(&schema.url()).unwrap(), pool_size, spool: None, read_only: false };
    PgStore::open(opts).await.unwrap()
}

/// A `verify` audit record of serial `i` by `actor` at `at` (RFC 3339).
pub fn audit_record(i: u64, actor: &str, at: &str) -> AuditRecord {
    AuditRecord {
        at: at.into(),
        event: "verify",
        actor: actor.into(),
        source: "text",
        serial: Some(i),
        key_id: Some("abcdef".into()),
        verdict: "VALID".into(),
        code: "ok".into(),
        items: None,
    }
}

/// Issuer key file and a trust store trusting it, for server processes.
#[derive(Debug)]
pub struct Keys {
    pub dir: TempDir,
    pub key_file: PathBuf,
    pub trust_file: PathBuf,
    pub key_id: String,
    pub public_key: ikd_core::PublicKey,
}

pub fn keys() -> Keys {
    let dir = TempDir::new("keys");
    let key = SecretKey::from_seed(&random_seed());
    let key_file = dir.path().join("issuer.key");
    std::fs::write(&key_file, key.to_file_text().as_bytes()).unwrap();
    // Issue 14: the server refuses an issuer key file other users can read.
    std::fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let trust = common::trusting("DISDUKCAPIL UJI POSTGRES", key.public_key());
    let trust_file = dir.path().join("trust.json");
    std::fs::write(&trust_file, trust.to_json()).unwrap();
    Keys { key_id: key.public_key().key_id().to_string(), public_key: key.public_key(), dir, key_file, trust_file }
}

/// The real `ikd-server` binary, issuing with `keys`, on `database_url`.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    pub base: String,
    pub out: Arc<Mutex<Vec<String>>>,
    pub err: Arc<Mutex<Vec<String>>>,
}

pub fn server_command(keys: &Keys, data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ikd-server"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("IKD_LISTEN", "127.0.0.1:0")
        .env("IKD_DATA_DIR", data_dir)
        .env("IKD_TRUST_STORE", &keys.trust_file)
        .env("IKD_ISSUER_KEY", &keys.key_file)
        .env("IKD_ISSUER_NAME", "DISDUKCAPIL UJI POSTGRES")
        .env("IKD_ADMIN_TOKEN", TOKEN)
        .env("IKD_LOG", "info,ikd_server::access=warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(u) = database_url {
        cmd.env("IKD_DATABASE_URL", u);
    }
    cmd
}

impl Server {
    pub fn start(keys: &Keys, data_dir: &Path, database_url: Option<&str>) -> Server {
        Server::spawn(server_command(keys, data_dir, database_url))
    }

    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd.spawn().unwrap();
        let out = collect_lines(child.stdout.take().unwrap());
        let err = collect_lines(child.stderr.take().unwrap());
        let addr = common::wait_listening(&mut child, &err);
        Server { child, base: format!("http://{addr}"), out, err }
    }

    /// SIGTERM, then waits for the exit (graceful: open requests finish, the audit writer
    /// commits or spools what is queued).
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(c) = self.child.try_wait().unwrap() {
                return c;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn logs(&self) -> String {
        format!("{}\n{}", self.out.lock().unwrap().join("\n"), self.err.lock().unwrap().join("\n"))
    }

    /// The logs once every line logged so far has been written: info lines wait in the
    /// server's buffer for up to `logwriter::FLUSH_EVERY`.
    pub async fn flushed_logs(&self) -> String {
        tokio::time::sleep(ikd_server::logwriter::FLUSH_EVERY * 3).await;
        self.logs()
    }

    /// Waits (at most `secs`) until the logs hold `needle`.
    pub async fn wait_for_log(&self, needle: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !self.logs().contains(needle) {
            assert!(Instant::now() < deadline, "`{needle}` not logged within {secs} s:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Two server processes (`a`, `b`) issuing with `keys` on the one database schema `schema`,
/// each with a data directory of its own (`<tag>-a`, `<tag>-b`; keep them until the servers
/// are gone): what the multi-instance tests start from.
pub fn two_instances(schema: &TestSchema, keys: &Keys, tag: &str) -> ((TempDir, TempDir), Server, Server) {
    let dirs = (TempDir::new(&format!("{tag}-a")), TempDir::new(&format!("{tag}-b")));
    let url = schema.url();
    let a = Server::start(keys, dirs.0.path(), Some(&url));
    let b = Server::start(keys, dirs.1.path(), Some(&url));
    (dirs, a, b)
}

/// A small HTTP/1 client.
#[derive(Clone, Debug)]
pub struct Http(Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>);

/// Status and body; status 0 when the request did not get through.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

impl Http {
    pub fn new() -> Http {
        Http(Client::builder(TokioExecutor::new()).pool_max_idle_per_host(64).build_http())
    }

    pub async fn call(&self, method: &str, url: &str, body: Option<&serde_json::Value>, admin: bool) -> Reply {
        let mut b = axum::http::Request::builder().method(method).uri(url);
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        if admin {
            b = b.header("authorization", format!("Bearer {TOKEN}"));
        }
        let bytes = body.map(|v| v.to_string().into_bytes()).unwrap_or_default();
        let req = b.body(Full::new(Bytes::from(bytes))).unwrap();
        let fut = async {
            let resp = self.0.request(req).await.map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
            Ok::<_, String>(Reply { status, body })
        };
        match tokio::time::timeout(Duration::from_secs(60), fut).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Reply { status: 0, body: e.into_bytes() },
            Err(_) => Reply { status: 0, body: b"timed out".to_vec() },
        }
    }

    pub async fn get(&self, url: &str) -> Reply {
        self.call("GET", url, None, false).await
    }

    pub async fn admin_get(&self, url: &str) -> Reply {
        self.call("GET", url, None, true).await
    }

    pub async fn issue(&self, base: &str) -> Reply {
        self.call("POST", &format!("{base}/v1/credentials"), Some(&serde_json::json!({ "claims": claims() })), true)
            .await
    }

    pub async fn revoke(&self, base: &str, serial: u64) -> Reply {
        self.call("POST", &format!("{base}/v1/credentials/{serial}/revoke"), None, true).await
    }

    pub async fn verify(&self, base: &str, qr: &str) -> Reply {
        self.call("POST", &format!("{base}/v1/verify"), Some(&serde_json::json!({ "qr": qr })), false).await
    }
}

/// Polls `f` until it is true (or panics after `secs`).
pub async fn wait_until<F, Fut>(secs: u64, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A TCP proxy to PostgreSQL that can cut the database off: `down()` closes every open
/// connection and refuses new ones until `up()`.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        let cfg = tokio_postgres::Config::from_str(&base_url()).unwrap();
        let host = match cfg.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".to_owned(),
        };
        let target = format!("{host}:{}", cfg.get_ports().first().copied().unwrap_or(5432));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let p = Proxy { port, up: Arc::new(AtomicBool::new(true)), conns: Arc::new(Mutex::new(Vec::new())) };
        let p2 = p.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                if !p2.up.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let h = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut conns = p2.conns.lock().unwrap();
                conns.retain(|c| !c.is_finished());
                conns.push(h.abort_handle());
            }
        });
        p
    }

    pub fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    pub fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A holder-bound credential signed with the servers' issuer key (`keys`), and `n` distinct
/// live presentations of it (holder-signed in the last `n` seconds, no challenge).
pub fn live_presentations(keys: &Keys, n: usize) -> (String, Vec<String>) {
    use ikd_core::{Disclosure, IssueRequest, Issuer, Serial, StatusIndex, create_presentation};
    let text = std::fs::read_to_string(&keys.key_file).unwrap();
    let issuer = Issuer::new(SecretKey::from_file_text(&text).unwrap());
    let holder = SecretKey::from_seed(&random_seed());
    let day = 86_400;
    let req = IssueRequest {
        claims: ikd_core::Claims::from_json_value(claims()).unwrap(),
        serial: Serial::new(900_001).unwrap(),
        status_index: StatusIndex::new(17),
        issued_at: Timestamp::now().plus(-day),
        valid_from: Timestamp::now().plus(-day),
        expires_at: Timestamp::now().plus(300 * day),
        holder_key: Some(holder.public_key()),
        photo: None,
    };
    let cred = issuer.issue(&req).unwrap().text().to_owned();
    let shown = Disclosure::from_names(&["nama", "age_over_17"]).unwrap();
    // Signed a second apart (the signature, and so the replay key, depends on the time), from
    // one clock reading so that a second boundary cannot make two of them the same code.
    let now = Timestamp::now();
    let lives = (0..n)
        .map(|i| create_presentation(&cred, shown, Some(&holder), now.plus(-(i as i64)), None).unwrap())
        .collect();
    (cred, lives)
}
