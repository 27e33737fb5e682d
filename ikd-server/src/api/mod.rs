//! HTTP handlers.

pub mod issue;
pub mod lists;
pub mod misc;
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

/// The validated `X-Counter-Id`, or `anonymous`.
pub fn counter(headers: &HeaderMap) -> String {
    crate::audit::counter_id(headers.get("x-counter-id").and_then(|v| v.to_str().ok()))
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
