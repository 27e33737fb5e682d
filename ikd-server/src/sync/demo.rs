//! The demo trust list and the start-up banner lines.

#[allow(unused_imports)]
use super::*;

/// Lines for the start-up banner.
pub fn banner_lines(state: &AppState) -> Vec<String> {
    let l = &state.lists;
    let mut out = Vec::new();
    if let Some(t) = l.trust_list() {
        out.push(format!(
            "Trust list: sequence {} issued {} ({:?}), {} issuer keys; published at GET /v1/trust-list",
            t.list.sequence(),
            t.list.issued_at(),
            t.source,
            t.list.entries().len()
        ));
    } else if !l.roots.is_empty() {
        out.push("Trust list: none held yet (pinned root keys are set; waiting for the first sync)".to_owned());
    }
    if let Some(own) = &l.own {
        out.push(format!(
            "Status list of key id {}: signed by this server, TTL {} s, published at GET /v1/status/{}",
            own.key_id, l.status_ttl_secs, own.key_id
        ));
        let delegated = l.trust_list().and_then(|t| t.list.entry(&own.public).and_then(|e| e.status_key));
        if let Some(k) = delegated {
            out.push(format!(
                "WARNING: the trust list names a separate status key ({}) for this server's issuer key, but this \
                 server signs its status list with the issuer key: verifiers will refuse it",
                k.to_text()
            ));
        }
    }
    if let Some(u) = &l.upstream {
        out.push(format!("Sync: from {u} every {} s (state at GET /v1/sync/status)", l.interval.as_secs()));
        if crate::config::upstream_is_plain_remote(u) {
            out.push(format!(
                "WARNING: the sync from {u} is plain http to a host that is not loopback: whoever sits on the \
                 path can withhold revocations (answers stay VALID through the grace period); use https://"
            ));
            tracing::warn!(upstream = %u, "the upstream sync uses plain http to a host that is not loopback");
        }
    }
    if l.danger_offset != 0 {
        out.push(format!(
            "DANGER: the verifier's clock is shifted by {} s (danger_clock_offset_secs): FOR TESTS ONLY",
            l.danger_offset
        ));
        tracing::warn!(offset = l.danger_offset, "danger_clock_offset_secs is set: the verifier's clock is shifted");
    }
    out
}

/// Demo mode: a demo root key (kept in `<demo dir>/root.key`, its public key in `root.pub`) signs a
/// trust list naming the demo issuer, so the demo server publishes a trust list and a status
/// list like a real issuing server. Returns the banner lines.
pub fn demo_trust_list(state: &AppState, dir: &Path) -> Result<Vec<String>, StartupError> {
    let err = |m: String| StartupError::Demo(format!("demo trust list: {m}"));
    let Some(own) = &state.issuer else { return Ok(Vec::new()) };
    let key_path = dir.join("root.key");
    let root = match std::fs::read_to_string(&key_path) {
        Ok(text) => {
            let text = zeroize::Zeroizing::new(text);
            SecretKey::from_file_text(&text).map_err(|e| err(e.to_string()))?
        }
        Err(_) => {
            let k = SecretKey::generate().map_err(|e| err(e.to_string()))?;
            write_private(&key_path, k.to_file_text().as_bytes()).map_err(|e| err(e.to_string()))?;
            k
        }
    };
    let root_pk = root.public_key();
    std::fs::write(dir.join("root.pub"), format!("{}\n", root_pk.to_text())).map_err(|e| err(e.to_string()))?;
    let now = Timestamp::now();
    let mut b = TrustListBuilder::new(u64::try_from(now.unix()).unwrap_or(1), now, now.plus(7 * 86_400));
    b.add(TrustListEntry::new(
        own.name.clone(),
        own.issuer.public_key(),
        Timestamp::from_unix(ikd_core::format::WIRE_EPOCH),
        now.plus(30 * 366 * 86_400),
        Scope::all(),
    ))
    .map_err(|e| err(e.to_string()))?;
    b.next_roots(&[root_pk]);
    let bytes = b.sign(&[&root]).map_err(|e| err(e.to_string()))?;
    state.lists.install_demo_trust_list(Bytes::from(bytes), root_pk).map_err(|e| err(e.to_string()))?;
    Ok(vec![format!(
        "Demo trust list: signed by the demo root key {} ({}); pin it to sync from this server",
        root_pk.to_text(),
        dir.join("root.pub").display()
    )])
}

/// Writes a file readable by its owner only.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}
