//! Issue 13, against the real server binary: image decompression bombs (a 1.7 MB PNG declaring
//! 8192 × 8192 RGBA pixels, 256 MiB decoded, sent 20 times at once, must be answered with a 4xx
//! or 503, never another 5xx, while the server's peak memory stays low), and SIGTERM with a
//! half-sent request open.
//!
//! Issue 14, also against the binary: the command line is clap's, with the CLI's names
//! (`--trust`/`IKD_TRUST`; `IKD_TRUST_STORE` kept as a deprecated alias), and a secret issuer
//! key file other users can read is refused at start.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::Arc;
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
    let err = collect_lines(child.stderr.take().unwrap());
    let addr = wait_listening(&mut child, &err);
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

// Issue 13: SIGTERM with a half-sent request open did not exit after the grace period.
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

// Issue 13: PNG decompression bombs took the server's memory from 88 MB to 600 MB.
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

/// Runs the binary (no demo, loopback, a fresh data directory) with `args` and `envs`; returns
/// the exit code, or `None` when it started listening (then it is stopped), and its stderr.
fn run_binary(dir: &TempDir, args: &[&str], envs: &[(&str, &str)]) -> (Option<i32>, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ikd-server"));
    cmd.args(["--listen", "127.0.0.1:0", "--data-dir"]).arg(dir.path().join("data")).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("IKD_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("IKD_LOG", "warn").envs(envs.iter().copied()).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    // The reader ends when the process closes stderr (it exited), or a line says it listens.
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(60)) {
        let listening = l.starts_with("Listening on http://");
        lines.push(l);
        if listening {
            let _ = terminate(&mut child, Duration::from_secs(10));
            return (None, lines);
        }
    }
    let status = child.wait().unwrap();
    (status.code(), lines)
}

/// A trust store file trusting one fresh issuer, named `name`.
fn trust_file(dir: &TempDir, name: &str) -> std::path::PathBuf {
    let key = ikd_core::SecretKey::from_seed(&random_seed());
    let mut trust = ikd_core::TrustStore::new();
    trust.add(ikd_core::TrustedIssuer {
        name: name.into(),
        public_key: key.public_key(),
        not_before: ikd_core::Timestamp::now().plus(-86_400),
        not_after: ikd_core::Timestamp::now().plus(3650 * 86_400),
    });
    let path = dir.path().join(format!("{name}.json"));
    std::fs::write(&path, trust.to_json()).unwrap();
    path
}

// Issue 14: the server's --help is clap's and lists the flags under the CLI's names, with the
// environment variables they read.
#[test]
fn help_lists_the_flags_with_the_cli_names_and_their_variables() {
    let o = Command::new(env!("CARGO_BIN_EXE_ikd-server")).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8(o.stdout).unwrap();
    let line = |flag: &str| {
        help.lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("no line for {flag} in:\n{help}"))
            .to_owned()
    };
    for (flag, env) in [
        ("--config <FILE>", "IKD_CONFIG"),
        ("--listen <ADDR>", "IKD_LISTEN"),
        ("--data-dir <DIR>", "IKD_DATA_DIR"),
        ("--trust <FILE>", "IKD_TRUST"),
        ("--policy-file <FILE>", "IKD_POLICY_FILE"),
        ("--window <SECS>", "IKD_PRESENTATION_WINDOW_SECS"),
        ("--presentation-skew <SECS>", "IKD_PRESENTATION_SKEW_SECS"),
        ("--demo-residents <FILE>", "IKD_DEMO_RESIDENTS"),
    ] {
        let l = line(flag);
        assert!(l.contains(&format!("[env: {env}")), "{flag} should name {env}: {l}");
    }
    line("--root <KEY>");
    line("--demo ");
    line("-V, --version");
    assert!(help.contains("audit-verify"), "{help}");
    assert!(help.contains("IKD_TRUST_STORE (now IKD_TRUST)"), "the deprecated alias is documented: {help}");
}

// Issue 14: an unknown flag is a usage error: exit status 2 with clap's message.
#[test]
fn unknown_flag_exits_2_with_clap_message() {
    let o = Command::new(env!("CARGO_BIN_EXE_ikd-server")).arg("--trust-store").arg("x.json").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unexpected argument '--trust-store'"), "{err}");
    assert!(err.contains("For more information, try '--help'"), "{err}");
    // A value out of range is refused by clap the same way.
    let o = Command::new(env!("CARGO_BIN_EXE_ikd-server")).args(["--window", "901"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("901 is not in 1..=900"));
}

// Issue 14: the trust store is named `--trust` / `IKD_TRUST` as in the CLI; the old
// `IKD_TRUST_STORE` still works (deprecated, with a warning); a flag beats the variable.
#[test]
fn trust_flag_variable_and_deprecated_alias_each_load_the_trust_store() {
    let dir = TempDir::new("trustnames");
    let by_flag = trust_file(&dir, "BY FLAG");
    let by_env = trust_file(&dir, "BY ENV");
    let by_alias = trust_file(&dir, "BY ALIAS");
    let trusted = |lines: &[String], name: &str| lines.iter().any(|l| l.starts_with(&format!("  - {name} (key id")));

    let (code, lines) = run_binary(&dir, &["--trust", by_flag.to_str().unwrap()], &[]);
    assert_eq!(code, None, "{lines:?}");
    assert!(trusted(&lines, "BY FLAG"), "{lines:?}");

    let (code, lines) = run_binary(&dir, &[], &[("IKD_TRUST", by_env.to_str().unwrap())]);
    assert_eq!(code, None, "{lines:?}");
    assert!(trusted(&lines, "BY ENV"), "{lines:?}");

    let (code, lines) = run_binary(&dir, &[], &[("IKD_TRUST_STORE", by_alias.to_str().unwrap())]);
    assert_eq!(code, None, "{lines:?}");
    assert!(trusted(&lines, "BY ALIAS"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("IKD_TRUST_STORE is deprecated: use IKD_TRUST")), "{lines:?}");

    // Flag over variable.
    let (code, lines) =
        run_binary(&dir, &["--trust", by_flag.to_str().unwrap()], &[("IKD_TRUST", by_env.to_str().unwrap())]);
    assert_eq!(code, None, "{lines:?}");
    assert!(trusted(&lines, "BY FLAG") && !trusted(&lines, "BY ENV"), "{lines:?}");

    // The new name and the old one naming different files: which was meant is unknown.
    let (code, lines) = run_binary(
        &dir,
        &[],
        &[("IKD_TRUST", by_env.to_str().unwrap()), ("IKD_TRUST_STORE", by_alias.to_str().unwrap())],
    );
    assert_eq!(code, Some(2), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("setting `IKD_TRUST`") && l.contains("IKD_TRUST_STORE")), "{lines:?}");
}

// Issue 14: a secret issuer key file that group or others can read is refused at start, with
// its own message; at mode 0600 the same key starts the issuing server.
#[test]
fn issuer_key_readable_by_others_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("keymode");
    let key = ikd_core::SecretKey::from_seed(&random_seed());
    let path = dir.path().join("issuer.key");
    std::fs::write(&path, key.to_file_text().as_bytes()).unwrap();
    let envs = [("IKD_ISSUER_KEY", path.to_str().unwrap()), ("IKD_ADMIN_TOKEN", "a-test-admin-token-0123456789")];
    for mode in [0o644, 0o640, 0o604, 0o660] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, lines) = run_binary(&dir, &[], &envs);
        assert_eq!(code, Some(2), "mode {mode:o}: {lines:?}");
        let want = format!("the secret key file is readable by other users (mode {mode:04o}); run `chmod 600");
        assert!(lines.iter().any(|l| l.contains(&want)), "mode {mode:o}: {lines:?}");
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, lines) = run_binary(&dir, &[], &envs);
    assert_eq!(code, None, "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("Issuing: ENABLED")), "{lines:?}");
}
