//! The upstream sync over https (issue 13): an issuing server behind a local TLS endpoint whose
//! certificate comes from a test CA made at test time. A counter pinned to that CA
//! (`upstream_ca_file`) syncs; one pinned to another CA refuses the certificate with a clear
//! problem and keeps the lists it holds; the configuration keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tls_common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use common::*;
use ikd_core::format::*;
use ikd_core::trustlist::{Scope, TrustListBuilder, TrustListEntry};
use ikd_core::*;
use ikd_server::app::{App, AppParts, AppState};
use ikd_server::config::{AdminToken, Config, IssuanceConfig, Limits, ListsConfig};
use ikd_server::store::{SqliteOptions, SqliteStore};
use ikd_server::sync::Extras;
use serde_json::json;
use tls_common::{Preamble, TestCa, TlsProxy};

fn trust_list(root: &SecretKey, issuer: PublicKey) -> Vec<u8> {
    let now = Timestamp::now().plus(-60);
    let mut b = TrustListBuilder::new(1, now, now.plus(7 * DAY));
    b.add(TrustListEntry::new(
        ISSUER_NAME,
        issuer,
        Timestamp::from_unix(WIRE_EPOCH),
        Timestamp::now().plus(3650 * DAY),
        Scope::all(),
    ))
    .unwrap();
    b.next_roots(&[root.public_key()]);
    b.sign(&[root]).unwrap()
}

async fn app(dir: &Path, seed: Option<[u8; 32]>, lists: ListsConfig) -> Result<App, ikd_server::StartupError> {
    let store = SqliteStore::open(dir, SqliteOptions::default()).unwrap();
    App::from_parts_with(
        AppParts {
            trust: TrustStore::new(),
            issuer: seed.map(|s| (SecretKey::from_seed(&s), ISSUER_NAME.to_owned())),
            admin: Some(AdminToken::new(TOKEN).unwrap()),
            store: Arc::new(store),
            limits: Limits::default(),
            issuance: IssuanceConfig::default(),
            demo: false,
        },
        Extras { lists, data_dir: Some(dir.to_owned()), policies: None },
    )
    .await
}

struct Counter {
    router: Router,
    state: Arc<AppState>,
    _app: App,
}

async fn counter(dir: &Path, lists: ListsConfig) -> Counter {
    let app = app(dir, None, lists).await.unwrap();
    Counter { router: app.router(), state: Arc::clone(&app.state), _app: app }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_over_https_trusts_only_the_pinned_ca_and_a_foreign_ca_keeps_the_held_lists() {
    // The issuing upstream, served in clear on loopback behind a TLS endpoint for "localhost".
    let root = SecretKey::from_seed(&random_seed());
    let seed = random_seed();
    let up_dir = TempDir::new("tls-up");
    let file = up_dir.path().join("trust.ikdtl");
    std::fs::write(&file, trust_list(&root, SecretKey::from_seed(&seed).public_key())).unwrap();
    let up_lists =
        ListsConfig { trust_list_file: Some(file), root_keys: vec![root.public_key()], ..ListsConfig::default() };
    let up = app(up_dir.path(), Some(seed), up_lists).await.unwrap();
    let up_router = up.router();
    let r = admin_post(&up_router, "/v1/credentials", &json!({ "claims": claims_json(), "valid_days": 365 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let qr = r.json()["qr"].as_str().unwrap().to_owned();
    drop(up_router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(ikd_server::serve(up, listener, async move {
        let _ = stopped.await;
    }));
    let ca = TestCa::new("IKD test CA");
    let proxy = TlsProxy::start(ca.server_config(&["localhost"], false), backend, Preamble::None).await;
    let https = format!("https://localhost:{}", proxy.addr.port());

    // Pinned to the test CA: the round succeeds over TLS and the credential verifies.
    let dir = TempDir::new("tls-counter");
    let ca_file = ca.write(dir.path(), "upstream-ca.pem");
    let lists = ListsConfig {
        root_keys: vec![root.public_key()],
        upstream_url: Some(https.clone()),
        upstream_ca_file: Some(ca_file),
        sync_interval: Duration::from_secs(3600),
        ..ListsConfig::default()
    };
    let good_dir = TempDir::new("tls-good");
    let good = counter(good_dir.path(), lists.clone()).await;
    let report = good.state.lists.sync_once(&good.state.lists.sync_client()).await;
    assert!(report.problems.is_empty(), "{report:?}");
    assert!(proxy.handshakes.load(std::sync::atomic::Ordering::SeqCst) >= 1, "the sync went through TLS");
    assert_eq!(verify(&good.router, &qr).await["verdict"], "VALID");

    // The system roots do not know the test CA: the default client refuses the certificate.
    let report = good.state.lists.sync_once(&ikd_server::sync::http_client()).await;
    assert_eq!(report.problems[0].code, "upstream_unreachable", "{report:?}");
    assert!(report.problems[0].message.contains("certificate"), "{report:?}");

    // Pinned to another CA, starting from the lists synced before (the copy kept on disk): the
    // certificate is refused with a clear message, no panic, and the held lists stay in use.
    let other = TestCa::new("another CA");
    let bad_dir = TempDir::new("tls-bad");
    copy_dir(&good_dir.path().join("lists"), &bad_dir.path().join("lists"));
    let bad_lists = ListsConfig { upstream_ca_file: Some(other.write(dir.path(), "other-ca.pem")), ..lists.clone() };
    let bad = counter(bad_dir.path(), bad_lists).await;
    let held = bad.state.lists.trust_list().unwrap().bytes.clone();
    let report = bad.state.lists.sync_once(&bad.state.lists.sync_client()).await;
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert_eq!(report.problems[0].code, "upstream_unreachable", "{report:?}");
    let msg = &report.problems[0].message;
    assert!(msg.contains(&https) && msg.contains("invalid peer certificate") && msg.contains("UnknownIssuer"), "{msg}");
    assert_eq!(bad.state.lists.trust_list().unwrap().bytes, held, "the held trust list stays");
    assert_eq!(verify(&bad.router, &qr).await["verdict"], "VALID", "the held lists stay in use");
    let s = get(&bad.router, "/v1/sync/status").await.json();
    // (The background task of the counter runs a round of its own at start.)
    assert!(s["sync"]["consecutive_failures"].as_u64().unwrap() >= 1, "{s}");
    assert_eq!(s["sync"]["problems"][0]["code"], "upstream_unreachable", "{s}");

    // A certificate for another name, from the pinned CA, is refused too.
    let misnamed = TlsProxy::start(ca.server_config(&["upstream.example"], true), backend, Preamble::None).await;
    let lists_ip = ListsConfig { upstream_url: Some(format!("https://localhost:{}", misnamed.addr.port())), ..lists };
    let ip_dir = TempDir::new("tls-name");
    let by_name = counter(ip_dir.path(), lists_ip).await;
    let report = by_name.state.lists.sync_once(&by_name.state.lists.sync_client()).await;
    assert_eq!(report.problems[0].code, "upstream_unreachable", "{report:?}");
    assert!(report.problems[0].message.contains("certificate not valid for name \"localhost\""), "{report:?}");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), served).await.unwrap().unwrap().unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[tokio::test]
async fn an_unreadable_upstream_ca_file_stops_the_start() {
    let dir = TempDir::new("tls-noca");
    let lists = ListsConfig {
        root_keys: vec![SecretKey::from_seed(&random_seed()).public_key()],
        upstream_url: Some("https://localhost:1".to_owned()),
        upstream_ca_file: Some(dir.path().join("missing.pem")),
        ..ListsConfig::default()
    };
    let err = app(dir.path(), None, lists).await.expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("upstream_ca_file") && msg.contains("missing.pem"), "{msg}");
    std::fs::write(dir.path().join("empty.pem"), "not a certificate\n").unwrap();
    let lists = ListsConfig {
        root_keys: vec![SecretKey::from_seed(&random_seed()).public_key()],
        upstream_url: Some("https://localhost:1".to_owned()),
        upstream_ca_file: Some(dir.path().join("empty.pem")),
        ..ListsConfig::default()
    };
    let msg = app(dir.path(), None, lists).await.expect_err("refused").to_string();
    assert!(msg.contains("no CERTIFICATE"), "{msg}");
}

#[test]
fn https_upstreams_and_the_tls_keys_are_read_from_toml_and_env() {
    let root = SecretKey::from_seed(&random_seed()).public_key().to_text();
    let mut c = Config::default();
    c.apply_file(
        Path::new("/etc/ikd/ikd-server.toml"),
        &format!(
            "root_keys = [\"{root}\"]\nupstream_url = \"https://pusat.example:8443/\"\nupstream_ca_file = \"ca.pem\"\n\
             database_url = \"postgres://ikd@db.internal/ikd?sslmode=verify-full\"\ndatabase_ca_file = \"db-ca.pem\"\n"
        ),
    )
    .unwrap();
    assert_eq!(c.lists.upstream_url.as_deref(), Some("https://pusat.example:8443"));
    assert_eq!(c.lists.upstream_ca_file.as_deref(), Some(Path::new("/etc/ikd/ca.pem")));
    assert_eq!(c.database_ca_file.as_deref(), Some(Path::new("/etc/ikd/db-ca.pem")));
    let env = |k: &str| match k {
        "IKD_UPSTREAM_CA_FILE" => Some("/srv/up.pem".to_owned()),
        "IKD_DATABASE_CA_FILE" => Some("/srv/db.pem".to_owned()),
        _ => None,
    };
    c.apply_env(&env).unwrap();
    assert_eq!(c.lists.upstream_ca_file.as_deref(), Some(Path::new("/srv/up.pem")));
    assert_eq!(c.database_ca_file.as_deref(), Some(Path::new("/srv/db.pem")));

    // A pinned upstream CA needs an https upstream; a database CA needs a verifying sslmode.
    let load = |vars: &[(&str, &str)]| {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let env = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        Config::load(&ikd_server::config::Overrides::default(), &env)
    };
    let root = root.as_str();
    let err = load(&[
        ("IKD_ROOT_KEYS", root),
        ("IKD_UPSTREAM_URL", "http://10.0.0.1:8080"),
        ("IKD_UPSTREAM_CA_FILE", "/srv/up.pem"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("upstream_ca_file"), "{err}");
    let c = load(&[
        ("IKD_ROOT_KEYS", root),
        ("IKD_UPSTREAM_URL", "https://pusat.example"),
        ("IKD_UPSTREAM_CA_FILE", "/srv/up.pem"),
    ])
    .unwrap();
    assert_eq!(c.lists.upstream_url.as_deref(), Some("https://pusat.example"));
    let err =
        load(&[("IKD_DATABASE_URL", "postgres://ikd@db/ikd"), ("IKD_DATABASE_CA_FILE", "/srv/db.pem")]).unwrap_err();
    assert!(err.to_string().contains("sslmode=prefer"), "{err}");
    let err = load(&[
        ("IKD_DATABASE_URL", "postgres://ikd@db/ikd?sslmode=verify-full&sslrootcert=/a.pem"),
        ("IKD_DATABASE_CA_FILE", "/srv/db.pem"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("keep one"), "{err}");
    assert!(load(&[("IKD_DATABASE_CA_FILE", "/srv/db.pem")]).is_err(), "a database CA without a database");

    // Plain http to a host that is not loopback still works, with a warning.
    assert!(ikd_server::config::upstream_is_plain_remote("http://10.0.0.1:8080"));
    assert!(!ikd_server::config::upstream_is_plain_remote("http://127.0.0.1:8080"));
    assert!(!ikd_server::config::upstream_is_plain_remote("http://localhost:8080"));
    assert!(!ikd_server::config::upstream_is_plain_remote("http://[::1]:8080"));
    assert!(!ikd_server::config::upstream_is_plain_remote("https://pusat.example"));
}
