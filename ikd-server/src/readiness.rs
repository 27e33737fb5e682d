//! The store's part of `/readyz` (app layer: it answers with the HTTP error type, which the
//! storage layer must not know; see `tests/layers.rs`).

use axum::http::StatusCode;

use crate::app::AppState;
use crate::audit::SpoolStatus;
use crate::error::ApiError;

/// The store's part of `/readyz`.
#[derive(Debug, Clone, Copy)]
pub struct StoreReadiness {
    /// The store answered.
    pub available: bool,
    /// The local audit spool, for a shared store.
    pub spool: Option<SpoolStatus>,
}

/// Readiness of the store. Without the query `for=verify`, a store that does not answer makes
/// the server not ready (503), the right signal for issuing traffic. With `for=verify` (the
/// health check for a pool of verifiers), a shared store that does not answer still leaves the
/// server ready as long as its audit spool has room: verification goes on and its audit entries
/// are chained once the database is back.
pub async fn store_readiness(state: &AppState, query: Option<&str>) -> Result<StoreReadiness, ApiError> {
    let spool = state.audit.spool_status();
    let Err(e) = state.store.ping().await else { return Ok(StoreReadiness { available: true, spool }) };
    tracing::error!(error = %e, "readiness: store unavailable");
    let for_verify = query.is_some_and(|q| q.split('&').any(|p| p == "for=verify"));
    let room = spool.is_some_and(|s| s.bytes.saturating_mul(10) < s.max_bytes.saturating_mul(9));
    if for_verify && room {
        return Ok(StoreReadiness { available: false, spool });
    }
    let message = if spool.is_some() {
        "the database is not available: issuing and revoking answer 503 until it is back; verification goes on \
         (audit entries are spooled locally; /readyz?for=verify reports that)"
    } else {
        "the store is not available"
    };
    Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", message))
}
