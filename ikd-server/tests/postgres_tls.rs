//! PostgreSQL over TLS (issue 13): `sslmode` in the database URL with libpq's meanings. A local
//! endpoint speaks PostgreSQL's SSLRequest preamble, answers `S`, terminates TLS with a
//! certificate from a test CA made at test time and forwards to the test database in clear:
//! `verify-full` with that CA opens the store, another CA or another host name is refused,
//! `verify-ca` ignores the name, and `require` refuses a server that answers `N`. The local
//! PostgreSQL's own TLS (Debian enables it with the snakeoil certificate) serves `require`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod postgres_common;
mod tls_common;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::Ordering;

use ikd_server::store::{DatabaseUrl, PgOptions, PgStore, SslMode, Store, StoreError};
use postgres_common::*;
use tls_common::{Preamble, TestCa, TlsProxy};

async fn open(url: &str) -> Result<PgStore, StoreError> {
    PgStore::open(PgOptions { url: DatabaseUrl::parse(url).unwrap(), pool_size: 1, spool: None, read_only: false })
        .await
}

/// The test database's address (the proxy's backend).
async fn backend() -> SocketAddr {
    let cfg = tokio_postgres::Config::from_str(&base_url()).unwrap();
    let host = match cfg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    tokio::net::lookup_host((host.as_str(), port)).await.unwrap().next().unwrap()
}

/// The schema's URL through the proxy, as host `name` (the certificate's name is checked
/// against it) connecting to 127.0.0.1 (`hostaddr`), with the TLS parameters `tls`.
fn url_as(schema: &TestSchema, port: u16, name: &str, tls: &str) -> String {
    let via = schema.url_via(port).replacen("@127.0.0.1:", &format!("@{name}:"), 1);
    format!("{via}&hostaddr=127.0.0.1&{tls}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_verify_full_connects_only_with_the_pinned_ca_and_the_right_host_name() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("tls").await;
    let dir = TempDir::new("pg-tls");
    let ca = TestCa::new("IKD test database CA");
    let ca_file = ca.write(dir.path(), "db-ca.pem");
    let other_file = TestCa::new("another CA").write(dir.path(), "other-ca.pem");
    let proxy = TlsProxy::start(ca.server_config(&["db.test"], false), backend().await, Preamble::PostgresAccept).await;
    let port = proxy.addr.port();

    // verify-full with the test CA: the store opens (migrations run through the TLS endpoint).
    let url = url_as(&schema, port, "db.test", &format!("sslmode=verify-full&sslrootcert={}", ca_file.display()));
    let store = open(&url).await.unwrap();
    assert!(store.describe().contains("sslmode=verify-full"), "{}", store.describe());
    assert!(proxy.handshakes.load(Ordering::SeqCst) >= 1, "the connection went through TLS");
    store.ping().await.unwrap();
    drop(store);

    // The same CA given as database_ca_file (through the configuration) instead of sslrootcert.
    let plain = url_as(&schema, port, "db.test", "sslmode=verify-full");
    let u = DatabaseUrl::parse(&plain).unwrap();
    u.check_ca_file_allowed().unwrap();
    let store =
        PgStore::open(PgOptions { url: u.with_ca_file(Some(&ca_file)), pool_size: 1, spool: None, read_only: false })
            .await
            .unwrap();
    drop(store);

    // Another CA: refused, with the reason, as an open error (no panic).
    let url = url_as(&schema, port, "db.test", &format!("sslmode=verify-full&sslrootcert={}", other_file.display()));
    let err = open(&url).await.expect_err("refused");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Open(_)), "{msg}");
    assert!(msg.contains("invalid peer certificate") && msg.contains("UnknownIssuer"), "{msg}");

    // Another host name: verify-full refuses, verify-ca (chain only) accepts.
    let url = url_as(&schema, port, "other.test", &format!("sslmode=verify-full&sslrootcert={}", ca_file.display()));
    let msg = open(&url).await.expect_err("refused").to_string();
    assert!(msg.contains("certificate not valid for name"), "{msg}");
    let url = url_as(&schema, port, "other.test", &format!("sslmode=verify-ca&sslrootcert={}", ca_file.display()));
    open(&url).await.unwrap();
    // verify-ca still checks the chain.
    let url = url_as(&schema, port, "db.test", &format!("sslmode=verify-ca&sslrootcert={}", other_file.display()));
    assert!(open(&url).await.is_err(), "verify-ca with another CA");
    // require with a root certificate is verify-ca (as in libpq); without, it only encrypts.
    let url = url_as(&schema, port, "db.test", &format!("sslmode=require&sslrootcert={}", other_file.display()));
    assert!(open(&url).await.is_err(), "require with a root certificate checks the chain");
    let before = proxy.handshakes.load(Ordering::SeqCst);
    open(&url_as(&schema, port, "other.test", "sslmode=require")).await.unwrap();
    assert!(proxy.handshakes.load(Ordering::SeqCst) > before);
    // A missing root certificate file: a clear open error.
    let url =
        url_as(&schema, port, "db.test", &format!("sslmode=verify-full&sslrootcert={}/none.pem", dir.0.display()));
    let msg = open(&url).await.expect_err("refused").to_string();
    assert!(msg.contains("cannot read the CA file") && msg.contains("none.pem"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sslmode_require_refuses_a_server_without_tls_and_prefer_falls_back() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("notls").await;
    let ca = TestCa::new("unused");
    let proxy = TlsProxy::start(ca.server_config(&["db.test"], false), backend().await, Preamble::PostgresRefuse).await;
    let port = proxy.addr.port();
    let msg = open(&url_as(&schema, port, "db.test", "sslmode=require")).await.expect_err("refused").to_string();
    assert!(msg.contains("server does not support TLS"), "{msg}");
    assert!(open(&url_as(&schema, port, "db.test", "sslmode=verify-full")).await.is_err());
    // prefer (also the default) asks, and goes on in clear when the server says no.
    open(&url_as(&schema, port, "db.test", "sslmode=prefer")).await.unwrap();
    assert!(proxy.ssl_requests.load(Ordering::SeqCst) >= 3);
    assert_eq!(proxy.handshakes.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sslmode_require_encrypts_the_store_connections_to_the_local_server() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("req").await;
    let c = schema.client().await;
    let ssl: String = c.query_one("SHOW ssl", &[]).await.unwrap().get(0);
    if ssl != "on" {
        eprintln!("the local PostgreSQL has ssl = {ssl}: the direct sslmode=require check is skipped");
        return;
    }
    let store = open(&format!("{}&sslmode=require", schema.url())).await.unwrap();
    store.ping().await.unwrap();
    let rows = c
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1",
            &[&schema.name],
        )
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.get::<_, bool>(0)), "every store connection is encrypted");
    drop(store);
}

#[test]
fn postgres_urls_take_every_sslmode_and_refuse_the_rest() {
    for (mode, want) in [
        ("disable", SslMode::Disable),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ] {
        let u = DatabaseUrl::parse(&format!("postgres://ikd:S3cret@db.internal/ikd?sslmode={mode}")).unwrap();
        assert_eq!(u.ssl_mode(), want);
        assert!(!format!("{u:?}").contains("S3cret"));
    }
    assert_eq!(DatabaseUrl::parse("postgres://ikd@db/ikd").unwrap().ssl_mode(), SslMode::Prefer, "libpq's default");
    let e = DatabaseUrl::parse("postgres://ikd:S3cret@db/ikd?sslmode=allow").unwrap_err();
    assert!(e.contains("sslmode must be") && !e.contains("S3cret"), "{e}");
    let e = DatabaseUrl::parse("postgres://ikd@db/ikd?sslmode=prefer&sslrootcert=/ca.pem").unwrap_err();
    assert!(e.contains("sslrootcert needs"), "{e}");
    let e = DatabaseUrl::parse("postgres://ikd@db/ikd?sslmode=verify-ca&sslrootcert=system").unwrap_err();
    assert!(e.contains("verify-full"), "{e}");
    DatabaseUrl::parse("postgres://ikd@db/ikd?sslmode=verify-full&sslrootcert=system").unwrap();
    // Percent-encoded paths; a `?` in the password is not the start of the parameters.
    DatabaseUrl::parse("postgres://ikd:p%3Fw?x@db/ikd?sslrootcert=%2Fetc%2Fca.pem&sslmode=verify-full").unwrap();
}
