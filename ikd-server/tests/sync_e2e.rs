//! End to end, with real processes on loopback: an upstream issuing server (issuer key, trust list
//! signed by a root key made here) and a counter's server pinned to that root, syncing every
//! second. The counter keeps verifying with the upstream gone and after a restart without
//! network; 32 days later (a shifted clock) its status list is stale; once the upstream is back
//! and revokes a credential, the counter shows it revoked after its next sync.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use ikd_core::format::WIRE_EPOCH;
use ikd_core::trustlist::{Scope, TrustListBuilder, TrustListEntry};
use ikd_core::{SecretKey, Timestamp};
use serde_json::{Value, json};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

struct Reply {
    status: u16,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

async fn call(client: &HttpClient, method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<Reply> {
    let mut b = axum::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b.body(Full::new(Bytes::copy_from_slice(body))).unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(10), client.request(req)).await.ok()?.ok()?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.ok()?.to_bytes().to_vec();
    Some(Reply { status, headers, body })
}

/// A server process; SIGKILLed if still running when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(name: &str, dir: &Path, port: u16, env: &[(&str, String)]) -> Server {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ikd-server"));
        cmd.args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(dir.join(name))
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out));
        for k in [
            "IKD_CONFIG",
            "IKD_TRUST_STORE",
            "IKD_TRUST_LIST_FILE",
            "IKD_ROOT_KEYS",
            "IKD_UPSTREAM_URL",
            "IKD_SYNC_INTERVAL_SECS",
            "IKD_ISSUER_KEY",
            "IKD_ADMIN_TOKEN",
            "IKD_ADMIN_TOKEN_FILE",
            "IKD_DEMO",
            "IKD_DANGER_CLOCK_OFFSET_SECS",
            "IKD_DATABASE_URL",
        ] {
            cmd.env_remove(k);
        }
        cmd.env("IKD_LOG", "info,ikd_server::access=warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        Server { child, base: format!("http://127.0.0.1:{port}"), log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn wait_healthy(&mut self, client: &HttpClient) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(r) = call(client, "GET", &self.url("/healthz"), &[], b"").await
                && r.status == 200
            {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("{} exited with {status}:\n{}", self.base, std::fs::read_to_string(&self.log).unwrap());
            }
            assert!(Instant::now() < deadline, "{} did not come up", self.base);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                assert!(s.success(), "exit status {s}:\n{}", std::fs::read_to_string(&self.log).unwrap());
                return;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn verify(client: &HttpClient, server: &Server, qr: &str) -> Value {
    let body = json!({ "qr": qr }).to_string();
    let r = call(
        client,
        "POST",
        &server.url("/v1/verify"),
        &[("content-type", "application/json"), ("accept-language", "en")],
        body.as_bytes(),
    )
    .await
    .expect("the counter answers");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// Polls until `f` holds (20 s at most).
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match f().await {
            Ok(()) => return,
            Err(last) if Instant::now() > deadline => panic!("{what}: not within 20 s; last: {last}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_syncs_works_offline_goes_stale_and_sees_revocations() {
    let dir = TempDir::new("sync-e2e");
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    // Keys and the trust list, made here: a root (pinned by both servers) and an issuer.
    let root = SecretKey::generate().unwrap();
    let issuer = SecretKey::generate().unwrap();
    let kid = issuer.public_key().key_id().to_string();
    std::fs::write(dir.path().join("issuer.key"), issuer.to_file_text().as_bytes()).unwrap();
    // Issue 14: the server refuses an issuer key file other users can read.
    std::fs::set_permissions(dir.path().join("issuer.key"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .unwrap();
    let now = Timestamp::now();
    let mut b = TrustListBuilder::new(1, now.plus(-60), now.plus(7 * DAY));
    b.add(TrustListEntry::new(
        ISSUER_NAME,
        issuer.public_key(),
        Timestamp::from_unix(WIRE_EPOCH),
        now.plus(3650 * DAY),
        Scope::all(),
    ))
    .unwrap();
    b.next_roots(&[root.public_key()]);
    std::fs::write(dir.path().join("trust.ikdtl"), b.sign(&[&root]).unwrap()).unwrap();
    let root_text = root.public_key().to_text();

    let (up_port, counter_port) = (free_port(), free_port());
    let upstream_env = vec![
        ("IKD_ISSUER_KEY", dir.path().join("issuer.key").display().to_string()),
        ("IKD_ISSUER_NAME", ISSUER_NAME.to_owned()),
        ("IKD_ADMIN_TOKEN", TOKEN.to_owned()),
        ("IKD_TRUST_LIST_FILE", dir.path().join("trust.ikdtl").display().to_string()),
        ("IKD_ROOT_KEYS", root_text.clone()),
    ];
    let counter_env = vec![
        ("IKD_ROOT_KEYS", root_text.clone()),
        ("IKD_UPSTREAM_URL", format!("http://127.0.0.1:{up_port}")),
        ("IKD_SYNC_INTERVAL_SECS", "1".to_owned()),
    ];

    // (1) Both servers.
    let mut upstream = Server::start("upstream", dir.path(), up_port, &upstream_env);
    upstream.wait_healthy(&client).await;
    let mut counter = Server::start("counter", dir.path(), counter_port, &counter_env);
    counter.wait_healthy(&client).await;

    // (2) Two credentials issued upstream; the counter syncs the trust list and the status list.
    let mut qrs = Vec::new();
    for _ in 0..2 {
        let body = json!({ "claims": claims_json(), "valid_days": 365 }).to_string();
        let auth = format!("Bearer {TOKEN}");
        let r = call(
            &client,
            "POST",
            &upstream.url("/v1/credentials"),
            &[("content-type", "application/json"), ("authorization", &auth)],
            body.as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let j = r.json();
        qrs.push((j["serial"].as_u64().unwrap(), j["qr"].as_str().unwrap().to_owned()));
    }
    eventually("the counter's first sync", || async {
        let s = call(&client, "GET", &counter.url("/v1/sync/status"), &[], b"").await.ok_or("no answer")?.json();
        let synced = s["sync"]["last_success"].is_string()
            && s["trust_list"]["source"] == "synced"
            && s["status_lists"].as_array().is_some_and(|l| l.iter().any(|x| x["key_id"] == kid.as_str()));
        if synced { Ok(()) } else { Err(s.to_string()) }
    })
    .await;
    let v = verify(&client, &counter, &qrs[0].1).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    // The counter republishes exactly what the upstream publishes (same bytes, same ETag).
    for path in ["/v1/trust-list".to_owned(), format!("/v1/status/{kid}")] {
        let a = call(&client, "GET", &upstream.url(&path), &[], b"").await.unwrap();
        let b = call(&client, "GET", &counter.url(&path), &[], b"").await.unwrap();
        assert_eq!((a.status, b.status), (200, 200), "{path}");
        assert_eq!(a.body, b.body, "{path}");
        assert_eq!(a.headers["etag"], b.headers["etag"], "{path}");
        let etag = a.headers["etag"].to_str().unwrap().to_owned();
        let c = call(&client, "GET", &counter.url(&path), &[("if-none-match", &etag)], b"").await.unwrap();
        assert_eq!(c.status, 304, "{path}");
    }

    // (3) The upstream goes away. (4) The counter still verifies, offline, and says the sync fails.
    upstream.stop();
    let v = verify(&client, &counter, &qrs[0].1).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    eventually("a failed sync is recorded", || async {
        let s = call(&client, "GET", &counter.url("/v1/sync/status"), &[], b"").await.ok_or("no answer")?.json();
        let failed = s["sync"]["consecutive_failures"].as_u64().unwrap_or(0) >= 1
            && s["sync"]["problems"][0]["code"] == "upstream_unreachable";
        if failed { Ok(()) } else { Err(s.to_string()) }
    })
    .await;
    let r = call(&client, "GET", &counter.url("/readyz"), &[], b"").await.unwrap();
    assert_eq!(r.status, 200, "the kept lists keep the counter ready");
    assert!(r.json()["sync"]["last_success"].is_string());
    let m = String::from_utf8(call(&client, "GET", &counter.url("/metrics"), &[], b"").await.unwrap().body).unwrap();
    assert!(
        m.contains("ikd_sync_last_success_timestamp_seconds") && m.contains("ikd_sync_runs_total{outcome=\"problem\"}")
    );
    // Restarted with no network: the copies kept in its data directory are used.
    counter.stop();
    let mut counter = Server::start("counter", dir.path(), counter_port, &counter_env);
    counter.wait_healthy(&client).await;
    let v = verify(&client, &counter, &qrs[0].1).await;
    assert_eq!(v["verdict"], "VALID", "after a restart without network: {v}");

    // (5) 32 days later (the counter restarted with its clock shifted): the status list is past
    // its 1 + 30 days, so the answer is UNDETERMINED, stating the list's age.
    counter.stop();
    let mut shifted = counter_env.clone();
    shifted.push(("IKD_DANGER_CLOCK_OFFSET_SECS", (32 * DAY).to_string()));
    let mut counter = Server::start("counter", dir.path(), counter_port, &shifted);
    counter.wait_healthy(&client).await;
    let v = verify(&client, &counter, &qrs[1].1).await;
    assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("UNDETERMINED"), Some("status_list_stale")), "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("32 days old"), "the message states the age: {msg}");
    let s = call(&client, "GET", &counter.url("/v1/sync/status"), &[], b"").await.unwrap().json();
    assert_eq!(s["status_lists"][0]["freshness"], "stale", "{s}");
    assert_eq!(s["trust_list"]["freshness"], "in_grace", "the trust list lasts 7 + 90 days: {s}");
    assert_eq!(s["danger_clock_offset_secs"], 32 * DAY);

    // (6) Back to today's clock; the upstream returns and revokes the first credential; the
    // counter's next sync brings the revocation.
    counter.stop();
    let mut counter = Server::start("counter", dir.path(), counter_port, &counter_env);
    counter.wait_healthy(&client).await;
    let mut upstream = Server::start("upstream", dir.path(), up_port, &upstream_env);
    upstream.wait_healthy(&client).await;
    let auth = format!("Bearer {TOKEN}");
    let r = call(
        &client,
        "POST",
        &upstream.url(&format!("/v1/credentials/{}/revoke", qrs[0].0)),
        &[("content-type", "application/json"), ("authorization", &auth)],
        b"{}",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let revoked_qr = qrs[0].1.clone();
    eventually("the revocation reaches the counter", || {
        let (client, counter, qr) = (&client, &counter, revoked_qr.clone());
        async move {
            let v = verify(client, counter, &qr).await;
            if v["code"] == "revoked" && v["verdict"] == "INVALID" { Ok(()) } else { Err(v.to_string()) }
        }
    })
    .await;
    let v = verify(&client, &counter, &qrs[1].1).await;
    assert_eq!(v["verdict"], "VALID", "the other credential is unaffected: {v}");

    upstream.stop();
    counter.stop();
    let logs = std::fs::read_to_string(dir.path().join("counter.log")).unwrap();
    if std::env::var_os("IKD_E2E_PRINT_LOGS").is_some() {
        let up = std::fs::read_to_string(dir.path().join("upstream.log")).unwrap();
        eprintln!("---- counter log\n{logs}\n---- upstream log\n{up}");
    }
    assert!(!logs.contains(NIK) && !logs.contains(NAME), "no personal data in the counter's logs");
}
