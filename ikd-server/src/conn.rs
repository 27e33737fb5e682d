//! The accept loop and the life of each client connection (`docs/SERVER.md` §7).
//!
//! * A connection that has not sent a complete request head within
//!   [`Limits::header_read_timeout`] (counted from the connection's start, or from the first byte
//!   of the next request on a keep-alive connection) is closed.
//! * A keep-alive connection with no request in progress and nothing read or written for
//!   [`Limits::idle_timeout`] is closed.
//! * At most [`Limits::max_connections`] connections are open. At the cap, a new connection
//!   closes the longest-idle connection that has no request in progress (so slow or idle
//!   connections cannot lock real clients out), or waits up to [`SLOT_WAIT`] for a slot; then it
//!   is answered 503 with `Retry-After` and closed.
//! * On shutdown the listener closes, connections with no request in progress close at once,
//!   and requests in progress have [`Limits::shutdown_grace`] to finish; then every connection
//!   still open is closed.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::config::Limits;
use crate::metrics::Metrics;

/// How long a new connection waits for a slot when [`Limits::max_connections`] are open and
/// none could be closed to make room.
pub const SLOT_WAIT: Duration = Duration::from_secs(1);

/// What a connection refused at the cap is answered (best effort, then closed).
fn busy_response() -> Vec<u8> {
    let body = "{\"error\":{\"code\":\"busy\",\"message\":\"the server has too many open connections; try again\"}}";
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         cache-control: no-store\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What is known of one connection's activity, shared by its I/O, its service and the loop.
#[derive(Debug)]
struct Activity {
    id: u64,
    epoch: Instant,
    /// Requests dispatched and not yet answered.
    busy: AtomicUsize,
    /// When (ms after `epoch`, plus 1) the head being received started; 0 when none is.
    head_since: AtomicU64,
    /// Last byte read or written (ms after `epoch`).
    last_io: AtomicU64,
    /// Chosen to be closed to make room for a new connection.
    evicted: AtomicBool,
    evict: Notify,
    /// A request started or ended, or a new head started: the deadline changed.
    changed: Notify,
}

/// Why a connection was closed by the server (a metrics label).
#[derive(Debug, Clone, Copy)]
enum Closed {
    HeaderTimeout,
    IdleTimeout,
    Evicted,
    Shutdown,
}

impl Closed {
    fn label(self) -> &'static str {
        match self {
            Closed::HeaderTimeout => "header_timeout",
            Closed::IdleTimeout => "idle_timeout",
            Closed::Evicted => "evicted",
            Closed::Shutdown => "shutdown",
        }
    }
}

impl Activity {
    fn new(id: u64) -> Activity {
        Activity {
            id,
            epoch: Instant::now(),
            busy: AtomicUsize::new(0),
            // A new connection is receiving its first head.
            head_since: AtomicU64::new(1),
            last_io: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            changed: Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn on_read(&self) {
        let now = self.now_ms();
        self.last_io.store(now, Ordering::Relaxed);
        if self.busy.load(Ordering::Acquire) == 0 {
            // The first byte of a new request head (no-op when one is already running).
            if self.head_since.compare_exchange(0, now + 1, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                self.changed.notify_one();
            }
        }
    }

    fn on_write(&self) {
        self.last_io.store(self.now_ms(), Ordering::Relaxed);
    }

    fn request_started(&self) {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(0, Ordering::Release);
        self.changed.notify_one();
    }

    fn request_done(&self) {
        self.last_io.store(self.now_ms(), Ordering::Relaxed);
        self.busy.fetch_sub(1, Ordering::AcqRel);
        self.changed.notify_one();
    }

    fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire) > 0
    }

    /// The time (ms after `epoch`) this connection stopped doing anything useful, with the
    /// timeout that applies to it; `None` while a request is in progress.
    fn idle_since(&self, limits: &Limits) -> Option<(u64, Duration, Closed)> {
        if self.is_busy() {
            return None;
        }
        match self.head_since.load(Ordering::Acquire) {
            0 => Some((self.last_io.load(Ordering::Relaxed), limits.idle_timeout, Closed::IdleTimeout)),
            h => Some((h - 1, limits.header_read_timeout, Closed::HeaderTimeout)),
        }
    }

    /// The next time to look at the connection, and whether it has timed out by now.
    fn check(&self, limits: &Limits) -> (Instant, Option<Closed>) {
        let Some((since, timeout, why)) = self.idle_since(limits) else {
            // A request is in progress (bounded by the request timeout): look again later.
            return (Instant::now() + limits.header_read_timeout.min(limits.idle_timeout), None);
        };
        let deadline = self.epoch + Duration::from_millis(since) + timeout;
        if Instant::now() >= deadline { (deadline, Some(why)) } else { (deadline, None) }
    }
}

/// Decrements the busy count when a request's future ends (answered or dropped).
struct BusyGuard(Arc<Activity>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.request_done();
    }
}

/// The open connections, to choose one to close when the cap is reached.
#[derive(Debug, Default)]
struct Registry {
    conns: Mutex<HashMap<u64, Arc<Activity>>>,
}

impl Registry {
    fn insert(&self, a: &Arc<Activity>) {
        if let Ok(mut m) = self.conns.lock() {
            m.insert(a.id, Arc::clone(a));
        }
    }

    fn remove(&self, id: u64) {
        if let Ok(mut m) = self.conns.lock() {
            m.remove(&id);
        }
    }

    /// Asks the connection idle the longest (no request in progress) to close. `false` when
    /// every connection is busy.
    fn evict_one(&self, limits: &Limits) -> bool {
        let Ok(m) = self.conns.lock() else { return false };
        let victim = m
            .values()
            .filter(|a| !a.evicted.load(Ordering::Acquire))
            .filter_map(|a| a.idle_since(limits).map(|(since, _, _)| (a.epoch + Duration::from_millis(since), a)))
            .min_by_key(|(t, _)| *t)
            .map(|(_, a)| Arc::clone(a));
        // Marked under the lock, so two new connections never choose the same victim.
        let Some(a) = victim else { return false };
        a.evicted.store(true, Ordering::Release);
        drop(m);
        a.evict.notify_one();
        true
    }
}

/// Removes the connection from the registry and the open-connections gauge when its task ends
/// (including when it is aborted at the end of the shutdown grace).
struct Registered {
    registry: Arc<Registry>,
    metrics: Metrics,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.remove(self.id);
        self.metrics.connections_open.dec();
    }
}

/// A socket that records when bytes go through it.
struct TrackedIo {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for TrackedIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.on_read();
        }
        r
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.on_write();
        }
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.on_write();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Everything a connection task needs.
#[derive(Clone)]
struct Shared {
    router: Router,
    limits: Limits,
    slots: Arc<Semaphore>,
    registry: Arc<Registry>,
    metrics: Metrics,
    stop: watch::Receiver<bool>,
}

/// Serves HTTP/1 connections from `listener` with `router` until `shutdown` completes; then
/// closes the listener, lets requests in progress finish for [`Limits::shutdown_grace`] and
/// closes every connection still open. Returns once every connection task has ended (so the
/// router's state, and with it the audit sender, is dropped).
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    metrics: Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let shared = Shared {
        router,
        limits,
        slots: Arc::new(Semaphore::new(limits.max_connections)),
        registry: Arc::new(Registry::default()),
        metrics,
        stop: stop_rx,
    };
    let mut tasks = JoinSet::new();
    let mut next_id: u64 = 0;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    next_id = next_id.wrapping_add(1);
                    tasks.spawn(connection(stream, next_id, shared.clone()));
                }
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // keep serving, after a pause so an fd shortage does not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let Shared { router, .. } = shared;
    drop(router);
    let _ = stop_tx.send(true);
    let open = tasks.len();
    if open > 0 {
        tracing::info!(connections = open, grace_secs = limits.shutdown_grace.as_secs_f64(), "closing connections");
    }
    let drained =
        tokio::time::timeout(limits.shutdown_grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            "requests still in progress at the end of the shutdown grace period: closing their connections"
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    Ok(())
}

/// One client connection, from the slot to the close.
async fn connection(stream: TcpStream, id: u64, shared: Shared) {
    let Shared { router, limits, slots, registry, metrics, mut stop } = shared;
    let _permit = match Arc::clone(&slots).try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            registry.evict_one(&limits);
            match tokio::time::timeout(SLOT_WAIT, Arc::clone(&slots).acquire_owned()).await {
                Ok(Ok(p)) => p,
                _ => {
                    metrics.connections_closed.with_label_values(&["refused"]).inc();
                    refuse(stream).await;
                    return;
                }
            }
        }
    };
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new(id));
    registry.insert(&activity);
    metrics.connections_open.inc();
    let _registered = Registered { registry: Arc::clone(&registry), metrics: metrics.clone(), id };

    let io = TokioIo::new(TrackedIo { inner: stream, activity: Arc::clone(&activity) });
    let svc_activity = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        svc_activity.request_started();
        let guard = BusyGuard(Arc::clone(&svc_activity));
        let router = router.clone();
        async move {
            let _guard = guard;
            router.oneshot(req.map(Body::new)).await
        }
    });
    // Timeouts are this module's (hyper's own header timer would also cut idle keep-alive
    // connections at the header timeout).
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    let closed = loop {
        let (next, expired) = activity.check(&limits);
        if let Some(why) = expired {
            break Some(why);
        }
        if stopping && !activity.is_busy() {
            break Some(Closed::Shutdown);
        }
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                break None;
            }
            () = tokio::time::sleep_until(next.into()) => {}
            () = activity.changed.notified() => {}
            () = activity.evict.notified() => {
                if !activity.is_busy() {
                    break Some(Closed::Evicted);
                }
                activity.evicted.store(false, Ordering::Release);
            }
            r = stop.changed(), if !stopping => {
                let _ = r;
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    };
    if let Some(why) = closed {
        tracing::debug!(reason = why.label(), "closing connection");
        metrics.connections_closed.with_label_values(&[why.label()]).inc();
    }
    // Dropping the connection closes the socket.
}

/// Answers a connection refused at the cap with a 503 (best effort) and closes it.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_millis(200), async {
        let _ = stream.write_all(&busy_response()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
