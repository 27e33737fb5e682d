//! Issuing and revoking fail closed, as verifying does: when the audit log cannot be written
//! the answer is 503 `audit_unavailable`, and no credential is handed out.
//!
//! The fault is injected into the SQLite store's file behind the server's back: a trigger that
//! aborts every insert into `audit_log`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn break_audit(h: &Harness, broken: bool) {
    let conn = rusqlite::Connection::open(h.dir.path().join("ikd-server.sqlite3")).unwrap();
    if broken {
        conn.execute_batch(
            "CREATE TRIGGER audit_fault BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
        )
        .unwrap();
    } else {
        conn.execute_batch("DROP TRIGGER audit_fault;").unwrap();
    }
}

// Issue 13: issuing and revoking went ahead when the audit log could not be written.
#[tokio::test]
async fn regression_issue_and_revoke_fail_closed_without_audit() {
    let h = harness(Options::default()).await;
    let key_id = h.state.issuer.as_ref().unwrap().key_id.clone();

    // Issuing with a broken audit log: refused, nothing handed out, the serial voided.
    break_audit(&h, true);
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json() })).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.error_code(), "audit_unavailable");
    assert!(!r.text().contains("IKD1:"), "no credential in the answer: {}", r.text());
    let row = h.state.store.credential(&key_id, 1).await.unwrap().expect("the reserved row");
    assert_eq!(row.state.as_str(), "void", "an unaudited issuance is void");

    // Audit back: issuing works, with a new serial (the voided one is never reused).
    break_audit(&h, false);
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json() })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["serial"], 2);

    // Revoking with a broken audit log: 503, not a success.
    break_audit(&h, true);
    let r = admin_post(&h.router, "/v1/credentials/2/revoke", &json!({})).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.error_code(), "audit_unavailable");

    // The retry is answered (already revoked) and audited.
    break_audit(&h, false);
    let r = admin_post(&h.router, "/v1/credentials/2/revoke", &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["already_revoked"], true);
    let entries = h.state.store.audit_entries(0, 100).await.unwrap();
    let codes: Vec<(&str, &str, Option<u64>)> =
        entries.iter().map(|e| (e.record.event, e.record.code.as_str(), e.record.serial)).collect();
    assert_eq!(codes, vec![("issue", "issued", Some(2)), ("revoke", "already_revoked", Some(2))]);
}
