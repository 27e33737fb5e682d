//! Issuer endpoints (present only when the server holds an issuer key):
//! `POST /v1/credentials` and `POST /v1/credentials/{serial}/revoke`.
//!
//! Issuing is crash-safe: the serial and a random status index are allocated and the registry
//! row is committed (state `reserved`) in one transaction before anything is signed; the row
//! becomes `issued` after signing (or `void` if signing fails). A crash at any point leaves at
//! most a `reserved` row, and a serial is never handed out twice.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ikd_core::issuance::{self, PlanError, PlanRequest, Start};
use ikd_core::photo::{PhotoError, PhotoLimits};
use ikd_core::render::{RenderOptions, render_png};
use ikd_core::{Claims, Lang, PublicKey, Serial, StatusIndex, Timestamp};
use serde::Deserialize;
use serde_json::json;

use super::{counter, now_rfc3339};
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{ApiError, ApiJson};
use crate::store::{AuditRecord, CredentialState, RevokeOutcome, StoreError};

/// `POST /v1/credentials` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// The claims JSON object.
    pub claims: serde_json::Value,
    /// The holder's public key (`ikdpk1:...`), for phone credentials.
    #[serde(default)]
    pub holder_key: Option<String>,
    /// Validity in days (default from the configuration).
    #[serde(default)]
    pub valid_days: Option<u32>,
    /// A face photo, PNG or JPEG, base64 (standard or URL-safe; a `data:` URL prefix is allowed).
    #[serde(default)]
    pub photo: Option<String>,
}

/// A validated issuing request.
#[derive(Debug)]
pub struct IssueInput {
    /// Claims.
    pub claims: Claims,
    /// Holder key.
    pub holder_key: Option<PublicKey>,
    /// Validity in days.
    pub valid_days: u32,
    /// The face photo as sent (PNG or JPEG); the thumbnail is made to fit the QR budget.
    pub photo: Option<Vec<u8>>,
}

/// The issued credential.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Serial.
    pub serial: u64,
    /// Status index.
    pub status_index: u32,
    /// Key id.
    pub key_id: String,
    /// The QR text.
    pub text: String,
    /// Issued at.
    pub issued_at: Timestamp,
    /// Expires at.
    pub expires_at: Timestamp,
}

/// 503 `audit_unavailable`: the audit log cannot be written (see `api::verify`, which answers
/// no verdict then). `what` says what happened to the request.
fn audit_unavailable(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "audit_unavailable",
        format!("the audit log cannot be written, so {what}; try again or contact the operator"),
    )
}

fn store_error(e: &StoreError) -> ApiError {
    match e {
        StoreError::StatusListFull => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "status_list_full",
            "no free status index is left; raise issuance.status_list_size or rotate the issuer key",
        ),
        other => {
            tracing::error!(error = %other, "store error");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the credential store (database) is not available; nothing was issued or revoked; try again shortly",
            )
        }
    }
}

/// Maps a photo error to an HTTP error.
pub fn photo_error(e: &PhotoError, lang: Lang) -> ApiError {
    let status = match e {
        PhotoError::InputTooLarge { .. } | PhotoError::TooManyPixels { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        PhotoError::UnsupportedFormat => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::from_core(status, e, lang).with("field", "photo")
}

/// Maps an issuing-policy error to an HTTP error (422; photo errors as `photo_error`).
pub fn plan_error(e: &PlanError, lang: Lang) -> ApiError {
    match e {
        PlanError::Photo(p) => photo_error(p, lang),
        other => {
            let mut err = ApiError::from_core(StatusCode::UNPROCESSABLE_ENTITY, other, lang);
            if let Some(f) = other.field() {
                err = err.with("field", f);
            }
            err
        }
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    let s = match s.strip_prefix("data:") {
        Some(rest) => rest.split_once(',').map(|(_, b)| b)?,
        None => s,
    };
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(&compact).ok().or_else(|| URL_SAFE_NO_PAD.decode(compact.trim_end_matches('=')).ok())
}

/// Validates the body (claims, key, validity) and makes the thumbnail.
async fn validate(state: &AppState, body: IssueBody, lang: Lang) -> Result<IssueInput, ApiError> {
    let claims = Claims::from_json_value(body.claims).map_err(|e| {
        let mut err = ApiError::from_core(StatusCode::UNPROCESSABLE_ENTITY, &e, lang);
        if let Some(f) = e.field() {
            err = err.with("field", f);
        }
        err
    })?;
    let holder_key = match body.holder_key.as_deref() {
        Some(k) => Some(PublicKey::from_text(k).map_err(|e| {
            ApiError::from_core(StatusCode::UNPROCESSABLE_ENTITY, &e, lang).with("field", "holder_key")
        })?),
        None => None,
    };
    // Its range (1 ..= issuance.max_valid_days) is checked by the issuing policy (`issuance::plan`).
    let valid_days = body.valid_days.unwrap_or(state.issuance.default_valid_days);
    let photo = match body.photo {
        Some(b64) => Some(decode_base64(&b64).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_base64", "`photo` is not valid base64").with("field", "photo")
        })?),
        None => None,
    };
    Ok(IssueInput { claims, holder_key, valid_days, photo })
}

/// Issues one credential: reserve (committed) → sign → mark issued → audit.
pub async fn issue_credential(
    state: &AppState,
    input: IssueInput,
    actor: &str,
    lang: Lang,
) -> Result<Issued, ApiError> {
    let Some(own) = &state.issuer else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "this server does not issue credentials"));
    };
    let now = Timestamp::now();
    // The one issuing policy (shared with `ikd issue`): the validity window capped at the end
    // of the card's `berlaku_hingga` day (WIB) and a thumbnail fitted to a budget that holds
    // for any serial and status index.
    let limits = PhotoLimits { max_input_bytes: state.limits.max_image_body, ..PhotoLimits::default() };
    let max_valid_days = state.issuance.max_valid_days;
    let plan = tokio::task::spawn_blocking(move || {
        let req = PlanRequest {
            claims: &input.claims,
            holder_key: input.holder_key,
            start: Start::Now,
            valid_days: input.valid_days,
            max_valid_days,
            photo: input.photo.as_deref(),
            photo_limits: limits,
        };
        issuance::plan(&req, now)
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| plan_error(&e, lang))?;
    let expires_at = plan.expires_at();
    let res = state
        .store
        .reserve_credential(&own.key_id, now.unix(), state.issuance.status_list_size)
        .await
        .map_err(|e| store_error(&e))?;
    let req = plan.request(Serial::new(res.serial).ok_or_else(ApiError::internal)?, StatusIndex::new(res.status_index));
    let signed = own.issuer.issue(&req);
    let text = match signed {
        Ok(c) => c.text().to_owned(),
        Err(e) => {
            // The serial stays allocated (never reused) but is marked void: never handed out.
            if let Err(se) = state.store.finish_credential(&own.key_id, res.serial, CredentialState::Void).await {
                tracing::error!(error = %se, serial = res.serial, "could not mark a failed issuance void");
            }
            return Err(ApiError::from_core(StatusCode::UNPROCESSABLE_ENTITY, &e, lang));
        }
    };
    // Fail closed, as verifying does: the issuance is recorded in the audit log before the
    // credential is handed out. If the log cannot be written the row is made `void` (the
    // serial is never reused) and the signed text is dropped unseen.
    let rec = AuditRecord {
        at: now.to_string(),
        event: "issue",
        actor: actor.to_owned(),
        source: "admin",
        serial: Some(res.serial),
        key_id: Some(own.key_id.clone()),
        verdict: String::new(),
        code: "issued".to_owned(),
        items: None,
    };
    if let Err(e) = state.audit.append(vec![rec]).await {
        tracing::error!(error = %e, serial = res.serial, "not issued: the audit log could not be written");
        if let Err(se) = state.store.finish_credential(&own.key_id, res.serial, CredentialState::Void).await {
            tracing::error!(error = %se, serial = res.serial, "could not mark an unaudited issuance void");
        }
        return Err(audit_unavailable("nothing was issued"));
    }
    // Only a credential whose registry row says `issued` is handed out. If the row cannot be
    // marked, the audited issuance did not happen after all: a second entry, `issue_void`,
    // says so (the audit log is append-only), and the signed text is dropped unseen.
    if let Err(e) = state.store.finish_credential(&own.key_id, res.serial, CredentialState::Issued).await {
        let void = AuditRecord {
            at: now.to_string(),
            event: "issue_void",
            actor: actor.to_owned(),
            source: "admin",
            serial: Some(res.serial),
            key_id: Some(own.key_id.clone()),
            verdict: String::new(),
            code: "not_handed_out".to_owned(),
            items: None,
        };
        if let Err(ae) = state.audit.append(vec![void]).await {
            tracing::error!(error = %ae, serial = res.serial, "could not audit a voided issuance");
        }
        return Err(store_error(&e));
    }
    state.metrics.issued.inc();
    tracing::info!(serial = res.serial, key_id = %own.key_id, "credential issued");
    Ok(Issued {
        serial: res.serial,
        status_index: res.status_index,
        key_id: own.key_id.clone(),
        text,
        issued_at: now,
        expires_at,
    })
}

/// `POST /v1/credentials` (admin).
pub async fn issue(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    headers: HeaderMap,
    ApiJson(body): ApiJson<IssueBody>,
) -> Result<Response, ApiError> {
    let lang = super::lang(&headers);
    let input = validate(&state, body, lang).await?;
    let actor = admin_actor(&headers)?;
    // Runs to the end even if the client goes away: a reservation is always finished and an
    // issued credential always audited, never cut off halfway by a dropped connection.
    let st = Arc::clone(&state);
    let issued = tokio::spawn(async move { issue_credential(&st, input, &actor, lang).await })
        .await
        .map_err(|_| ApiError::internal())??;
    let qr_png = render_png(&issued.text, &RenderOptions::SCREEN)
        .ok()
        .map(|png| format!("data:image/png;base64,{}", STANDARD.encode(png)));
    let body = json!({
        "demo": state.demo,
        "serial": issued.serial,
        "status_index": issued.status_index,
        "key_id": issued.key_id,
        "issued_at": issued.issued_at.to_string(),
        "expires_at": issued.expires_at.to_string(),
        "qr": issued.text,
        "qr_png": qr_png,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn admin_actor(headers: &HeaderMap) -> Result<String, ApiError> {
    let c = counter(headers)?;
    Ok(if c == "anonymous" { "admin".to_owned() } else { format!("admin:{c}") })
}

/// `POST /v1/credentials/{serial}/revoke` (admin).
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    headers: HeaderMap,
    Path(serial): Path<String>,
) -> Result<Response, ApiError> {
    if state.issuer.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "this server does not issue credentials"));
    }
    let serial: u64 = serial
        .parse()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| ApiError::bad_request("the serial must be a positive whole number"))?;
    // Like issuing: the revocation and its audit entry are not cut off by a dropped connection.
    let actor = admin_actor(&headers)?;
    let st = Arc::clone(&state);
    tokio::spawn(async move { revoke_serial(&st, serial, actor).await }).await.map_err(|_| ApiError::internal())?
}

async fn revoke_serial(state: &AppState, serial: u64, actor: String) -> Result<Response, ApiError> {
    let Some(own) = &state.issuer else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "this server does not issue credentials"));
    };
    let now = Timestamp::now();
    let out = state.store.revoke(&own.key_id, serial, now.unix()).await.map_err(|e| store_error(&e))?;
    let (at, already) = match out {
        RevokeOutcome::NotFound => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "credential_not_found",
                format!("no credential with serial {serial} was issued by this server's key"),
            ));
        }
        RevokeOutcome::Revoked { at } => (at, false),
        RevokeOutcome::AlreadyRevoked { at } => (at, true),
    };
    if let Ok(mut set) = state.revoked.write() {
        set.insert(serial);
    }
    // A repeated revocation is audited too (`already_revoked`): when the answer to the first
    // one was lost (the database connection broke after its commit) the retry is what records it.
    let rec = AuditRecord {
        at: now_rfc3339(),
        event: "revoke",
        actor,
        source: "admin",
        serial: Some(serial),
        key_id: Some(own.key_id.clone()),
        verdict: String::new(),
        code: if already { "already_revoked" } else { "revoked" }.to_owned(),
        items: None,
    };
    // Fail closed: without an audit entry the answer is 503, never a success. The revocation
    // itself is committed and stays (undoing it would be less safe); a retry is answered
    // `already_revoked` and that is what gets audited.
    if let Err(e) = state.audit.append(vec![rec]).await {
        tracing::error!(error = %e, serial, "revocation not audited: the audit log could not be written");
        return Err(audit_unavailable(
            "the revocation (already in effect) is not confirmed; repeat the request to have it recorded",
        ));
    }
    if !already {
        state.metrics.revoked.inc();
        tracing::info!(serial, key_id = %own.key_id, "credential revoked");
    }
    Ok(Json(json!({
        "demo": state.demo,
        "serial": serial,
        "key_id": own.key_id,
        "revoked": true,
        "already_revoked": already,
        "revoked_at": Timestamp::from_unix(at).to_string(),
    }))
    .into_response())
}
