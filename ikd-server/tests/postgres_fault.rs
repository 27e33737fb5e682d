//! Faults against PostgreSQL:
//!
//! 1. Every connection of the servers is terminated (`pg_terminate_backend`) again and again
//!    while two servers issue and verify: failed requests are retried, and afterwards nothing is
//!    lost or duplicated (registry, serials, audit chain).
//! 2. The database disappears (a proxy in front of it cuts every connection): verification
//!    goes on (audit entries spooled locally), issuing and revoking answer 503
//!    `store_unavailable`, `/readyz` says so; the spool survives a restart and is chained once
//!    the database is back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod postgres_common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use postgres_common::*;

async fn spool_records(http: &Http, base: &str) -> Option<u64> {
    let r = http.get(&format!("{base}/readyz?for=verify")).await;
    if r.status != 200 {
        return None;
    }
    r.json()["audit_spool"]["records"].as_u64()
}

async fn audit_events(c: &tokio_postgres::Client) -> BTreeMap<String, Vec<i64>> {
    let mut events: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in c.query("SELECT event, serial FROM audit_log ORDER BY seq", &[]).await.unwrap() {
        events.entry(r.get(0)).or_default().push(r.get::<_, Option<i64>>(1).unwrap_or(0));
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_connections_lose_and_duplicate_nothing() {
    if skip() {
        return;
    }
    const ISSUES: usize = 500;
    const CLIENTS: usize = 12;
    let schema = TestSchema::create("fault").await;
    let keys = keys();
    let (_dirs, a, b) = two_instances(&schema, &keys, "fault");
    let bases = [a.base.clone(), b.base.clone()];
    let http = Http::new();

    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicU64::new(0));
    let verifies = Arc::new(AtomicU64::new(0));
    // The killer: from a separate connection, terminate every backend of this test's servers
    // (their connections carry the schema's name as application_name), again and again.
    let killer = {
        let (done, name) = (Arc::clone(&done), schema.name.clone());
        let c = connect(&base_url()).await;
        tokio::spawn(async move {
            let (mut rounds, mut killed) = (0u32, 0u64);
            while !done.load(Ordering::SeqCst) && rounds < 12 {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let rows = c
                    .query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1",
                        &[&name],
                    )
                    .await
                    .unwrap();
                killed += rows.len() as u64;
                rounds += 1;
            }
            (rounds, killed)
        })
    };
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, next, failures, verifies) =
            (http.clone(), Arc::clone(&next), Arc::clone(&failures), Arc::clone(&verifies));
        let (base, other) = (bases[c % 2].clone(), bases[(c + 1) % 2].clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut revoked) = (Vec::new(), Vec::new());
            while next.fetch_add(1, Ordering::SeqCst) < ISSUES {
                let mut tries = 0;
                let v = loop {
                    let r = http.issue(&base).await;
                    if r.status == 201 {
                        break r.json();
                    }
                    // A cut connection: 503 store_unavailable; nothing else is acceptable.
                    assert_eq!(r.status, 503, "{}", r.text());
                    assert_eq!(r.json()["error"]["code"], "store_unavailable", "{}", r.text());
                    failures.fetch_add(1, Ordering::SeqCst);
                    tries += 1;
                    assert!(tries < 200, "issuing never recovered");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                };
                // Verification on the other server never fails, whatever the database does.
                let r = http.verify(&other, v["qr"].as_str().unwrap()).await;
                assert_eq!(r.status, 200, "{}", r.text());
                assert_eq!(r.json()["verdict"], "VALID");
                verifies.fetch_add(1, Ordering::SeqCst);
                let serial = v["serial"].as_u64().unwrap();
                ok.push(serial);
                // Every tenth is revoked, retried like issuing.
                if serial % 10 == 0 {
                    let mut tries = 0;
                    loop {
                        let r = http.revoke(&base, serial).await;
                        if r.status == 200 {
                            break;
                        }
                        assert_eq!((r.status, r.json()["error"]["code"].as_str()), (503, Some("store_unavailable")));
                        failures.fetch_add(1, Ordering::SeqCst);
                        tries += 1;
                        assert!(tries < 200, "revoking never recovered");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    revoked.push(serial);
                }
            }
            (ok, revoked)
        }));
    }
    let (mut ok, mut revoked) = (Vec::new(), Vec::new());
    for t in tasks {
        let (o, r) = t.await.unwrap();
        ok.extend(o);
        revoked.extend(r);
    }
    done.store(true, Ordering::SeqCst);
    let (rounds, killed) = killer.await.unwrap();
    let failures = failures.load(Ordering::SeqCst);
    let verifies = verifies.load(Ordering::SeqCst);
    println!("{rounds} termination rounds killed {killed} backends; {failures} issue requests failed and were retried");
    assert!(killed > 0, "the fault was injected");
    assert_eq!(ok.len(), ISSUES);
    let ok_set: BTreeSet<i64> = ok.iter().map(|s| *s as i64).collect();
    assert_eq!(ok_set.len(), ISSUES, "no serial handed out twice");

    // Spooled audit entries reach the chain.
    for base in &bases {
        let (http, base) = (&http, base.as_str());
        wait_until(60, "audit spools drained", || async move { spool_records(http, base).await == Some(0) }).await;
    }

    let c = schema.client().await;
    // The registry: serials 1..=n without gaps or duplicates, every success `issued`; each row
    // beyond the successes belongs to a failed attempt (reserved and never finished, or issued
    // when the connection died after the commit): never more of them than failures.
    let rows = c.query("SELECT serial, status_index, state FROM credentials ORDER BY serial", &[]).await.unwrap();
    let serials: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(serials, (1..=rows.len() as i64).collect::<Vec<_>>(), "serials without gaps or duplicates");
    let indices: BTreeSet<i64> = rows.iter().map(|r| r.get(1)).collect();
    assert_eq!(indices.len(), rows.len(), "status indices unique");
    let mut extra = BTreeMap::<String, u64>::new();
    for r in &rows {
        let (serial, state): (i64, String) = (r.get(0), r.get(2));
        if ok_set.contains(&serial) {
            assert_eq!(state, "issued", "serial {serial} was handed out but is {state}");
        } else {
            *extra.entry(state).or_default() += 1;
        }
    }
    let extra_rows: u64 = extra.values().sum();
    println!("registry: {} rows, {ISSUES} handed out, failed attempts left {extra:?}", rows.len());
    assert!(extra_rows <= failures, "{extra_rows} unexplained rows for {failures} failures");
    assert_eq!(rows.len() as u64, ISSUES as u64 + extra_rows);

    // The audit log: one `issue` entry per credential handed out (and none for the others),
    // one `verify` entry per verification, the chain intact.
    let events = audit_events(&c).await;
    let issue_entries: BTreeSet<i64> = events["issue"].iter().copied().collect();
    assert_eq!(events["issue"].len(), issue_entries.len(), "an issue entry twice");
    // An issuance audited before its registry row could be marked `issued` (the connection
    // died in between) is followed by `issue_void`: it was never handed out.
    let voided: BTreeSet<i64> = events.get("issue_void").into_iter().flatten().copied().collect();
    assert!(voided.is_disjoint(&ok_set), "a handed-out credential marked void");
    let handed_out: BTreeSet<i64> = issue_entries.difference(&voided).copied().collect();
    assert_eq!(handed_out, ok_set, "issue entries (less voided ones) = credentials handed out");
    assert_eq!(events["verify"].len() as u64, verifies, "a verification entry lost or doubled");
    // Every revocation is audited (a retried one whose first answer was lost as
    // `already_revoked`), and only revocations that happened.
    let revoked_db: BTreeSet<i64> =
        c.query("SELECT serial FROM credentials WHERE revoked", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(revoked_db, revoked.iter().map(|s| *s as i64).collect::<BTreeSet<_>>());
    let revoke_entries: BTreeSet<i64> = events["revoke"].iter().copied().collect();
    assert_eq!(revoke_entries, revoked_db, "a revocation without its audit entry");
    let total: u64 = events.values().map(|v| v.len() as u64).sum();
    for base in &bases {
        let r = http.admin_get(&format!("{base}/v1/audit/verify")).await;
        assert_eq!((r.json()["ok"].as_bool(), r.json()["entries"].as_u64()), (Some(true), Some(total)), "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_goes_on_while_the_database_is_down() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("outage").await;
    let proxy = Proxy::start().await;
    let keys = keys();
    let dir = TempDir::new("outage");
    let url = schema.url_via(proxy.port);
    let mut server = Server::start(&keys, dir.path(), Some(&url));
    let http = Http::new();
    let base = server.base.clone();
    let mut qrs = Vec::new();
    for _ in 0..5 {
        let r = http.issue(&base).await;
        assert_eq!(r.status, 201, "{}", r.text());
        qrs.push(r.json()["qr"].as_str().unwrap().to_owned());
    }
    let mut verifies = 0u64;
    let r = http.verify(&base, &qrs[0]).await;
    assert_eq!(r.json()["verdict"], "VALID");
    verifies += 1;

    let status_url = format!("{base}/v1/status/{}", keys.key_id);
    let held = http.get(&status_url).await;
    assert_eq!(held.status, 200, "{}", held.text());

    // The database goes away.
    proxy.down();
    // The own status list: the one held is served (the store cannot be asked for a newer
    // one), never an error; the problem is logged once.
    for _ in 0..3 {
        let r = http.get(&status_url).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.body, held.body);
    }
    let t = std::time::Instant::now();
    for i in 0..40 {
        let r = http.verify(&base, &qrs[i % qrs.len()]).await;
        assert_eq!(r.status, 200, "verification must go on: {}", r.text());
        assert_eq!(r.json()["verdict"], "VALID");
        verifies += 1;
    }
    println!("40 verifications with the database down took {:?}", t.elapsed());
    let r = http.issue(&base).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (503, Some("store_unavailable")), "{}", r.text());
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("nothing was issued"));
    let r = http.revoke(&base, 1).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (503, Some("store_unavailable")), "{}", r.text());
    let r = http.get(&format!("{base}/readyz")).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (503, Some("not_ready")), "{}", r.text());
    let r = http.get(&format!("{base}/readyz?for=verify")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["store_available"], false);
    assert_eq!(r.json()["audit_spool"]["records"], 40);
    let m = http.get(&format!("{base}/metrics")).await.text();
    assert!(m.contains("ikd_audit_spool_records 40"), "{m}");

    let warned = server.logs().matches("cannot read the newest own status list from the store").count();
    assert_eq!(warned, 1, "{}", server.logs());

    // Stopped while the database is still down: the spool stays on disk ...
    assert!(server.stop().success());
    let spooled: Vec<_> = std::fs::read_dir(dir.path().join("audit-spool")).unwrap().collect();
    assert!(!spooled.is_empty());
    let on_disk =
        spooled.iter().map(|e| std::fs::read_to_string(e.as_ref().unwrap().path()).unwrap()).collect::<String>();
    assert!(!on_disk.contains(NIK) && !on_disk.contains(NAME), "no personal data in the spool");

    // ... and is chained when the server runs again with the database back.
    proxy.up();
    let server = Server::start(&keys, dir.path(), Some(&url));
    let base = server.base.clone();
    wait_until(30, "the spool is chained", || {
        let (http, base) = (&http, base.as_str());
        async move { spool_records(http, base).await == Some(0) }
    })
    .await;
    let r = http.issue(&base).await;
    assert_eq!(r.status, 201, "issuing works again: {}", r.text());
    let c = schema.client().await;
    let events = audit_events(&c).await;
    assert_eq!(events["verify"].len() as u64, verifies, "every verification is in the chain, once");
    assert_eq!(events["issue"].len(), 6);
    let r = http.admin_get(&format!("{base}/v1/audit/verify")).await;
    assert_eq!(r.json()["ok"], true, "{}", r.text());
    assert_eq!(r.json()["entries"].as_u64(), Some(verifies + 6));
    server.wait_for_log("spooled audit records chained", 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_presentations_verify_while_the_database_is_down() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("replay_outage").await;
    let proxy = Proxy::start().await;
    let keys = keys();
    let dir = TempDir::new("replay-outage");
    let url = schema.url_via(proxy.port);
    let server = Server::start(&keys, dir.path(), Some(&url));
    let http = Http::new();
    let base = server.base.clone();
    let (_, lives) = live_presentations(&keys, 4);
    let r = http.verify(&base, &lives[0]).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (200, Some("ok")), "{}", r.text());

    proxy.down();
    // The replay check in the store fails: the verdict of the process's own cache stands,
    // never an error.
    for live in &lives[1..3] {
        let r = http.verify(&base, live).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            (r.json()["verdict"].as_str(), r.json()["code"].as_str()),
            (Some("VALID"), Some("ok")),
            "{}",
            r.text()
        );
    }
    let r = http.verify(&base, &lives[1]).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (200, Some("presentation_replayed")), "{}", r.text());
    let m = http.get(&format!("{base}/metrics")).await.text();
    assert!(m.contains("ikd_presentation_replay_store_failures_total 2"), "{m}");
    let warned = server.logs().matches("cannot check live presentations for replays in the store").count();
    assert_eq!(warned, 1, "logged once per outage: {}", server.logs());

    proxy.up();
    wait_until(30, "the store is back", || {
        let http = &http;
        let base = &base;
        async move { http.get(&format!("{base}/readyz")).await.status == 200 }
    })
    .await;
    let r = http.verify(&base, &lives[3]).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (200, Some("ok")), "{}", r.text());
    server.wait_for_log("replay checks of live presentations use the store again", 10).await;
    let c = schema.client().await;
    let n: i64 = c.query_one("SELECT COUNT(*) FROM seen_presentations", &[]).await.unwrap().get(0);
    assert_eq!(n, 2, "the ones accepted while the store was up");
}
