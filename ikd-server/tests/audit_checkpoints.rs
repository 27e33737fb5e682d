//! Signed checkpoints of the audit chain's head (docs/SERVER.md §6): someone with write access
//! to the database who cuts off the log, or rewrites it and recomputes every hash, is caught
//! by `audit-verify` through the checkpoints (which they cannot sign).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use ikd_core::SecretKey;
use ikd_server::App;
use ikd_server::audit::{self, ChainReport, CheckpointSigner, GENESIS_HASH, entry_hash};
use ikd_server::store::Store;

const SEED: [u8; 32] = [42; 32];

async fn wait_for_checkpoints(store: &dyn Store, n: usize) {
    for _ in 0..200 {
        if store.audit_checkpoints().await.unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("fewer than {n} checkpoints were written");
}

/// A server signing a checkpoint every 2 entries, with 5 verifications audited (checkpoints
/// at entries 2 and 4).
async fn audited_server() -> Harness {
    let h = harness(Options::default()).await;
    h.state.audit.enable_checkpoints(CheckpointSigner::new(SecretKey::from_seed(&SEED), 2));
    let text = issue(&h.issuer);
    for _ in 0..5 {
        verify(&h.router, &text).await;
    }
    wait_for_checkpoints(h.state.store.as_ref(), 2).await;
    h
}

async fn check(h: &Harness) -> ChainReport {
    let key = SecretKey::from_seed(&SEED).public_key();
    audit::verify_chain_with(h.state.store.as_ref(), Some(&key)).await.unwrap()
}

fn db(h: &Harness) -> rusqlite::Connection {
    rusqlite::Connection::open(h.dir.path().join("ikd-server.sqlite3")).unwrap()
}

/// `ikd-server audit-verify` on the harness's database with the checkpoint key file.
fn audit_verify_cli(data_dir: &Path, key_file: &Path) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_ikd-server"))
        .args(["audit-verify", "--data-dir"])
        .arg(data_dir)
        .env_clear()
        .env("IKD_AUDIT_CHECKPOINT_KEY", key_file)
        .output()
        .unwrap();
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

fn key_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("audit-checkpoint.key");
    std::fs::write(&p, SecretKey::from_seed(&SEED).to_file_text().as_bytes()).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

#[tokio::test]
async fn intact_chain_matches_its_checkpoints() {
    let h = audited_server().await;
    let r = check(&h).await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.entries, r.checkpoints, r.last_checkpoint_seq), (5, Some(2), Some(4)));
    let cps = h.state.store.audit_checkpoints().await.unwrap();
    assert_eq!(cps.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![2, 4]);
    // Without the key the checkpoints are not checked (and the report says so).
    let plain = audit::verify_chain(h.state.store.as_ref()).await.unwrap();
    assert!(plain.ok && plain.checkpoints.is_none());
    // The command line agrees.
    let key = key_file(h.dir.path());
    let (code, report) = audit_verify_cli(h.dir.path(), &key);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["checkpoints"], 2);
}

#[tokio::test]
async fn truncated_log_after_a_checkpoint_is_broken() {
    let h = audited_server().await;
    let conn = db(&h);
    // Cut off the tail past entry 3: the chain that is left is intact on its own …
    conn.execute("DELETE FROM audit_log WHERE seq > 3", []).unwrap();
    assert!(audit::verify_chain(h.state.store.as_ref()).await.unwrap().ok);
    // … but the checkpoint of entry 4 shows the cut.
    let r = check(&h).await;
    assert!(!r.ok);
    assert_eq!(r.first_bad_seq, Some(4));
    assert!(r.problem.as_deref().unwrap().contains("entries were removed"), "{r:?}");

    // The whole table emptied.
    conn.execute("DELETE FROM audit_log", []).unwrap();
    let r = check(&h).await;
    assert!(!r.ok && r.head_seq == 0, "{r:?}");
    let key = key_file(h.dir.path());
    let (code, report) = audit_verify_cli(h.dir.path(), &key);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["ok"], false);
}

#[tokio::test]
async fn rewritten_and_rechained_log_mismatches_its_checkpoint() {
    let h = audited_server().await;
    let conn = db(&h);
    // Rewrite entry 1 and recompute every hash after it, as someone with the database would.
    conn.execute("UPDATE audit_log SET verdict = 'INVALID', code = 'signature_invalid' WHERE seq = 1", []).unwrap();
    let entries = h.state.store.audit_entries(0, 100).await.unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    for e in &entries {
        let hash = entry_hash(e.seq, &prev, &e.record);
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![prev, hash, e.seq as i64],
        )
        .unwrap();
        prev = hash;
    }
    // The chain alone is fooled …
    assert!(audit::verify_chain(h.state.store.as_ref()).await.unwrap().ok);
    // … the signed checkpoint is not.
    let r = check(&h).await;
    assert!(!r.ok);
    assert_eq!(r.first_bad_seq, Some(2));
    assert!(r.problem.as_deref().unwrap().contains("signed checkpoint"), "{r:?}");
    let key = key_file(h.dir.path());
    assert_eq!(audit_verify_cli(h.dir.path(), &key).0, 1);

    // Rewriting the checkpoints to match needs the key: altered ones do not verify.
    conn.execute(
        "UPDATE audit_checkpoints SET head_hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE seq = 2",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE audit_checkpoints SET head_hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE seq = 4",
        [],
    )
    .unwrap();
    let r = check(&h).await;
    assert!(!r.ok);
    assert!(r.problem.as_deref().unwrap().contains("invalid signature"), "{r:?}");
}

#[tokio::test]
async fn shutdown_writes_a_last_checkpoint() {
    let h = harness(Options::default()).await;
    h.state.audit.enable_checkpoints(CheckpointSigner::new(SecretKey::from_seed(&SEED), 1000));
    let text = issue(&h.issuer);
    for _ in 0..3 {
        verify(&h.router, &text).await;
    }
    let store = std::sync::Arc::clone(&h.state.store);
    assert!(store.audit_checkpoints().await.unwrap().is_empty());
    let Harness { app, router, state, dir, .. } = h;
    drop(router);
    drop(state);
    let App { state, audit_task, .. } = app;
    drop(state);
    assert!(audit_task.finish(Duration::from_secs(10)).await);
    let cps = store.audit_checkpoints().await.unwrap();
    assert_eq!(cps.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![3]);
    // A tail cut off after the shutdown is detected.
    rusqlite::Connection::open(dir.path().join("ikd-server.sqlite3"))
        .unwrap()
        .execute("DELETE FROM audit_log WHERE seq = 3", [])
        .unwrap();
    let key = SecretKey::from_seed(&SEED).public_key();
    let r = audit::verify_chain_with(store.as_ref(), Some(&key)).await.unwrap();
    assert!(!r.ok, "{r:?}");
}

#[test]
fn checkpoint_key_file_is_created_0600_and_refused_when_readable() {
    let dir = TempDir::new("cpkey");
    let p = dir.path().join("audit.key");
    let k = audit::load_checkpoint_key(&p, true).unwrap();
    assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(audit::load_checkpoint_key(&p, true).unwrap().public_key(), k.public_key());
    assert_eq!(audit::checkpoint_public_key(&p).unwrap(), k.public_key());
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = audit::load_checkpoint_key(&p, false).err().unwrap();
    assert!(e.contains("readable by other users") && !e.contains("IKD-SECRET"), "{e}");
    // The signer's Debug shows the public key only.
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    let seed_line = text.lines().nth(1).unwrap().to_owned();
    let dbg = format!("{:?}", CheckpointSigner::new(audit::load_checkpoint_key(&p, false).unwrap(), 5));
    assert!(!dbg.contains(&seed_line), "{dbg}");
}
