//! `POST /v1/verify`, `/v1/verify/image` and `/v1/verify/batch` (each with an optional service
//! policy and counter challenge), and `GET /v1/policies`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ikd_core::scan::{self, ScanError, ScanLimits};
use ikd_core::view::PhotoData;
use ikd_core::{
    BatchSummary, Lang, MAX_CHALLENGE_BYTES, Policy, PolicySet, Timestamp, Verdict, VerdictLine, Verification,
    VerificationView, VerifyOptions, ViewOptions,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{counter, lang, now_rfc3339, pick};
use crate::app::AppState;
use crate::config::ConfigError;
use crate::error::{ApiError, ApiJson};
use crate::store::AuditRecord;

/// `POST /v1/verify` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// The credential or presentation text (`IKD1:...`).
    pub qr: String,
    /// A service policy by name (`GET /v1/policies`).
    #[serde(default)]
    pub policy: Option<String>,
    /// The challenge code the counter shows (challenge mode): only a live presentation that
    /// answers it is accepted.
    #[serde(default)]
    pub challenge: Option<String>,
    /// Answer the NIK in full; by default it is masked but for its last 4 digits
    /// (`ikd_core::view::mask_nik`, the same rule as `ikd verify --show-nik`).
    #[serde(default)]
    pub show_nik: Option<bool>,
}

/// `POST /v1/verify/batch` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// Credential texts.
    pub qrs: Vec<String>,
    /// A service policy by name, applied to each text.
    #[serde(default)]
    pub policy: Option<String>,
    /// A challenge code, applied to each text.
    #[serde(default)]
    pub challenge: Option<String>,
    /// Answer NIKs in full (masked by default).
    #[serde(default)]
    pub show_nik: Option<bool>,
    /// What each item holds: the whole view (`full`, the default) or only its verdict
    /// (`verdicts`).
    #[serde(default)]
    pub answer: Option<BatchAnswer>,
}

/// What `POST /v1/verify/batch` answers per text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchAnswer {
    /// The whole verification view per text, as `POST /v1/verify` answers it (without the
    /// photo's image).
    #[default]
    Full,
    /// Only the verdict, the reason code and, when not VALID, the message
    /// ([`ikd_core::VerdictLine`]): no claims, no header. For a caller that needs only to know
    /// which texts pass (data minimisation).
    Verdicts,
}

/// Query of `POST /v1/verify/image`: `?policy=NAME&challenge=CODE` (other parameters are
/// ignored, as before there were any).
#[derive(Debug, Deserialize, Default)]
pub struct VerifyQuery {
    /// A service policy by name.
    #[serde(default)]
    pub policy: Option<String>,
    /// The counter's challenge code.
    #[serde(default)]
    pub challenge: Option<String>,
    /// `camera` for a video frame from the counter page's camera loop: the reader gives up
    /// early on a frame with no sign of a QR code (`ScanEffort::LiveFrame`), so the next frame
    /// follows sooner. Anything else, or nothing, is a photo or upload: the full cascade.
    #[serde(default)]
    pub source: Option<String>,
    /// `true`: answer the NIK in full (masked by default).
    #[serde(default)]
    pub show_nik: Option<bool>,
}

/// The policy and challenge of one request, checked.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The service policy.
    pub policy: Option<Policy>,
    /// The challenge bytes (the code's ASCII bytes).
    pub challenge: Option<Vec<u8>>,
    /// Answer the NIK in full (`show_nik`); masked otherwise.
    pub show_nik: bool,
}

impl Options {
    /// As the core's options.
    pub fn verify_options(&self) -> VerifyOptions<'_> {
        VerifyOptions { policy: self.policy.as_ref(), challenge: self.challenge.as_deref(), now: None }
    }
}

/// Checks a request's policy name and challenge code. An empty string means none.
pub fn options(
    state: &AppState,
    policy: Option<&str>,
    challenge: Option<&str>,
    lang: Lang,
) -> Result<Options, ApiError> {
    let policy = match policy.map(str::trim).filter(|p| !p.is_empty()) {
        Some(name) => Some(state.policies.iter().find(|p| p.name == name).cloned().ok_or_else(|| {
            let known: Vec<String> = state.policies.iter().map(|p| p.name.clone()).collect();
            let e = ikd_core::UnknownPolicy { name: name.to_owned(), known: known.clone() };
            ApiError::from_core(StatusCode::BAD_REQUEST, &e, lang).with("field", "policy").with("policies", known)
        })?),
        None => None,
    };
    let challenge = match challenge.filter(|c| !c.is_empty()) {
        Some(c) if c.len() <= MAX_CHALLENGE_BYTES && c.bytes().all(|b| b.is_ascii_graphic()) => {
            Some(c.as_bytes().to_vec())
        }
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!(
                    "`challenge` must be 1 to {MAX_CHALLENGE_BYTES} printable ASCII characters without spaces (case matters)"
                ),
            )
            .with("field", "challenge"));
        }
        None => None,
    };
    Ok(Options { policy, challenge, show_nik: false })
}

/// The service policies: the built-in ones merged with those of `policies_file`
/// (`ikd_core::PolicySet`: a file policy with a built-in name replaces it).
pub fn load_policies(file: Option<&std::path::Path>) -> Result<Vec<Policy>, ConfigError> {
    let Some(path) = file else { return Ok(PolicySet::builtin().into_policies()) };
    let err = |message: String| ConfigError::Invalid { name: "policies_file".to_owned(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let set = PolicySet::with_file(&text, path.display().to_string())
        .map_err(|e| err(format!("{}: {e} ({})", path.display(), e.code())))?;
    Ok(set.into_policies())
}

/// `GET /v1/policies`: the service policies this server knows.
pub async fn policies(State(state): State<Arc<AppState>>) -> Response {
    let list: Vec<Value> = state.policies.iter().map(Policy::to_json).collect();
    Json(json!({"demo": state.demo, "policies": list})).into_response()
}

/// The server's verdict: the core's, except that a credential this server issued and revoked
/// is INVALID (`revoked`).
#[derive(Debug, Clone, Copy)]
pub struct Assessed {
    /// The verdict.
    pub verdict: Verdict,
    /// Reason code (`ok` when VALID).
    pub code: &'static str,
    /// `Some(revoked?)` when the credential is from this server's issuer key.
    pub revocation: Option<bool>,
}

/// Applies the server's own checks (revocation of its own credentials) on top of the core's.
pub fn assess(state: &AppState, v: &Verification) -> Assessed {
    let mut a = Assessed { verdict: v.verdict(), code: v.code(), revocation: None };
    if let (Some(own), Some(h)) = (&state.issuer, v.header())
        && v.verdict() == Verdict::Valid
        && own.issued(&h.key_id, v.issuer().map(|i| &i.public_key))
    {
        let revoked = state.revoked.read().map(|s| s.contains(&h.serial.get())).unwrap_or(true);
        a.revocation = Some(revoked);
        if revoked {
            a.verdict = Verdict::Invalid;
            a.code = "revoked";
        }
    }
    a
}

/// A warning on a VALID answer (a list in its grace period).
#[derive(Debug, Serialize)]
pub struct WarningOut {
    /// `trust_list_in_grace` or `status_list_in_grace`.
    pub code: &'static str,
    /// For the officer.
    pub message: String,
    /// Age of the list in days.
    pub age_days: i64,
}

fn warnings(state: &AppState, v: &Verification, l: Lang) -> Vec<WarningOut> {
    let Some(issuer) = v.issuer().filter(|_| v.verdict() == Verdict::Valid) else { return Vec::new() };
    state
        .lists
        .grace_warnings(&issuer.public_key)
        .into_iter()
        .map(|(code, age)| {
            let d = age.div_euclid(86_400);
            let message = match code {
                "trust_list_in_grace" => pick(
                    l,
                    &format!("Daftar penerbit tepercaya sudah {d} hari tidak diperbarui. Sinkronkan perangkat ini bila memungkinkan."),
                    &format!("The trusted issuer list is {d} days old. Sync this device when you can."),
                ),
                _ => pick(
                    l,
                    &format!("Daftar status (pencabutan) sudah {d} hari tidak diperbarui. Sinkronkan perangkat ini bila memungkinkan."),
                    &format!("The status (revocation) list is {d} days old. Sync this device when you can."),
                ),
            };
            WarningOut { code, message, age_days: d }
        })
        .collect()
}

/// Scan details (`/v1/verify/image`).
#[derive(Debug, Serialize)]
pub struct ScanOut {
    /// QR codes found in the image.
    pub codes_found: usize,
}

/// The JSON answer for one verification: the core's view (`ikd_core::view`, the same fields as
/// `ikd verify --json`), with the server's own fields beside it.
#[derive(Debug, Serialize)]
pub struct VerificationOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    demo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    #[serde(flatten)]
    view: VerificationView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<WarningOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scan: Option<ScanOut>,
}

/// The answer for the verification `v` of `text`: the core's view, with this server's
/// `revocation` check for its own credentials and the lists' grace warnings. `photo`: the
/// photo's image as a PNG data URL (single verifications), or only its size (batches).
pub fn verification_out(
    state: &AppState,
    v: &Verification,
    text: &str,
    a: &Assessed,
    l: Lang,
    photo: PhotoData,
    opts: &Options,
) -> VerificationOut {
    let view_opts =
        ViewOptions { lang: l, show_nik: opts.show_nik, photo, policy: opts.policy.as_ref().map(|p| p.name.as_str()) };
    let mut view = VerificationView::new(v, text, &view_opts);
    if let Some(revoked) = a.revocation {
        view.apply_revocation(revoked, l);
    }
    let warnings = if view.verdict == Verdict::Valid { warnings(state, v, l) } else { Vec::new() };
    VerificationOut { demo: Some(state.demo), index: None, view, warnings, scan: None }
}

fn audit_record(
    state: &AppState,
    actor: &str,
    source: &'static str,
    v: &Verification,
    a: &Assessed,
    at: &str,
) -> AuditRecord {
    state.metrics.verdict(source, a.verdict.as_str(), a.code);
    AuditRecord {
        at: at.to_owned(),
        event: "verify",
        actor: actor.to_owned(),
        source,
        serial: v.header().map(|h| h.serial.get()),
        key_id: v.header().map(|h| h.key_id.to_string()),
        verdict: a.verdict.as_str().to_owned(),
        code: a.code.to_owned(),
        items: None,
    }
}

/// The one audit entry of a `POST /v1/verify/batch` (event `verify_batch`): each text's index,
/// verdict, code, serial and key id in `items` (`crate::store::batch_item_line`), and the
/// batch's overall verdict (INVALID if any text is, else UNDETERMINED if any is, else VALID,
/// as `ikd verify --batch` exits) with the code `batch`. One row and one hash for the whole
/// batch instead of one per text: the same record of processing, at a fraction of the cost.
fn batch_audit_record(
    state: &AppState,
    actor: String,
    results: &[Verification],
    assessed: &[Assessed],
    summary: &BatchSummary,
) -> AuditRecord {
    state.metrics.verdicts("batch", summary);
    let mut items = String::with_capacity(results.len() * 48);
    for (i, (v, a)) in results.iter().zip(assessed).enumerate() {
        let h = v.header();
        crate::store::batch_item_line(
            &mut items,
            i,
            a.verdict.as_str(),
            a.code,
            h.map(|h| h.serial.get()),
            h.map(|h| &h.key_id as &dyn std::fmt::Display),
        );
    }
    AuditRecord {
        at: now_rfc3339(),
        event: "verify_batch",
        actor,
        source: "batch",
        serial: None,
        key_id: None,
        verdict: summary.overall().as_str().to_owned(),
        code: "batch".to_owned(),
        items: Some(items),
    }
}

/// Longest wait for the store's replay check of one live presentation; past it, the
/// in-process verdict stands (as when the store fails).
pub const REPLAY_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The replay check across instances and restarts: a VALID live presentation is recorded in
/// the store (`seen_presentations`), and one the store already holds (accepted before by
/// another instance sharing it, or by this one before a restart) becomes INVALID
/// `presentation_replayed`. Any other verification is returned as it is, without touching the
/// store. When the store fails or does not answer within [`REPLAY_CHECK_TIMEOUT`], the verdict
/// stands (this process's own replay cache has checked it): the failure is counted, and logged
/// once per outage, never answered with an error.
pub async fn check_replay(state: &AppState, v: Verification) -> Verification {
    let Some(token) = v.replay_token() else { return v };
    let now = Timestamp::now().unix();
    let recorded = state.store.record_presentation(token.id(), token.until().unix(), now);
    let outcome = match tokio::time::timeout(REPLAY_CHECK_TIMEOUT, recorded).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} s", REPLAY_CHECK_TIMEOUT.as_secs())),
    };
    match outcome {
        Ok(fresh) => {
            if state.metrics.replay_store_ok() {
                tracing::info!("replay checks of live presentations use the store again");
            }
            if fresh {
                v
            } else {
                state.metrics.replays_in_store.inc();
                tracing::info!(presentation = %token.id_hex(), "live presentation already accepted: replay refused");
                v.reject_replayed()
            }
        }
        Err(e) => {
            if state.metrics.replay_store_failed() {
                tracing::warn!(
                    error = %e,
                    presentation = %token.id_hex(),
                    "cannot check live presentations for replays in the store; only this process's own replay \
                     cache is checked until it is back"
                );
            }
            v
        }
    }
}

/// Records verifications in the audit log; fails closed (503) when the log cannot be written.
async fn audit(state: &AppState, records: Vec<AuditRecord>) -> Result<(), ApiError> {
    state.audit.append(records).await.map(|_| ()).map_err(|e| {
        tracing::error!(error = %e, "verification not answered: audit log unavailable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            "the audit log cannot be written, so no verification result is given; try again or contact the operator",
        )
    })
}

/// `POST /v1/verify`.
pub async fn verify_text(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Response, ApiError> {
    let l = lang(&headers);
    let actor = counter(&headers)?;
    let opts = Options {
        show_nik: body.show_nik.unwrap_or(false),
        ..options(&state, body.policy.as_deref(), body.challenge.as_deref(), l)?
    };
    // Verified together with the texts of concurrent requests (one signature batch).
    let verifier = state.verifier_now().await;
    let Some((v, qr, opts)) = state.verify_queue.verify(verifier, body.qr, opts).await else {
        tracing::error!("a signature batch's verification failed");
        return Err(ApiError::internal());
    };
    let v = check_replay(&state, v).await;
    let a = assess(&state, &v);
    audit(&state, vec![audit_record(&state, &actor, "text", &v, &a, &now_rfc3339())]).await?;
    Ok(Json(verification_out(&state, &v, &qr, &a, l, PhotoData::Png, &opts)).into_response())
}

/// `POST /v1/verify/batch`.
pub async fn verify_batch(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Response, ApiError> {
    let l = lang(&headers);
    let actor = counter(&headers)?;
    let max = state.limits.max_batch_items;
    if body.qrs.len() > max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "batch_too_large",
            format!("a batch holds at most {max} credential texts; {} were sent", body.qrs.len()),
        )
        .with("max", max));
    }
    let opts = Options {
        show_nik: body.show_nik.unwrap_or(false),
        ..options(&state, body.policy.as_deref(), body.challenge.as_deref(), l)?
    };
    let verifier = state.verifier_now().await;
    let qrs = body.qrs;
    // One signature batch, each text with the request's policy and challenge. It runs on this
    // worker thread in `block_in_place`, which first hands the worker's other tasks to another
    // thread, so nothing waits behind the batch; `spawn_blocking` cost about 90 µs more CPU per
    // request in thread hand-offs (issue 18, docs/SERVER.md §11). A current-thread runtime
    // (tests) has no other thread: it runs inline.
    let items: Vec<(&str, VerifyOptions<'_>)> = qrs.iter().map(|t| (t.as_str(), opts.verify_options())).collect();
    let verify = || verifier.verify_batch_with(&items);
    let results = match tokio::runtime::Handle::current().runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(verify),
        _ => verify(),
    };
    drop(items);
    // Per item; only VALID live presentations touch the store (a batch without any is not
    // moved through the check item by item).
    let results = if results.iter().any(|v| v.replay_token().is_some()) {
        let mut checked: Vec<Verification> = Vec::with_capacity(results.len());
        for v in results {
            checked.push(check_replay(&state, v).await);
        }
        checked
    } else {
        results
    };
    let assessed: Vec<Assessed> = results.iter().map(|v| assess(&state, v)).collect();
    let mut summary = BatchSummary::default();
    for a in &assessed {
        summary.add(a.verdict, a.code);
    }
    if !results.is_empty() {
        audit(&state, vec![batch_audit_record(&state, actor, &results, &assessed, &summary)]).await?;
    }
    let items = match body.answer.unwrap_or_default() {
        BatchAnswer::Full => BatchItems::Full(
            results
                .iter()
                .zip(&assessed)
                .zip(&qrs)
                .enumerate()
                .map(|(i, ((v, a), text))| VerificationOut {
                    demo: None,
                    index: Some(i),
                    ..verification_out(&state, v, text, a, l, PhotoData::None, &opts)
                })
                .collect(),
        ),
        BatchAnswer::Verdicts => BatchItems::Verdicts(
            results
                .iter()
                .zip(&assessed)
                .enumerate()
                .map(|(index, (v, a))| {
                    let mut line = VerdictLine::new(v, l);
                    if let Some(revoked) = a.revocation {
                        line.apply_revocation(revoked, l);
                    }
                    VerdictItem { index, line }
                })
                .collect(),
        ),
    };
    // Serialized straight from the structs (a `json!` map first copied every item into a
    // `Value` tree).
    Ok(Json(BatchOut { demo: state.demo, count: results.len(), summary, results: items }).into_response())
}

/// The answer of `POST /v1/verify/batch`.
#[derive(Debug, Serialize)]
struct BatchOut {
    demo: bool,
    count: usize,
    /// The core's summary: counts by verdict and reason code (as `ikd verify --batch --json`).
    summary: BatchSummary,
    results: BatchItems,
}

/// One item per text, in order, as `"answer"` asked.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BatchItems {
    Full(Vec<VerificationOut>),
    Verdicts(Vec<VerdictItem>),
}

/// An item of `"answer": "verdicts"`.
#[derive(Debug, Serialize)]
struct VerdictItem {
    index: usize,
    #[serde(flatten)]
    line: VerdictLine,
}

fn mime_essence(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_image_type(m: &str) -> bool {
    matches!(m, "image/png" | "image/jpeg" | "image/jpg" | "image/pjpeg" | "image/webp")
}

/// Reads the image from a raw PNG/JPEG body or a multipart form (field `image`).
async fn read_image(state: &Arc<AppState>, req: Request) -> Result<Bytes, ApiError> {
    let mime = mime_essence(req.headers());
    if is_image_type(&mime) {
        return Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large(state)
            } else {
                ApiError::bad_request(format!("the image could not be read: {}", rej.body_text()))
            }
        });
    }
    if mime == "multipart/form-data" {
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|rej| ApiError::bad_request(format!("the multipart form is not valid: {}", rej.body_text())))?;
        loop {
            let field = mp.next_field().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large(state)
                } else {
                    ApiError::bad_request(format!("the multipart form is not valid: {}", e.body_text()))
                }
            })?;
            let Some(field) = field else {
                return Err(ApiError::bad_request("the multipart form has no `image` field"));
            };
            if field.name() != Some("image") {
                continue;
            }
            if let Some(ct) = field.content_type() {
                let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                if !is_image_type(&ct) && ct != "application/octet-stream" {
                    return Err(ApiError::unsupported_media_type(format!(
                        "the `image` field is {ct}; send a PNG, JPEG or WebP photo"
                    )));
                }
            }
            return field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large(state)
                } else {
                    ApiError::bad_request(format!("the image could not be read: {}", e.body_text()))
                }
            });
        }
    }
    Err(ApiError::unsupported_media_type(
        "send the photo as `Content-Type: image/png`, `image/jpeg` or `image/webp`, or as multipart/form-data with a field `image`",
    ))
}

fn too_large(state: &AppState) -> ApiError {
    ApiError::too_large(format!("the image is larger than the {} bytes accepted", state.limits.max_image_body))
        .with("max", state.limits.max_image_body)
}

/// Maps a scan error to an HTTP error (the core's code and message in the client's language):
/// no QR code → 422 with the hint's code.
pub fn scan_error(e: &ScanError, l: Lang) -> ApiError {
    let status = match e {
        ScanError::InputTooLarge { .. } | ScanError::TooManyPixels { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        ScanError::UnsupportedFormat => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let err = ApiError::from_core(status, e, l);
    match e {
        ScanError::NoCode { hint: Some(h) } => err.with("hint", h.code().to_string()),
        _ => err,
    }
}

/// Refuses (413 `image_too_large`) an image whose header declares more than
/// `limits.max_image_pixels` pixels, before anything is decoded: a small PNG or JPEG can declare
/// a huge canvas (a decompression bomb). Images whose header cannot be read are left to the
/// scanner, which answers them.
fn check_image_pixels(state: &AppState, bytes: &[u8]) -> Result<(), ApiError> {
    let dims = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok());
    let max = state.limits.max_image_pixels;
    match dims {
        Some((w, h)) if u64::from(w) * u64::from(h) > max => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            format!("the image is {w} × {h} pixels; at most {max} pixels are accepted: send a smaller photo"),
        )
        .with("max_pixels", max)),
        _ => Ok(()),
    }
}

/// `POST /v1/verify/image`.
pub async fn verify_image(
    State(state): State<Arc<AppState>>,
    Query(q): Query<VerifyQuery>,
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    let l = lang(&headers);
    let actor = counter(&headers)?;
    let opts = Options {
        show_nik: q.show_nik.unwrap_or(false),
        ..options(&state, q.policy.as_deref(), q.challenge.as_deref(), l)?
    };
    let effort = match q.source.as_deref() {
        None | Some("") | Some("upload") => scan::ScanEffort::Thorough,
        Some("camera") => scan::ScanEffort::LiveFrame,
        Some(_) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", "source must be camera or upload"));
        }
    };
    // A bounded number of image requests hold a body and a decode slot or a place in the queue;
    // the next ones are answered 503 at once, before their body is read.
    let Ok(_admitted) = Arc::clone(&state.image_admission).try_acquire_owned() else {
        return Ok(crate::app::busy(&state, "images", "too many images are being read; try again in a moment"));
    };
    let bytes = read_image(&state, req).await?;
    check_image_pixels(&state, &bytes)?;
    let permit = Arc::clone(&state.images).acquire_owned().await.map_err(|_| ApiError::internal())?;
    state.metrics.images_in_flight.inc();
    let start = Instant::now();
    let decoded = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        scan::decode_image_with(&bytes, &ScanLimits::default(), effort)
    })
    .await;
    state.metrics.images_in_flight.dec();
    state.metrics.image_decode.observe(start.elapsed().as_secs_f64());
    let codes = match decoded {
        Ok(Ok(codes)) => codes,
        Ok(Err(e)) => return Err(scan_error(&e, l)),
        Err(e) => {
            tracing::error!(error = %e, "image decoding task failed");
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "decoder_failed",
                "the image could not be decoded",
            ));
        }
    };
    let found = codes.len();
    // The core picks the text (the first IKD code's, else the first text) or answers
    // `qr_not_text` when the codes hold none.
    let text = scan::text_to_verify(&codes).map_err(|e| scan_error(&e, l))?.to_owned();
    let v = state.verifier_now().await.verify_with(&text, &opts.verify_options());
    let v = check_replay(&state, v).await;
    let a = assess(&state, &v);
    audit(&state, vec![audit_record(&state, &actor, "image", &v, &a, &now_rfc3339())]).await?;
    let out = VerificationOut {
        scan: Some(ScanOut { codes_found: found }),
        ..verification_out(&state, &v, &text, &a, l, PhotoData::Png, &opts)
    };
    Ok(Json(out).into_response())
}
