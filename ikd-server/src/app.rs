//! Application state, the router (with its route table for the OpenAPI check) and the
//! middleware stack.
//!
//! # Where `impl AppState` lives
//!
//! [`AppState`] is declared and built here ([`App::from_parts`]). Its methods live in one
//! `impl AppState` block, in [`crate::sync`]: they keep the server's *own* status list
//! (`verifier_now`, `refresh_own_status`, `start_own_status`, `adopt_stored_own_status`,
//! `is_own_status_key`) and work on the private state of [`crate::sync::Lists`]. No other
//! module adds methods to `AppState`: a behaviour that needs the whole state is a free function
//! taking `&AppState` (or a `Weak` of it) in its own module, as [`crate::readiness`] and
//! [`crate::revocations`] are.
//!
//! # Layers
//!
//! The storage layer ([`crate::store`]) knows nothing of HTTP or of this module: it uses only
//! the audit chain's hashing and the TLS settings (checked by `tests/layers.rs`). The
//! configuration opens it ([`crate::config::Config::open_store`]); the app, the HTTP handlers
//! (`api`) and the background tasks sit above both.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, RwLock};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use ikd_core::{Issuer, SecretKey, TrustStore, TrustedIssuer, Verifier};
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::api;
use crate::audit::{AuditLog, AuditTask};
use crate::config::{AdminToken, Config, IssuanceConfig, Limits};
use crate::demo::{self, DemoSample};
use crate::error::{ApiError, RenderedError};
use crate::metrics::Metrics;
use crate::store::{Store, StoreError};

/// The server's issuer, when it holds a key.
pub struct IssuerState {
    /// The signer.
    pub issuer: Issuer,
    /// Its key id, hex.
    pub key_id: String,
    /// Name shown in responses.
    pub name: String,
}

impl IssuerState {
    /// Whether a credential (its header's `key_id`, and `signer`, the trusted key that verified
    /// its signature) was issued with this server's own key, so that this server's revocations
    /// apply to it. The 3-byte key id is only a hint: another trusted issuer's key can share it
    /// (one in 16.7 million pairs), so the **whole** public key that verified the signature must
    /// be ours.
    pub fn issued(&self, key_id: &ikd_core::KeyId, signer: Option<&ikd_core::PublicKey>) -> bool {
        key_id.to_string() == self.key_id && is_own_key(&self.issuer.public_key(), signer)
    }
}

/// Whether `signer` (the key that verified a credential, if any) is `own`. Compares all 32
/// bytes of the public keys, never key ids.
pub fn is_own_key(own: &ikd_core::PublicKey, signer: Option<&ikd_core::PublicKey>) -> bool {
    signer.is_some_and(|k| k.as_bytes() == own.as_bytes())
}

impl std::fmt::Debug for IssuerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerState").field("key_id", &self.key_id).field("name", &self.name).finish_non_exhaustive()
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    /// The offline verifier over the trust store.
    pub verifier: Verifier,
    /// The issuer, if this server issues.
    pub issuer: Option<IssuerState>,
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Audit writer.
    pub audit: AuditLog,
    /// Admin token.
    pub admin: Option<AdminToken>,
    /// Metrics.
    pub metrics: Metrics,
    /// Limits.
    pub limits: Limits,
    /// Issuing settings.
    pub issuance: IssuanceConfig,
    /// Bounds concurrent image decoding.
    pub images: Arc<Semaphore>,
    /// Image requests admitted (decoding or waiting to): `image_workers + image_queue`.
    pub image_admission: Arc<Semaphore>,
    /// Requests being handled (`max_in_flight_requests`).
    pub in_flight: Arc<Semaphore>,
    /// Demo mode.
    pub demo: bool,
    /// Demo samples (demo mode only).
    pub samples: RwLock<Vec<DemoSample>>,
    /// Revoked serials of this server's own issuer key (cache of the store).
    pub revoked: RwLock<HashSet<u64>>,
    /// The counter page, with its demo marking applied.
    pub page: String,
    /// Trust and status lists, the current verifier made from them, and the sync state
    /// (`crate::sync`). Handlers verify with [`AppState::verifier_now`]; `verifier` above is
    /// the one built at start-up.
    pub lists: Arc<crate::sync::Lists>,
    /// Service policies for `POST /v1/verify` (built-in ones and `policies_file`).
    pub policies: Vec<ikd_core::Policy>,
    /// Concurrent `/v1/verify` requests' texts, verified together (`limits.signature_batch`).
    pub verify_queue: crate::batching::VerifyQueue,
}

/// What the server is built from. [`App::from_config`] fills it from files; tests fill it
/// directly.
pub struct AppParts {
    /// Trusted issuers.
    pub trust: TrustStore,
    /// Issuer key, enabling the issuing endpoints.
    pub issuer: Option<(SecretKey, String)>,
    /// Admin token.
    pub admin: Option<AdminToken>,
    /// The store.
    pub store: Arc<dyn Store>,
    /// Limits.
    pub limits: Limits,
    /// Issuing settings.
    pub issuance: IssuanceConfig,
    /// Demo mode.
    pub demo: bool,
}

impl std::fmt::Debug for AppParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The issuer key is never printed.
        f.debug_struct("AppParts")
            .field("issuers", &self.trust.issuers().len())
            .field("issuer", &self.issuer.as_ref().map(|(k, n)| (k.public_key().key_id(), n)))
            .field("admin", &self.admin)
            .field("store", &self.store)
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

/// Why the server could not start. Messages never hold secrets.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A configuration problem.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The trust store file is missing or invalid.
    #[error("trust store {path}: {message}")]
    TrustStore {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The issuer key file is missing or invalid (the message never quotes the file).
    #[error("issuer key {path}: {message}")]
    IssuerKey {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The issuer key file can be read by other users than its owner (unix mode `& 0o077` is
    /// not 0): whoever can read it can issue credentials. The server refuses to start.
    #[error(
        "issuer key {path}: the secret key file is readable by other users (mode {mode:04o}); \
         run `chmod 600 {path}` and start again"
    )]
    IssuerKeyExposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Demo setup failed.
    #[error("demo setup: {0}")]
    Demo(String),
}

/// A built application: the router, its state, what to print at startup, and the audit
/// writer task to await at shutdown.
#[derive(Debug)]
pub struct App {
    /// The state.
    pub state: Arc<AppState>,
    /// Lines describing what the server trusts and how to change it.
    pub banner: Vec<String>,
    /// The audit writer (finishes once the router and state are dropped).
    pub audit_task: AuditTask,
}

/// Loads a trust store file.
pub fn load_trust_store(path: &Path) -> Result<TrustStore, StartupError> {
    let err = |message: String| StartupError::TrustStore { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    TrustStore::from_json(&text).map_err(|e| err(format!("{e} ({})", e.code())))
}

/// Loads an issuer secret key file. On unix, a file that other users can read (group or
/// others bits set, `mode & 0o077 != 0`) is refused with [`StartupError::IssuerKeyExposed`]
/// before it is read: demo mode never loads one (it makes its own key, mode 0600).
pub fn load_issuer_key(path: &Path) -> Result<SecretKey, StartupError> {
    let err = |message: String| StartupError::IssuerKey { path: path.display().to_string(), message };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(|e| err(e.to_string()))?.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(StartupError::IssuerKeyExposed { path: path.display().to_string(), mode });
        }
    }
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?);
    SecretKey::from_file_text(&text).map_err(|e| err(format!("{e} ({})", e.code())))
}

impl App {
    /// Builds the application from the configuration: opens the store, reads the trust store
    /// and keys, and in demo mode creates the demo issuer and samples.
    pub async fn from_config(config: &Config) -> Result<App, StartupError> {
        if config.demo {
            let mut app = demo::build(config).await?;
            let lines = crate::sync::demo_trust_list(&app.state, &config.data_dir.join("demo"))?;
            app.banner.extend(lines);
            return Ok(app);
        }
        let trust = match &config.trust_store {
            Some(p) => load_trust_store(p)?,
            None => TrustStore::new(),
        };
        let issuer = match &config.issuer_key {
            Some(p) => {
                let key = load_issuer_key(p)?;
                let name = config.issuer_name.clone().unwrap_or_else(|| "IKD issuer".to_owned());
                Some((key, name))
            }
            None => None,
        };
        let store = config.open_store(false).await?;
        let extras = crate::sync::Extras {
            lists: config.lists.clone(),
            data_dir: Some(config.data_dir.clone()),
            policies: Some(api::verify::load_policies(config.policies_file.as_deref())?),
        };
        let mut app = App::from_parts_with(
            AppParts {
                trust,
                issuer,
                admin: config.admin_token.clone(),
                store: Arc::clone(&store),
                limits: config.limits,
                issuance: config.issuance,
                demo: false,
            },
            extras,
        )
        .await?;
        app.banner = banner(&app.state, None);
        app.banner.push(format!("Store: {}", store.describe()));
        if let Some(path) = &config.audit_checkpoint_key {
            let key = crate::audit::load_checkpoint_key(path, true).map_err(|message| {
                crate::config::ConfigError::Invalid { name: "audit_checkpoint_key".to_owned(), message }
            })?;
            let signer = crate::audit::CheckpointSigner::new(key, config.audit_checkpoint_every);
            app.banner.push(format!(
                "Audit checkpoints: every {} entries and at shutdown, signed by {}",
                signer.every(),
                signer.public_key().to_text()
            ));
            app.state.audit.enable_checkpoints(signer);
        }
        app.banner.extend(crate::sync::banner_lines(&app.state));
        Ok(app)
    }

    /// Builds the application from parts (no trust list, no sync, built-in policies).
    pub async fn from_parts(parts: AppParts) -> Result<App, StartupError> {
        App::from_parts_with(parts, crate::sync::Extras::default()).await
    }

    /// Builds the application from parts, with trust lists, sync and policies.
    pub async fn from_parts_with(parts: AppParts, extras: crate::sync::Extras) -> Result<App, StartupError> {
        let metrics = Metrics::new();
        let (audit, audit_task) = AuditLog::start(Arc::clone(&parts.store), metrics.clone())
            .map_err(|e| StoreError::Open(format!("cannot start the audit writer: {e}")))?;
        let lists = crate::sync::Lists::open(
            parts.trust.clone(),
            parts.issuer.as_ref().map(|(k, _)| k),
            parts.issuance,
            &extras,
            &metrics,
        )?;
        let issuer = parts.issuer.map(|(key, name)| {
            let issuer = Issuer::new(key);
            let key_id = issuer.public_key().key_id().to_string();
            IssuerState { issuer, key_id, name }
        });
        let revoked = match &issuer {
            Some(i) => parts.store.revoked_serials(&i.key_id).await?.into_iter().collect(),
            None => HashSet::new(),
        };
        let state = AppState {
            verifier: lists.verifier().as_ref().clone(),
            issuer,
            store: parts.store,
            audit,
            admin: parts.admin,
            verify_queue: crate::batching::VerifyQueue::new(parts.limits.signature_batch, metrics.clone()),
            metrics,
            limits: parts.limits,
            issuance: parts.issuance,
            images: Arc::new(Semaphore::new(parts.limits.image_workers)),
            image_admission: Arc::new(Semaphore::new(
                parts.limits.image_workers.saturating_add(parts.limits.image_queue),
            )),
            in_flight: Arc::new(Semaphore::new(parts.limits.max_in_flight_requests)),
            demo: parts.demo,
            samples: RwLock::new(Vec::new()),
            revoked: RwLock::new(revoked),
            page: api::page::render_page(parts.demo),
            lists: Arc::new(lists),
            policies: extras.policies.unwrap_or_else(ikd_core::Policy::builtin),
        };
        let state = Arc::new(state);
        // The own status list: the newest stored one (imported from the copy an older version
        // kept, when the store holds none), re-signed if it lacks a revocation.
        state.start_own_status().await;
        if state.issuer.is_some() {
            // Other instances revoke and publish too: read their revocations and status list
            // back (docs/SCALING.md); retry publishing after a failure.
            tokio::spawn(crate::revocations::refresh_revocations(Arc::downgrade(&state)));
        }
        crate::sync::start(&state);
        Ok(App { state, banner: Vec::new(), audit_task })
    }

    /// The router.
    pub fn router(&self) -> Router {
        routes(&self.state).0
    }
}

/// Seeds of the test keys used by this workspace's tests and test vectors. Their secret keys are
/// public knowledge, so trusting one is almost certainly a mistake: the server says so loudly.
const WELL_KNOWN_TEST_SEEDS: [u8; 5] = [0x11, 0x22, 0x48, 0x99, 0x07];

/// Trusted issuers whose key is one of the workspace's public test keys.
pub fn trusted_test_keys(trust: &TrustStore) -> Vec<String> {
    let test_keys: Vec<_> =
        WELL_KNOWN_TEST_SEEDS.iter().map(|b| SecretKey::from_seed(&[*b; 32]).public_key()).collect();
    trust
        .issuers()
        .iter()
        .filter(|i| test_keys.contains(&i.public_key))
        .map(|i| format!("{} (key id {})", i.name, i.key_id()))
        .collect()
}

/// Lines printed at startup: what is trusted, and how to add issuers when nothing is.
pub fn banner(state: &AppState, db: Option<&Path>) -> Vec<String> {
    let mut out = Vec::new();
    let issuers = state.verifier.trust_store().issuers();
    for t in trusted_test_keys(state.verifier.trust_store()) {
        tracing::warn!(issuer = %t, "the trust store holds a PUBLIC TEST KEY");
        out.push(format!(
            "WARNING: the trust store holds a PUBLIC TEST KEY (anyone can sign with it): {t}. Remove it for real use."
        ));
    }
    if state.demo {
        out.push("*** DEMO MODE: trusting ONLY the local demo issuer; every response is marked DEMO ***".to_owned());
    }
    match issuers.len() {
        0 if state.lists.awaits_trust_list() => {
            out.push("Trusted issuers: none yet; they come with the trust list of the first sync (below).".into());
        }
        0 => {
            out.push("Trusted issuers: NONE. Every credential will be answered UNDETERMINED (issuer_unknown).".into());
            out.push("To trust an issuer:".into());
            out.push(
                "  1. the issuing office makes a key:  ikd key new issuer.key --name \"DISDUKCAPIL ...\"  (issuer.key stays secret)".into(),
            );
            out.push("  2. add its PUBLIC key to a trust store:  ikd trust add --store trust.json --name \"DISDUKCAPIL ...\" --key <its .pub file or ikdpk1:...>".into());
            out.push("  3. start the server with it:  cargo run --release -p ikd-server -- --trust trust.json".into());
            out.push(
                "     (or IKD_TRUST=trust.json, formerly IKD_TRUST_STORE; or trust = \"trust.json\" in ikd-server.toml; \
                 see docs/SERVER.md)"
                    .into(),
            );
            out.push(
                "To try the server with sample credentials instead:  cargo run --release -p ikd-server -- --demo"
                    .into(),
            );
        }
        n => {
            out.push(format!("Trusted issuers ({n}):"));
            for i in issuers {
                out.push(format!("  - {} (key id {}, {} .. {})", i.name, i.key_id(), i.not_before, i.not_after));
            }
        }
    }
    match &state.issuer {
        Some(i) => {
            out.push(format!("Issuing: ENABLED with key id {} ({}) at POST /v1/credentials", i.key_id, i.name));
            if !issuers.iter().any(|t: &TrustedIssuer| t.key_id().to_string() == i.key_id) {
                out.push(
                    "  note: this server's own issuer key is not in its trust store, so credentials it issues \
                          verify UNDETERMINED here until you add it"
                        .into(),
                );
            }
        }
        None => out.push("Issuing: disabled (no issuer key configured)".into()),
    }
    out.push(format!(
        "Admin token: {}",
        if state.admin.is_some() { "configured" } else { "not configured (admin endpoints answer 401)" }
    ));
    if let Some(db) = db {
        out.push(format!("Store: SQLite at {}", db.display()));
    }
    out
}

/// Collects routes with their methods so the OpenAPI test can compare them to the document.
struct Routes {
    router: Router<Arc<AppState>>,
    table: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add(mut self, path: &'static str, methods: &[Method], mr: MethodRouter<Arc<AppState>>) -> Routes {
        for m in methods {
            self.table.push((m.clone(), path));
        }
        self.router = self.router.route(path, mr);
        self
    }
}

fn limited(mr: MethodRouter<Arc<AppState>>, bytes: usize) -> MethodRouter<Arc<AppState>> {
    mr.layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(bytes))
        .layer::<_, std::convert::Infallible>(RequestBodyLimitLayer::new(bytes))
}

/// Builds the router and its route table.
pub fn routes(state: &Arc<AppState>) -> (Router, Vec<(Method, &'static str)>) {
    let l = state.limits;
    let mut r = Routes { router: Router::new(), table: Vec::new() }
        .add("/", &[Method::GET], get(api::page::index))
        .add("/static/app.js", &[Method::GET], get(api::page::app_js))
        .add("/static/app.css", &[Method::GET], get(api::page::app_css))
        .add("/static/icon.svg", &[Method::GET], get(api::page::icon))
        .add("/manifest.webmanifest", &[Method::GET], get(api::page::manifest))
        .add("/sw.js", &[Method::GET], get(api::page::service_worker))
        .add("/wallet/", &[Method::GET], get(api::page::wallet_index))
        .add("/wallet/wallet.js", &[Method::GET], get(api::page::wallet_js))
        .add("/wallet/wallet.css", &[Method::GET], get(api::page::wallet_css))
        .add("/wallet/manifest.webmanifest", &[Method::GET], get(api::page::wallet_manifest))
        .add("/wallet/sw.js", &[Method::GET], get(api::page::wallet_sw))
        .add("/healthz", &[Method::GET], get(api::misc::healthz))
        .add("/readyz", &[Method::GET], get(api::misc::readyz))
        .add("/metrics", &[Method::GET], get(api::misc::metrics))
        .add("/v1/openapi.json", &[Method::GET], get(api::misc::openapi))
        .add("/v1/info", &[Method::GET], get(api::misc::info))
        .add("/v1/policies", &[Method::GET], get(api::verify::policies))
        .add("/v1/trust-list", &[Method::GET], get(api::lists::trust_list))
        .add("/v1/status/{key_id}", &[Method::GET], get(api::lists::status_list))
        .add("/v1/sync/status", &[Method::GET], get(api::lists::sync_status))
        .add("/v1/verify", &[Method::POST], limited(post(api::verify::verify_text), l.max_text_body))
        .add("/v1/verify/batch", &[Method::POST], limited(post(api::verify::verify_batch), l.max_batch_body))
        .add("/v1/verify/image", &[Method::POST], limited(post(api::verify::verify_image), l.max_image_body))
        .add("/v1/audit/verify", &[Method::GET], get(api::misc::audit_verify))
        .add("/v1/offline/bundle", &[Method::GET], get(api::offline::bundle))
        .add("/v1/audit/entries", &[Method::POST], limited(post(api::offline::upload), l.max_text_body));
    for path in api::page::wasm_paths() {
        r = r.add(path, &[Method::GET], get(api::page::wasm_asset));
    }
    if state.issuer.is_some() {
        // A base64 photo may come with the claims: allow an image's size plus base64 overhead.
        let issue_body = l.max_image_body / 3 * 4 + l.max_text_body;
        r = r.add("/v1/credentials", &[Method::POST], limited(post(api::issue::issue), issue_body)).add(
            "/v1/credentials/{serial}/revoke",
            &[Method::POST],
            limited(post(api::issue::revoke), l.max_text_body),
        );
    }
    if state.demo {
        r = r.add("/v1/demo/samples", &[Method::GET], get(api::misc::demo_samples));
    }
    let table = r.table;
    let router = r
        .router
        .route_layer(middleware::from_fn(crate::metrics::mark_route))
        .fallback(fallback)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, l.request_timeout))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(middleware::from_fn_with_state(Arc::clone(state), shed_load))
        .layer(middleware::from_fn_with_state(Arc::clone(state), finalize))
        .layer(middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .with_state(Arc::clone(state));
    (router, table)
}

async fn fallback() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; the API is described at /v1/openapi.json")
}

/// Answer of a request refused at a load limit: 503 `busy` with `Retry-After: 1`, counted in
/// `ikd_http_requests_shed_total{limit}`.
pub fn busy(state: &AppState, limit: &'static str, message: &str) -> Response {
    state.metrics.shed.with_label_values(&[limit]).inc();
    let mut resp =
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message).with("retry_after_secs", 1).into_response();
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// Load shedding: at most `max_in_flight_requests` requests are handled at once; the next
/// ones are answered 503 `busy` at once instead of queueing.
async fn shed_load(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Ok(_permit) = Arc::clone(&state.in_flight).try_acquire_owned() else {
        return busy(&state, "requests", "the server is handling too many requests; try again in a moment");
    };
    next.run(req).await
}

/// The demo header.
pub static DEMO_HEADER: HeaderName = HeaderName::from_static("x-ikd-demo");

/// Outer middleware: gives every error response the JSON error shape (layers such as the
/// timeout, body limit and method router answer with bare statuses), and marks demo responses.
async fn finalize(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let mut resp = match resp.extensions().get::<RenderedError>() {
        // Our own errors already have the JSON shape; on a demo server add `"demo": true`.
        Some(RenderedError(e)) if is_error && state.demo => {
            let e = e.clone();
            rerender(resp, &e, true)
        }
        Some(_) => resp,
        // A bare status from a layer (404, 405, 408, 413, ...): give it the JSON shape.
        None if is_error => rerender(resp, &ApiError::from_status(status), state.demo),
        None => resp,
    };
    if state.demo {
        resp.headers_mut().insert(DEMO_HEADER.clone(), HeaderValue::from_static("1"));
    }
    resp
}

fn rerender(old: Response, e: &ApiError, demo: bool) -> Response {
    let (parts, _) = old.into_parts();
    let mut new = (parts.status, Json(e.body(demo))).into_response();
    // Keep headers such as Allow (405) and WWW-Authenticate (401), but not the old body's.
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            new.headers_mut().insert(k.clone(), v.clone());
        }
    }
    new.extensions_mut().extend(parts.extensions);
    new
}

#[cfg(test)]
mod own_key_tests {
    use super::*;

    /// The server's own-revocation check used to compare only the 3-byte key id: a credential
    /// of another trusted issuer whose key id equals ours was judged by our revocations (and
    /// answered INVALID `revoked` when its serial matched one we revoked).
    #[test]
    fn regression_own_revocations_need_the_whole_public_key() {
        let own_key = SecretKey::from_seed(&[1; 32]);
        let other = SecretKey::from_seed(&[2; 32]).public_key();
        let own = IssuerState {
            key_id: own_key.public_key().key_id().to_string(),
            issuer: Issuer::new(own_key),
            name: "own".into(),
        };
        let own_pk = own.issuer.public_key();
        let own_id = own_pk.key_id();
        // A credential whose header names our key id but was verified with another key (a
        // trusted issuer whose key id collides with ours): not ours.
        assert!(!own.issued(&own_id, Some(&other)));
        // No verifying key (not VALID): not ours either.
        assert!(!own.issued(&own_id, None));
        // Our key and our key id: ours.
        assert!(own.issued(&own_id, Some(&own_pk)));
        // Our key under another key id cannot happen; it is not ours by this check.
        assert!(!own.issued(&other.key_id(), Some(&own_pk)));
        assert!(is_own_key(&own_pk, Some(&own_pk)) && !is_own_key(&own_pk, Some(&other)));
    }
}
