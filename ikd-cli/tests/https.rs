//! `ikd sync` speaks https:// in the default build (issue 13): against a loopback server that
//! answers in clear, the client starts a TLS handshake and fails on it, instead of refusing the
//! URL as a build without https does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn sync_speaks_tls_to_https_urls_in_the_default_build() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    // The first bytes of the first connection, if one comes within 15 s (a build without https
    // never connects).
    let seen = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::time::Instant::now() < deadline {
            if let Ok((mut c, _)) = listener.accept() {
                c.set_nonblocking(false).unwrap();
                c.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
                let mut first = [0u8; 5];
                c.read_exact(&mut first).ok()?;
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                return Some(first);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    });
    let dir = std::env::temp_dir().join(format!("ikd-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/TEST-ONLY-root.key.pub");
    let o = Command::new(env!("CARGO_BIN_EXE_ikd"))
        .args(["--json", "sync", "--cache", "cache", "--timeout", "5", "--from"])
        .arg(format!("https://127.0.0.1:{port}"))
        .arg("--root")
        .arg(&root)
        .current_dir(&dir)
        .env("LC_ALL", "en_US.UTF-8")
        .env_remove("IKD_CACHE")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .unwrap();
    let first = seen.join().unwrap().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    // 0x16 0x03: a TLS handshake record (the ClientHello).
    assert_eq!(&first[..2], &[0x16, 0x03], "the client opened with TLS; stdout: {out}\nstderr: {err}");
    assert_eq!(o.status.code(), Some(2), "stdout: {out}\nstderr: {err}");
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["trust_list"]["code"], "sync_network", "{out}");
    assert!(!err.contains("without https"), "{err}");
}
