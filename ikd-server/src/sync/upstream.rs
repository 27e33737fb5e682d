//! Syncing from an upstream server: the HTTP client, `fetch`, and one sync run.

#[allow(unused_imports)]
use super::*;

impl Lists {
    /// The client the background sync uses (https with the configured roots).
    pub fn sync_client(&self) -> HttpClient {
        self.client.clone().unwrap_or_else(http_client)
    }

    /// One sync round: the trust list (when roots are pinned), then the status list of every
    /// issuer key it names (except this server's own key), each with `If-None-Match`.
    pub async fn sync_once(&self, client: &HttpClient) -> SyncReport {
        let Some(base) = self.upstream.clone() else { return self.report() };
        let started = Timestamp::now();
        self.metrics.last_attempt.set(started.unix());
        let mut problems = Vec::new();
        let mut updated = Vec::new();
        let mut reachable = true;
        if !self.roots.is_empty() {
            let held = self.read_inner().trust.as_ref().map(|t| t.etag.clone());
            match fetch(client, &format!("{base}/v1/trust-list"), held.as_deref(), MAX_TRUST_LIST_BYTES).await {
                Ok(Fetched::NotModified) => {}
                Ok(Fetched::Body(bytes)) => match self.offer_trust_list(bytes, Source::Synced) {
                    Ok(Offer::Installed { .. }) => updated.push("trust_list".to_owned()),
                    Ok(Offer::Unchanged) => {}
                    Err(e) => {
                        self.metrics.rejected.with_label_values(&["trust", e.code()]).inc();
                        problems.push(problem("trust_list", e.code(), format!("refused: {e}; the list held stays")));
                    }
                },
                Ok(Fetched::NotFound) => problems.push(problem(
                    "trust_list",
                    "trust_list_not_published",
                    "the upstream server publishes no trust list".to_owned(),
                )),
                Ok(Fetched::Status(s)) => {
                    problems.push(problem("trust_list", "upstream_status", format!("the upstream answered {s}")))
                }
                Err(e) => {
                    reachable = false;
                    problems.push(problem("trust_list", "upstream_unreachable", e));
                }
            }
        }
        if reachable {
            let targets: Vec<(PublicKey, PublicKey, Option<String>)> = {
                let inner = self.read_inner();
                self.status_keys(&inner)
                    .into_iter()
                    .filter(|(k, _)| self.own.as_ref().is_none_or(|o| o.public != *k))
                    .map(|(k, s)| {
                        let etag = inner.status.get(k.as_bytes()).map(|h| h.etag.clone());
                        (k, s, etag)
                    })
                    .collect()
            };
            for (issuer, signer, held) in targets {
                let name = format!("status:{}", issuer.key_id());
                let mut res = fetch(
                    client,
                    &format!("{base}/v1/status/{}", issuer.key_id()),
                    held.as_deref(),
                    MAX_SYNC_STATUS_BYTES,
                )
                .await;
                if matches!(res, Ok(Fetched::Status(409))) {
                    // Two keys share the id: ask by the full key.
                    let url = format!("{base}/v1/status/{}", hex::encode(issuer.as_bytes()));
                    res = fetch(client, &url, held.as_deref(), MAX_SYNC_STATUS_BYTES).await;
                }
                match res {
                    Ok(Fetched::NotModified | Fetched::NotFound) => {}
                    Ok(Fetched::Body(bytes)) => match self.offer_status_list(&issuer, &signer, bytes) {
                        Ok(Offer::Installed { .. }) => updated.push(name),
                        Ok(Offer::Unchanged) => {}
                        Err(e) => {
                            self.metrics.rejected.with_label_values(&["status", e.code()]).inc();
                            problems.push(problem(&name, e.code(), format!("refused: {e}; the list held stays")));
                        }
                    },
                    Ok(Fetched::Status(s)) => {
                        problems.push(problem(&name, "upstream_status", format!("the upstream answered {s}")))
                    }
                    Err(e) => {
                        problems.push(problem(&name, "upstream_unreachable", e));
                        break;
                    }
                }
            }
        }
        let ok = problems.is_empty();
        self.metrics.runs.with_label_values(&[if ok { "ok" } else { "problem" }]).inc();
        for p in &problems {
            tracing::warn!(list = %p.list, code = %p.code, message = %p.message, "sync problem");
        }
        let mut r = self.report.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        r.rounds += 1;
        r.last_attempt = Some(started.to_string());
        if ok {
            let end = Timestamp::now();
            r.last_success = Some(end.to_string());
            r.consecutive_failures = 0;
            self.metrics.last_success.set(end.unix());
        } else {
            r.consecutive_failures += 1;
        }
        r.problems = problems;
        r.updated = updated;
        r.clone()
    }
}

pub(super) fn problem(list: &str, code: &str, message: String) -> SyncProblem {
    SyncProblem { list: list.to_owned(), code: code.to_owned(), message }
}

/// The HTTP/1 client of the sync: `http://` and `https://` (rustls: TLS 1.2 or 1.3, the server's
/// certificate checked against the system roots or, with `upstream_ca_file`, only the pinned CA).
#[derive(Clone)]
pub struct HttpClient {
    /// The client, or why none could be made (every download then fails with this message).
    inner: Result<Client<HttpsConnector<HttpConnector>, Full<Bytes>>, String>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("usable", &self.inner.is_ok()).finish_non_exhaustive()
    }
}

/// A new sync client trusting the system roots for `https://` (plain `http://` as well).
pub fn http_client() -> HttpClient {
    upstream_client(None).unwrap_or_else(|e| HttpClient { inner: Err(e) })
}

/// A new sync client: `https://` upstreams are checked against the system roots, or against
/// only the certificates of `ca_file` when given (`upstream_ca_file`). Fails when the CA file
/// cannot be read or holds no usable certificate.
pub fn upstream_client(ca_file: Option<&Path>) -> Result<HttpClient, String> {
    let roots = crate::tls::Roots::from_ca_file(ca_file)?;
    let tls = crate::tls::client_config(&crate::tls::Verify::Full(roots))?;
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(FETCH_TIMEOUT));
    // Wrapped by the https connector, it is handed https:// URIs too (TCP only, TLS on top).
    http.enforce_http(false);
    let conn = HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().wrap_connector(http);
    let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(conn);
    Ok(HttpClient { inner: Ok(client) })
}

/// The answer to a download.
#[derive(Debug)]
pub enum Fetched {
    /// 304: the copy held is current.
    NotModified,
    /// 404: none published.
    NotFound,
    /// 200 with the bytes.
    Body(Bytes),
    /// Any other status.
    Status(u16),
}

pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// `GET url` with `If-None-Match`, a time limit and a size limit.
pub async fn fetch(client: &HttpClient, url: &str, etag: Option<&str>, max: usize) -> Result<Fetched, String> {
    let mut req = Request::get(url)
        .header(header::USER_AGENT, concat!("ikd-server/", env!("CARGO_PKG_VERSION"), " (list sync)"))
        .header(header::ACCEPT, "*/*");
    if let Some(e) = etag {
        req = req.header(header::IF_NONE_MATCH, e);
    }
    let req = req.body(Full::new(Bytes::new())).map_err(|e| format!("{url}: {e}"))?;
    let client = client.inner.as_ref().map_err(|e| format!("{url}: no usable client: {e}"))?;
    let resp = tokio::time::timeout(FETCH_TIMEOUT, client.request(req))
        .await
        .map_err(|_| format!("{url}: no answer within {} s", FETCH_TIMEOUT.as_secs()))?
        .map_err(|e| format!("{url}: {}", error_chain(&e)))?;
    match resp.status() {
        StatusCode::NOT_MODIFIED => Ok(Fetched::NotModified),
        StatusCode::NOT_FOUND => Ok(Fetched::NotFound),
        StatusCode::OK => {
            let body = tokio::time::timeout(FETCH_TIMEOUT, Limited::new(resp.into_body(), max).collect())
                .await
                .map_err(|_| format!("{url}: the body did not arrive within {} s", FETCH_TIMEOUT.as_secs()))?
                .map_err(|e| format!("{url}: the body could not be read (limit {max} bytes): {e}"))?;
            Ok(Fetched::Body(body.to_bytes()))
        }
        s => Ok(Fetched::Status(s.as_u16())),
    }
}
