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
        let logs = s.flushed_logs().await;
        for needle in [NIK, NAME, TOKEN] {
            assert!(!logs.contains(needle), "`{needle}` in the logs");
        }
    }
}

/// What a counter does with the own status list it downloads: it verifies each body and keeps
/// it only when `StatusList::check_transition` accepts it after the list held (the check
/// `ikd sync` and a counter's server apply); a refused body leaves the held list in place.
#[derive(Debug, Default)]
struct Counter {
    held: Option<StatusList>,
    accepted: usize,
    refused: Vec<String>,
}

impl Counter {
    fn offer(&mut self, from: &str, body: &[u8], key: &ikd_core::PublicKey) {
        let list = StatusList::verify(body, key).unwrap();
        if let Some(old) = &self.held
            && let Err(e) = StatusList::check_transition(old, &list)
        {
            self.refused.push(format!(
                "{from}: {} (held sequence {}, offered {})",
                e.code(),
                old.sequence(),
                list.sequence()
            ));
            return;
        }
        self.held = Some(list);
        self.accepted += 1;
    }
}

async fn fetch_status(http: &Http, base: &str, key_id: &str) -> Vec<u8> {
    let r = http.get(&format!("{base}/v1/status/{key_id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.body
}

/// Two instances on one database used to sign the own status list each for itself, each with
/// its own sequence from its own view of the revocations: a counter syncing through a load
/// balancer was offered lower sequences after higher ones (`status_rollback`), two lists with
/// one sequence (`status_sequence_reused`) or a newer list without a revocation the other had
/// published (`status_revocation_lifted`). Now the database holds the one history of the list:
/// every body from either instance, in fetch order, is a valid successor of the one before.
// Issue 7 (follow-up): two instances published diverging histories of one status list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_instances_publish_one_status_list_history() {
    if skip() {
        return;
    }
    const TASKS: usize = 4;
    const PER_TASK: usize = 12;
    const KEEP_VALID: usize = 8;
    let schema = TestSchema::create("history").await;
    let keys = keys();
    let (_dirs, a, b) = two_instances(&schema, &keys, "hist");
    let bases = [a.base.clone(), b.base.clone()];
    let http = Http::new();

    // Credentials issued through both instances.
    let n = TASKS * PER_TASK + KEEP_VALID;
    let mut tasks = Vec::new();
    for c in 0..4 {
        let (http, base) = (http.clone(), bases[c % 2].clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..n / 4 {
                let r = http.issue(&base).await;
                assert_eq!(r.status, 201, "{}", r.text());
                let v = r.json();
                out.push((v["serial"].as_u64().unwrap(), u32::try_from(v["status_index"].as_u64().unwrap()).unwrap()));
            }
            out
        }));
    }
    let mut issued = Vec::new();
    for t in tasks {
        issued.extend(t.await.unwrap());
    }
    assert_eq!(issued.len(), n);

    // An observer fetches alternately from both instances the whole time.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let observer = {
        let (http, bases, done, key, key_id) =
            (http.clone(), bases.clone(), Arc::clone(&done), keys.public_key, keys.key_id.clone());
        tokio::spawn(async move {
            let mut counter = Counter::default();
            let mut i = 0usize;
            while !done.load(Ordering::SeqCst) {
                let body = fetch_status(&http, &bases[i % 2], &key_id).await;
                counter.offer(["observer via A", "observer via B"][i % 2], &body, &key);
                i += 1;
            }
            counter
        })
    };

    // Revokers, concurrently: each revokes through A, then B, then A, ..., and after each step
    // fetches the list from both instances (alternating which first), as a counter behind a
    // load balancer would.
    let to_revoke: Vec<(u64, u32)> = issued[..TASKS * PER_TASK].to_vec();
    let mut tasks = Vec::new();
    for (t, chunk) in to_revoke.chunks(PER_TASK).enumerate() {
        let (http, bases, chunk) = (http.clone(), bases.clone(), chunk.to_vec());
        let (key, key_id) = (keys.public_key, keys.key_id.clone());
        tasks.push(tokio::spawn(async move {
            let mut counter = Counter::default();
            for (step, (serial, _)) in chunk.iter().enumerate() {
                let via = (t + step) % 2;
                let r = http.revoke(&bases[via], *serial).await;
                assert_eq!(r.status, 200, "{}", r.text());
                for k in [step % 2, (step + 1) % 2] {
                    let body = fetch_status(&http, &bases[k], &key_id).await;
                    counter.offer(["A", "B"][k], &body, &key);
                }
            }
            counter
        }));
    }
    let mut refused = Vec::new();
    let mut accepted = 0;
    for t in tasks {
        let c = t.await.unwrap();
        accepted += c.accepted;
        refused.extend(c.refused);
    }
    done.store(true, Ordering::SeqCst);
    let c = observer.await.unwrap();
    accepted += c.accepted;
    refused.extend(c.refused);
    assert!(refused.is_empty(), "{} of {} downloads refused: {refused:#?}", refused.len(), accepted + refused.len());

    // Both instances now publish one list, marking every revoked index (and no other).
    let expect: BTreeSet<u32> = to_revoke.iter().map(|(_, i)| *i).collect();
    let from_a = fetch_status(&http, &bases[0], &keys.key_id).await;
    let from_b = fetch_status(&http, &bases[1], &keys.key_id).await;
    assert_eq!(from_a, from_b, "both instances publish the same list");
    let list = StatusList::verify(&from_b, &keys.public_key).unwrap();
    assert_eq!(list.revoked().collect::<BTreeSet<u32>>(), expect);

    // The database holds one linear history: strictly rising sequences, each list a valid
    // successor of the one before.
    let c = schema.client().await;
    let rows = c
        .query(
            "SELECT sequence, issued_at, bytes FROM status_lists WHERE key_id = $1 ORDER BY sequence",
            &[&keys.key_id],
        )
        .await
        .unwrap();
    assert!(rows.len() >= 2, "{} stored lists", rows.len());
    let mut prev: Option<StatusList> = None;
    for r in &rows {
        let l = StatusList::verify(&r.get::<_, Vec<u8>>(2), &keys.public_key).unwrap();
        assert_eq!(l.sequence() as i64, r.get::<_, i64>(0));
        assert_eq!(l.issued_at().unix(), r.get::<_, i64>(1));
        if let Some(p) = &prev {
            assert!(l.sequence() > p.sequence());
            StatusList::check_transition(p, &l).unwrap();
        }
        prev = Some(l);
    }
    assert_eq!(prev.unwrap().revoked().collect::<BTreeSet<u32>>(), expect, "the newest stored list is the one served");
    for s in [&a, &b] {
        let logs = s.flushed_logs().await;
        for needle in [NIK, NAME, TOKEN] {
            assert!(!logs.contains(needle), "`{needle}` in the logs");
        }
    }
}

fn verdict_code(r: &Reply) -> (String, String) {
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    (j["verdict"].as_str().unwrap().to_owned(), j["code"].as_str().unwrap().to_owned())
}

// Issue 6: a live presentation accepted by one instance was accepted again by another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_live_presentation_replayed_to_another_instance() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("replay").await;
    let keys = keys();
    let (_dirs, a, b) = two_instances(&schema, &keys, "replay");
    let http = Http::new();
    let (cred, lives) = live_presentations(&keys, 3);
    let valid = ("VALID".to_owned(), "ok".to_owned());
    let replayed = ("INVALID".to_owned(), "presentation_replayed".to_owned());

    // Accepted by A, then replayed to B: refused there (B's own cache never saw it).
    assert_eq!(verdict_code(&http.verify(&a.base, &lives[0]).await), valid);
    assert_eq!(verdict_code(&http.verify(&b.base, &lives[0]).await), replayed);
    assert_eq!(verdict_code(&http.verify(&a.base, &lives[0]).await), replayed);
    // The other way round.
    assert_eq!(verdict_code(&http.verify(&b.base, &lives[1]).await), valid);
    assert_eq!(verdict_code(&http.verify(&a.base, &lives[1]).await), replayed);
    // In a batch, per item; the printed card is never a replay.
    let body = serde_json::json!({"qrs": [lives[0], lives[2], cred]});
    let r = http.call("POST", &format!("{}/v1/verify/batch", b.base), Some(&body), false).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let codes: Vec<&str> = r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| if x["code"] == "presentation_replayed" { "replayed" } else { "ok" })
        .collect();
    assert_eq!(codes, ["replayed", "ok", "ok"], "{}", r.text());
    assert_eq!(verdict_code(&http.verify(&a.base, &lives[2]).await), replayed);
    assert_eq!(verdict_code(&http.verify(&a.base, &cred).await), valid);

    // Caught by the store: lives[0] at B, lives[1] and lives[2] at A (the others by the
    // instance's own cache, which saw them before).
    let m = http.get(&format!("{}/metrics", b.base)).await.text();
    assert!(m.contains("ikd_presentation_replays_in_store_total 1"), "{m}");
    let m = http.get(&format!("{}/metrics", a.base)).await.text();
    assert!(m.contains("ikd_presentation_replays_in_store_total 2"), "{m}");
    // The audit chain records the final verdicts, and the store holds the three presentations.
    let c = schema.client().await;
    let n: i64 = c
        .query_one("SELECT COUNT(*) FROM audit_log WHERE code = 'presentation_replayed' AND verdict = 'INVALID'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 4);
    // The batch is one entry (`verify_batch`), its replayed text listed in its items.
    let items: String =
        c.query_one("SELECT items FROM audit_log WHERE event = 'verify_batch'", &[]).await.unwrap().get(0);
    assert!(items.starts_with("0 INVALID presentation_replayed "), "{items}");
    assert_eq!(items.lines().count(), 3, "{items}");
    let n: i64 = c.query_one("SELECT COUNT(*) FROM seen_presentations", &[]).await.unwrap().get(0);
    assert_eq!(n, 3);
}
