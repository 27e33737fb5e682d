//! API errors: one JSON shape, stable codes, and extractors whose rejections use it.
//!
//! Every error body is `{"error": {"code": "...", "message": "..."}}` (plus `"demo": true` on a
//! demo server). Codes are stable and listed in `docs/SERVER.md` and [`CODES`].

use std::borrow::Cow;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Every error code the server itself produces (codes from ikd-core, such as claim or photo
/// errors, pass through as they are), with its HTTP status.
pub const CODES: &[(&str, u16)] = &[
    ("bad_request", 400),
    ("invalid_json", 400),
    ("invalid_request", 400),
    ("batch_too_large", 400),
    ("audit_batch_too_large", 400),
    ("policy_unknown", 400),
    ("bad_base64", 400),
    ("unauthorized", 401),
    ("not_found", 404),
    ("credential_not_found", 404),
    ("method_not_allowed", 405),
    ("key_id_ambiguous", 409),
    ("audit_out_of_order", 409),
    ("timeout", 408),
    ("payload_too_large", 413),
    ("image_too_large", 413),
    ("unsupported_media_type", 415),
    ("invalid_field", 422),
    ("audit_entry_invalid", 422),
    ("no_qr_found", 422),
    ("qr_not_text", 422),
    ("internal", 500),
    ("not_ready", 503),
    ("busy", 503),
    ("audit_unavailable", 503),
    ("store_unavailable", 503),
    ("status_list_full", 503),
];

/// An error answered to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: Cow<'static, str>,
    /// Human-readable message (never holds secrets; may echo what the client sent).
    pub message: String,
    /// Extra members of the `error` object (for example a scan hint).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.into(), message: message.into(), extra: serde_json::Map::new() }
    }

    /// An error from ikd-core answered with `status`: its stable code and its message in the
    /// client's language (`Accept-Language`), the same words the CLI and the page use.
    pub fn from_core(status: StatusCode, e: &dyn ikd_core::UserError, lang: ikd_core::Lang) -> ApiError {
        ApiError::new(status, e.code(), e.message(lang))
    }

    /// Adds a member to the `error` object.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> ApiError {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 413 `payload_too_large`.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    /// 415 `unsupported_media_type`.
    pub fn unsupported_media_type(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message)
    }

    /// 500 `internal`: the message is generic; details go to the log only.
    pub fn internal() -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }

    /// The default error for a bare status produced by a layer (404, 405, 408, 413...).
    pub fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "the request is not valid"),
            401 => ("unauthorized", "a valid admin token is required"),
            404 => ("not_found", "no such endpoint"),
            405 => ("method_not_allowed", "this endpoint does not accept that method"),
            408 => ("timeout", "the request took too long and was stopped"),
            413 => ("payload_too_large", "the request body is larger than this endpoint accepts"),
            415 => ("unsupported_media_type", "the request's Content-Type is not accepted here"),
            503 => ("not_ready", "the service is not available"),
            s if s >= 500 => ("internal", "internal error; see the server log"),
            _ => ("bad_request", "the request is not valid"),
        };
        ApiError::new(status, code, message)
    }

    /// The JSON body.
    pub fn body(&self, demo: bool) -> serde_json::Value {
        let mut err = serde_json::Map::new();
        err.insert("code".into(), self.code.as_ref().into());
        err.insert("message".into(), self.message.clone().into());
        for (k, v) in &self.extra {
            err.insert(k.clone(), v.clone());
        }
        let mut top = serde_json::Map::new();
        top.insert("error".into(), serde_json::Value::Object(err));
        if demo {
            top.insert("demo".into(), true.into());
        }
        serde_json::Value::Object(top)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

/// Marker left in a response's extensions so the outer middleware can re-render the body
/// (adding `"demo": true`) without parsing it.
#[derive(Debug, Clone)]
pub struct RenderedError(pub ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body(false))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"ikd-server\""));
        }
        resp.extensions_mut().insert(RenderedError(self));
        resp
    }
}

/// A JSON body extractor whose rejections are [`ApiError`]s: malformed JSON is 400 with the
/// parser's message, a missing or wrong Content-Type is 415, an oversized body is 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(&rej)),
        }
    }
}

fn json_rejection(rej: &JsonRejection) -> ApiError {
    match rej {
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not valid JSON: {}", strip_axum_prefix(&e.body_text())),
        ),
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("the JSON does not have the expected shape: {}", strip_axum_prefix(&e.body_text())),
        ),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::unsupported_media_type("send the body as JSON with `Content-Type: application/json`")
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::too_large("the request body is larger than this endpoint accepts")
        }
        other => ApiError::bad_request(format!("the request body could not be read: {}", other.body_text())),
    }
}

fn strip_axum_prefix(s: &str) -> String {
    let s = s
        .strip_prefix("Failed to parse the request body as JSON: ")
        .or_else(|| s.strip_prefix("Failed to deserialize the JSON body into the target type: "))
        .unwrap_or(s);
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_are_answered_in_the_clients_language() {
        // Issue 14: the server answered English `e.to_string()` although it honours
        // Accept-Language; a core error now carries its code and the core's words.
        let e = ikd_core::KeyError::BadEncoding;
        let id = ApiError::from_core(StatusCode::UNPROCESSABLE_ENTITY, &e, ikd_core::Lang::Id);
        let en = ApiError::from_core(StatusCode::UNPROCESSABLE_ENTITY, &e, ikd_core::Lang::En);
        assert_eq!(id.code, "key_bad_encoding");
        assert_eq!(id.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(id.message, "kunci bukan base64url yang sah");
        assert_eq!(en.message, "the key is not valid base64url");
    }
}
