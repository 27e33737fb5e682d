//! The counter page: HTML, JS and CSS embedded in the binary (no CDN, works offline).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

const INDEX_HTML: &str = include_str!("../../static/index.html");
const APP_JS: &str = include_str!("../../static/app.js");
const APP_CSS: &str = include_str!("../../static/app.css");

/// Content-Security-Policy of the page: only this server's own script, style and API; images
/// from `data:` (photos, QR codes) and the camera stream from `blob:`/`mediastream:`.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
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
