//! The server's request bodies, through the whole axum router in process (middleware, body
//! limits, extractors, handlers, store and audit log), on a current-thread runtime. The first
//! byte chooses the request; the rest is its body:
//!
//! | first byte % 8 | request |
//! |---|---|
//! | 0 | `POST /v1/verify`, JSON |
//! | 1 | `POST /v1/verify/batch`, JSON |
//! | 2 | `POST /v1/verify/image?source=camera`, `image/png` |
//! | 3 | `POST /v1/verify/image`, `multipart/form-data` (boundary `XyZ`) |
//! | 4 | `POST /v1/credentials` (admin), JSON |
//! | 5 | `POST /v1/credentials/{body}/revoke` (admin), the body as the path segment |
//! | 6 | `POST /v1/verify`, JSON, `Accept-Language: en`, counter id header |
//! | 7 | `POST /v1/verify/image?policy=..&challenge=..`, `image/jpeg` |
//!
//! Any 5xx answer, or an answer whose body is not JSON, is a crash. The server trusts and holds
//! the test-vector issuer key, so seeds from the test vectors verify and issue. Its SQLite store
//! lives in `$IKD_FUZZ_TMP` (default `/dev/shm`, else the temporary directory), in a directory
//! named `ikd-fuzz-server-<pid>` that `scripts/fuzz.sh` removes after the run.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use ikd_server::app::{App, AppParts};
use ikd_server::config::{AdminToken, IssuanceConfig, Limits};
use ikd_server::store::{SqliteOptions, SqliteStore};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const TOKEN: &str = "fuzz-admin-token-0123456789abcdef";
const MAX_IMAGE: usize = 256 * 1024;

struct Server {
    runtime: tokio::runtime::Runtime,
    router: Router,
    _app: App,
}

fn data_dir() -> std::path::PathBuf {
    let base = std::env::var_os("IKD_FUZZ_TMP").map(std::path::PathBuf::from).unwrap_or_else(|| {
        let shm = std::path::Path::new("/dev/shm");
        if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() }
    });
    base.join(format!("ikd-fuzz-server-{}", std::process::id()))
}

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let dir = data_dir();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("data directory");
        let store = SqliteStore::open(&dir, SqliteOptions::default()).expect("store");
        let limits = Limits { image_workers: 1, ..Limits::default() };
        let app = runtime
            .block_on(App::from_parts(AppParts {
                trust: ikd_fuzz::trust_store(),
                issuer: Some((ikd_fuzz::issuer_key(), ikd_fuzz::ISSUER_NAME.to_owned())),
                admin: Some(AdminToken::new(TOKEN).expect("token")),
                store: Arc::new(store),
                limits,
                issuance: IssuanceConfig::default(),
                demo: false,
            }))
            .expect("app");
        let router = app.router();
        Server { runtime, router, _app: app }
    })
}

fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(*b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn request(mode: u8, body: &[u8]) -> Option<Request<Body>> {
    let json = |path: &str| Request::post(path).header("content-type", "application/json");
    let admin = format!("Bearer {TOKEN}");
    let builder = match mode % 8 {
        0 => json("/v1/verify"),
        1 => json("/v1/verify/batch"),
        2 => Request::post("/v1/verify/image?source=camera").header("content-type", "image/png"),
        3 => Request::post("/v1/verify/image").header("content-type", "multipart/form-data; boundary=XyZ"),
        4 => json("/v1/credentials").header("authorization", admin),
        5 => {
            if body.len() > 64 {
                return None;
            }
            let path = format!("/v1/credentials/{}/revoke", percent_encode(body));
            return Request::post(path).header("authorization", admin).body(Body::empty()).ok();
        }
        6 => json("/v1/verify").header("accept-language", "en").header("x-ikd-counter", "loket-3"),
        _ => Request::post("/v1/verify/image?policy=apotek&challenge=K7Q2X9").header("content-type", "image/jpeg"),
    };
    if matches!(mode % 8, 2 | 3 | 7) && body.len() > MAX_IMAGE {
        return None;
    }
    builder.body(Body::from(body.to_vec())).ok()
}

fuzz_target!(
    init: {
        ikd_fuzz::contain_dependency_panics();
        let _ = server();
    },
    |data: &[u8]| {
        let Some((&mode, body)) = data.split_first() else { return };
        let Some(req) = request(mode, body) else { return };
        let s = server();
        let (status, bytes) = s.runtime.block_on(async {
            let resp = s.router.clone().oneshot(req).await.expect("the router is infallible");
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.expect("response body");
            (status, bytes)
        });
        assert!(!status.is_server_error(), "{status} for request {}: {}", mode % 8, String::from_utf8_lossy(&bytes));
        assert!(
            serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            "{status} answer to request {} is not JSON: {}",
            mode % 8,
            String::from_utf8_lossy(&bytes)
        );
    }
);
