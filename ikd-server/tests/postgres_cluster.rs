//! Two `ikd-server` processes on one PostgreSQL schema, with the same issuer key and admin
//! token, issuing and revoking at once: serials and status indices are never shared, every
//! audit entry is there exactly once and the chain is intact, and both servers agree on what is
//! revoked (their signed status lists and their verdicts).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod postgres_common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use ikd_core::status::StatusList;
use postgres_common::*;

const ISSUES: usize = 2000;
const CLIENTS: usize = 16;

#[derive(Debug, Clone)]
struct Issued {
    serial: u64,
    status_index: u32,
    qr: String,
}

/// The revoked status indices in a server's signed status list (`GET /v1/status/{key_id}`).
async fn status_list_revoked(http: &Http, base: &str, keys: &Keys) -> BTreeSet<u32> {
    let r = http.get(&format!("{base}/v1/status/{}", keys.key_id)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let list = StatusList::verify(&r.body, &keys.public_key).unwrap();
    list.revoked().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_database() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("cluster").await;
    let keys = keys();
    let (dir_a, dir_b) = (TempDir::new("node-a"), TempDir::new("node-b"));
    let url = schema.url();
    let mut a = Server::start(&keys, dir_a.path(), Some(&url));
    let mut b = Server::start(&keys, dir_b.path(), Some(&url));
    let bases = [a.base.clone(), b.base.clone()];
    let http = Http::new();
    for base in &bases {
        let r = http.get(&format!("{base}/readyz")).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["store"], "postgres");
        assert_eq!(r.json()["store_available"], true);
    }
    assert!(a.err.lock().unwrap().iter().any(|l| l.starts_with("Store: PostgreSQL at ")), "{}", a.logs());

    // 2,000 issuances by 16 concurrent clients, half on each server.
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, next, base) = (http.clone(), Arc::clone(&next), bases[c % 2].clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while next.fetch_add(1, Ordering::SeqCst) < ISSUES {
                let r = http.issue(&base).await;
                assert_eq!(r.status, 201, "{}", r.text());
                let v = r.json();
                out.push(Issued {
                    serial: v["serial"].as_u64().unwrap(),
                    status_index: u32::try_from(v["status_index"].as_u64().unwrap()).unwrap(),
                    qr: v["qr"].as_str().unwrap().to_owned(),
                });
            }
            out
        }));
    }
    let mut issued = Vec::new();
    for t in tasks {
        issued.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    println!("issued {ISSUES} through two servers in {secs:.1} s ({:.0}/s, debug build)", ISSUES as f64 / secs);
    assert_eq!(issued.len(), ISSUES);
    let serials: HashSet<u64> = issued.iter().map(|i| i.serial).collect();
    let indices: HashSet<u32> = issued.iter().map(|i| i.status_index).collect();
    assert_eq!(serials.len(), ISSUES, "a serial was handed out twice");
    assert_eq!(indices.len(), ISSUES, "a status index was handed out twice");
    assert_eq!(serials, (1..=ISSUES as u64).collect(), "serials 1..=2000, no gaps");

    // Revoke a random 5 %, through both servers at once.
    let mut order: Vec<usize> = (0..ISSUES).collect();
    for i in (1..order.len()).rev() {
        let mut r = [0u8; 8];
        getrandom::fill(&mut r).unwrap();
        order.swap(i, (u64::from_le_bytes(r) % (i as u64 + 1)) as usize);
    }
    let revoked: Vec<Issued> = order[..ISSUES / 20].iter().map(|&i| issued[i].clone()).collect();
    let mut tasks = Vec::new();
    for (c, chunk) in revoked.chunks(revoked.len().div_ceil(8)).enumerate() {
        let (http, base, chunk) = (http.clone(), bases[c % 2].clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for i in chunk {
                let r = http.revoke(&base, i.serial).await;
                assert_eq!(r.status, 200, "{}", r.text());
                assert_eq!(r.json()["already_revoked"], false);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let expect: BTreeSet<u32> = revoked.iter().map(|i| i.status_index).collect();

    // Both servers' signed status lists name exactly the revoked indices (the other server's
    // revocations arrive within the refresh interval).
    for base in &bases {
        let (http, base, expect, keys) = (&http, base.as_str(), &expect, &keys);
        wait_until(20, "status lists agree", || async move { status_list_revoked(http, base, keys).await == *expect })
            .await;
    }
    assert_eq!(status_list_revoked(&http, &bases[0], &keys).await, status_list_revoked(&http, &bases[1], &keys).await);

    // Both servers answer every revoked credential INVALID/revoked, and others VALID.
    let mut verifies = 0u64;
    for (n, i) in revoked.iter().enumerate() {
        for base in &bases {
            let r = http.verify(base, &i.qr).await;
            verifies += 1;
            assert_eq!(r.status, 200);
            assert_eq!((r.json()["verdict"].as_str(), r.json()["code"].as_str()), (Some("INVALID"), Some("revoked")));
        }
        let ok = &issued[order[ISSUES / 20 + n]];
        let r = http.verify(&bases[n % 2], &ok.qr).await;
        verifies += 1;
        assert_eq!(r.json()["verdict"], "VALID", "{}", r.text());
    }

    // The registry, straight from the database.
    let c = schema.client().await;
    let row = c
        .query_one(
            "SELECT COUNT(*), COUNT(DISTINCT serial), COUNT(DISTINCT status_index), \
             COUNT(*) FILTER (WHERE state = 'issued'), COUNT(*) FILTER (WHERE revoked) FROM credentials",
            &[],
        )
        .await
        .unwrap();
    let counts: Vec<i64> = (0..5).map(|i| row.get(i)).collect();
    assert_eq!(counts, vec![ISSUES as i64, ISSUES as i64, ISSUES as i64, ISSUES as i64, (ISSUES / 20) as i64]);

    // The audit log: every event exactly once, one intact chain.
    let rows = c.query("SELECT event, serial FROM audit_log ORDER BY seq", &[]).await.unwrap();
    let mut events: BTreeMap<String, Vec<Option<i64>>> = BTreeMap::new();
    for r in &rows {
        events.entry(r.get(0)).or_default().push(r.get(1));
    }
    let issue_serials: BTreeSet<i64> = events["issue"].iter().map(|s| s.unwrap()).collect();
    assert_eq!((events["issue"].len(), issue_serials.len()), (ISSUES, ISSUES), "one issue entry per credential");
    let revoke_serials: BTreeSet<u64> = events["revoke"].iter().map(|s| s.unwrap() as u64).collect();
    assert_eq!(revoke_serials, revoked.iter().map(|i| i.serial).collect());
    assert_eq!(events["revoke"].len(), revoked.len());
    assert_eq!(events["verify"].len() as u64, verifies);
    let total = rows.len() as u64;
    for base in &bases {
        let r = http.admin_get(&format!("{base}/v1/audit/verify")).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!((r.json()["ok"].as_bool(), r.json()["entries"].as_u64()), (Some(true), Some(total)), "{}", r.text());
    }

    // Both stop cleanly; the offline check agrees.
    assert!(a.stop().success());
    assert!(b.stop().success());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ikd-server"))
        .arg("audit-verify")
        .env_clear()
        .env("IKD_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((report["ok"].as_bool(), report["entries"].as_u64()), (Some(true), Some(total)));

    // Nothing personal and no secret in either server's output.
    for s in [&a, &b] {
        let logs = s.logs();
        for needle in [NIK, NAME, TOKEN] {
            assert!(!logs.contains(needle), "`{needle}` in the logs");
        }
    }
}
