//! `ikd sync` against a tiny HTTP server run inside the test (127.0.0.1, a thread serving the
//! files of a directory with ETags and 304), then `ikd verify --cache` offline: fresh and VALID,
//! stale (UNDETERMINED), revoked after the next sync; corrupt, badly signed and rolled-back
//! downloads rejected with the previous good copy kept; a root hand-over followed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

mod common;
use common::{code, fixtures, ok, text};

/// Runs `ikd` in `dir` (see `common::command`), with the default cache inside `dir/xdg`.
fn ikd_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    common::run(dir, &dir.join("xdg"), args, env)
}

fn ikd(dir: &Path, args: &[&str]) -> Output {
    ikd_env(dir, args, &[])
}

/// A request the server saw: path and If-None-Match.
type Seen = Arc<Mutex<Vec<(String, Option<String>, u16)>>>;

/// Serves `root`: `GET /v1/trust-list` → `trust-list.ikdtl`, `GET /v1/status/{id}` →
/// `status/{id}.ikdsl`, with a strong ETag (SHA-256 of the body) and 304 on a matching
/// If-None-Match; 404 for a missing file. One request per connection.
fn serve(root: PathBuf) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut headers = HashMap::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                }
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let file = match path.strip_prefix("/v1/status/") {
                _ if path == "/v1/trust-list" => Some(root.join("trust-list.ikdtl")),
                Some(id) if id.chars().all(|c| c.is_ascii_hexdigit()) => Some(root.join(format!("status/{id}.ikdsl"))),
                _ => None,
            };
            let inm = headers.get("if-none-match").cloned();
            let (status, body, etag) = match file.and_then(|f| std::fs::read(f).ok()) {
                None => (404, b"not found".to_vec(), None),
                Some(b) => {
                    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&b)[..8]));
                    if inm.as_deref() == Some(etag.as_str()) {
                        (304, Vec::new(), Some(etag))
                    } else {
                        (200, b, Some(etag))
                    }
                }
            };
            log.lock().unwrap().push((path, inm, status));
            let reason = match status {
                200 => "OK",
                304 => "Not Modified",
                _ => "Not Found",
            };
            let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
            if let Some(e) = etag {
                head.push_str(&format!("ETag: {e}\r\n"));
            }
            if status != 304 {
                head.push_str(&format!("Content-Type: application/octet-stream\r\nContent-Length: {}\r\n", body.len()));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    });
    (url, seen)
}

/// A sandbox with the TEST ONLY issuer and root keys, a trust store, two credentials (serials 1
/// and 2, issued 2026-01-05), and the "server" directory `srv/` with a signed trust list and an
/// empty status list, both made 2026-01-05.
fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    for f in [
        "TEST-ONLY-issuer.key",
        "TEST-ONLY-issuer.key.pub",
        "TEST-ONLY-issuer.key.state.json",
        "TEST-ONLY-root.key",
        "TEST-ONLY-root.key.pub",
        "trust.json",
        "resident.json",
    ] {
        std::fs::copy(fixtures().join(f), p.join(f)).unwrap();
    }
    std::fs::create_dir_all(p.join("srv/status")).unwrap();
    let t0 = "2026-01-05T00:00:00Z";
    for (serial, out) in [("1", "one.ikd"), ("2", "two.ikd")] {
        ok(&ikd(
            p,
            &["issue", "--key", "TEST-ONLY-issuer.key", "resident.json", "--now", t0, "--serial", serial, "--out", out],
        ));
    }
    ok(&ikd(
        p,
        &[
            "trust",
            "sign",
            "trust.json",
            "--root-key",
            "TEST-ONLY-root.key",
            "--out",
            "srv/trust-list.ikdtl",
            "--now",
            t0,
            "--next-update",
            "7d",
        ],
    ));
    ok(&ikd(
        p,
        &["status", "publish", "--key", "TEST-ONLY-issuer.key", "--out", "srv/status/d30190.ikdsl", "--now", t0],
    ));
    d
}

fn verify_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["--json", "verify"];
    all.extend_from_slice(args);
    let o = ikd(dir, &all);
    let line = text(&o.stdout).lines().next().unwrap_or("null").to_owned();
    (o.status.code().unwrap_or(-1), serde_json::from_str(&line).unwrap(), text(&o.stderr))
}

#[test]
fn sync_then_verify_offline_freshness_revocation_and_rejections() {
    let d = setup();
    let p = d.path();
    let (url, seen) = serve(p.join("srv"));
    let first_status = std::fs::read(p.join("srv/status/d30190.ikdsl")).unwrap();

    // First sync: pins the root, stores both lists.
    let out = ok(&ikd(p, &["sync", "--from", &url, "--cache", "cache", "--root", "TEST-ONLY-root.key.pub"]));
    assert!(out.contains("trust list") && out.contains("new: sequence 1"), "{out}");
    assert!(out.contains("status d30190") && out.contains("Done"), "{out}");
    for f in ["roots", "trust-list.ikdtl", "status/d30190.ikdsl", "etags.json", "last_sync.json"] {
        assert!(p.join("cache").join(f).exists(), "{f}");
    }
    assert_eq!(
        std::fs::read(p.join("cache/trust-list.ikdtl")).unwrap(),
        std::fs::read(p.join("srv/trust-list.ikdtl")).unwrap()
    );
    let last: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("cache/last_sync.json")).unwrap()).unwrap();
    assert_eq!(last["from"], url.as_str());
    assert_eq!(last["last_attempt_ok"], true);
    assert!(last["last_success"].is_string());

    // Offline and fresh: VALID; the block states the lists' ages and the last sync.
    let o = ikd(p, &["verify", "--cache", "cache", "--now", "2026-01-05T12:00:00Z", "one.ikd"]);
    let out = ok(&o);
    assert!(out.contains("VALID"), "{out}");
    assert!(out.contains("Trust list") && out.contains("sequence 1") && out.contains("age 12 h (fresh)"), "{out}");
    assert!(out.contains("Status list") && out.contains("Last sync"), "{out}");
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-05T12:00:00Z", "one.ikd"]);
    assert_eq!(c, 0);
    assert_eq!(v["lists"]["status_list"]["freshness"], "fresh");
    assert_eq!(v["lists"]["trust_list"]["sequence"], 1);
    assert!(v["report"].as_array().unwrap().iter().any(|c| c["check"] == "status" && c["outcome"] == "passed"));

    // Two days later: in grace, still VALID, with a warning to sync.
    let out = ok(&ikd(p, &["verify", "--cache", "cache", "--now", "2026-01-07T00:00:00Z", "one.ikd"]));
    assert!(out.contains("Warning") && out.contains("status list is 2 days old"), "{out}");

    // Past the status list's grace (1 + 30 days): UNDETERMINED, stating the list's age.
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-02-10T00:00:00Z", "one.ikd"]);
    assert_eq!(c, 3);
    assert_eq!(v["code"], "status_list_stale");
    assert!(v["message"].as_str().unwrap().contains("36 days"), "{v}");
    assert_eq!(v["lists"]["status_list"]["freshness"], "stale");

    // The office revokes serial 1 and publishes; the counter syncs again.
    ok(&ikd(p, &["status", "revoke", "--key", "TEST-ONLY-issuer.key", "--credential", "one.ikd"]));
    ok(&ikd(
        p,
        &[
            "status",
            "publish",
            "--key",
            "TEST-ONLY-issuer.key",
            "--out",
            "srv/status/d30190.ikdsl",
            "--now",
            "2026-01-06T00:00:00Z",
        ],
    ));
    let good_status = std::fs::read(p.join("srv/status/d30190.ikdsl")).unwrap();
    seen.lock().unwrap().clear();
    let out = ok(&ikd(p, &["sync", "--cache", "cache"]));
    assert!(out.contains("unchanged (sequence 1)"), "the trust list is unchanged (304): {out}");
    // Issue 14: status lists are numbered by the one core rule, max(now, previous + 1): the
    // Unix times of 2026-01-05 and 2026-01-06.
    assert!(out.contains("updated: sequence 1767571200 → 1767657600"), "{out}");
    {
        let seen = seen.lock().unwrap();
        let tl = seen.iter().find(|(p, _, _)| p == "/v1/trust-list").unwrap();
        assert!(tl.1.is_some(), "If-None-Match sent");
        assert_eq!(tl.2, 304);
    }
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-06T12:00:00Z", "one.ikd"]);
    assert_eq!(c, 1, "{v}");
    assert_eq!(v["code"], "revoked");
    let (c, _, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-06T12:00:00Z", "two.ikd"]);
    assert_eq!(c, 0);
    // A revocation is final: still INVALID from a stale list.
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-02-20T00:00:00Z", "one.ikd"]);
    assert_eq!((c, v["code"].as_str()), (1, Some("revoked")));

    // A corrupt download is rejected; the previous good list is kept and the status is 2.
    let cached = std::fs::read(p.join("cache/status/d30190.ikdsl")).unwrap();
    let mut corrupt = good_status.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x40;
    std::fs::write(p.join("srv/status/d30190.ikdsl"), &corrupt).unwrap();
    let (out, err) = code(&ikd(p, &["sync", "--cache", "cache"]), 2);
    assert!(out.contains("REJECTED") && out.contains("previous copy (sequence 1767657600) is kept"), "{out}");
    assert!(err.contains("status/d30190"), "{err}");
    assert_eq!(std::fs::read(p.join("cache/status/d30190.ikdsl")).unwrap(), cached);
    std::fs::write(p.join("srv/status/d30190.ikdsl"), b"not a status list").unwrap();
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache"]), 2);
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["ok"], false);
    assert_eq!(j["status"]["d30190"]["code"], "status_bad_magic");
    assert_eq!(std::fs::read(p.join("cache/status/d30190.ikdsl")).unwrap(), cached);
    let last: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("cache/last_sync.json")).unwrap()).unwrap();
    assert_eq!(last["last_attempt_ok"], false);
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-06T12:00:00Z", "one.ikd"]);
    assert_eq!((c, v["code"].as_str()), (1, Some("revoked")));

    // A rollback to the older list (which does not revoke serial 1) is refused.
    std::fs::write(p.join("srv/status/d30190.ikdsl"), &first_status).unwrap();
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache"]), 2);
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["status"]["d30190"]["code"], "status_rollback");
    assert_eq!(std::fs::read(p.join("cache/status/d30190.ikdsl")).unwrap(), cached);

    // The good list again: unchanged (the server's ETag differs from the rejected ones').
    std::fs::write(p.join("srv/status/d30190.ikdsl"), &good_status).unwrap();
    let out = ok(&ikd(p, &["sync", "--cache", "cache"]));
    assert!(out.contains("unchanged (sequence 1767657600)"), "{out}");
}

#[test]
fn bad_trust_lists_are_rejected_and_the_previous_one_kept() {
    let d = setup();
    let p = d.path();
    let (url, _) = serve(p.join("srv"));
    ok(&ikd(p, &["sync", "--from", &url, "--cache", "cache", "--root", "TEST-ONLY-root.key.pub"]));
    let cached = std::fs::read(p.join("cache/trust-list.ikdtl")).unwrap();
    let genuine = std::fs::read(p.join("srv/trust-list.ikdtl")).unwrap();

    // One byte of the body changed: the root signature fails.
    let mut tampered = genuine.clone();
    let i = tampered.windows(6).position(|w| w == b"SERANG").unwrap();
    tampered[i] = b'T';
    std::fs::write(p.join("srv/trust-list.ikdtl"), &tampered).unwrap();
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache"]), 2);
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["trust_list"]["code"], "trust_list_bad_signature");
    assert_eq!(j["trust_list"]["kept_sequence"], 1);
    assert_eq!(std::fs::read(p.join("cache/trust-list.ikdtl")).unwrap(), cached);

    // A list signed by another root (sequence 9): not a pinned root.
    ok(&ikd(p, &["key", "new", "evil.key", "--kind", "root"]));
    ok(&ikd(
        p,
        &[
            "trust",
            "sign",
            "trust.json",
            "--root-key",
            "evil.key",
            "--out",
            "srv/trust-list.ikdtl",
            "--no-previous",
            "--sequence",
            "9",
        ],
    ));
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache"]), 2);
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["trust_list"]["code"], "trust_list_unknown_root");
    assert_eq!(std::fs::read(p.join("cache/trust-list.ikdtl")).unwrap(), cached);

    // A truncated file.
    std::fs::write(p.join("srv/trust-list.ikdtl"), &genuine[..genuine.len() / 2]).unwrap();
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache"]), 2);
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["trust_list"]["code"], "trust_list_malformed");
    assert_eq!(std::fs::read(p.join("cache/trust-list.ikdtl")).unwrap(), cached);

    // A rollback: sequence 2 accepted, then the old sequence 1 offered again.
    std::fs::write(p.join("srv/old.ikdtl"), &genuine).unwrap();
    std::fs::write(p.join("srv/trust-list.ikdtl"), &genuine).unwrap();
    ok(&ikd(
        p,
        &[
            "trust",
            "sign",
            "trust.json",
            "--root-key",
            "TEST-ONLY-root.key",
            "--out",
            "srv/trust-list.ikdtl",
            "--now",
            "2026-01-08T00:00:00Z",
            "--compromise",
            "d30190=2026-01-07",
        ],
    ));
    // The trust list is taken; the status list signed by the now compromised key is not
    // (issue 13, item 7: it could be the thief's), and the sync says so.
    let (out, _) = code(&ikd(p, &["sync", "--cache", "cache"]), 2);
    assert!(out.contains("updated: sequence 1 → 2"), "{out}");
    assert!(out.contains("status_signer_compromised"), "{out}");
    // The compromise applies offline: one.ikd was issued before it, so its signature is still
    // good, but its revocation status can no longer be known from that key's list.
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-08T12:00:00Z", "one.ikd"]);
    assert_eq!((c, v["code"].as_str()), (3, Some("status_unknown")), "{v}");
    // The next list from the same plain trust store keeps the compromise (carried over).
    let out = ok(&ikd(
        p,
        &[
            "trust",
            "sign",
            "trust.json",
            "--root-key",
            "TEST-ONLY-root.key",
            "--previous",
            "srv/trust-list.ikdtl",
            "--out",
            "next.ikdtl",
            "--now",
            "2026-01-09T00:00:00Z",
        ],
    ));
    assert!(out.contains("1 compromised") && out.contains("sequence 3"), "{out}");
    std::fs::copy(p.join("srv/old.ikdtl"), p.join("srv/trust-list.ikdtl")).unwrap();
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache"]), 2);
    let j: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(j["trust_list"]["code"], "trust_list_rollback");
    assert_eq!(j["trust_list"]["kept_sequence"], 2);

    // The trust list past its grace (7 + 90 days): UNDETERMINED, stating its age.
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-05-01T00:00:00Z", "two.ikd"]);
    assert_eq!(c, 3);
    assert_eq!(v["code"], "trust_list_stale");
    assert!(v["message"].as_str().unwrap().contains("113 days"), "{v}");
}

#[test]
fn default_cache_env_roots_and_handover() {
    let d = setup();
    let p = d.path();
    let (url, _) = serve(p.join("srv"));
    let cache = p.join("envcache");
    let cache_s = cache.display().to_string();
    let env = [("IKD_CACHE", cache_s.as_str())];

    // The first sync needs a root; a server that cannot be reached fails with status 2.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (_, err) = code(&ikd_env(p, &["sync", "--from", &url], &env), 2);
    assert!(err.contains("--root"), "{err}");
    let (out, _) = code(&ikd_env(p, &["sync", "--from", &closed, "--root", "TEST-ONLY-root.key.pub"], &env), 2);
    assert!(out.contains("REJECTED/FAILED"), "{out}");
    let (_, err) = code(&ikd_env(p, &["sync", "--from", "ftp://x"], &env), 2);
    assert!(err.contains("--from"), "{err}");

    // IKD_CACHE: sync, then verify with no --trust and no --cache.
    ok(&ikd_env(p, &["sync", "--from", &url, "--root", "TEST-ONLY-root.key.pub"], &env));
    let o = ikd_env(p, &["verify", "--now", "2026-01-05T06:00:00Z", "one.ikd"], &env);
    assert!(ok(&o).contains("VALID"));
    // --trust still works as before (and wins over the environment's cache).
    let o = ikd_env(p, &["verify", "--trust", "trust.json", "--now", "2026-01-05T06:00:00Z", "one.ikd"], &env);
    assert!(!ok(&o).contains("Trust list"));

    // The default cache ($XDG_DATA_HOME/ikd) is used when it holds a trust list.
    ok(&ikd(p, &["sync", "--from", &url, "--root", "TEST-ONLY-root.key.pub"]));
    assert!(p.join("xdg/ikd/trust-list.ikdtl").exists());
    assert!(ok(&ikd(p, &["verify", "--now", "2026-01-05T06:00:00Z", "one.ikd"])).contains("Last sync"));

    // A wrong --root on verify: the cached list does not verify (status 2).
    ok(&ikd(p, &["key", "new", "r2.key", "--kind", "root"]));
    let (_, err) = code(&ikd(p, &["verify", "--root", "r2.key.pub", "--now", "2026-01-05T06:00:00Z", "one.ikd"]), 2);
    assert!(err.contains("does not verify"), "{err}");

    // Root hand-over: announce R2, hand over (signed by both, next root R2 only), then R2 alone.
    let steps: [(&str, &[&str]); 3] = [
        (
            "2026-01-06T00:00:00Z",
            &["--root-key", "TEST-ONLY-root.key", "--next-root", "TEST-ONLY-root.key.pub", "--next-root", "r2.key.pub"],
        ),
        (
            "2026-01-07T00:00:00Z",
            &["--root-key", "TEST-ONLY-root.key", "--root-key", "r2.key", "--next-root", "r2.key.pub"],
        ),
        ("2026-01-08T00:00:00Z", &["--root-key", "r2.key"]),
    ];
    for (n, (now, keys)) in steps.iter().enumerate() {
        let mut args = vec!["trust", "sign", "trust.json", "--out", "srv/trust-list.ikdtl", "--now", now];
        args.extend_from_slice(keys);
        ok(&ikd(p, &args));
        let out = ok(&ikd(p, &["sync"]));
        assert!(out.contains(&format!("updated: sequence {} → {}", n + 1, n + 2)), "{out}");
    }
    let roots = std::fs::read_to_string(p.join("xdg/ikd/roots")).unwrap();
    let r2 = std::fs::read_to_string(p.join("r2.key.pub")).unwrap();
    assert!(roots.contains(r2.lines().last().unwrap()), "{roots}");
    assert!(ok(&ikd(p, &["verify", "--now", "2026-01-08T06:00:00Z", "one.ikd"])).contains("sequence 4"));
    // A list signed by the old root alone is now refused.
    ok(&ikd(
        p,
        &[
            "trust",
            "sign",
            "trust.json",
            "--out",
            "srv/trust-list.ikdtl",
            "--root-key",
            "TEST-ONLY-root.key",
            "--no-previous",
            "--sequence",
            "9",
            "--now",
            "2026-01-09T00:00:00Z",
        ],
    ));
    let (out, _) = code(&ikd(p, &["sync"]), 2);
    assert!(out.contains("trust_list_unknown_root"), "{out}");
}

#[test]
fn delegated_status_key() {
    let d = setup();
    let p = d.path();
    let (url, _) = serve(p.join("srv"));
    // The issuer keeps its issuing key offline: a separate key signs its status lists.
    ok(&ikd(p, &["key", "new", "status.key", "--kind", "holder"]));
    ok(&ikd(
        p,
        &[
            "trust",
            "sign",
            "trust.json",
            "--root-key",
            "TEST-ONLY-root.key",
            "--out",
            "srv/trust-list.ikdtl",
            "--now",
            "2026-01-06T00:00:00Z",
            "--status-key",
            "d30190=status.key.pub",
        ],
    ));
    ok(&ikd(p, &["status", "revoke", "--key", "TEST-ONLY-issuer.key.pub", "--credential", "two.ikd"]));
    std::fs::remove_file(p.join("srv/status/d30190.ikdsl")).unwrap();
    ok(&ikd(
        p,
        &[
            "status",
            "publish",
            "--key",
            "TEST-ONLY-issuer.key.pub",
            "--status-key",
            "status.key",
            "--out",
            "srv/status/d30190.ikdsl",
            "--now",
            "2026-01-06T00:00:00Z",
        ],
    ));
    let out = ok(&ikd(
        p,
        &[
            "status",
            "show",
            "srv/status/d30190.ikdsl",
            "--issuer-key",
            "TEST-ONLY-issuer.key.pub",
            "--status-key",
            "status.key.pub",
        ],
    ));
    assert!(out.contains("Revoked") && out.contains("Signed by"), "{out}");
    // Signed by the status key, so it does not verify as signed by the issuer key itself.
    code(&ikd(p, &["status", "show", "srv/status/d30190.ikdsl", "--issuer-key", "TEST-ONLY-issuer.key.pub"]), 1);
    ok(&ikd(p, &["sync", "--from", &url, "--cache", "cache", "--root", "TEST-ONLY-root.key.pub"]));
    let (c, v, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-06T06:00:00Z", "two.ikd"]);
    assert_eq!((c, v["code"].as_str()), (1, Some("revoked")), "{v}");
    let (c, _, _) = verify_json(p, &["--cache", "cache", "--now", "2026-01-06T06:00:00Z", "one.ikd"]);
    assert_eq!(c, 0);
    let j: serde_json::Value = serde_json::from_str(&ok(&ikd(
        p,
        &["--json", "trust", "inspect", "cache/trust-list.ikdtl", "--root-file", "cache/roots"],
    )))
    .unwrap();
    assert!(j["entries"][0]["status_key"].is_string());
}

#[test]
fn regression_cli_and_server_repin_by_the_same_rule() {
    // Issue 14: `ikd sync --repin` skipped the successor check while the server's re-pin kept
    // it. Both now call `ikd_core::list_holder::decide_trust_list`: a list signed by a newly
    // pinned root needs `--repin`, and is still refused if it is not a valid successor.
    let d = setup();
    let p = d.path();
    let (url, _seen) = serve(p.join("srv"));
    ok(&ikd(p, &["sync", "--from", &url, "--cache", "cache", "--root", "TEST-ONLY-root.key.pub"]));
    ok(&ikd(p, &["key", "new", "r2.key", "--kind", "root"]));
    let sign = |sequence: &str, now: &str| {
        ok(&ikd(
            p,
            &[
                "trust",
                "sign",
                "trust.json",
                "--root-key",
                "r2.key",
                "--out",
                "srv/trust-list.ikdtl",
                "--no-previous",
                "--sequence",
                sequence,
                "--now",
                now,
                "--next-update",
                "7d",
            ],
        ))
    };
    let json = |out: &str| -> serde_json::Value { serde_json::from_str(out.lines().next().unwrap()).unwrap() };
    sign("5", "2026-01-06T00:00:00Z");
    // Without --repin the chain decides: refused.
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache", "--root", "r2.key.pub"]), 2);
    assert_eq!(json(&out)["trust_list"]["code"], "trust_list_unknown_root", "{out}");
    // With --repin: accepted, as a successor.
    let out = ok(&ikd(p, &["--json", "sync", "--cache", "cache", "--repin", "--root", "r2.key.pub"]));
    assert_eq!(json(&out)["trust_list"]["result"], "updated", "{out}");
    assert_eq!(json(&out)["trust_list"]["sequence"], 5, "{out}");
    // A rollback signed by the re-pinned root: refused even with --repin.
    sign("3", "2026-01-07T00:00:00Z");
    let (out, _) = code(&ikd(p, &["--json", "sync", "--cache", "cache", "--repin", "--root", "r2.key.pub"]), 2);
    assert_eq!(json(&out)["trust_list"]["code"], "trust_list_rollback", "{out}");
    assert_eq!(json(&out)["trust_list"]["kept_sequence"], 5, "{out}");
}
