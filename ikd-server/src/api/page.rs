//! The counter page: HTML, JS and CSS embedded in the binary (no CDN, works offline), the web
//! app manifest and service worker that make it an installable app that opens and verifies
//! with the server stopped, and the WebAssembly modules it verifies and reads QR codes with
//! (embedded by `build.rs` when they were built; see `docs/SERVER.md` §8).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

const INDEX_HTML: &str = include_str!("../../static/index.html");
const APP_JS: &str = include_str!("../../static/app.js");
const APP_CSS: &str = include_str!("../../static/app.css");
const SW_JS: &str = include_str!("../../static/sw.js");
const MANIFEST: &str = include_str!("../../static/manifest.webmanifest");
const ICON_SVG: &str = include_str!("../../static/icon.svg");

include!(concat!(env!("OUT_DIR"), "/wasm_assets.rs"));

/// Content-Security-Policy of the page: only this server's own script, style and API; images
/// from `data:` (photos, QR codes) and the camera stream from `blob:`/`mediastream:`;
/// `'wasm-unsafe-eval'` lets the page compile this server's WebAssembly modules (no `eval` of
/// JS); the manifest and the service worker come from this server only.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; \
                       manifest-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                       media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'none'; \
                       frame-ancestors 'none'; base-uri 'none'";

/// The page with its demo marking applied.
pub fn render_page(demo: bool) -> String {
    if demo {
        INDEX_HTML
            .replace("<html lang=\"id\">", "<html lang=\"id\" data-demo=\"1\">")
            .replace("<title>", "<title>DEMO - ")
            .replace(
                "<!--DEMO-BANNER-->",
                "<div id=\"demo-banner\" class=\"demo-banner\" role=\"alert\"><span><strong>DEMO</strong> &mdash; \
                 <span data-i18n=\"demo_banner\">Mode demo: hanya penerbit contoh yang dipercaya. \
                 Hasil di sini BUKAN verifikasi resmi.</span></span></div>",
            )
    } else {
        INDEX_HTML.to_owned()
    }
}

/// `GET /`.
pub async fn index(State(state): State<Arc<AppState>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        state.page.clone(),
    )
        .into_response()
}

/// `GET /static/app.js`.
pub async fn app_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], APP_JS)
        .into_response()
}

/// `GET /static/app.css`.
pub async fn app_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], APP_CSS).into_response()
}

/// `GET /static/icon.svg`: the app icon of the manifest.
pub async fn icon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-cache")], ICON_SVG).into_response()
}

/// `GET /manifest.webmanifest`: the web app manifest (installable app, scope `/`).
pub async fn manifest() -> Response {
    ([(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "no-cache")], MANIFEST)
        .into_response()
}

/// `GET /sw.js`: the service worker. Served from the root so that its scope is the whole
/// page (`Service-Worker-Allowed: /` says the same explicitly); `no-cache`, so the browser's
/// update check always reaches the server, and the page's own CSP.
pub async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("service-worker-allowed"), "/"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        SW_JS,
    )
        .into_response()
}

/// The URL paths of the embedded WASM assets (the router adds one route each).
pub fn wasm_paths() -> impl Iterator<Item = &'static str> {
    WASM_ASSETS.iter().map(|(p, _, _)| *p)
}

/// Whether the verification module (`/static/wasm/ikd_wasm.js` and its `.wasm`) is embedded.
pub fn has_verifier_module() -> bool {
    ["/static/wasm/ikd_wasm.js", "/static/wasm/ikd_wasm_bg.wasm"].iter().all(|p| wasm_paths().any(|q| q == *p))
}

/// Whether the QR reader module is embedded.
pub fn has_reader_module() -> bool {
    ["/static/wasm/reader/ikd_reader.js", "/static/wasm/reader/ikd_reader_bg.wasm"]
        .iter()
        .all(|p| wasm_paths().any(|q| q == *p))
}

/// `GET /static/wasm/...`: an embedded module or its JS glue, with its content type
/// (`application/wasm` for the modules, which `WebAssembly.instantiateStreaming` requires).
pub async fn wasm_asset(uri: Uri) -> Response {
    match WASM_ASSETS.iter().find(|(p, _, _)| *p == uri.path()) {
        Some((_, content_type, bytes)) => {
            let mut resp = ([(header::CACHE_CONTROL, "no-cache")], *bytes).into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            resp
        }
        None => {
            crate::error::ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no such file").into_response()
        }
    }
}

// ---- The resident's wallet (`/wallet/`, docs/WALLET.md) ----

const WALLET_HTML: &str = include_str!("../../static/wallet/index.html");
const WALLET_JS: &str = include_str!("../../static/wallet/wallet.js");
const WALLET_CSS: &str = include_str!("../../static/wallet/wallet.css");
const WALLET_SW: &str = include_str!("../../static/wallet/sw.js");
const WALLET_MANIFEST: &str = include_str!("../../static/wallet/manifest.webmanifest");

/// `GET /wallet/`: the wallet page (the counter page's CSP: its own script, style and API only).
pub async fn wallet_index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        WALLET_HTML,
    )
        .into_response()
}

/// `GET /wallet/wallet.js`.
pub async fn wallet_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], WALLET_JS)
        .into_response()
}

/// `GET /wallet/wallet.css`.
pub async fn wallet_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], WALLET_CSS)
        .into_response()
}

/// `GET /wallet/manifest.webmanifest`: the wallet's manifest (installable app, scope `/wallet/`).
pub async fn wallet_manifest() -> Response {
    ([(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "no-cache")], WALLET_MANIFEST)
        .into_response()
}

/// `GET /wallet/sw.js`: the wallet's service worker, scope `/wallet/` (its own directory, so no
/// `Service-Worker-Allowed` header is needed).
pub async fn wallet_sw() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        WALLET_SW,
    )
        .into_response()
}
