//! HTTP handlers.

pub mod issue;
pub mod lists;
pub mod misc;
pub mod offline;
pub mod page;
pub mod verify;

use axum::http::HeaderMap;
use ikd_core::{Lang, Timestamp};

/// The language asked for by `Accept-Language` (Indonesian by default).
pub fn lang(headers: &HeaderMap) -> Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_header)
        .unwrap_or_default()
}

/// `id` or `en`.
pub fn lang_tag(l: Lang) -> &'static str {
    match l {
        Lang::En => "en",
        _ => "id",
    }
}

/// The `X-Counter-Id` for the audit log, or `anonymous` without one. A value that is not 1–64 of
/// `A–Z a–z 0–9 . _ : -` (an empty one included) is refused, never recorded: 400
/// `invalid_request` with `error.field = "X-Counter-Id"`. Handlers check it before verifying,
/// so a refused request leaves no trace (no audit entry, no live presentation used up).
pub fn counter(headers: &HeaderMap) -> Result<String, crate::error::ApiError> {
    let Some(v) = headers.get("x-counter-id") else { return Ok("anonymous".to_owned()) };
    match v.to_str() {
        Ok(s) if crate::audit::counter_id(Some(s)) == s => Ok(s.to_owned()),
        _ => Err(crate::error::ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_request",
            "`X-Counter-Id` must be 1 to 64 of A-Z a-z 0-9 . _ : - (or be left out)",
        )
        .with("field", "X-Counter-Id")),
    }
}

/// Now, RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    Timestamp::now().to_string()
}

/// Picks the message in the asked language.
pub fn pick(l: Lang, id: &str, en: &str) -> String {
    match l {
        Lang::En => en.to_owned(),
        _ => id.to_owned(),
    }
}
