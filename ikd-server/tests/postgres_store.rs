//! Store-level tests of the PostgreSQL backend (each in a schema of its own) and of the
//! migrations of both backends: versioned migrations at open, refusal of a newer schema,
//! serial/status-index allocation from two pools at once (as two processes would), the audit
//! chain under concurrent appenders, and idempotent re-appends by batch id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod postgres_common;

use std::collections::HashSet;
use std::sync::Arc;

use ikd_server::store::{
    Appended, AuditBatch, AuditRecord, CredentialState, DatabaseUrl, POSTGRES_MIGRATIONS, PgOptions, PgStore,
    RevokeOutcome, SQLITE_MIGRATIONS, SqliteOptions, SqliteStore, Store, StoreError,
};
use postgres_common::*;

async fn pg_store(schema: &TestSchema, pool_size: usize) -> PgStore {
    let opts = PgOptions { url: DatabaseUrl::parse(&schema.url()).unwrap(), pool_size, spool: None, read_only: false };
    PgStore::open(opts).await.unwrap()
}

fn record(i: u64, who: &str) -> AuditRecord {
    AuditRecord {
        at: "2026-11-28T00:00:00Z".into(),
        event: "verify",
        actor: who.into(),
        source: "text",
        serial: Some(i),
        key_id: Some("abcdef".into()),
        verdict: "VALID".into(),
        code: "ok".into(),
    }
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

async fn batch_ids_are_idempotent(store: &dyn Store) {
    let b1 = AuditBatch::new(vec![record(1, "x"), record(2, "x")]).unwrap();
    let b2 = AuditBatch::new(vec![record(3, "y")]).unwrap();
    assert_eq!(store.append_audit(vec![b1.clone()]).await.unwrap(), vec![Appended::New(vec![1, 2])]);
    // A rewrite (the first commit's outcome was unknown) with a new batch: the old one is skipped.
    let out = store.append_audit(vec![b1.clone(), b2.clone()]).await.unwrap();
    assert_eq!(out, vec![Appended::AlreadyPresent, Appended::New(vec![3])]);
    assert_eq!(store.append_audit(vec![b2, b1]).await.unwrap(), vec![Appended::AlreadyPresent; 2]);
    let report = ikd_server::audit::verify_chain(store).await.unwrap();
    assert!(report.ok && report.entries == 3, "{report:?}");
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
