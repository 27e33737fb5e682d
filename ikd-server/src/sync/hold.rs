//! Holding lists: loading the kept copies, offering downloaded lists to the core list holder
//! (`ikd_core::list_holder`), and what the verifier is built from. No HTTP here.

#[allow(unused_imports)]
use super::*;

impl Lists {
    /// Loads the trust list (file and synced copy) and the synced status lists kept in the
    /// data directory, and builds the first verifier. The own status list is made afterwards
    /// by [`AppState::start_own_status`] (from the store).
    pub fn open(
        base_trust: TrustStore,
        own_key: Option<&SecretKey>,
        issuance: IssuanceConfig,
        extras: &Extras,
        metrics: &Metrics,
    ) -> Result<Lists, StartupError> {
        let cfg = &extras.lists;
        let own = match own_key {
            Some(k) => {
                let copy = SecretKey::from_file_text(&k.to_file_text())
                    .map_err(|e| lists_error("issuer_key", format!("cannot copy the issuer key: {e}")))?;
                let public = copy.public_key();
                Some(OwnKey { key: copy, public, key_id: public.key_id().to_string() })
            }
            None => None,
        };
        let clock: Arc<dyn Clock> = if cfg.danger_clock_offset_secs != 0 {
            Arc::new(OffsetClock(cfg.danger_clock_offset_secs))
        } else {
            Arc::new(ikd_core::SystemClock)
        };
        let metrics = ListMetrics::new(metrics)
            .map_err(|e| lists_error("metrics", format!("cannot register the list metrics: {e}")))?;
        let first = Verifier::new(base_trust.clone())
            .with_clock(Arc::clone(&clock))
            .with_freshness(cfg.freshness)
            .with_presentation_window_secs(cfg.presentation_window_secs)
            .with_presentation_skew_secs(cfg.presentation_skew_secs)
            .with_replay_capacity(cfg.replay_cache_entries)
            .with_live_limit_per_holder(cfg.live_per_holder);
        let lists = Lists {
            roots: cfg.root_keys.clone(),
            trust_list_file: cfg.trust_list_file.clone(),
            upstream: cfg.upstream_url.clone(),
            client: match &cfg.upstream_url {
                Some(_) => Some(
                    upstream_client(cfg.upstream_ca_file.as_deref()).map_err(|m| lists_error("upstream_ca_file", m))?,
                ),
                None => None,
            },
            interval: cfg.sync_interval,
            dir: extras.data_dir.as_ref().map(|d| d.join("lists")),
            freshness: cfg.freshness,
            status_ttl_secs: cfg.status_list_ttl_secs,
            status_size: issuance.status_list_size,
            clock,
            danger_offset: cfg.danger_clock_offset_secs,
            own,
            base_trust,
            inner: RwLock::new(Inner::default()),
            verifier: RwLock::new(Arc::new(first)),
            report: Mutex::new(SyncReport::default()),
            own_lock: tokio::sync::Mutex::new(()),
            own_failing: AtomicBool::new(false),
            own_read_failing: AtomicBool::new(false),
            own_repair: AtomicBool::new(false),
            metrics,
        };
        lists.load_trust_list()?;
        lists.load_status_lists();
        let inner = lists.read_inner();
        lists.rebuild(&inner, true);
        drop(inner);
        Ok(lists)
    }

    pub(super) fn read_inner(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn write_inner(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn persist(&self, name: &str, bytes: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let res = std::fs::create_dir_all(dir).and_then(|()| write_atomic(&dir.join(name), bytes));
        if let Err(e) = res {
            tracing::error!(error = %e, file = name, dir = %dir.display(), "cannot keep a copy of a list");
        }
    }

    /// The configured trust list file (must verify under the pinned roots) and the synced copy
    /// from an earlier run: the newer one is used.
    pub(super) fn load_trust_list(&self) -> Result<(), StartupError> {
        let mut candidates: Vec<(TrustList, Bytes, Source, Vec<PublicKey>)> = Vec::new();
        if let Some(path) = &self.trust_list_file {
            let err = |m: String| lists_error("trust_list_file", format!("{}: {m}", path.display()));
            let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
            let list = TrustList::verify(&bytes, &self.roots).map_err(|e| err(format!("{e} ({})", e.code())))?;
            candidates.push((list, Bytes::from(bytes), Source::File, self.roots.clone()));
        }
        if let Some(dir) = &self.dir
            && let Ok(bytes) = std::fs::read(dir.join(TRUST_LIST_FILE))
        {
            let mut roots = self.roots.clone();
            for r in read_roots_file(&dir.join(TRUST_ROOTS_FILE)) {
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
            match TrustList::verify(&bytes, &roots) {
                Ok(list) => candidates.push((list, Bytes::from(bytes), Source::Synced, roots)),
                Err(e) => {
                    tracing::warn!(code = e.code(), error = %e, "the kept trust list copy is not usable; ignored")
                }
            }
        }
        candidates.sort_by_key(|(l, ..)| l.sequence());
        let Some(mut chosen) = candidates.pop() else { return Ok(()) };
        if let Some(older) = candidates.pop()
            && let Err(e) = TrustList::check_successor(&older.0, &chosen.0)
        {
            // The file and the kept copy do not form one line of lists: the configured file wins.
            tracing::warn!(code = e.code(), error = %e, "the kept synced trust list and trust_list_file disagree");
            if chosen.2 != Source::File {
                chosen = older;
            }
        }
        let (list, bytes, source, roots) = chosen;
        self.metrics.held("trust", "", list.issued_at(), list.sequence());
        let mut inner = self.write_inner();
        inner.trust = Some(Held::new(bytes, list, source));
        inner.trust_roots = roots;
        Ok(())
    }

    /// Issuer keys whose status lists are wanted, with the key that signs each list.
    pub(super) fn status_keys(&self, inner: &Inner) -> Vec<(PublicKey, PublicKey)> {
        match &inner.trust {
            Some(t) => t.list.entries().iter().map(|e| (e.public_key, *e.status_signing_key())).collect(),
            None => self.base_trust.issuers().iter().map(|i| (i.public_key, i.public_key)).collect(),
        }
    }

    /// Status lists kept from an earlier run, each verified again.
    pub(super) fn load_status_lists(&self) {
        let Some(dir) = &self.dir else { return };
        let mut inner = self.write_inner();
        let mut keys = self.status_keys(&inner);
        let mut own_targets = Vec::new();
        if let Some(own) = &self.own {
            keys.retain(|(k, _)| *k != own.public);
            own_targets.push((own.public, own.public));
        }
        for (issuer, signer) in keys.iter().chain(own_targets.iter()) {
            let Ok(bytes) = std::fs::read(dir.join(status_file_name(issuer))) else { continue };
            let own = self.own.as_ref().is_some_and(|o| o.public == *issuer);
            let checked = match &inner.trust {
                Some(t) if !own => StatusList::verify_under_trust_list(&bytes, &t.list),
                _ => StatusList::verify_delegated(&bytes, issuer, signer),
            };
            match checked {
                Ok(list) => {
                    self.metrics.held("status", &issuer.key_id().to_string(), list.issued_at(), list.sequence());
                    let source = if own { Source::Own } else { Source::Synced };
                    inner.status.insert(*issuer.as_bytes(), Held::new(Bytes::from(bytes), list, source));
                }
                Err(e) => tracing::warn!(
                    key_id = %issuer.key_id(), code = e.code(), error = %e,
                    "a kept status list is not usable; ignored"
                ),
            }
        }
    }

    /// Whether status lists are checked: with a trust list, or when syncing from upstream.
    /// (A server with only a plain trust store checks revocation of its own credentials in
    /// its registry, as before.)
    pub(super) fn applies_status(&self, inner: &Inner) -> bool {
        inner.trust.is_some() || self.upstream.is_some()
    }

    /// Rebuilds the verifier. Only a trust list change makes a new one, which takes over the
    /// replay cache of the current one; otherwise the current one is cloned (so it keeps its
    /// replay cache) with the new status lists.
    pub(super) fn rebuild(&self, inner: &Inner, trust_changed: bool) {
        let mut v = if trust_changed {
            let current = self.verifier();
            match &inner.trust {
                Some(t) => current.with_trust_list(t.list.clone()),
                None => current.with_trust_store(self.base_trust.clone()),
            }
        } else {
            (*self.verifier()).clone()
        };
        if self.applies_status(inner) {
            v = v.with_status_lists(inner.status.values().map(|h| h.list.clone()));
        }
        let mut slot = self.verifier.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Arc::new(v);
    }

    /// The current verifier (without refreshing the own status list: see
    /// [`AppState::verifier_now`]).
    pub fn verifier(&self) -> Arc<Verifier> {
        Arc::clone(&self.verifier.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The clock of the verifier (shifted by `danger_clock_offset_secs`).
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The freshness policy.
    pub fn freshness(&self) -> FreshnessPolicy {
        self.freshness
    }

    /// Whether the trust list is expected from upstream (pinned roots, no list held yet).
    pub fn awaits_trust_list(&self) -> bool {
        self.upstream.is_some() && !self.roots.is_empty() && self.read_inner().trust.is_none()
    }

    /// Time between sync rounds.
    pub fn sync_interval(&self) -> Duration {
        self.interval
    }

    /// The upstream URL, when this server syncs.
    pub fn upstream(&self) -> Option<&str> {
        self.upstream.as_deref()
    }

    /// The clock offset (tests only; 0 normally).
    pub fn danger_clock_offset_secs(&self) -> i64 {
        self.danger_offset
    }

    /// The trust list as published.
    pub fn trust_list(&self) -> Option<Held<TrustList>> {
        self.read_inner().trust.clone()
    }

    /// The root keys under which the trust list held was accepted (what a counter page pins).
    pub fn trust_roots(&self) -> Vec<PublicKey> {
        self.read_inner().trust_roots.clone()
    }

    /// Every status list held, as published, when verifications use status lists (a server
    /// with a trust list or an upstream); none otherwise.
    pub fn status_lists_applied(&self) -> Vec<Held<StatusList>> {
        let inner = self.read_inner();
        if !self.applies_status(&inner) {
            return Vec::new();
        }
        inner.status.values().cloned().collect()
    }

    /// The status lists held whose issuer key has this id.
    pub fn status_by_key_id(&self, key_id: KeyId) -> Vec<Held<StatusList>> {
        self.read_inner().status.values().filter(|h| h.list.key_id() == key_id).cloned().collect()
    }

    /// The status list of this issuer key, if held.
    pub fn status_by_key(&self, key: &PublicKey) -> Option<Held<StatusList>> {
        self.read_inner().status.get(key.as_bytes()).cloned()
    }

    /// The sync report.
    pub fn report(&self) -> SyncReport {
        self.report.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// A summary of every list held: source, sequence, age and freshness.
    pub fn summary(&self) -> serde_json::Value {
        let now = self.now();
        let inner = self.read_inner();
        let fresh = |f: Freshness| {
            let age = match f {
                Freshness::InGrace { age_secs } | Freshness::Stale { age_secs } => Some(age_secs),
                Freshness::Fresh => None,
            };
            (f.code(), age)
        };
        let trust = inner.trust.as_ref().map(|t| {
            let (code, _) = fresh(t.list.freshness(now, &self.freshness));
            serde_json::json!({
                "source": t.source,
                "sequence": t.list.sequence(),
                "issued_at": t.list.issued_at().to_string(),
                "next_update": t.list.next_update().to_string(),
                "age_secs": now.unix().saturating_sub(t.list.issued_at().unix()).max(0),
                "freshness": code,
                "issuers": t.list.entries().len(),
                "etag": t.etag,
            })
        });
        let status: Vec<_> = inner
            .status
            .values()
            .map(|h| {
                let l = &h.list;
                let (code, _) = fresh(l.freshness(now, &self.freshness));
                serde_json::json!({
                    "key_id": l.key_id().to_string(),
                    "source": h.source,
                    "sequence": l.sequence(),
                    "issued_at": l.issued_at().to_string(),
                    "ttl_secs": l.ttl_secs(),
                    "size": l.len(),
                    "revoked": l.revoked_count(),
                    "suspended": l.suspended_count(),
                    "age_secs": now.unix().saturating_sub(l.issued_at().unix()).max(0),
                    "freshness": code,
                    "etag": h.etag,
                })
            })
            .collect();
        let p = self.freshness;
        serde_json::json!({
            "now": now.to_string(),
            "checks_status_lists": self.applies_status(&inner),
            "trust_list": trust,
            "status_lists": status,
            "freshness_policy": {
                "status_fresh_secs": p.status_fresh_secs,
                "status_grace_secs": p.status_grace_secs,
                "trust_fresh_secs": p.trust_fresh_secs,
                "trust_grace_secs": p.trust_grace_secs,
            },
        })
    }

    /// Warnings for a VALID answer: the trust list or the issuer's status list is in its
    /// grace period (still used; the officer should sync).
    pub fn grace_warnings(&self, issuer: &PublicKey) -> Vec<(&'static str, i64)> {
        let now = self.now();
        let inner = self.read_inner();
        let mut out = Vec::new();
        if let Some(t) = &inner.trust
            && let Freshness::InGrace { age_secs } = t.list.freshness(now, &self.freshness)
        {
            out.push(("trust_list_in_grace", age_secs));
        }
        if self.applies_status(&inner)
            && let Some(h) = inner.status.get(issuer.as_bytes())
            && let Freshness::InGrace { age_secs } = h.list.freshness(now, &self.freshness)
        {
            out.push(("status_list_in_grace", age_secs));
        }
        out
    }

    /// Offers a trust list: accepted only as a successor of the one held (signed by its
    /// `next_roots`; or, after the operator re-pinned `root_keys`, by a pinned root and still a
    /// valid successor), or, when none is held, when signed by a pinned root.
    pub fn offer_trust_list(&self, bytes: Bytes, source: Source) -> Result<Offer, TrustListError> {
        let mut inner = self.write_inner();
        if inner.trust.as_ref().is_some_and(|cur| cur.bytes == bytes) {
            return Ok(Offer::Unchanged);
        }
        // The one rule for accepting a list (`ikd_core::list_holder`, shared with `ikd sync`).
        // The configured `root_keys` are the operator's explicit pin: a successor they sign is
        // accepted even if the held list did not announce them (the CLI's `--repin`).
        let held = inner.trust.as_ref().map(|t| &t.list);
        let (list, roots) = match decide_trust_list(held, &bytes, &self.roots, RepinPolicy::AllowPinnedRoots)? {
            Decision::Successor(l) => {
                let roots = held.map(|h| h.next_roots().to_vec()).unwrap_or_else(|| self.roots.clone());
                (l, roots)
            }
            Decision::First(l) | Decision::Repinned(l) => (l, self.roots.clone()),
            _ => return Ok(Offer::Unchanged),
        };
        let old = inner.trust.as_ref().map(|t| t.list.sequence());
        let new = list.sequence();
        self.metrics.held("trust", "", list.issued_at(), new);
        if source == Source::Synced {
            self.persist(TRUST_LIST_FILE, &bytes);
            let text: String = roots.iter().map(|r| format!("{}\n", r.to_text())).collect();
            self.persist(TRUST_ROOTS_FILE, text.as_bytes());
        }
        inner.trust = Some(Held::new(bytes, list, source));
        inner.trust_roots = roots;
        self.drop_untrusted_status_lists(&mut inner);
        self.rebuild(&inner, true);
        tracing::info!(?old, new, ?source, "trust list installed");
        Ok(Offer::Installed { old, new })
    }

    /// After a trust-list change, every held status list (but this server's own) is checked
    /// again under the new list ([`StatusList::verify_under_trust_list`]): one whose signer
    /// the list no longer names (a changed `status_key`), or marks compromised, is dropped
    /// with its kept copy, so that a list an attacker signed with that key (say, dated far
    /// ahead with the highest sequence) cannot keep shutting out the real successors.
    pub(super) fn drop_untrusted_status_lists(&self, inner: &mut Inner) {
        let Some(trust) = inner.trust.as_ref().map(|t| t.list.clone()) else { return };
        let own = self.own.as_ref().map(|o| *o.public.as_bytes());
        inner.status.retain(|issuer, held| {
            if Some(*issuer) == own {
                return true;
            }
            let Err(e) = StatusList::verify_under_trust_list(&held.bytes, &trust) else { return true };
            let key = held.list.issuer_key();
            tracing::warn!(
                key_id = %key.key_id(), code = e.code(), error = %e,
                "a held status list is no longer trusted under the new trust list; dropped"
            );
            if let Some(dir) = &self.dir
                && let Err(e) = std::fs::remove_file(dir.join(status_file_name(key)))
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::error!(error = %e, "cannot remove the kept copy of a dropped status list");
            }
            false
        });
    }

    /// Offers a status list for `issuer`, signed by `signer` (the issuer key or the trust
    /// list's `status_key`): it must verify, be dated no later than the clock allows, and
    /// may only follow the list held ([`StatusList::check_offer`]).
    pub fn offer_status_list(
        &self,
        issuer: &PublicKey,
        signer: &PublicKey,
        bytes: Bytes,
    ) -> Result<Offer, StatusListError> {
        if self.read_inner().status.get(issuer.as_bytes()).is_some_and(|h| h.bytes == bytes) {
            return Ok(Offer::Unchanged);
        }
        let list = StatusList::verify_delegated(&bytes, issuer, signer)?;
        let mut inner = self.write_inner();
        let held = inner.status.get(issuer.as_bytes());
        let decided = decide_status_list(held.map(|h| &h.list), list, self.clock.now(), ikd_core::DEFAULT_SKEW_SECS)?;
        let Some(list) = decided.into_list() else { return Ok(Offer::Unchanged) };
        let old = held.map(|h| h.list.sequence());
        let new = list.sequence();
        self.metrics.held("status", &issuer.key_id().to_string(), list.issued_at(), new);
        self.persist(&status_file_name(issuer), &bytes);
        inner.status.insert(*issuer.as_bytes(), Held::new(bytes, list, Source::Synced));
        self.rebuild(&inner, false);
        tracing::info!(key_id = %issuer.key_id(), ?old, new, "status list installed");
        Ok(Offer::Installed { old, new })
    }

    /// Re-reads `trust_list_file` and installs it if it changed (and is a valid successor).
    pub fn reload_trust_list_file(&self) {
        let Some(path) = &self.trust_list_file else { return };
        let bytes = match std::fs::read(path) {
            Ok(b) => Bytes::from(b),
            Err(e) => {
                tracing::warn!(error = %e, file = %path.display(), "trust_list_file cannot be read; the list held stays");
                return;
            }
        };
        let held_source = self.read_inner().trust.as_ref().map(|t| (t.source, t.bytes == bytes));
        match held_source {
            Some((_, true)) => {}
            // A synced list newer than the file is not replaced by the file.
            Some((Source::Synced, false)) if self.upstream.is_some() => {}
            _ => match self.offer_trust_list(bytes, Source::File) {
                Ok(_) => {}
                Err(e) => {
                    self.metrics.rejected.with_label_values(&["trust", e.code()]).inc();
                    tracing::warn!(code = e.code(), error = %e, file = %path.display(), "new trust_list_file refused");
                }
            },
        }
    }

    /// Demo mode: installs a trust list naming the demo issuer, signed by the demo root.
    pub fn install_demo_trust_list(&self, bytes: Bytes, root: PublicKey) -> Result<(), TrustListError> {
        let list = TrustList::verify(&bytes, &[root])?;
        let mut inner = self.write_inner();
        self.metrics.held("trust", "", list.issued_at(), list.sequence());
        inner.trust = Some(Held::new(bytes, list, Source::Demo));
        inner.trust_roots = vec![root];
        self.rebuild(&inner, true);
        Ok(())
    }
}
