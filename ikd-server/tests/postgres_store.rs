//! Store-level tests of the PostgreSQL backend (each in a schema of its own) and of the
//! migrations of both backends: versioned migrations at open, refusal of a newer schema,
//! serial/status-index allocation from two pools at once (as two processes would), the audit
//! chain under concurrent appenders, idempotent re-appends by batch id, and the one history of
//! the own status list (publishing serialised per key, non-increasing sequences refused).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod postgres_common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use ikd_server::store::{
    Appended, AuditBatch, AuditRecord, CredentialState, DatabaseUrl, POSTGRES_MIGRATIONS, PgOptions, PgStore,
    Published, RevokeOutcome, RevokedCredential, SQLITE_MIGRATIONS, STATUS_LISTS_KEPT, SqliteOptions, SqliteStore,
    Store, StoreError, StoredStatusList,
};
use postgres_common::*;

fn record(i: u64, who: &str) -> AuditRecord {
    audit_record(i, who, "2026-11-28T00:00:00Z")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_are_versioned_and_a_newer_schema_is_refused() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("mig").await;
    // Four instances starting at once: the advisory lock lets exactly one apply each migration.
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let url = schema.url();
            tokio::spawn(async move {
                PgStore::open(PgOptions {
                    url: DatabaseUrl::parse(&url).unwrap(),
                    pool_size: 2,
                    spool: None,
                    read_only: false,
                })
                .await
            })
        })
        .collect();
    for o in opens {
        o.await.unwrap().unwrap();
    }
    let c = schema.client().await;
    let rows = c.query("SELECT version, name FROM schema_migrations ORDER BY version", &[]).await.unwrap();
    let applied: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let known: Vec<(i32, String)> =
        POSTGRES_MIGRATIONS.iter().map(|m| (i32::try_from(m.version).unwrap(), m.name.to_owned())).collect();
    assert_eq!(applied, known);
    let store = pg_store(&schema, 2).await;
    assert_eq!(store.kind(), "postgres");
    assert!(store.describe().contains(&schema.name), "{}", store.describe());

    // A schema from a newer server: refused, with a clear message, read-only too.
    let newer = POSTGRES_MIGRATIONS.len() as i32 + 1;
    c.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')", &[&newer]).await.unwrap();
    for read_only in [false, true] {
        let err = PgStore::open(PgOptions {
            url: DatabaseUrl::parse(&schema.url()).unwrap(),
            pool_size: 1,
            spool: None,
            read_only,
        })
        .await
        .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Open(_)), "{msg}");
        assert!(msg.contains(&format!("schema is at version {newer}")) && msg.contains("newer"), "{msg}");
    }
    // The binary refuses to start: exit 2, the reason on stderr, the password never.
    let keys = keys();
    let dir = TempDir::new("mig-bin");
    let secret_url = schema.url().replacen("postgres://postgres@", "postgres://postgres:S3cret-pw-xyz@", 1);
    let o = server_command(&keys, dir.path(), Some(&secret_url)).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("newer than this ikd-server knows"), "{stderr}");
    assert!(!stderr.contains("S3cret-pw-xyz") && !String::from_utf8_lossy(&o.stdout).contains("S3cret-pw-xyz"));

    // A schema that does not exist: a clear error too.
    let err = PgStore::open(PgOptions {
        url: DatabaseUrl::parse(&schema.url().replace(&format!("%3D{}", schema.name), "%3Dikd_no_such_schema"))
            .unwrap(),
        pool_size: 1,
        spool: None,
        read_only: false,
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no schema to work in"), "{err}");
}

#[test]
fn database_urls_are_checked_and_never_printed() {
    let u = DatabaseUrl::parse("postgres://ikd:S3cret-pw@db.internal:5433/ikd?options=-csearch_path%3Dikd").unwrap();
    assert_eq!(u.redacted(), "postgres://ikd@db.internal:5433/ikd");
    assert!(!format!("{u:?}").contains("S3cret"));
    let e = DatabaseUrl::parse("mysql://x:S3cret-pw@h/db").unwrap_err();
    assert!(!e.contains("S3cret"), "{e}");
    let e = DatabaseUrl::parse("postgres://x:S3cret-pw@h/db?bogus_option=1").unwrap_err();
    assert!(!e.contains("S3cret") && e.contains("bogus_option"), "{e}");
}

#[tokio::test]
async fn sqlite_migrations_upgrade_old_files_and_refuse_a_newer_schema() {
    let dir = TempDir::new("sqlite-mig");
    // A database as the first release wrote it: user_version 1, no schema_migrations.
    {
        let c = rusqlite::Connection::open(SqliteStore::db_path(dir.path())).unwrap();
        c.execute_batch(SQLITE_MIGRATIONS[0].sql).unwrap();
        c.execute(
            "INSERT INTO credentials (key_id, serial, status_index, issued_at, state) VALUES ('abcdef', 7, 3, 1, 'issued')",
            [],
        )
        .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    assert_eq!(store.credential("abcdef", 7).await.unwrap().unwrap().status_index, 3);
    assert_eq!(store.reserve_credential("abcdef", 1, 1024).await.unwrap().serial, 8);
    drop(store);
    let c = rusqlite::Connection::open(SqliteStore::db_path(dir.path())).unwrap();
    let versions: Vec<i64> = c
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(versions, SQLITE_MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>());
    let uv: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(uv, SQLITE_MIGRATIONS.last().unwrap().version, "user_version follows, so older servers refuse too");
    // Opening again changes nothing.
    SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();

    let newer = SQLITE_MIGRATIONS.len() as i64 + 1;
    c.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, 'from_the_future', 0)", [newer])
        .unwrap();
    drop(c);
    for read_only in [false, true] {
        let err = SqliteStore::open(dir.path(), SqliteOptions { read_only, ..SqliteOptions::default() }).unwrap_err();
        assert!(err.to_string().contains(&format!("schema is at version {newer}")), "{err}");
    }
    let keys = keys();
    let o = server_command(&keys, dir.path(), None).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("newer than this ikd-server knows"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_pools_never_share_a_serial_or_status_index_and_keep_one_chain() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("alloc").await;
    // Two pools are what two server processes have.
    let a: Arc<dyn Store> = Arc::new(pg_store(&schema, 8).await);
    let b: Arc<dyn Store> = Arc::new(pg_store(&schema, 8).await);
    const PER_TASK: usize = 125;
    const TASKS: usize = 16;
    // A small list so random indices collide and the retry path runs.
    const LIST: u32 = 4096;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = Arc::clone(if t % 2 == 0 { &a } else { &b });
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..PER_TASK {
                let r = store.reserve_credential("abcdef", 1, LIST).await.unwrap();
                let state = if i % 10 == 0 { CredentialState::Void } else { CredentialState::Issued };
                store.finish_credential("abcdef", r.serial, state).await.unwrap();
                // Audit appends from both pools interleave with the reservations.
                let batch = AuditBatch::new(vec![record(r.serial, &format!("task-{t}")); 2]).unwrap();
                let out = store.append_audit(vec![batch]).await.unwrap();
                assert!(matches!(&out[..], [Appended::New(s)] if s.len() == 2));
                got.push(r);
            }
            got
        }));
    }
    let mut serials = HashSet::new();
    let mut indices = HashSet::new();
    for t in tasks {
        for r in t.await.unwrap() {
            assert!(serials.insert(r.serial), "serial {} twice", r.serial);
            assert!(indices.insert(r.status_index), "status index {} twice", r.status_index);
            assert!(r.status_index < LIST);
        }
    }
    let n = PER_TASK * TASKS;
    assert_eq!(serials.len(), n);
    assert_eq!(serials, (1..=n as u64).collect(), "serials are 1..=n without gaps");
    // Another key counts on its own.
    assert_eq!(a.reserve_credential("012345", 1, LIST).await.unwrap().serial, 1);
    // Both pools see one chain, intact, with every entry.
    for s in [&a, &b] {
        let report = ikd_server::audit::verify_chain(s.as_ref()).await.unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.entries, 2 * n as u64);
    }
    let c = schema.client().await;
    let voids: i64 = c.query_one("SELECT COUNT(*) FROM credentials WHERE state = 'void'", &[]).await.unwrap().get(0);
    assert_eq!(voids, (TASKS * (0..PER_TASK).filter(|i| i % 10 == 0).count()) as i64);

    // Revocation and its reads.
    assert_eq!(a.revoke("abcdef", 999_999, 5).await.unwrap(), RevokeOutcome::NotFound);
    assert_eq!(a.revoke("abcdef", 3, 5).await.unwrap(), RevokeOutcome::Revoked { at: 5 });
    assert_eq!(b.revoke("abcdef", 3, 6).await.unwrap(), RevokeOutcome::AlreadyRevoked { at: 5 });
    let rec = b.credential("abcdef", 3).await.unwrap().unwrap();
    assert!(rec.revoked && rec.revoked_at == Some(5));
    assert_eq!(b.revoked_serials("abcdef").await.unwrap(), vec![3]);
    assert_eq!(b.revoked_status_indices("abcdef").await.unwrap(), vec![rec.status_index]);
    assert!(a.ping().await.is_ok());
}

/// A `verify_batch` entry (one per `POST /v1/verify/batch`), its texts in `items`.
fn batch_record(i: u64) -> AuditRecord {
    AuditRecord {
        event: "verify_batch",
        source: "batch",
        serial: None,
        key_id: None,
        verdict: "INVALID".into(),
        code: "batch".into(),
        items: Some(format!("0 VALID ok {i} abcdef\n1 INVALID decode_wrong_prefix - -")),
        ..record(i, "z")
    }
}

async fn batch_ids_are_idempotent(store: &dyn Store) {
    // Batch entries with their items go through both write paths (new ids; a rewrite).
    let b1 = AuditBatch::new(vec![record(1, "x"), batch_record(2)]).unwrap();
    let b2 = AuditBatch::new(vec![batch_record(3)]).unwrap();
    assert_eq!(store.append_audit(vec![b1.clone()]).await.unwrap(), vec![Appended::New(vec![1, 2])]);
    // A rewrite (the first commit's outcome was unknown) with a new batch: the old one is skipped.
    let out = store.append_audit(vec![b1.clone(), b2.clone()]).await.unwrap();
    assert_eq!(out, vec![Appended::AlreadyPresent, Appended::New(vec![3])]);
    assert_eq!(store.append_audit(vec![b2, b1]).await.unwrap(), vec![Appended::AlreadyPresent; 2]);
    let report = ikd_server::audit::verify_chain(store).await.unwrap();
    assert!(report.ok && report.entries == 3, "{report:?}");
    let read: Vec<AuditRecord> = store.audit_entries(0, 10).await.unwrap().into_iter().map(|e| e.record).collect();
    assert_eq!(read, [record(1, "x"), batch_record(2), batch_record(3)]);
}

#[tokio::test]
async fn audit_batches_are_written_once_on_both_backends() {
    let dir = TempDir::new("sqlite-batch");
    batch_ids_are_idempotent(&SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap()).await;
    if skip() {
        return;
    }
    let schema = TestSchema::create("batch").await;
    batch_ids_are_idempotent(&pg_store(&schema, 2).await).await;
}

fn stored(sequence: u64, issued_at: i64) -> StoredStatusList {
    StoredStatusList { sequence, issued_at, bytes: format!("list {sequence} at {issued_at}").into_bytes() }
}

/// What a signer was handed.
type Seen = Arc<Mutex<Vec<(Option<StoredStatusList>, Vec<RevokedCredential>)>>>;

/// Publishes whatever `make` returns, recording what the signer was handed.
async fn publish(
    store: &dyn Store,
    key: &str,
    seen: &Seen,
    make: impl FnOnce(Option<&StoredStatusList>) -> Result<Option<StoredStatusList>, String> + Send + 'static,
) -> Result<Published, StoreError> {
    let seen = Arc::clone(seen);
    store
        .publish_status_list(
            key,
            Box::new(move |latest, revoked| {
                seen.lock().unwrap().push((latest.cloned(), revoked.to_vec()));
                make(latest)
            }),
        )
        .await
}

/// The own status list's history on one backend. `a` and `b` are two handles on one database
/// (two pools for PostgreSQL, as two instances have). Returns the sequence of the newest list.
async fn status_lists_are_one_history(a: Arc<dyn Store>, b: Arc<dyn Store>) -> u64 {
    const KEY: &str = "5a7a5a";
    let seen: Seen = Arc::default();
    assert_eq!(a.latest_status_list(KEY, None).await.unwrap(), None);
    // Nothing stored and nothing signed.
    let p = publish(a.as_ref(), KEY, &seen, |_| Ok(None)).await.unwrap();
    assert_eq!(p, Published { latest: None, inserted: false, revoked_serials: vec![] });
    assert_eq!(seen.lock().unwrap().pop(), Some((None, vec![])));

    // A revocation committed before publishing is handed to the signer, with its status index.
    let r1 = a.reserve_credential(KEY, 1, 1 << 20).await.unwrap();
    a.finish_credential(KEY, r1.serial, CredentialState::Issued).await.unwrap();
    let r2 = a.reserve_credential(KEY, 1, 1 << 20).await.unwrap();
    a.finish_credential(KEY, r2.serial, CredentialState::Issued).await.unwrap();
    assert!(matches!(a.revoke(KEY, r1.serial, 5).await.unwrap(), RevokeOutcome::Revoked { .. }));
    let first = RevokedCredential { serial: r1.serial, status_index: r1.status_index };
    let p = publish(b.as_ref(), KEY, &seen, |_| Ok(Some(stored(100, 1_000)))).await.unwrap();
    assert_eq!(p, Published { latest: Some(stored(100, 1_000)), inserted: true, revoked_serials: vec![r1.serial] });
    assert_eq!(seen.lock().unwrap().pop(), Some((None, vec![first])));

    // The newest list, and only when newer than the caller's.
    assert_eq!(a.latest_status_list(KEY, None).await.unwrap(), Some(stored(100, 1_000)));
    assert_eq!(a.latest_status_list(KEY, Some(99)).await.unwrap(), Some(stored(100, 1_000)));
    assert_eq!(a.latest_status_list(KEY, Some(100)).await.unwrap(), None);
    assert_eq!(a.latest_status_list("012345", None).await.unwrap(), None, "another key has none");

    // Refused: a sequence not above the stored one, an issued_at going back. Nothing stored.
    for bad in [stored(100, 1_000), stored(100, 2_000), stored(99, 2_000), stored(101, 999)] {
        let err = publish(a.as_ref(), KEY, &seen, move |_| Ok(Some(bad))).await.unwrap_err();
        assert!(matches!(err, StoreError::StatusListOutOfOrder(_)), "{err}");
    }
    // The signer failing stores nothing either; a signer with nothing to add keeps the newest.
    let err = publish(a.as_ref(), KEY, &seen, |_| Err("no key".into())).await.unwrap_err();
    assert!(matches!(&err, StoreError::StatusListSigning(m) if m == "no key"), "{err}");
    let p = publish(b.as_ref(), KEY, &seen, |_| Ok(None)).await.unwrap();
    assert_eq!(p, Published { latest: Some(stored(100, 1_000)), inserted: false, revoked_serials: vec![r1.serial] });
    assert_eq!(a.latest_status_list(KEY, None).await.unwrap(), Some(stored(100, 1_000)));

    // Publishing through both handles at once: each signer sees the list the one before it
    // stored (the key's lock serialises them), so every successor is accepted.
    const TASKS: usize = 8;
    const EACH: usize = 5;
    seen.lock().unwrap().clear();
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (store, seen) = (Arc::clone(if t % 2 == 0 { &a } else { &b }), Arc::clone(&seen));
        tasks.push(tokio::spawn(async move {
            for _ in 0..EACH {
                let p = publish(store.as_ref(), KEY, &seen, |latest| {
                    let l = latest.unwrap();
                    Ok(Some(stored(l.sequence + 1, l.issued_at + 1)))
                })
                .await
                .unwrap();
                assert!(p.inserted);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut before: Vec<u64> = seen.lock().unwrap().iter().map(|(l, _)| l.as_ref().unwrap().sequence).collect();
    before.sort_unstable();
    assert_eq!(before, (100..100 + (TASKS * EACH) as u64).collect::<Vec<_>>(), "each signer saw its predecessor");
    let newest = 100 + (TASKS * EACH) as u64;
    assert_eq!(b.latest_status_list(KEY, None).await.unwrap().unwrap().sequence, newest);

    // A later revocation is in the next publishing.
    assert!(matches!(b.revoke(KEY, r2.serial, 6).await.unwrap(), RevokeOutcome::Revoked { .. }));
    let p = publish(a.as_ref(), KEY, &seen, |_| Ok(None)).await.unwrap();
    let mut serials = p.revoked_serials.clone();
    serials.sort_unstable();
    assert_eq!(serials, vec![r1.serial, r2.serial]);
    let mut handed = seen.lock().unwrap().pop().unwrap().1;
    handed.sort_by_key(|r| r.serial);
    assert_eq!(handed, vec![first, RevokedCredential { serial: r2.serial, status_index: r2.status_index }]);
    newest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_are_one_history_on_both_backends() {
    let dir = TempDir::new("sqlite-lists");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap());
    let newest = status_lists_are_one_history(Arc::clone(&store), Arc::clone(&store)).await;
    drop(store);
    // Older lists are pruned in the publishing transaction: the newest are kept.
    let c = rusqlite::Connection::open(SqliteStore::db_path(dir.path())).unwrap();
    let (n, max): (i64, i64) =
        c.query_row("SELECT COUNT(*), MAX(sequence) FROM status_lists", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((n, max), (STATUS_LISTS_KEPT, newest as i64));
    if skip() {
        return;
    }
    let schema = TestSchema::create("lists").await;
    let a: Arc<dyn Store> = Arc::new(pg_store(&schema, 4).await);
    let b: Arc<dyn Store> = Arc::new(pg_store(&schema, 4).await);
    let newest = status_lists_are_one_history(a, b).await;
    let c = schema.client().await;
    let row = c.query_one("SELECT COUNT(*), MAX(sequence) FROM status_lists", &[]).await.unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (STATUS_LISTS_KEPT, newest as i64));
}

#[tokio::test]
async fn sqlite_migration_adds_status_lists_to_a_database_of_the_previous_schema() {
    let dir = TempDir::new("sqlite-v2");
    // A database as the previous release left it: migrations 1 and 2, with a registry row.
    {
        let c = sqlite_of_schema_2(dir.path());
        c.execute(
            "INSERT INTO credentials (key_id, serial, status_index, issued_at, state, revoked, revoked_at) \
             VALUES ('abcdef', 4, 9, 1, 'issued', 1, 2)",
            [],
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    assert_eq!(store.revoked_serials("abcdef").await.unwrap(), vec![4]);
    assert_eq!(store.latest_status_list("abcdef", None).await.unwrap(), None);
    let p = store
        .publish_status_list(
            "abcdef",
            Box::new(|latest, revoked| {
                assert!(latest.is_none());
                assert_eq!(revoked, [RevokedCredential { serial: 4, status_index: 9 }]);
                Ok(Some(stored(7, 7)))
            }),
        )
        .await
        .unwrap();
    assert!(p.inserted);
    assert_eq!(store.latest_status_list("abcdef", None).await.unwrap(), Some(stored(7, 7)));
    drop(store);
    let c = rusqlite::Connection::open(SqliteStore::db_path(dir.path())).unwrap();
    let versions: Vec<(i64, String)> = c
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(versions, SQLITE_MIGRATIONS.iter().map(|m| (m.version, m.name.to_owned())).collect::<Vec<_>>());
    assert_eq!(versions.get(2).map(|v| v.1.as_str()), Some("status_lists"));
    assert_eq!(versions.get(3).map(|v| v.1.as_str()), Some("seen_presentations"));
    assert_eq!(versions.get(4).map(|v| v.1.as_str()), Some("audit_checkpoints"));
    let uv: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(uv, SQLITE_MIGRATIONS.last().unwrap().version);
}

async fn seen_presentations_are_recorded_once(store: &dyn Store) {
    let now = 1_800_000_000;
    let (a, b) = ([1u8; 16], [2u8; 16]);
    assert!(store.record_presentation(a, now + 90, now).await.unwrap(), "first: newly recorded");
    assert!(!store.record_presentation(a, now + 90, now).await.unwrap(), "second: a replay");
    assert!(!store.record_presentation(a, now + 90, now + 90).await.unwrap(), "still inside its window");
    assert!(store.record_presentation(b, now + 10, now).await.unwrap(), "another key is independent");
    // Past its window the entry does not count: recorded afresh (and counts again).
    assert!(store.record_presentation(a, now + 300, now + 91).await.unwrap(), "an expired entry counts as fresh");
    assert!(!store.record_presentation(a, now + 300, now + 92).await.unwrap());
    // Pruning removes only what has expired.
    assert_eq!(store.prune_presentations(now + 11).await.unwrap(), 1, "b expired");
    assert_eq!(store.prune_presentations(now + 11).await.unwrap(), 0);
    assert!(!store.record_presentation(a, now + 300, now + 12).await.unwrap(), "a is kept");
    assert!(store.record_presentation(b, now + 100, now + 12).await.unwrap(), "b was pruned");
    assert_eq!(store.prune_presentations(now + 301).await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seen_presentations_are_recorded_once_on_both_backends() {
    let dir = TempDir::new("sqlite-seen");
    seen_presentations_are_recorded_once(&SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap()).await;
    if skip() {
        return;
    }
    let schema = TestSchema::create("seen").await;
    seen_presentations_are_recorded_once(&pg_store(&schema, 2).await).await;
    // Two pools (two instances) recording one key at once: exactly one records it.
    let (p, q) = (pg_store(&schema, 4).await, pg_store(&schema, 4).await);
    let now = 1_800_000_000;
    for k in 0..20u8 {
        let id = [k.wrapping_add(100); 16];
        let (x, y) = tokio::join!(p.record_presentation(id, now + 90, now), q.record_presentation(id, now + 90, now));
        assert!(x.unwrap() ^ y.unwrap(), "key {k}: exactly one instance records it");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_presentation_prunes_expired_entries_now_and_then() {
    let dir = TempDir::new("sqlite-prune");
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let now = 1_800_000_000;
    let count = |path: &std::path::Path| {
        let c = rusqlite::Connection::open(path).unwrap();
        c.query_row("SELECT COUNT(*) FROM seen_presentations", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    // The first record prunes (none before); the next within a minute does not; one a minute
    // later does.
    assert!(store.record_presentation([1; 16], now + 5, now).await.unwrap());
    assert!(store.record_presentation([2; 16], now + 90, now + 10).await.unwrap());
    assert_eq!(count(store.path()), 2);
    assert!(store.record_presentation([3; 16], now + 200, now + 70).await.unwrap());
    assert_eq!(count(store.path()), 2, "[1; 16] was pruned");
    if skip() {
        return;
    }
    let schema = TestSchema::create("prune").await;
    let store = pg_store(&schema, 2).await;
    let c = schema.client().await;
    let count =
        || async { c.query_one("SELECT COUNT(*) FROM seen_presentations", &[]).await.unwrap().get::<_, i64>(0) };
    assert!(store.record_presentation([1; 16], now + 5, now).await.unwrap());
    assert!(store.record_presentation([2; 16], now + 90, now + 10).await.unwrap());
    assert_eq!(count().await, 2);
    assert!(store.record_presentation([3; 16], now + 200, now + 70).await.unwrap());
    assert_eq!(count().await, 2, "[1; 16] was pruned");
}

/// The counter page's uploads (issue 15): caller-made batch ids through the audit writer, in
/// order, duplicates skipped, source `page` read back, the chain intact.
async fn page_batches_are_chained_once(store: Arc<dyn Store>) {
    use ikd_server::api::offline::page_batch_id;
    use ikd_server::audit::{AuditLog, BatchOutcome};
    let (log, task) = AuditLog::start(Arc::clone(&store), ikd_server::metrics::Metrics::new()).unwrap();
    let page = "0123456789abcdef0123456789abcdef";
    let batch = |seq: u64| {
        let mut r = record(seq, "loket-09");
        r.source = "page";
        AuditBatch { id: page_batch_id("loket-09", page, seq), records: vec![r] }
    };
    let out = log.append_batches(vec![batch(1), batch(2)]).await.unwrap();
    assert_eq!(out, vec![BatchOutcome::Recorded(vec![1]), BatchOutcome::Recorded(vec![2])]);
    // Sent again with the next one (an answer was lost): only the new one is written.
    let out = log.append_batches(vec![batch(1), batch(2), batch(3)]).await.unwrap();
    assert_eq!(out, vec![BatchOutcome::Duplicate, BatchOutcome::Duplicate, BatchOutcome::Recorded(vec![3])]);
    // The server's own records still go through between them.
    assert_eq!(log.append(vec![record(9, "loket-01")]).await.unwrap(), vec![4]);
    let entries = store.audit_entries(0, 10).await.unwrap();
    let got: Vec<_> = entries.iter().map(|e| (e.seq, e.record.source, e.record.serial)).collect();
    assert_eq!(got, [(1, "page", Some(1)), (2, "page", Some(2)), (3, "page", Some(3)), (4, "text", Some(9))]);
    drop(log);
    assert!(task.finish(std::time::Duration::from_secs(10)).await);
    let report = ikd_server::audit::verify_chain(store.as_ref()).await.unwrap();
    assert!(report.ok && report.entries == 4, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_audit_batches_are_chained_once_on_both_backends() {
    let dir = TempDir::new("sqlite-page");
    page_batches_are_chained_once(Arc::new(SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap())).await;
    if skip() {
        return;
    }
    let schema = TestSchema::create("page").await;
    page_batches_are_chained_once(Arc::new(pg_store(&schema, 2).await)).await;
}
