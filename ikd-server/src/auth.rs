//! The admin bearer token check.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::error::ApiError;

/// Proof that the request carried the admin token (`Authorization: Bearer <token>`).
/// The token is compared in constant time and never logged.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let Some(token) = &state.admin else {
            return Err(ApiError::unauthorized("no admin token is configured on this server"));
        };
        let presented = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
        match presented {
            Some(p) if token.matches(p) => Ok(Admin),
            Some(_) => Err(ApiError::unauthorized("the admin token is not valid")),
            None => Err(ApiError::unauthorized("this endpoint needs `Authorization: Bearer <admin token>`")),
        }
    }
}
