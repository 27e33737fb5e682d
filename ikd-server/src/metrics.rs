//! Prometheus metrics, one registry per server (no global state). Labels only ever hold route
//! templates, methods, status codes, verdicts and reason codes: never personal data.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// Latency buckets in seconds: 0.25 ms … 10 s.
const LATENCY_BUCKETS: &[f64] =
    &[0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The server's metrics.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Requests by route template, method and status.
    pub requests: IntCounterVec,
    /// Request latency by route template.
    pub latency: HistogramVec,
    /// Verifications by source (`text`, `image`, `batch`), verdict and reason code.
    pub verdicts: IntCounterVec,
    /// Time to decode a QR code from an image.
    pub image_decode: Histogram,
    /// Images being decoded now.
    pub images_in_flight: IntGauge,
    /// Credentials issued.
    pub issued: IntCounter,
    /// Credentials revoked.
    pub revoked: IntCounter,
    /// Records per audit-log commit.
    pub audit_group: Histogram,
    /// Failed audit-log commits.
    pub audit_failures: IntCounter,
    /// `/v1/verify` verifications per signature batch (concurrent requests verified together).
    pub signature_batch: Histogram,
    /// Audit records waiting in the local spool (shared store unreachable).
    pub audit_spooled: IntGauge,
    /// Resident memory of the process (read at scrape time).
    pub resident_memory: IntGauge,
    /// Live presentations refused because the store had recorded them already (a replay to
    /// another instance, or after a restart).
    pub replays_in_store: IntCounter,
    /// Live presentations whose replay check in the store failed (store unavailable): the
    /// in-process verdict was kept.
    pub replay_store_failures: IntCounter,
    /// Open client connections.
    pub connections_open: IntGauge,
    /// Connections the server closed or refused, by reason (`header_timeout`, `idle_timeout`,
    /// `evicted`, `refused`, `shutdown`).
    pub connections_closed: IntCounterVec,
    /// Requests answered 503 `busy` at once because the server was at a load limit, by limit
    /// (`requests`, `images`).
    pub shed: IntCounterVec,
    /// Whether the last replay check in the store failed (for logging once per outage).
    replay_store_down: Arc<AtomicBool>,
}

fn must<T>(r: prometheus::Result<T>) -> T {
    match r {
        Ok(v) => v,
        // Only reachable with an invalid metric definition in this file: a programming error.
        #[allow(clippy::panic)]
        Err(e) => panic!("invalid metric definition: {e}"),
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("ikd".to_owned()), None).unwrap_or_default();
        let requests = must(IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route template, method and status"),
            &["route", "method", "status"],
        ));
        let latency = must(HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route template")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["route"],
        ));
        let verdicts = must(IntCounterVec::new(
            Opts::new("verifications_total", "Credential verifications by source, verdict and reason code"),
            &["source", "verdict", "code"],
        ));
        let image_decode = must(Histogram::with_opts(
            HistogramOpts::new("image_decode_duration_seconds", "Time to find and decode a QR code in an image")
                .buckets(LATENCY_BUCKETS.to_vec()),
        ));
        let images_in_flight = must(IntGauge::new("images_in_flight", "Images being decoded now"));
        let issued = must(IntCounter::new("credentials_issued_total", "Credentials issued"));
        let revoked = must(IntCounter::new("credentials_revoked_total", "Credentials revoked"));
        let audit_group = must(Histogram::with_opts(
            HistogramOpts::new("audit_commit_records", "Audit records written per commit (group commit)")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0]),
        ));
        let signature_batch = must(Histogram::with_opts(
            HistogramOpts::new(
                "verify_signature_batch_size",
                "Verifications of concurrent /v1/verify requests checked in one signature batch",
            )
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        ));
        let audit_failures = must(IntCounter::new("audit_write_failures_total", "Failed audit-log commits"));
        let audit_spooled =
            must(IntGauge::new("audit_spool_records", "Audit records waiting in the local spool to be chained"));
        let resident_memory = must(IntGauge::new("process_resident_memory_bytes", "Resident memory (VmRSS)"));
        let replays_in_store = must(IntCounter::new(
            "presentation_replays_in_store_total",
            "Live presentations refused as replays because the store had recorded them already",
        ));
        let replay_store_failures = must(IntCounter::new(
            "presentation_replay_store_failures_total",
            "Live presentations whose replay check in the store failed; the in-process verdict was kept",
        ));
        let connections_open = must(IntGauge::new("http_connections_open", "Open client connections"));
        let connections_closed = must(IntCounterVec::new(
            Opts::new("http_connections_closed_total", "Connections closed or refused by the server, by reason"),
            &["reason"],
        ));
        let shed = must(IntCounterVec::new(
            Opts::new("http_requests_shed_total", "Requests answered 503 busy at once at a load limit, by limit"),
            &["limit"],
        ));
        for c in [
            Box::new(connections_open.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(connections_closed.clone()),
            Box::new(shed.clone()),
            Box::new(requests.clone()),
            Box::new(latency.clone()),
            Box::new(verdicts.clone()),
            Box::new(image_decode.clone()),
            Box::new(images_in_flight.clone()),
            Box::new(issued.clone()),
            Box::new(revoked.clone()),
            Box::new(audit_group.clone()),
            Box::new(audit_failures.clone()),
            Box::new(signature_batch.clone()),
            Box::new(audit_spooled.clone()),
            Box::new(resident_memory.clone()),
            Box::new(replays_in_store.clone()),
            Box::new(replay_store_failures.clone()),
        ] {
            must(registry.register(c));
        }
        Metrics {
            registry,
            requests,
            latency,
            verdicts,
            image_decode,
            images_in_flight,
            issued,
            revoked,
            audit_group,
            audit_failures,
            signature_batch,
            audit_spooled,
            resident_memory,
            replays_in_store,
            replay_store_failures,
            connections_open,
            connections_closed,
            shed,
            replay_store_down: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Counts a failed replay check in the store; `true` for the first failure of an outage
    /// (the one to log).
    pub fn replay_store_failed(&self) -> bool {
        self.replay_store_failures.inc();
        !self.replay_store_down.swap(true, Ordering::Relaxed)
    }

    /// Notes a successful replay check in the store; `true` when it ends an outage.
    pub fn replay_store_ok(&self) -> bool {
        // A load first: the common case (no outage) writes nothing shared.
        self.replay_store_down.load(Ordering::Relaxed) && self.replay_store_down.swap(false, Ordering::Relaxed)
    }

    /// Registers another collector in this server's registry (the list and sync metrics).
    pub fn register(&self, c: Box<dyn prometheus::core::Collector>) -> prometheus::Result<()> {
        self.registry.register(c)
    }

    /// Counts one verification.
    pub fn verdict(&self, source: &str, verdict: &str, code: &str) {
        self.verdicts.with_label_values(&[source, verdict, code]).inc();
    }

    /// Counts the verdicts of a batch, one label lookup per verdict and code rather than per
    /// text.
    pub fn verdicts(&self, source: &str, summary: &ikd_core::BatchSummary) {
        if summary.valid > 0 {
            self.verdicts.with_label_values(&[source, "VALID", "ok"]).inc_by(summary.valid as u64);
        }
        for c in &summary.by_code {
            self.verdicts.with_label_values(&[source, c.verdict.as_str(), c.code.as_ref()]).inc_by(c.count as u64);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        if let Some(rss) = read_vm("VmRSS:") {
            self.resident_memory.set(rss);
        }
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A `/proc/self/status` field in bytes (Linux only).
pub fn read_vm(field: &str) -> Option<i64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: i64 = line.trim_start_matches(field).trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// The metrics and access-log label of a request method: the standard methods by name, any
/// other method (a client may send any token, of any length) as `other`, so a client cannot
/// create new metric series.
pub fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// Route template of a matched request, put into the response by [`mark_route`]: axum's own
/// `MatchedPath` (a shared string: no copy per request).
#[derive(Debug, Clone)]
pub struct RouteLabel(pub MatchedPath);

/// Inner middleware (route layer): tags the response with the matched route template.
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut resp = next.run(req).await;
    if let Some(route) = route {
        resp.extensions_mut().insert(RouteLabel(route));
    }
    resp
}

/// Outer middleware: counts every request, observes its latency and writes the access log line.
pub async fn track(State(m): State<Metrics>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let resp = next.run(req).await;
    let route = resp.extensions().get::<RouteLabel>().map_or("unmatched", |r| r.0.as_str());
    let elapsed = start.elapsed();
    m.requests.with_label_values(&[route, method, resp.status().as_str()]).inc();
    m.latency.with_label_values(&[route]).observe(elapsed.as_secs_f64());
    // The access log: route template (never a query string, header or body), status, latency.
    tracing::info!(
        target: "ikd_server::access",
        method = %method,
        route = %route,
        status = resp.status().as_u16(),
        latency_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    resp
}
