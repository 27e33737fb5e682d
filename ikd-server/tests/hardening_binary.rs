//! Issue 13, against the real server binary: image decompression bombs (a 1.7 MB PNG declaring
//! 8192 × 8192 RGBA pixels, 256 MiB decoded, sent 20 times at once, must be answered with a 4xx
//! or 503, never another 5xx, while the server's peak memory stays low), and SIGTERM with a
//! half-sent request open.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A `/proc/<pid>/status` field, in kB.
fn proc_status_kb(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = s.lines().find(|l| l.starts_with(field)).unwrap();
    line.trim_start_matches(field).trim().trim_end_matches("kB").trim().parse().unwrap()
}

/// Sends one image (writing the body while reading, since the server may answer before it has
/// read the body) and returns the status, or `None` when the connection was reset before an
/// answer could be read.
async fn post_image(addr: String, png: Arc<Vec<u8>>) -> Option<u16> {
    let s = TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let head = format!(
        "POST /v1/verify/image HTTP/1.1\r\nhost: t\r\ncontent-type: image/png\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        png.len()
    );
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(head.as_bytes()).await;
        let _ = wr.write_all(&png).await;
        wr
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let res = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match rd.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if buf.len() >= 12 && buf.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(res.is_ok(), "no answer within 60 s");
    let _ = writer.await;
    (buf.len() >= 12).then(|| String::from_utf8_lossy(&buf[9..12]).parse().unwrap())
}

/// Starts the demo server binary with extra environment variables; the child and its address.
fn start_binary(dir: &TempDir, envs: &[(&str, &str)]) -> (std::process::Child, String) {
    let exe = env!("CARGO_BIN_EXE_ikd-server");
    let mut cmd = Command::new(exe);
    cmd.args(["--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--demo-residents")
        .arg(dir.path().join("absent.json"))
        .env("IKD_LOG", "warn")
        .env_remove("IKD_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for k in ["IKD_IMAGE_WORKERS", "IKD_IMAGE_QUEUE", "IKD_MAX_IMAGE_PIXELS", "IKD_SHUTDOWN_GRACE_SECS"] {
        cmd.env_remove(k);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let err = Arc::new(Mutex::new(Vec::<String>::new()));
    let e2 = Arc::clone(&err);
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            e2.lock().unwrap().push(l);
        }
    });
    let start = Instant::now();
    let addr = loop {
        if let Some(l) = err.lock().unwrap().iter().find(|l| l.starts_with("Listening on http://")) {
            break l.trim_start_matches("Listening on http://").split('/').next().unwrap().to_owned();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "server did not start: {:?}", err.lock().unwrap());
        std::thread::sleep(Duration::from_millis(50));
    };
    (child, addr)
}

/// Sends SIGTERM and waits up to `limit` for the exit; the exit status and the time it took.
fn terminate(child: &mut std::process::Child, limit: Duration) -> Option<(std::process::ExitStatus, Duration)> {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let t = Instant::now();
    while t.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status, t.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_sigterm_with_a_half_sent_request_exits_after_the_grace_period() {
    let dir = TempDir::new("term");
    let (mut child, addr) =
        start_binary(&dir, &[("IKD_SHUTDOWN_GRACE_SECS", "1"), ("IKD_HEADER_READ_TIMEOUT_SECS", "600")]);
    // Half a request head, and a request whose body never comes.
    let mut half = TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"POST /v1/verify HTTP/1.1\r\nhost: t\r\ncontent-ty").await.unwrap();
    let mut body = TcpStream::connect(&addr).await.unwrap();
    body.write_all(
        b"POST /v1/verify HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: 99\r\n\r\n{",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, took) = terminate(&mut child, Duration::from_secs(8)).expect("still running 8 s after SIGTERM");
    eprintln!("exited {took:?} after SIGTERM (grace 1 s): {status:?}");
    assert!(status.success(), "{status:?}");
    // The audit log (the demo's issuing events) was flushed and its chain is intact.
    let o = Command::new(env!("CARGO_BIN_EXE_ikd-server"))
        .args(["audit-verify", "--demo", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_image_bombs_keep_server_memory_low() {
    let dir = TempDir::new("bomb");
    let (mut child, addr) = start_binary(&dir, &[]);
    let pid = child.id();
    let before = proc_status_kb(pid, "VmHWM:");

    let png = Arc::new(white_rgba_png(8192, 8192));
    let t = Instant::now();
    let tasks: Vec<_> = (0..20).map(|_| tokio::spawn(post_image(addr.clone(), Arc::clone(&png)))).collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let took = t.elapsed();
    let peak = proc_status_kb(pid, "VmHWM:");
    let _ = terminate(&mut child, Duration::from_secs(20));

    eprintln!(
        "20 × {} KB PNG bombs (8192 × 8192 RGBA) in {took:?}: statuses {statuses:?}; server VmHWM {} MB before, {} MB after",
        png.len() / 1024,
        before / 1024,
        peak / 1024
    );
    let answered: Vec<u16> = statuses.iter().flatten().copied().collect();
    assert!(!answered.is_empty(), "no request was answered");
    for s in &answered {
        assert!((400..500).contains(s) || *s == 503, "status {s} in {statuses:?}");
    }
    assert!(peak < 256 * 1024, "server peak RSS {} MB (limit 256 MB)", peak / 1024);
}
