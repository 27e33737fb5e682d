//! Issue 13, server hardening: slow and idle connections are timed out, many of them do not
//! lock real clients out, shutdown ends within its grace period with the audit log flushed,
//! overload is answered 503 with `Retry-After`, waiting image requests are bounded, and any
//! HTTP method shares one metrics series.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request};
use common::*;
use ikd_server::config::Limits;
use ikd_server::store::{SqliteOptions, SqliteStore, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server on a loopback socket.
struct Running {
    addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    state: std::sync::Arc<ikd_server::AppState>,
    issuer: ikd_core::Issuer,
    dir: TempDir,
}

async fn start(limits: Limits) -> Running {
    let Harness { app, issuer, dir, state, .. } = harness(Options { limits, ..Options::default() }).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(ikd_server::serve(app, listener, async move {
        let _ = stopped.await;
    }));
    Running { addr, stop, server, state, issuer, dir }
}

/// Reads one response (head and `Content-Length` body): status, head text, body.
async fn read_response(s: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before a response: {}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status: u16 = head[9..12].parse().unwrap();
    let len: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).map(|v| v.trim().parse().unwrap()).unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed in the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    (status, head, buf[head_end..head_end + len].to_vec())
}

/// Waits up to `limit` for the server to close the connection (anything it sends first, such
/// as a 408, is read and ignored); the time it took.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut chunk = [0u8; 1024];
    loop {
        let left = limit.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, s.read(&mut chunk)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

fn verify_request(text: &str) -> Vec<u8> {
    let body = serde_json::json!({ "qr": text }).to_string();
    format!(
        "POST /v1/verify HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Stops the server; asserts it stopped within `limit`.
async fn stop(r: Running, limit: Duration) -> (TempDir, Duration) {
    let Running { stop, server, state, dir, .. } = r;
    // The audit writer stops once the last state (and with it the audit sender) is gone.
    drop(state);
    let t = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(limit, server).await.expect("serve() did not return in time").unwrap().unwrap();
    (dir, t.elapsed())
}

fn short(header: u64, idle: u64) -> Limits {
    Limits {
        header_read_timeout: Duration::from_millis(header),
        idle_timeout: Duration::from_millis(idle),
        ..Limits::default()
    }
}

// Issue 13: a client sending its headers slowly held a connection open forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_slow_headers_are_timed_out() {
    let r = start(short(600, 30_000)).await;
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n").await.unwrap();
    // One header byte every 100 ms: the connection is never idle, but its head never ends.
    let mut t = TcpStream::connect(r.addr).await.unwrap();
    t.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let trickle = tokio::spawn(async move {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if t.write_all(b"x").await.is_err() {
                return Some(start.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    });
    let took =
        closed_within(&mut s, Duration::from_secs(5)).await.expect("slow-header connection still open after 5 s");
    eprintln!("slow-header connection closed after {took:?} (header timeout 600 ms)");
    assert!(took >= Duration::from_millis(500), "closed too early: {took:?}");
    let trickled = trickle.await.unwrap().expect("trickling connection still open after 5 s");
    eprintln!("trickling connection failed after {trickled:?}");
    assert!(trickled < Duration::from_secs(4));
    // A new connection is served.
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n").await.unwrap();
    assert_eq!(read_response(&mut s).await.0, 200);
    assert!(r.state.metrics.render().contains("ikd_http_connections_closed_total{reason=\"header_timeout\"}"));
    stop(r, Duration::from_secs(5)).await;
}

// Issue 13: idle keep-alive connections were never closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_idle_keep_alive_connections_are_closed() {
    let r = start(short(30_000, 700)).await;
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    // Two requests on one keep-alive connection, the second after a pause below the timeout.
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n").await.unwrap();
    assert_eq!(read_response(&mut s).await.0, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n").await.unwrap();
    assert_eq!(read_response(&mut s).await.0, 200);
    let took = closed_within(&mut s, Duration::from_secs(5)).await.expect("idle connection still open after 5 s");
    eprintln!("idle keep-alive connection closed after {took:?} (idle timeout 700 ms)");
    assert!(took >= Duration::from_millis(600), "closed too early: {took:?}");
    stop(r, Duration::from_secs(5)).await;
}

/// How many sockets this test may open (each connection is two descriptors here: the test's
/// and the in-process server's).
fn open_files_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("Max open files")).and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        })
        .unwrap_or(1024)
}

// Issue 13: many idle and slow connections locked real clients out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_many_idle_and_slow_connections_do_not_lock_clients_out() {
    let limit = open_files_limit();
    let n = 2000.min(limit.saturating_sub(300) / 2);
    eprintln!("open files limit {limit}: opening {n} idle or slow connections");
    assert!(n >= 40, "the open files limit ({limit}) is too low for this test");
    // The cap is half the connections, so half of them must be evicted to make room.
    let cap = n / 2;
    let limits = Limits { max_connections: cap, ..short(3_000, 3_000) };
    let r = start(limits).await;
    let mut attackers = Vec::with_capacity(n);
    for i in 0..n {
        let mut s = TcpStream::connect(r.addr).await.unwrap();
        if i % 2 == 0 {
            // Slow: half a request head.
            let _ = s.write_all(b"POST /v1/verify HTTP/1.1\r\nhost: t\r\n").await;
        }
        attackers.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let open = r.state.metrics.connections_open.get();
    eprintln!("server-side open connections: {open} (cap {cap})");
    assert!(open <= cap as i64, "{open} connections open over the cap");

    // A real verification on a new connection still answers, quickly.
    let req = verify_request(&issue(&r.issuer));
    let mut figures = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut s = TcpStream::connect(r.addr).await.unwrap();
        s.write_all(&req).await.unwrap();
        let (status, _, body) = tokio::time::timeout(Duration::from_secs(5), read_response(&mut s)).await.unwrap();
        figures.push(t.elapsed());
        assert_eq!(status, 200, "{} {}", String::from_utf8_lossy(&body), r.state.metrics.render());
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["verdict"], "VALID");
    }
    eprintln!("POST /v1/verify with {n} idle or slow connections open: {figures:?} (target 100 ms)");
    assert!(figures.iter().all(|f| *f < Duration::from_secs(2)), "{figures:?}");

    // Every idle or slow connection is closed by the server: evicted at the cap or timed out.
    let checks: Vec<_> = attackers
        .into_iter()
        .map(|mut s| tokio::spawn(async move { closed_within(&mut s, Duration::from_secs(8)).await.is_some() }))
        .collect();
    let mut closed = 0;
    for c in checks {
        closed += usize::from(c.await.unwrap());
    }
    eprintln!("{closed} of {n} idle or slow connections closed by the server");
    assert_eq!(closed, n);
    stop(r, Duration::from_secs(5)).await;
}

// Issue 13: shutdown waited forever for half-sent requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_shutdown_with_half_sent_requests_ends_within_the_grace_period() {
    let limits = Limits { shutdown_grace: Duration::from_secs(1), ..short(60_000, 60_000) };
    let r = start(limits).await;
    // A verification to audit.
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    s.write_all(&verify_request(&issue(&r.issuer))).await.unwrap();
    assert_eq!(read_response(&mut s).await.0, 200);
    // Half a head, and a request whose body never ends (in progress until the deadline).
    let mut half = TcpStream::connect(r.addr).await.unwrap();
    half.write_all(b"POST /v1/verify HTTP/1.1\r\nhost: t\r\ncontent-ty").await.unwrap();
    let mut body = TcpStream::connect(r.addr).await.unwrap();
    body.write_all(
        b"POST /v1/verify HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"qr\"",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (dir, took) = stop(r, Duration::from_secs(5)).await;
    eprintln!("serve() returned {took:?} after the shutdown signal (grace 1 s)");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(closed_within(&mut half, Duration::from_secs(1)).await.is_some());
    assert!(closed_within(&mut body, Duration::from_secs(1)).await.is_some());
    // The audit log was flushed before serve() returned.
    let store = SqliteStore::open(dir.path(), SqliteOptions { read_only: true, ..SqliteOptions::default() }).unwrap();
    assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 1);
    assert!(ikd_server::audit::verify_chain(&store).await.unwrap().ok);
}

/// A request whose head is complete and whose body never comes: in progress until the
/// request timeout.
async fn stuck_request(addr: std::net::SocketAddr, path: &str, ct: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("POST {path} HTTP/1.1\r\nhost: t\r\ncontent-type: {ct}\r\ncontent-length: 5000\r\n\r\nab").as_bytes(),
    )
    .await
    .unwrap();
    s
}

// Issue 13: overload was not shed with 503 and `Retry-After`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_overload_is_answered_503_with_retry_after() {
    let limits = Limits { max_in_flight_requests: 2, ..Limits::default() };
    let r = start(limits).await;
    let _a = stuck_request(r.addr, "/v1/verify", "application/json").await;
    let _b = stuck_request(r.addr, "/v1/verify", "application/json").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A third request is shed at once instead of queueing.
    let t = Instant::now();
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    s.write_all(&verify_request(&issue(&r.issuer))).await.unwrap();
    let (status, head, body) = read_response(&mut s).await;
    eprintln!("shed request answered in {:?}", t.elapsed());
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains("retry-after: 1"), "{head}");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"]["code"], "busy");
    assert!(t.elapsed() < Duration::from_secs(1));

    let m = r.state.metrics.render();
    assert!(m.contains("ikd_http_requests_shed_total{limit=\"requests\"} 1"), "{m}");
    stop(r, Duration::from_secs(15)).await;

    // Connection cap: 2 connections, both with a request in progress; a third connection is
    // answered 503 within about a second (SLOT_WAIT) instead of waiting.
    let r = start(Limits { max_connections: 2, ..Limits::default() }).await;
    let _c = stuck_request(r.addr, "/v1/verify", "application/json").await;
    let _d = stuck_request(r.addr, "/v1/verify", "application/json").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let mut e = TcpStream::connect(r.addr).await.unwrap();
    let _ = e.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n").await;
    let (status, head, _) = read_response(&mut e).await;
    eprintln!("connection over the cap answered in {:?}", t.elapsed());
    assert_eq!(status, 503);
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(t.elapsed() < Duration::from_secs(3));
    let m = r.state.metrics.render();
    assert!(m.contains("ikd_http_connections_closed_total{reason=\"refused\"}"), "{m}");
    stop(r, Duration::from_secs(15)).await;
}

// Issue 13: image requests waiting for a worker were unbounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_waiting_image_requests_are_bounded() {
    let limits = Limits { image_workers: 1, image_queue: 1, ..Limits::default() };
    let r = start(limits).await;
    // Two image uploads whose bodies are still coming fill the decode slot and the queue.
    let _a = stuck_request(r.addr, "/v1/verify/image", "image/png").await;
    let _b = stuck_request(r.addr, "/v1/verify/image", "image/png").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The third is answered 503 at once, before its (large) body is read.
    let t = Instant::now();
    let mut s = stuck_request(r.addr, "/v1/verify/image", "image/png").await;
    let (status, head, body) = read_response(&mut s).await;
    eprintln!("image request over the queue answered in {:?}", t.elapsed());
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains("retry-after: 1"), "{head}");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"]["code"], "busy");
    // Text verification is not affected.
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    s.write_all(&verify_request(&issue(&r.issuer))).await.unwrap();
    assert_eq!(read_response(&mut s).await.0, 200);
    stop(r, Duration::from_secs(15)).await;
}

// Issue 13: an image over the pixel cap was decoded before being refused.
#[tokio::test]
async fn regression_image_header_over_the_pixel_cap_is_refused_before_decoding() {
    let h = harness(Options { limits: Limits { max_image_pixels: 10_000, ..Limits::default() }, ..Options::default() })
        .await;
    let png = common::white_rgba_png(128, 128); // 16 384 pixels
    let r = send(
        &h.router,
        Request::post("/v1/verify/image").header("content-type", "image/png").body(Body::from(png)).unwrap(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 413, "{}", r.text());
    assert_eq!(r.error_code(), "image_too_large");
    assert_eq!(r.json()["error"]["max_pixels"], 10_000);
    // Under the cap, the same kind of image is scanned (no QR code in it).
    let r = send(
        &h.router,
        Request::post("/v1/verify/image")
            .header("content-type", "image/png")
            .body(Body::from(common::white_rgba_png(64, 64)))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.text());
}

// Issue 13: each unknown HTTP method made a metrics series of its own.
#[tokio::test]
async fn regression_unknown_methods_share_one_metrics_series() {
    let h = harness(Options::default()).await;
    let mut sent = Vec::new();
    for i in 0..30 {
        let mut r = [0u8; 6];
        getrandom::fill(&mut r).unwrap();
        let name = format!("M{i}X{}", hex::encode(r).to_uppercase());
        sent.push(name.clone());
        let m = Method::from_bytes(name.as_bytes()).unwrap();
        let _ = send(&h.router, Request::builder().method(m).uri("/v1/verify").body(Body::empty()).unwrap()).await;
    }
    let long = "L".repeat(2000);
    let _ = send(
        &h.router,
        Request::builder()
            .method(Method::from_bytes(long.as_bytes()).unwrap())
            .uri("/healthz")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let _ = get(&h.router, "/healthz").await;
    let text = get(&h.router, "/metrics").await.text();
    for name in &sent {
        assert!(!text.contains(name.as_str()), "method {name} became a metrics series");
    }
    assert!(!text.contains(&long), "the 2000-character method was stored");
    let series: Vec<&str> = text.lines().filter(|l| l.starts_with("ikd_http_requests_total{")).collect();
    assert!(series.iter().any(|l| l.contains("method=\"other\"")), "{series:?}");
    assert!(series.iter().any(|l| l.contains("method=\"GET\"")), "{series:?}");
    assert!(series.len() <= 6, "{series:#?}");
}

#[test]
fn the_white_png_generator_makes_valid_pngs() {
    for (w, h) in [(64, 16), (100, 3), (1000, 2)] {
        let img = image::load_from_memory(&common::white_rgba_png(w, h)).unwrap();
        assert_eq!((img.width(), img.height()), (w, h));
        assert!(img.to_rgba8().pixels().all(|p| p.0 == [255; 4]));
    }
    assert!(common::white_rgba_png(8192, 8192).len() < 2 * 1024 * 1024);
}
