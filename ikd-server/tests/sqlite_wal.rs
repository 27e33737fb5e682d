//! The embedded store's WAL is checkpointed by its own thread, not by the audit writer in the
//! middle of a group commit (issue 18: SQLite's automatic checkpoint every 1000 pages copied
//! and fsynced the WAL inside a commit, holding every waiting verification for milliseconds).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::TempDir;
use ikd_server::store::{AuditBatch, AuditRecord, SqliteOptions, SqliteStore, Store};

fn record(i: u64) -> AuditRecord {
    AuditRecord {
        at: "2026-12-04T22:00:00Z".to_owned(),
        event: "verify",
        actor: "wal-test".to_owned(),
        source: "text",
        serial: Some(i),
        key_id: Some("abcdef".to_owned()),
        verdict: "VALID".to_owned(),
        code: "ok".to_owned(),
        items: None,
    }
}

fn file_len(p: &std::path::Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[tokio::test]
async fn regression_wal_is_checkpointed_off_the_writer() {
    let dir = TempDir::new("sqlite-wal");
    let store = SqliteStore::open(&dir.0, SqliteOptions::default()).unwrap();
    let db = SqliteStore::db_path(&dir.0);
    let wal = db.with_extension("sqlite3-wal");

    let before = file_len(&db);
    for chunk in 0..20u64 {
        let batch = AuditBatch::new((0..100).map(|i| record(chunk * 100 + i + 1)).collect()).unwrap();
        store.append_audit(vec![batch]).await.unwrap();
    }
    assert!(file_len(&wal) > 0, "the commits went to the WAL");
    // 2000 entries (about 130 pages) stay below any automatic checkpoint of the writer (SQLite's
    // default is 1000 pages; the store's own connection waits for 20 000, see the unit test
    // in src/store/sqlite.rs): only the checkpoint thread can have copied them into the
    // database file.
    let deadline = Instant::now() + Duration::from_secs(20);
    while file_len(&db) <= before + 64 * 1024 {
        assert!(Instant::now() < deadline, "the WAL was not checkpointed: database file still {} bytes", file_len(&db));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(store.audit_entries(0, 5000).await.unwrap().len(), 2000);

    // Closing the store stops the thread after a last checkpoint; the last connection to
    // close removes the WAL.
    drop(store);
    assert!(!wal.exists() || file_len(&wal) == 0, "WAL left behind: {} bytes", file_len(&wal));
    let reopened = SqliteStore::open(&dir.0, SqliteOptions { read_only: true, ..SqliteOptions::default() }).unwrap();
    assert_eq!(reopened.audit_entries(0, 5000).await.unwrap().len(), 2000);
}
