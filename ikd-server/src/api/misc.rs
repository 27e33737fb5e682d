//! Health, readiness, metrics, the OpenAPI document, service info, the audit check and demo
//! samples.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::auth::Admin;
use crate::error::ApiError;

/// The OpenAPI 3 document.
pub const OPENAPI: &str = include_str!("../../static/openapi.json");

/// `GET /healthz`: the process is alive.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    Json(json!({"status": "ok", "demo": state.demo})).into_response()
}

/// `GET /readyz`: the store answers and at least one issuer is trusted.
/// With `?for=verify`, a shared database that is down leaves the server ready while its
/// audit spool has room (see `crate::readiness::store_readiness`).
/// `for` other than `verify` (an empty one included) is refused: 400 `invalid_request` with
/// `error.field = "for"`, so a probe with a typo fails at once instead of checking something else.
pub async fn readyz(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(params): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let mut for_verify = false;
    for (_, v) in params.iter().filter(|(k, _)| k == "for") {
        if v != "verify" {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "`for` must be `verify` (or be left out)",
            )
            .with("field", "for"));
        }
        for_verify = true;
    }
    let store = crate::readiness::store_readiness(&state, for_verify.then_some("for=verify")).await?;
    let issuers = state.verifier_now().await.trust_store().issuers().len();
    if issuers == 0 {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "no issuer is trusted: every credential would be UNDETERMINED (set IKD_TRUST_STORE)",
        ));
    }
    let sync = state.lists.upstream().map(|_| {
        let r = state.lists.report();
        json!({"last_attempt": r.last_attempt, "last_success": r.last_success, "failures": r.consecutive_failures})
    });
    Ok(Json(
        json!({"status": "ready", "demo": state.demo, "trusted_issuers": issuers, "store": state.store.kind(), "store_available": store.available, "audit_spool": store.spool, "sync": sync}),
    )
    .into_response())
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()).into_response()
}

/// `GET /v1/openapi.json`: [`openapi_document`].
pub async fn openapi(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_document(&state).to_string()).into_response()
}

/// The OpenAPI document as this server answers: [`OPENAPI`] with what its configuration decides
/// filled in, so the document says exactly what the server accepts: the names of its policies
/// (the `enum` of each `policy`, with `""` and, in bodies, `null` for none), the batch limit
/// (`maxItems` of `qrs`) and the longest validity it issues (`maximum` of `valid_days`).
pub fn openapi_document(state: &AppState) -> Value {
    let mut doc: Value = serde_json::from_str(OPENAPI).unwrap_or_default();
    let names: Vec<Value> = std::iter::once(json!("")).chain(state.policies.iter().map(|p| json!(p.name))).collect();
    let nullable_names: Vec<Value> = names.iter().cloned().chain([Value::Null]).collect();
    let mut set = |pointer: &str, key: &str, value: Value| {
        if let Some(o) = doc.pointer_mut(pointer).and_then(Value::as_object_mut) {
            o.insert(key.to_owned(), value);
        }
    };
    set("/components/parameters/Policy/schema", "enum", names.into());
    set("/components/schemas/VerifyRequest/properties/policy", "enum", nullable_names.clone().into());
    set("/components/schemas/BatchRequest/properties/policy", "enum", nullable_names.into());
    set("/components/schemas/BatchRequest/properties/qrs", "maxItems", state.limits.max_batch_items.into());
    set("/components/schemas/IssueRequest/properties/valid_days", "maximum", state.issuance.max_valid_days.into());
    set("/components/schemas/AuditUpload/properties/entries", "maxItems", state.limits.max_batch_items.into());
    // The WebAssembly modules are documented only when this build embeds them (build.rs).
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|p, _| !p.starts_with("/static/wasm/") || crate::api::page::wasm_paths().any(|w| w == p));
    }
    doc
}

/// `GET /v1/info`: what this server trusts and offers (no secrets, no personal data).
pub async fn info(State(state): State<Arc<AppState>>) -> Response {
    let issuers: Vec<_> = state
        .verifier_now()
        .await
        .trust_store()
        .issuers()
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "key_id": i.key_id().to_string(),
                "not_before": i.not_before.to_string(),
                "not_after": i.not_after.to_string(),
            })
        })
        .collect();
    let l = state.limits;
    Json(json!({
        "service": "ikd-server",
        "version": env!("CARGO_PKG_VERSION"),
        "demo": state.demo,
        "trusted_issuers": issuers,
        "issuing": state.issuer.as_ref().map(|i| json!({"key_id": i.key_id, "name": i.name})),
        "limits": {
            "max_text_body": l.max_text_body,
            "max_batch_body": l.max_batch_body,
            "max_image_body": l.max_image_body,
            "max_batch_items": l.max_batch_items,
            "request_timeout_secs": l.request_timeout.as_secs(),
        },
        "languages": ["id", "en"],
    }))
    .into_response()
}

/// `GET /v1/audit/verify` (admin): checks the audit hash chain.
pub async fn audit_verify(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Response, ApiError> {
    let key = state.audit.checkpoint_key();
    let report = crate::audit::verify_chain_with(state.store.as_ref(), key.as_ref()).await.map_err(|e| {
        tracing::error!(error = %e, "audit chain check failed to read the store");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", "the store is not available")
    })?;
    let mut body = serde_json::to_value(&report).unwrap_or_default();
    if let serde_json::Value::Object(o) = &mut body {
        o.insert("demo".into(), state.demo.into());
    }
    Ok(Json(body).into_response())
}

/// `GET /v1/demo/samples` (demo mode only): the sample credentials.
pub async fn demo_samples(State(state): State<Arc<AppState>>) -> Response {
    let samples = state.samples.read().map(|s| s.clone()).unwrap_or_default();
    Json(json!({"demo": true, "samples": samples})).into_response()
}
