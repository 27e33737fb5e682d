//! Publishing this server's own status list through the store (one linear history).

#[allow(unused_imports)]
use super::*;

impl Lists {
    /// Whether the own status list must be published again: a revocation it does not hold
    /// yet, none held yet, more than half its TTL old, or the newest stored list could not be
    /// installed.
    pub(super) fn own_needs_refresh(&self, revoked: usize) -> bool {
        let Some(own) = &self.own else { return false };
        if self.own_repair.load(Ordering::SeqCst) {
            return true;
        }
        let inner = self.read_inner();
        match inner.status.get(own.public.as_bytes()) {
            Some(h) if h.source == Source::Own => {
                revoked != inner.own_included.len() || self.half_ttl_old(&h.list, Timestamp::now())
            }
            _ => true,
        }
    }

    /// Whether more than half of the list's TTL (`issuance.status_list_ttl_secs`) has passed.
    pub(super) fn half_ttl_old(&self, list: &StatusList, now: Timestamp) -> bool {
        let half_ttl = i64::try_from(self.status_ttl_secs / 2).unwrap_or(i64::MAX);
        now.unix() - list.issued_at().unix() > half_ttl
    }

    /// The own status list held, if any.
    pub(super) fn held_own(&self) -> Option<Held<StatusList>> {
        let own = self.own.as_ref()?;
        self.read_inner().status.get(own.public.as_bytes()).cloned()
    }

    /// The signer handed to `Store::publish_status_list`.
    pub(super) fn own_signer(self: &Arc<Self>) -> StatusListSigner {
        let lists = Arc::clone(self);
        Box::new(move |latest, revoked| lists.sign_successor(latest, revoked))
    }

    /// Inside the store's publishing transaction: decides whether the newest stored own list
    /// (`latest`) needs a successor, and signs it. `None` when `latest` marks every revoked
    /// index, has the configured size, is less than half its TTL old and may follow the list
    /// held. With nothing stored, a list held from before (the copy kept in
    /// `<data_dir>/lists/` by an older version) is stored as it is when it would do. Otherwise
    /// the successor starts from the newer of the stored and the held list, also marks what the
    /// other one marks and every revoked index, never shrinks, has `issued_at` = now (never
    /// earlier than either) and sequence = the Unix time of signing (always above either).
    pub(super) fn sign_successor(
        &self,
        latest: Option<&StoredStatusList>,
        revoked: &[RevokedCredential],
    ) -> Result<Option<StoredStatusList>, String> {
        let Some(own) = &self.own else { return Ok(None) };
        let held = self.held_own();
        let stored = match latest {
            None => None,
            Some(s) => {
                let list = match &held {
                    Some(h) if h.bytes.as_ref() == s.bytes.as_slice() => h.list.clone(),
                    _ => StatusList::verify(&s.bytes, &own.public).map_err(|e| {
                        format!(
                            "the newest stored status list of key id {} (sequence {}) does not verify under this \
                             server's issuer key ({}: {e}); if it belongs to another key, remove that row",
                            own.key_id,
                            s.sequence,
                            e.code()
                        )
                    })?,
                };
                if list.sequence() != s.sequence || list.issued_at().unix() != s.issued_at {
                    return Err(format!(
                        "the stored status list of key id {} has sequence {} and issued_at {} in its row but {} \
                         and {} in its bytes",
                        own.key_id,
                        s.sequence,
                        s.issued_at,
                        list.sequence(),
                        list.issued_at().unix()
                    ));
                }
                Some(list)
            }
        };
        let now = Timestamp::now();
        let indices: Vec<u32> = revoked.iter().map(|r| r.status_index).collect();
        let would_do = |l: &StatusList| {
            l.len() >= self.status_size
                && !self.half_ttl_old(l, now)
                && indices.iter().all(|i| matches!(l.get(StatusIndex::new(*i)), Ok(CredentialStatus::Revoked)))
        };
        match (&stored, &held) {
            (Some(s), h)
                if would_do(s) && h.as_ref().is_none_or(|h| StatusList::check_transition(&h.list, s).is_ok()) =>
            {
                return Ok(None);
            }
            (None, Some(h)) if would_do(&h.list) => {
                return Ok(Some(StoredStatusList {
                    sequence: h.list.sequence(),
                    issued_at: h.list.issued_at().unix(),
                    bytes: h.bytes.to_vec(),
                }));
            }
            _ => {}
        }
        let held_list = held.map(|h| h.list);
        let (base, other) = match (stored, held_list) {
            (Some(s), Some(h)) if h.sequence() > s.sequence() => (Some(h), Some(s)),
            (None, h) => (h, None),
            (s, h) => (s, h),
        };
        let err = |e: StatusListError| format!("{e} ({})", e.code());
        let mut b = match &base {
            Some(l) => StatusListBuilder::from_list(l),
            None => StatusListBuilder::new(self.status_size.max(1)).map_err(err)?,
        };
        let size = indices
            .iter()
            .map(|i| i.saturating_add(1))
            .max()
            .unwrap_or(0)
            .max(self.status_size)
            .max(b.len())
            .max(other.as_ref().map_or(0, StatusList::len));
        if size > b.len() {
            b.grow(size).map_err(err)?;
        }
        let carried = other.as_ref().map(|o| o.revoked().collect::<Vec<u32>>()).unwrap_or_default();
        for i in indices.iter().chain(carried.iter()) {
            b.set(StatusIndex::new(*i), CredentialStatus::Revoked).map_err(err)?;
        }
        let mut issued_at = now;
        let mut previous = None;
        for l in base.iter().chain(other.iter()) {
            issued_at = issued_at.max(l.issued_at());
            previous = previous.max(Some(l.sequence()));
        }
        // The one rule for the next sequence (shared with `ikd status publish`).
        let sequence = next_status_sequence(previous, now);
        let bytes = b.sign(&own.key, issued_at, self.status_ttl_secs, sequence).map_err(err)?;
        Ok(Some(StoredStatusList { sequence, issued_at: issued_at.unix(), bytes }))
    }

    /// Installs a list of the own key (published by this or another instance through the
    /// store): it must verify under the issuer key and follow the list held
    /// (`StatusList::check_transition`). A list the one held already follows is left alone.
    pub(super) fn adopt_own(&self, bytes: Bytes, signed_here: bool) -> Result<Offer, StatusListError> {
        let Some(own) = &self.own else { return Ok(Offer::Unchanged) };
        if self.read_inner().status.get(own.public.as_bytes()).is_some_and(|h| h.bytes == bytes) {
            return Ok(Offer::Unchanged);
        }
        let list = StatusList::verify(&bytes, &own.public)?;
        let mut inner = self.write_inner();
        let old = match inner.status.get(own.public.as_bytes()) {
            Some(cur) if cur.bytes == bytes => return Ok(Offer::Unchanged),
            // Installed meanwhile by another request: the held list already follows this one.
            Some(cur)
                if cur.list.sequence() > list.sequence() && StatusList::check_transition(&list, &cur.list).is_ok() =>
            {
                return Ok(Offer::Unchanged);
            }
            Some(cur) => {
                StatusList::check_transition(&cur.list, &list)?;
                Some(cur.list.sequence())
            }
            None => None,
        };
        let new = list.sequence();
        self.metrics.held("status", &own.key_id, list.issued_at(), new);
        self.persist(&status_file_name(&own.public), &bytes);
        let revoked = list.revoked_count();
        inner.status.insert(*own.public.as_bytes(), Held::new(bytes, list, Source::Own));
        self.rebuild(&inner, false);
        drop(inner);
        if signed_here {
            tracing::info!(key_id = %own.key_id, ?old, sequence = new, revoked, "own status list signed and published");
        } else {
            tracing::info!(key_id = %own.key_id, ?old, sequence = new, revoked, "own status list installed from the store");
        }
        Ok(Offer::Installed { old, new })
    }
}

impl AppState {
    /// The verifier to use now: publishes the own status list first when a revocation
    /// happened since it was signed (or it is half its TTL old), so a revocation shows at once.
    /// While publishing fails, requests do not wait for the store: the background task retries.
    pub async fn verifier_now(&self) -> Arc<Verifier> {
        if !self.lists.own_failing.load(Ordering::SeqCst) && self.lists.own_needs_refresh(self.revoked_count()) {
            self.publish_own(false).await;
        }
        self.lists.verifier()
    }

    pub(super) fn revoked_count(&self) -> usize {
        self.revoked.read().map(|s| s.len()).unwrap_or(0)
    }

    /// Publishes the own status list through the store if needed (see
    /// [`AppState::verifier_now`]), also retrying after a failure. Failures are logged; the
    /// previous list stays.
    pub async fn refresh_own_status(&self) {
        let force = self.lists.own_failing.load(Ordering::SeqCst);
        self.publish_own(force).await;
    }

    /// At start-up: publishes the own status list through the store whatever the state, so the
    /// server holds the newest stored list (importing the copy kept by an older version when the
    /// store holds none) and it covers every revocation in the registry.
    pub async fn start_own_status(&self) {
        self.publish_own(true).await;
    }

    /// One publishing transaction (`Store::publish_status_list`); then installs the newest
    /// stored list. `force`: even when nothing seems to have changed here.
    pub(super) async fn publish_own(&self, force: bool) {
        let Some(own) = &self.lists.own else { return };
        let _guard = self.lists.own_lock.lock().await;
        if !force && !self.lists.own_needs_refresh(self.revoked_count()) {
            return;
        }
        let repair = self.lists.own_repair.swap(false, Ordering::SeqCst);
        let published = match self.store.publish_status_list(&own.key_id, self.lists.own_signer()).await {
            Ok(p) => p,
            Err(e) => {
                if repair {
                    self.lists.own_repair.store(true, Ordering::SeqCst);
                }
                if self.lists.own_failing.swap(true, Ordering::SeqCst) {
                    tracing::debug!(error = %e, "the own status list still cannot be published");
                } else {
                    tracing::error!(
                        error = %e,
                        key_id = %own.key_id,
                        "cannot publish the own status list; the previous one stays (retried every few seconds)"
                    );
                }
                return;
            }
        };
        if self.lists.own_failing.swap(false, Ordering::SeqCst) {
            tracing::info!(key_id = %own.key_id, "the own status list is published again");
        }
        let Some(latest) = published.latest else { return };
        match self.lists.adopt_own(Bytes::from(latest.bytes), published.inserted) {
            Ok(_) => {
                // Revocation is final: the registry's revoked serials join the local set
                // first, so `own_included` stays a subset of it.
                if let Ok(mut set) = self.revoked.write() {
                    set.extend(published.revoked_serials.iter().copied());
                }
                self.lists.write_inner().own_included.extend(published.revoked_serials);
            }
            Err(e) => tracing::error!(
                code = e.code(), error = %e, key_id = %own.key_id,
                "the published own status list cannot be installed; the previous one stays"
            ),
        }
    }

    /// Installs the newest own status list in a shared store if it is newer than the one held
    /// (one primary-key lookup). `background`: the periodic task, which also tries while the
    /// store was failing (requests then serve the list held without waiting for the store).
    /// A stored list that cannot be installed (it does not follow the one held) makes the next
    /// publishing sign a successor of both.
    pub async fn adopt_stored_own_status(&self, background: bool) {
        let Some(own) = &self.lists.own else { return };
        if !self.store.shared() || (!background && self.lists.own_read_failing.load(Ordering::SeqCst)) {
            return;
        }
        let newer_than = self.lists.held_own().map(|h| h.list.sequence());
        let found = match self.store.latest_status_list(&own.key_id, newer_than).await {
            Ok(f) => f,
            Err(e) => {
                if !self.lists.own_read_failing.swap(true, Ordering::SeqCst) {
                    tracing::warn!(
                        error = %e,
                        "cannot read the newest own status list from the store; serving the one held"
                    );
                }
                return;
            }
        };
        if self.lists.own_read_failing.swap(false, Ordering::SeqCst) {
            tracing::info!("the newest own status list can be read from the store again");
        }
        let Some(stored) = found else { return };
        let sequence = stored.sequence;
        if let Err(e) = self.lists.adopt_own(Bytes::from(stored.bytes), false)
            && !self.lists.own_repair.swap(true, Ordering::SeqCst)
        {
            tracing::warn!(
                code = e.code(), error = %e, key_id = %own.key_id, sequence,
                "the newest stored own status list does not follow the one held; a successor of both is signed"
            );
        }
    }

    /// Whether `key` (6 hex digits of key id, or 64 of public key, lower case) names this
    /// server's own issuer key.
    pub fn is_own_status_key(&self, key: &str) -> bool {
        self.lists.own.as_ref().is_some_and(|o| o.key_id == key || hex::encode(o.public.as_bytes()) == key)
    }
}
