//! Signed audit checkpoints on PostgreSQL (the SQLite side is in `audit_checkpoints.rs`): the
//! `audit_checkpoints` migration, checkpoints written by the audit writer, and `audit-verify`
//! catching a truncated log and a rewritten, re-chained one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod postgres_common;

use std::sync::Arc;
use std::time::Duration;

use ikd_core::SecretKey;
use ikd_server::audit::{self, AuditLog, CheckpointSigner, GENESIS_HASH, entry_hash};
use ikd_server::metrics::Metrics;
use ikd_server::store::{AuditRecord, Store};
use postgres_common::*;

const SEED: [u8; 32] = [7; 32];

fn record(i: u64) -> AuditRecord {
    audit_record(i, &format!("loket-{i}"), "2026-12-04T00:00:00Z")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_checkpoints_catch_truncation_and_rewrites() {
    if skip() {
        return;
    }
    let schema = TestSchema::create("ckpt").await;
    let store: Arc<dyn Store> = Arc::new(pg_store(&schema, 2).await);
    let (log, task) = AuditLog::start(Arc::clone(&store), Metrics::new()).unwrap();
    log.enable_checkpoints(CheckpointSigner::new(SecretKey::from_seed(&SEED), 2));
    for i in 1..=5 {
        log.append(vec![record(i)]).await.unwrap();
    }
    // Shutdown adds a last checkpoint (entry 5).
    drop(log);
    assert!(task.finish(Duration::from_secs(10)).await);
    let cps: Vec<u64> = store.audit_checkpoints().await.unwrap().iter().map(|c| c.seq).collect();
    assert_eq!(cps, vec![2, 4, 5]);
    let key = SecretKey::from_seed(&SEED).public_key();
    let r = audit::verify_chain_with(store.as_ref(), Some(&key)).await.unwrap();
    assert!(r.ok && r.checkpoints == Some(3), "{r:?}");

    let c = schema.client().await;
    // Rewrite entry 1 and re-chain everything after it: only the checkpoints notice.
    c.execute("UPDATE audit_log SET verdict = 'INVALID' WHERE seq = 1", &[]).await.unwrap();
    let entries = store.audit_entries(0, 100).await.unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    for e in &entries {
        let hash = entry_hash(e.seq, &prev, &e.record);
        c.execute("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3", &[&prev, &hash, &(e.seq as i64)])
            .await
            .unwrap();
        prev = hash;
    }
    assert!(audit::verify_chain(store.as_ref()).await.unwrap().ok);
    let r = audit::verify_chain_with(store.as_ref(), Some(&key)).await.unwrap();
    assert!(!r.ok && r.first_bad_seq == Some(2), "{r:?}");

    // Truncated: every entry gone.
    c.execute("DELETE FROM audit_log", &[]).await.unwrap();
    let r = audit::verify_chain_with(store.as_ref(), Some(&key)).await.unwrap();
    assert!(!r.ok, "{r:?}");
    assert!(r.problem.as_deref().unwrap().contains("entries were removed"), "{r:?}");
}
