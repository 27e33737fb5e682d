//! What the offline counter page needs from the server (`docs/SERVER.md` §8):
//!
//! * `GET /v1/offline/bundle`: everything the page verifies with in the browser, in one answer
//!   (the signed trust list and the roots it was accepted under, or the plain trust store; the
//!   status lists; the service policies; the freshness policy), so that it can keep them in
//!   IndexedDB and verify with the server stopped. The page decides whether to take a newer
//!   list with the core's list-holder rules (compiled to WASM), never here.
//! * `POST /v1/audit/entries`: the audit entries of verifications the page made in the
//!   browser, queued while offline, appended to the hash-chained audit log in order and
//!   exactly once (idempotent by counter id, page id and page sequence).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use ikd_core::{Policy, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api::counter;
use crate::app::AppState;
use crate::audit::BatchOutcome;
use crate::error::{ApiError, ApiJson};
use crate::store::{AuditBatch, AuditRecord};

/// Earliest time an uploaded entry may carry: 2020-01-01T00:00:00Z (no IKD verification is
/// older; a page whose clock says otherwise is broken).
pub const AUDIT_EARLIEST: i64 = 1_577_836_800;
/// How far past the server's clock an uploaded entry's time may be: 366 days (a counter's
/// clock may be wrong, or shifted by the page's test hook, but not by more than a year).
pub const AUDIT_MAX_AHEAD_SECS: i64 = 366 * 86_400;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `GET /v1/offline/bundle`.
pub async fn bundle(State(state): State<Arc<AppState>>) -> Response {
    let verifier = state.verifier_now().await;
    let lists = &state.lists;
    let trust = lists.trust_list();
    let status: Vec<Value> = lists
        .status_lists_applied()
        .iter()
        .map(|h| {
            let l = &h.list;
            json!({
                "bytes": b64(&h.bytes),
                "key_id": l.key_id().to_string(),
                "issuer_key": l.issuer_key().to_text(),
                "sequence": l.sequence(),
                "issued_at": l.issued_at().to_string(),
                "ttl_secs": l.ttl_secs(),
                "etag": h.etag,
            })
        })
        .collect();
    let policies: Vec<Value> = state.policies.iter().map(Policy::to_json).collect();
    let p = lists.freshness();
    let body = json!({
        "demo": state.demo,
        "now": lists.now().to_string(),
        "mode": if trust.is_some() { "trust_list" } else { "trust_store" },
        "trust_list": trust.as_ref().map(|t| json!({
            "bytes": b64(&t.bytes),
            "sequence": t.list.sequence(),
            "issued_at": t.list.issued_at().to_string(),
            "next_update": t.list.next_update().to_string(),
            "etag": t.etag,
        })),
        "pinned_roots": if trust.is_some() {
            lists.trust_roots().iter().map(|k| k.to_text()).collect::<Vec<_>>()
        } else {
            Vec::new()
        },
        "trust_store": if trust.is_some() { Value::Null } else { verifier.trust_store().to_json().into() },
        "status_lists": status,
        "policies": Value::Array(policies).to_string(),
        "freshness_policy": {
            "status_fresh_secs": p.status_fresh_secs,
            "status_grace_secs": p.status_grace_secs,
            "trust_fresh_secs": p.trust_fresh_secs,
            "trust_grace_secs": p.trust_grace_secs,
        },
        "wasm": {
            "verifier": crate::api::page::has_verifier_module(),
            "reader": crate::api::page::has_reader_module(),
        },
    });
    Json(body).into_response()
}

/// `POST /v1/audit/entries` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadBody {
    /// The page's id: 32 lowercase hex digits, drawn at random once per browser profile.
    pub page_id: String,
    /// The entries, oldest first.
    pub entries: Vec<UploadEntry>,
}

/// One verification the page made.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadEntry {
    /// The page's sequence number of the entry (from 1, rising).
    pub seq: u64,
    /// When the page verified (RFC 3339).
    pub at: String,
    /// The credential's serial, when the text decoded.
    pub serial: Option<u64>,
    /// The issuer key id (6 hex digits), when the text decoded.
    pub key_id: Option<String>,
    /// `VALID`, `INVALID` or `UNDETERMINED`.
    pub verdict: String,
    /// The verdict's code (`ok`, `signature_invalid`, ...).
    pub code: String,
}

fn entry_invalid(i: usize, field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "audit_entry_invalid", message)
        .with("field", format!("entries[{i}].{field}"))
        .with("index", i)
}

/// The batch id of a page's entry: the first 32 hex digits of
/// `SHA-256("ikd-page-audit-v1" ‖ u32_be(len(counter)) ‖ counter ‖ page_id ‖ u64_be(seq))`. The
/// same entry sent again has the same id, which the store refuses to chain twice.
pub fn page_batch_id(counter: &str, page_id: &str, seq: u64) -> String {
    let mut h = Sha256::new();
    h.update(b"ikd-page-audit-v1");
    h.update(u32::try_from(counter.len()).unwrap_or(u32::MAX).to_be_bytes());
    h.update(counter.as_bytes());
    h.update(page_id.as_bytes());
    h.update(seq.to_be_bytes());
    let mut id = hex::encode(h.finalize());
    id.truncate(32);
    id
}

/// Checks one entry and makes its audit record (time normalised to RFC 3339 UTC seconds).
fn record(i: usize, e: &UploadEntry, actor: &str, now: Timestamp) -> Result<AuditRecord, ApiError> {
    let at = Timestamp::parse_rfc3339(e.at.trim())
        .ok_or_else(|| entry_invalid(i, "at", "`at` must be an RFC 3339 time such as 2026-12-04T08:00:00Z".into()))?;
    if at.unix() < AUDIT_EARLIEST || at.unix() > now.unix().saturating_add(AUDIT_MAX_AHEAD_SECS) {
        return Err(entry_invalid(
            i,
            "at",
            format!("`at` must lie between 2020-01-01 and 366 days after the server's time ({now})"),
        ));
    }
    if e.seq == 0 {
        return Err(entry_invalid(i, "seq", "`seq` counts from 1".into()));
    }
    if e.serial == Some(0) {
        return Err(entry_invalid(i, "serial", "`serial` counts from 1".into()));
    }
    let key_id = match &e.key_id {
        Some(k) if k.len() == 6 && k.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => Some(k.clone()),
        Some(_) => return Err(entry_invalid(i, "key_id", "`key_id` must be 6 lowercase hex digits".into())),
        None => None,
    };
    if !matches!(e.verdict.as_str(), "VALID" | "INVALID" | "UNDETERMINED") {
        return Err(entry_invalid(i, "verdict", "`verdict` must be VALID, INVALID or UNDETERMINED".into()));
    }
    let code_ok = !e.code.is_empty()
        && e.code.len() <= 64
        && e.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok || (e.verdict == "VALID") != (e.code == "ok") {
        return Err(entry_invalid(
            i,
            "code",
            "`code` must be 1 to 64 of a-z 0-9 _, and `ok` exactly when the verdict is VALID".into(),
        ));
    }
    Ok(AuditRecord {
        at: at.to_string(),
        event: "verify",
        actor: actor.to_owned(),
        source: "page",
        serial: e.serial,
        key_id,
        verdict: e.verdict.clone(),
        code: e.code.clone(),
        items: None,
    })
}

/// `POST /v1/audit/entries`.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UploadBody>,
) -> Result<Response, ApiError> {
    let actor = counter(&headers)?;
    if body.page_id.len() != 32 || !body.page_id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "`page_id` must be 32 lowercase hex digits",
        )
        .with("field", "page_id"));
    }
    let max = state.limits.max_batch_items;
    if body.entries.len() > max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "audit_batch_too_large",
            format!("an upload holds at most {max} entries; {} were sent", body.entries.len()),
        )
        .with("max", max));
    }
    if body.entries.is_empty() {
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", "`entries` is empty").with("field", "entries")
        );
    }
    let now = Timestamp::now();
    let mut batches = Vec::with_capacity(body.entries.len());
    let mut last = 0u64;
    for (i, e) in body.entries.iter().enumerate() {
        let r = record(i, e, &actor, now)?;
        if e.seq <= last {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "audit_out_of_order",
                format!("entries must be sent oldest first: `seq` {} follows {last}", e.seq),
            )
            .with("field", format!("entries[{i}].seq"))
            .with("index", i));
        }
        last = e.seq;
        batches.push(AuditBatch { id: page_batch_id(&actor, &body.page_id, e.seq), records: vec![r] });
    }
    let outcomes = state.audit.append_batches(batches).await.map_err(|e| {
        tracing::error!(error = %e, "page audit entries not recorded: audit log unavailable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            "the audit log cannot be written; the page keeps its entries and sends them again",
        )
    })?;
    let mut counts = [0usize; 3];
    let entries: Vec<Value> = body
        .entries
        .iter()
        .zip(&outcomes)
        .map(|(e, o)| {
            let (outcome, chain_seq, k) = match o {
                BatchOutcome::Recorded(s) => ("recorded", s.first().copied(), 0),
                BatchOutcome::Duplicate => ("duplicate", None, 1),
                BatchOutcome::Spooled => ("spooled", None, 2),
            };
            if let Some(c) = counts.get_mut(k) {
                *c += 1;
            }
            json!({"seq": e.seq, "outcome": outcome, "chain_seq": chain_seq})
        })
        .collect();
    let [recorded, duplicates, spooled] = counts;
    Ok(Json(json!({
        "demo": state.demo,
        "recorded": recorded,
        "duplicates": duplicates,
        "spooled": spooled,
        "entries": entries,
    }))
    .into_response())
}
