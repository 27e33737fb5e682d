//! Tests over a real TCP socket: the in-process server with an HTTP client, and the release
//! binary itself (demo mode, JSON logs, SIGTERM, `audit-verify`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use ikd_server::store::{SqliteOptions, SqliteStore, Store};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn call(
    client: &HttpClient,
    method: &str,
    url: &str,
    ct: Option<&str>,
    body: Vec<u8>,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let mut b = axum::http::Request::builder().method(method).uri(url);
    if let Some(ct) = ct {
        b = b.header("content-type", ct);
    }
    let resp = client.request(b.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

fn json(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(b)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_socket_round_trip_and_graceful_shutdown() {
    let Harness { app, issuer, dir, .. } = harness(Options::default()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ikd_server::serve(app, listener, async move {
        let _ = stopped.await;
    }));
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    let (s, _, b) = call(&client, "GET", &format!("{base}/healthz"), None, vec![]).await;
    assert_eq!((s, json(&b)["status"].as_str().unwrap()), (200, "ok"));

    let text = issue(&issuer);
    let body = serde_json::json!({ "qr": text }).to_string().into_bytes();
    let (s, h, b) = call(&client, "POST", &format!("{base}/v1/verify"), Some("application/json"), body).await;
    assert_eq!(s, 200);
    assert_eq!(json(&b)["verdict"], "VALID");
    assert_eq!(h["cache-control"], "no-store");

    // With a Content-Length over the cap the server answers 413 before reading the body.
    let big = vec![b'{'; 65 * 1024];
    let (s, _, b) = call(&client, "POST", &format!("{base}/v1/verify"), Some("application/json"), big).await;
    assert_eq!(s, 413);
    assert_eq!(json(&b)["error"]["code"], "payload_too_large");

    let (s, _, b) = call(&client, "POST", &format!("{base}/v1/verify/image"), Some("image/png"), qr_png(&text)).await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&b));
    assert_eq!(json(&b)["verdict"], "VALID");

    let (s, _, b) = call(&client, "POST", &format!("{base}/v1/verify/image"), Some("image/png"), blank_png()).await;
    assert_eq!(s, 422);
    assert_eq!(json(&b)["error"]["code"], "no_qr_found");

    let (s, _, b) = call(&client, "GET", &format!("{base}/metrics"), None, vec![]).await;
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&b).contains("ikd_verifications_total"));

    drop(client);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server).await.expect("graceful shutdown").unwrap().unwrap();
    // Everything audited was committed before the server stopped.
    let store = SqliteStore::open(dir.path(), SqliteOptions { read_only: true, ..SqliteOptions::default() }).unwrap();
    assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 2);
    assert!(ikd_server::audit::verify_chain(&store).await.unwrap().ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_demo_json_logs_sigterm_and_audit_verify() {
    let dir = TempDir::new("bin");
    let exe = env!("CARGO_BIN_EXE_ikd-server");
    let mut child = Command::new(exe)
        .args(["--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--demo-residents")
        .arg(dir.path().join("absent.json"))
        .env("IKD_LOG_FORMAT", "json")
        .env_remove("IKD_CONFIG")
        .env_remove("IKD_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = collect_lines(child.stdout.take().unwrap());
    let err = collect_lines(child.stderr.take().unwrap());
    let addr = wait_listening(&mut child, &err);
    let base = format!("http://{addr}");
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let (s, h, b) = call(&client, "GET", &format!("{base}/v1/demo/samples"), None, vec![]).await;
    assert_eq!(s, 200);
    assert_eq!(h["x-ikd-demo"], "1");
    let samples = json(&b)["samples"].as_array().unwrap().clone();
    for s in &samples {
        let body = serde_json::json!({ "qr": s["qr"] }).to_string().into_bytes();
        let (st, _, b) = call(&client, "POST", &format!("{base}/v1/verify"), Some("application/json"), body).await;
        assert_eq!(st, 200);
        assert_eq!(json(&b)["code"], s["expect_code"]);
    }
    drop(client);

    // SIGTERM: graceful shutdown, exit code 0.
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let code = loop {
        if let Some(c) = child.try_wait().unwrap() {
            break c;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
    std::thread::sleep(Duration::from_millis(100));

    // Logs: JSON lines, with no personal data and no secrets.
    let logs = out.lock().unwrap().clone();
    assert!(!logs.is_empty());
    for l in &logs {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v["level"].is_string());
    }
    let token = std::fs::read_to_string(dir.path().join("demo/admin-token")).unwrap();
    let key = std::fs::read_to_string(dir.path().join("demo/issuer.key")).unwrap();
    let seed_line = key.lines().nth(1).unwrap().to_owned();
    let all = format!("{}\n{}", logs.join("\n"), err.lock().unwrap().join("\n"));
    for secret in [token.trim(), seed_line.trim()] {
        assert!(!all.contains(secret), "a secret was printed");
    }
    for personal in [NIK, NAME, "3604010903850012", "AHMAD FAUZI", "CIKANDE"] {
        assert!(!logs.join("\n").contains(personal), "personal data in the logs: {personal}");
    }
    assert!(logs.iter().any(|l| l.contains("\"status\":200")), "access log lines are there");

    // audit-verify: intact, then broken.
    let run = |args: &[&str]| Command::new(exe).args(args).arg("--data-dir").arg(dir.path()).output().unwrap();
    let o = run(&["audit-verify", "--demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let report = json(&o.stdout);
    assert_eq!(report["ok"], true);
    assert!(report["entries"].as_u64().unwrap() >= samples.len() as u64);
    let conn = rusqlite::Connection::open(dir.path().join("demo/ikd-server.sqlite3")).unwrap();
    conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3", []).unwrap();
    drop(conn);
    let o = run(&["audit-verify", "--demo"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o.stdout)["first_bad_seq"], 3);
    let o = run(&["audit-verify"]); // no database in the non-demo directory
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn binary_refuses_bad_configuration_without_echoing_secrets() {
    let dir = TempDir::new("badcfg");
    let exe = env!("CARGO_BIN_EXE_ikd-server");
    let cfg = dir.path().join("ikd-server.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nissuer_key = \"missing.key\"\n").unwrap();
    let o = Command::new(exe)
        .arg("--config")
        .arg(&cfg)
        .env("IKD_ADMIN_TOKEN", "a-very-secret-admin-token-123")
        .env("IKD_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("missing.key"), "{stderr}");
    assert!(!stderr.contains("a-very-secret-admin-token-123"));
    let o = Command::new(exe).arg("--config").arg(&cfg).env_remove("IKD_ADMIN_TOKEN").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no admin token"));
    let o = Command::new(exe).arg("--bogus").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(exe).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("audit-verify"));
}
