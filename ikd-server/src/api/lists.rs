//! Distribution of the signed lists and the sync state:
//!
//! * `GET /v1/trust-list`: the signed trust list the server holds (its file, or the synced
//!   copy), byte for byte;
//! * `GET /v1/status/{key_id}`: the signed status list of an issuer key (6 hex digits of key
//!   id, or the 64 hex digits of the public key when two keys share an id);
//! * `GET /v1/sync/status`: the lists held, their freshness, and the last sync.
//!
//! Both lists carry a strong `ETag` (SHA-256 of the bytes) and answer `If-None-Match` with 304.
//! They hold no personal data, so they may be cached (`Cache-Control: no-cache`: revalidate).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ikd_core::{KeyId, PublicKey};
use serde_json::json;

use crate::app::AppState;
use crate::error::ApiError;

/// Content type of `GET /v1/trust-list`: the file is UTF-8 text (one JSON line, signature lines).
pub const TRUST_LIST_CONTENT_TYPE: &str = "text/plain; charset=utf-8";
/// Content type of `GET /v1/status/{key_id}`: binary (`docs/TRUST-AND-STATUS.md` §2.2).
pub const STATUS_LIST_CONTENT_TYPE: &str = "application/octet-stream";

/// Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks for this header;
/// `*` matches any current representation).
pub fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let want = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == want)
}

fn publish(headers: &HeaderMap, bytes: Bytes, etag: &str, content_type: &'static str, filename: String) -> Response {
    let tag = HeaderValue::from_str(etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let cache = HeaderValue::from_static("no-cache");
    if if_none_match(headers, etag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::ETAG, tag);
        resp.headers_mut().insert(header::CACHE_CONTROL, cache);
        return resp;
    }
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ETAG, tag);
    h.insert(header::CACHE_CONTROL, cache);
    h.insert(header::CONTENT_DISPOSITION, disposition);
    resp
}

/// `GET /v1/trust-list`.
pub async fn trust_list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(t) = state.lists.trust_list() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this server holds no signed trust list (it trusts a plain trust store, or has not synced yet)",
        ));
    };
    let name = format!("trust-list-{}.ikdtl", t.list.sequence());
    Ok(publish(&headers, t.bytes, &t.etag, TRUST_LIST_CONTENT_TYPE, name))
}

/// `GET /v1/status/{key_id}`.
pub async fn status_list(
    State(state): State<Arc<AppState>>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = key.trim().to_ascii_lowercase();
    let bad = || {
        ApiError::bad_request(
            "the key id must be 6 hex digits (or the issuer's public key as 64 hex digits), e.g. /v1/status/c280c2",
        )
    };
    if !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    // A revocation on this server shows at once: re-sign the own list first if needed. The
    // own list is the newest in the store, which instances sharing it publish one after the
    // other, so a counter behind a load balancer never gets an older one after a newer one.
    state.verifier_now().await;
    if state.is_own_status_key(&key) {
        state.adopt_stored_own_status(false).await;
    }
    let found = match key.len() {
        6 => state.lists.status_by_key_id(KeyId::from_hex(&key).ok_or_else(bad)?),
        64 => {
            let bytes: [u8; 32] = hex::decode(&key).ok().and_then(|v| v.try_into().ok()).ok_or_else(bad)?;
            // 64 hex digits that are not a valid public key are no issuer's key: not found.
            match PublicKey::from_bytes(&bytes) {
                Ok(pk) => state.lists.status_by_key(&pk).into_iter().collect(),
                Err(_) => Vec::new(),
            }
        }
        _ => return Err(bad()),
    };
    let h = match <[_; 1]>::try_from(found) {
        Ok([h]) => h,
        Err(v) if v.is_empty() => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("this server holds no status list for key {key}"),
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "key_id_ambiguous",
                format!("several issuer keys have the id {key}: ask with the public key as 64 hex digits"),
            ));
        }
    };
    let name = format!("status-{}-{}.iksl", h.list.key_id(), h.list.sequence());
    Ok(publish(&headers, h.bytes, &h.etag, STATUS_LIST_CONTENT_TYPE, name))
}

/// `GET /v1/sync/status`: the lists held, their freshness, and the state of the sync.
pub async fn sync_status(State(state): State<Arc<AppState>>) -> Response {
    let l = &state.lists;
    let mut body = l.summary();
    if let Some(o) = body.as_object_mut() {
        o.insert("demo".into(), state.demo.into());
        o.insert("upstream".into(), l.upstream().into());
        o.insert("interval_secs".into(), l.upstream().map(|_| l.sync_interval().as_secs()).into());
        let sync =
            if l.upstream().is_some() { serde_json::to_value(l.report()).unwrap_or_default() } else { json!(null) };
        o.insert("sync".into(), sync);
        if l.danger_clock_offset_secs() != 0 {
            o.insert("danger_clock_offset_secs".into(), l.danger_clock_offset_secs().into());
        }
    }
    Json(body).into_response()
}
