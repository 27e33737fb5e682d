//! # ikd-server
//!
//! The IKD Verify HTTP service: JSON API under `/v1` for counters, kecamatan offices and other
//! government apps, and a counter web page at `/`. See `docs/SERVER.md`.
//!
//! * [`config`]: TOML file + `IKD_*` environment variables.
//! * [`app`]: state, router, middleware.
//! * [`store`]: the [`store::Store`] trait and its SQLite and PostgreSQL implementations (no
//!   HTTP, no app: `tests/layers.rs`).
//! * [`readiness`], [`revocations`]: the store's part of `/readyz` and the background task that
//!   reads revocations back, both over [`AppState`].
//! * [`audit`]: the hash-chained audit log.
//! * [`sync`]: trust lists, status lists, and the sync from an upstream server.
//! * [`tls`]: the TLS client settings (rustls) of the upstream sync and of PostgreSQL.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod batching;
pub mod config;
pub mod conn;
pub mod demo;
pub mod error;
pub mod logwriter;
pub mod metrics;
pub mod readiness;
pub mod revocations;
pub mod store;
pub mod sync;
pub mod tls;

pub use app::{App, AppParts, AppState, StartupError};
pub use config::Config;

/// Waits for SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; finishing open requests");
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for the audit writer to
/// commit what is queued. Connections are handled by [`conn::serve_connections`]: header-read
/// and idle timeouts, a connection cap, and a shutdown deadline (`limits.shutdown_grace`) after
/// which connections still open are closed, so shutdown always ends.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app.router();
    let App { state, audit_task, .. } = app;
    let limits = state.limits;
    let metrics = state.metrics.clone();
    drop(state);
    let res = conn::serve_connections(listener, router, limits, metrics, shutdown).await;
    // The router (and with it the last audit sender) is gone: the writer drains and stops.
    if audit_task.finish(std::time::Duration::from_secs(10)).await {
        tracing::info!("audit log flushed; stopped");
    } else {
        tracing::error!("audit writer did not finish within 10 s");
    }
    res
}
