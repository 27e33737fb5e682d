//! The audit log: a hash chain of events, written with group commit, and its verification.
//!
//! Entry `n` stores `prev_hash` = hash of entry `n − 1` (64 zeros for entry 1) and
//! `hash = SHA-256("ikd-audit-v1" ‖ for each field: u32 big-endian length ‖ UTF-8 bytes)` over
//! the fields `seq, prev_hash, at, event, actor, source, serial, key_id, verdict, code` (an
//! absent serial or key id is the empty string). Changing, inserting, deleting or reordering an
//! entry breaks the chain at that entry; see `docs/SERVER.md` for what the chain does not show.
//! No entry holds a name, NIK, address or photo.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::store::spool::Spool;
use crate::store::{Appended, AuditBatch, AuditCheckpoint, AuditEntry, AuditRecord, Store, StoreError};
pub use crate::store::{GENESIS_HASH, entry_hash};

/// Most records written in one transaction.
const MAX_GROUP: usize = 1024;
/// Pending writes allowed before callers wait.
const QUEUE: usize = 4096;
/// How long the writer lets a group fill under load (it runs on its own thread, so sleeping
/// there blocks nothing else).
const LINGER: std::time::Duration = std::time::Duration::from_micros(300);

/// Default number of audit entries between two checkpoints (`audit_checkpoint_every`).
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 1000;

/// What a checkpoint signs: `"ikd-audit-checkpoint-v1" ‖ for each field f of
/// [seq, head_hash, at, public_key]: u32_be(len(f)) ‖ utf8(f)`.
pub fn checkpoint_message(seq: u64, head_hash: &str, at: &str, public_key: &str) -> Vec<u8> {
    let mut m = b"ikd-audit-checkpoint-v1".to_vec();
    let seq = seq.to_string();
    for f in [seq.as_str(), head_hash, at, public_key] {
        m.extend_from_slice(&u32::try_from(f.len()).unwrap_or(u32::MAX).to_be_bytes());
        m.extend_from_slice(f.as_bytes());
    }
    m
}

/// Whether a checkpoint's signature verifies under `key` (and names `key`).
pub fn checkpoint_signature_ok(cp: &AuditCheckpoint, key: &ikd_core::PublicKey) -> bool {
    use base64::Engine;
    if cp.public_key != key.to_text() {
        return false;
    }
    let Ok(sig) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&cp.signature) else { return false };
    let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else { return false };
    ikd_core::verify_signature_strict(key, &checkpoint_message(cp.seq, &cp.head_hash, &cp.at, &cp.public_key), &sig)
}

/// The key that signs checkpoints of the audit chain's head, and how often. Its secret is
/// never printed (no `Debug` of it) and is wiped from memory when dropped (`SecretKey`).
pub struct CheckpointSigner {
    key: ikd_core::SecretKey,
    public: ikd_core::PublicKey,
    every: u64,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSigner")
            .field("public_key", &self.public.to_text())
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl CheckpointSigner {
    /// A signer checkpointing every `every` entries (at least 1).
    pub fn new(key: ikd_core::SecretKey, every: u64) -> CheckpointSigner {
        let public = key.public_key();
        CheckpointSigner { key, public, every: every.max(1) }
    }

    /// The public key that verifies its checkpoints.
    pub fn public_key(&self) -> ikd_core::PublicKey {
        self.public
    }

    /// Entries between two checkpoints.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// Signs entry `seq` with hash `head_hash`, now.
    pub fn sign(&self, seq: u64, head_hash: &str) -> AuditCheckpoint {
        use base64::Engine;
        let at = ikd_core::Timestamp::now().to_string();
        let public_key = self.public.to_text();
        let sig = self.key.sign(&checkpoint_message(seq, head_hash, &at, &public_key));
        AuditCheckpoint {
            seq,
            head_hash: head_hash.to_owned(),
            at,
            public_key,
            signature: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig),
        }
    }
}

/// Reads the audit checkpoint key file (`audit_checkpoint_key`); with `create`, makes a new
/// key there first if the file does not exist (mode 0600, created exclusively). A secret key
/// file readable by group or others is refused. Errors name the file, never its contents.
pub fn load_checkpoint_key(path: &std::path::Path, create: bool) -> Result<ikd_core::SecretKey, String> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let name = path.display();
    if create && !path.exists() {
        let key = ikd_core::SecretKey::generate().map_err(|_| "the system random source failed".to_owned())?;
        let text = key.to_file_text();
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("{name}: cannot create the audit checkpoint key: {e}"))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| format!("{name}: cannot write the audit checkpoint key: {e}"))?;
        tracing::info!(
            file = %name,
            public_key = %key.public_key().to_text(),
            "new audit checkpoint key created (mode 0600); keep a copy of its public key outside the database"
        );
        return Ok(key);
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("{name}: cannot read the audit checkpoint key: {e}"))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "{name}: the audit checkpoint key is readable by other users (mode {:04o}); run chmod 600",
            meta.permissions().mode() & 0o7777
        ));
    }
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read the audit checkpoint key: {e}"))?,
    );
    ikd_core::SecretKey::from_file_text(&text).map_err(|e| format!("{name}: not an IKD secret key file ({})", e.code()))
}

/// The public key that verifies checkpoints, from the `audit_checkpoint_key` file: a secret
/// key file (the server's) or a public key file (`ikd key pub`, for an auditor without the
/// secret).
pub fn checkpoint_public_key(path: &std::path::Path) -> Result<ikd_core::PublicKey, String> {
    let name = path.display();
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read the audit checkpoint key: {e}"))?,
    );
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
    if first.starts_with("IKD-SECRET-KEY") {
        return load_checkpoint_key(path, false).map(|k| k.public_key());
    }
    ikd_core::PublicKey::from_text(first).map_err(|e| format!("{name}: not an IKD key file ({})", e.code()))
}

type Reply = oneshot::Sender<Result<Vec<u64>, StoreError>>;
type BatchReply = oneshot::Sender<Result<Vec<BatchOutcome>, StoreError>>;

/// What the writer is asked to write: records of this server (grouped with others into a batch
/// with a random id), or batches whose ids the caller chose (written as they are, alone, so a
/// batch sent again is recognised by its id and never chained twice).
enum Job {
    Records(Vec<AuditRecord>, Reply),
    Batches(Vec<AuditBatch>, BatchReply),
}

/// What became of one batch given to [`AuditLog::append_batches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Chained now, at these sequence numbers.
    Recorded(Vec<u64>),
    /// A batch with this id is in the chain already: nothing was written.
    Duplicate,
    /// Written to the local spool (the shared store is unreachable); chained once it answers,
    /// where a batch already chained under this id is skipped.
    Spooled,
}
type SharedSigner = Arc<Mutex<Option<Arc<CheckpointSigner>>>>;

/// How long the writer waits for a shared store before it spools a batch instead.
const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);
/// First and longest pause before retrying the store after a failure.
const RETRY_MIN: std::time::Duration = std::time::Duration::from_millis(500);
const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(15);

/// Handle to the audit writer. Callers wait until their records are committed (or, while a
/// shared database is unreachable, safely spooled on local disk).
#[derive(Debug, Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Job>,
    spool: Option<Arc<SpoolState>>,
    checkpoints: SharedSigner,
}

/// What the local audit spool holds now (see [`crate::store::spool`]).
#[derive(Debug, Default)]
pub struct SpoolState {
    records: AtomicU64,
    bytes: AtomicU64,
    max_bytes: AtomicU64,
    corrupt: AtomicU64,
    store_down: AtomicBool,
}

/// A snapshot of [`SpoolState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SpoolStatus {
    /// Audit records waiting on local disk to be chained.
    pub records: u64,
    /// Their size.
    pub bytes: u64,
    /// The most the spool may hold (`audit_spool_max_bytes`).
    pub max_bytes: u64,
    /// Segments set aside as unreadable (need an operator).
    pub corrupt_segments: u64,
    /// The writer's last attempt to reach the store failed.
    pub store_down: bool,
}

impl SpoolState {
    fn update(&self, spool: &Spool, store_down: bool, metrics: &crate::metrics::Metrics) {
        self.records.store(spool.records(), Ordering::Relaxed);
        self.bytes.store(spool.bytes(), Ordering::Relaxed);
        self.max_bytes.store(spool.max_bytes(), Ordering::Relaxed);
        self.corrupt.store(spool.corrupt(), Ordering::Relaxed);
        self.store_down.store(store_down, Ordering::Relaxed);
        metrics.audit_spooled.set(i64::try_from(spool.records()).unwrap_or(i64::MAX));
    }

    fn snapshot(&self) -> SpoolStatus {
        SpoolStatus {
            records: self.records.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            max_bytes: self.max_bytes.load(Ordering::Relaxed),
            corrupt_segments: self.corrupt.load(Ordering::Relaxed),
            store_down: self.store_down.load(Ordering::Relaxed),
        }
    }
}

/// The audit writer's thread. It ends when every [`AuditLog`] handle is dropped, after writing
/// what is queued.
#[derive(Debug)]
pub struct AuditTask(Option<std::thread::JoinHandle<()>>);

impl AuditTask {
    /// Waits (at most `timeout`) for the writer to commit what is queued and stop. Drop every
    /// [`AuditLog`] handle first. Returns whether it stopped in time.
    pub async fn finish(mut self, timeout: std::time::Duration) -> bool {
        let Some(handle) = self.0.take() else { return true };
        let join = tokio::task::spawn_blocking(move || handle.join());
        matches!(tokio::time::timeout(timeout, join).await, Ok(Ok(Ok(()))))
    }
}

impl AuditLog {
    /// Starts the writer on its own thread (with its own single-threaded runtime), so store
    /// commits never occupy the request workers and need no hand-off to the blocking pool.
    /// A store with a spool ([`Store::audit_spool`]) gets it opened here.
    pub fn start(store: Arc<dyn Store>, metrics: crate::metrics::Metrics) -> std::io::Result<(AuditLog, AuditTask)> {
        let spool = match store.audit_spool() {
            Some(cfg) => Some(Spool::open(&cfg)?),
            None => None,
        };
        let state = spool.as_ref().map(|s| {
            let st = Arc::new(SpoolState::default());
            st.update(s, false, &metrics);
            if !s.is_empty() {
                tracing::warn!(
                    records = s.records(),
                    dir = %s.dir().display(),
                    "audit records from an earlier run wait in the local spool; they are chained once the store answers"
                );
            }
            st
        });
        let (tx, rx) = mpsc::channel::<Job>(QUEUE);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let writer_state = state.clone();
        let checkpoints: SharedSigner = Arc::new(Mutex::new(None));
        let writer_checkpoints = Arc::clone(&checkpoints);
        let handle = std::thread::Builder::new().name("ikd-audit".into()).spawn(move || {
            let w = Writer {
                store,
                metrics,
                spool: spool.zip(writer_state),
                retry_at: None,
                backoff: RETRY_MIN,
                checkpoints: writer_checkpoints,
                since_checkpoint: 0,
                unchecked_seq: None,
            };
            rt.block_on(w.run(rx))
        })?;
        Ok((AuditLog { tx, spool: state, checkpoints }, AuditTask(Some(handle))))
    }

    /// Appends records and waits until they are committed, or spooled on local disk while a
    /// shared store is unreachable (then the returned sequence numbers are empty: they are
    /// assigned when the spool is chained). An error means the records are **not** recorded.
    pub async fn append(&self, records: Vec<AuditRecord>) -> Result<Vec<u64>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, wait) = oneshot::channel();
        self.tx
            .send(Job::Records(records, reply))
            .await
            .map_err(|_| StoreError::Database("the audit writer has stopped".to_owned()))?;
        wait.await.map_err(|_| StoreError::Database("the audit writer has stopped".to_owned()))?
    }

    /// Appends batches whose ids the caller made (idempotent: a batch whose id is in the chain
    /// already is [`BatchOutcome::Duplicate`]), in order, in one transaction, and waits until
    /// they are committed or spooled. An error means none of them is recorded.
    pub async fn append_batches(&self, batches: Vec<AuditBatch>) -> Result<Vec<BatchOutcome>, StoreError> {
        if batches.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, wait) = oneshot::channel();
        self.tx
            .send(Job::Batches(batches, reply))
            .await
            .map_err(|_| StoreError::Database("the audit writer has stopped".to_owned()))?;
        wait.await.map_err(|_| StoreError::Database("the audit writer has stopped".to_owned()))?
    }

    /// The local spool's state, for a store that has one.
    pub fn spool_status(&self) -> Option<SpoolStatus> {
        self.spool.as_ref().map(|s| s.snapshot())
    }

    /// Starts signing checkpoints of the chain's head: every `signer.every()` entries this
    /// writer commits, and at shutdown (see `docs/SERVER.md` §6).
    pub fn enable_checkpoints(&self, signer: CheckpointSigner) {
        if let Ok(mut c) = self.checkpoints.lock() {
            *c = Some(Arc::new(signer));
        }
    }

    /// The public key of the checkpoint signer, if checkpoints are on.
    pub fn checkpoint_key(&self) -> Option<ikd_core::PublicKey> {
        self.checkpoints.lock().ok().and_then(|c| c.as_ref().map(|s| s.public_key()))
    }
}

struct Writer {
    store: Arc<dyn Store>,
    metrics: crate::metrics::Metrics,
    spool: Option<(Spool, Arc<SpoolState>)>,
    /// While set, the store is not tried before this time (it failed); batches are spooled.
    retry_at: Option<Instant>,
    backoff: std::time::Duration,
    /// The checkpoint signer, once enabled.
    checkpoints: SharedSigner,
    /// Entries this writer committed since its last checkpoint.
    since_checkpoint: u64,
    /// The newest entry this writer committed that no checkpoint covers yet.
    unchecked_seq: Option<u64>,
}

impl Writer {
    fn signer(&self) -> Option<Arc<CheckpointSigner>> {
        self.checkpoints.lock().ok().and_then(|c| c.clone())
    }

    /// Counts committed entries; signs a checkpoint when enough have been written.
    async fn committed(&mut self, seqs: &[u64]) {
        let Some(&last) = seqs.iter().max() else { return };
        self.since_checkpoint += seqs.len() as u64;
        self.unchecked_seq = Some(self.unchecked_seq.map_or(last, |s| s.max(last)));
        if let Some(signer) = self.signer()
            && self.since_checkpoint >= signer.every()
        {
            self.checkpoint(&signer).await;
        }
    }

    /// Signs and stores a checkpoint of the newest entry this writer committed. A failure is
    /// logged and retried with the next entries; it never fails a request.
    async fn checkpoint(&mut self, signer: &CheckpointSigner) {
        let Some(seq) = self.unchecked_seq else { return };
        let entry = match self.store.audit_entries(seq - 1, 1).await {
            Ok(mut v) => v.pop().filter(|e| e.seq == seq),
            Err(e) => {
                tracing::warn!(error = %e, seq, "cannot read the audit chain head to checkpoint it; retried later");
                return;
            }
        };
        let Some(entry) = entry else {
            tracing::error!(seq, "the audit entry to checkpoint is missing from the store");
            return;
        };
        let cp = signer.sign(seq, &entry.hash);
        let (head_hash, signature) = (cp.head_hash.clone(), cp.signature.clone());
        match self.store.append_checkpoint(cp).await {
            Ok(()) => {
                // Logged in full so that a log shipped elsewhere anchors the chain too.
                tracing::info!(seq, head_hash = %head_hash, signature = %signature, "audit checkpoint signed");
                self.since_checkpoint = 0;
                self.unchecked_seq = None;
            }
            Err(e) => tracing::warn!(error = %e, seq, "cannot store an audit checkpoint; retried later"),
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        let mut last_group = 0usize;
        // A job of caller-made batches taken while grouping records: written next.
        let mut held: Option<Job> = None;
        loop {
            // With records waiting in the spool, wake up now and then to chain them even when
            // no request comes.
            let first = if let Some(job) = held.take() {
                job
            } else if self.spool_pending() {
                match tokio::time::timeout(self.next_tick(), rx.recv()).await {
                    Ok(Some(item)) => item,
                    Ok(None) => break,
                    Err(_) => {
                        self.drain_one().await;
                        continue;
                    }
                }
            } else {
                match rx.recv().await {
                    Some(item) => item,
                    None => break,
                }
            };
            let first = match first {
                Job::Records(records, reply) => (records, reply),
                Job::Batches(batches, reply) => {
                    let _ = reply.send(self.write_batches(batches).await);
                    continue;
                }
            };
            // Group commit: take everything already waiting, write it in one transaction. Under
            // load (the last commit carried more than one request) linger a moment first so each
            // commit carries more records: a commit costs far more than a record.
            if last_group > 1 && rx.len() < MAX_GROUP / 4 {
                std::thread::sleep(LINGER);
            }
            let mut group = vec![first];
            let mut count = group.iter().map(|(r, _)| r.len()).sum::<usize>();
            while count < MAX_GROUP {
                match rx.try_recv() {
                    Ok(Job::Records(records, reply)) => {
                        count += records.len();
                        group.push((records, reply));
                    }
                    Ok(job @ Job::Batches(..)) => {
                        held = Some(job);
                        break;
                    }
                    Err(_) => break,
                }
            }
            let mut all = Vec::with_capacity(count);
            let mut sizes = Vec::with_capacity(group.len());
            let mut replies = Vec::with_capacity(group.len());
            for (records, reply) in group {
                sizes.push(records.len());
                all.extend(records);
                replies.push(reply);
            }
            self.metrics.audit_group.observe(count as f64);
            last_group = sizes.len();
            let result = match AuditBatch::new(all) {
                Ok(batch) => self.write(batch).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(Some(seqs)) => {
                    let mut it = seqs.iter().copied();
                    for (n, reply) in sizes.into_iter().zip(replies) {
                        let mine: Vec<u64> = it.by_ref().take(n).collect();
                        let _ = reply.send(Ok(mine));
                    }
                    // After the answers: a checkpoint never delays a request.
                    self.committed(&seqs).await;
                }
                Ok(None) => {
                    for reply in replies {
                        let _ = reply.send(Ok(Vec::new()));
                    }
                }
                Err(e) => {
                    self.metrics.audit_failures.inc();
                    tracing::error!(error = %e, records = count, "audit log write failed");
                    for reply in replies {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
        }
        // Every handle is gone: chain what the spool holds if the store answers (what does not
        // fit stays on disk for the next start).
        if self.spool_pending() {
            self.retry_at = None;
            while self.spool_pending() && self.drain_one().await {}
        }
        // A last checkpoint of what this writer committed, so a cut-off tail is detected.
        if let Some(signer) = self.signer() {
            self.checkpoint(&signer).await;
        }
    }

    fn spool_pending(&self) -> bool {
        self.spool.as_ref().is_some_and(|(s, _)| !s.is_empty())
    }

    fn next_tick(&self) -> std::time::Duration {
        match self.retry_at {
            Some(t) => t.saturating_duration_since(Instant::now()).max(std::time::Duration::from_millis(10)),
            None => std::time::Duration::from_millis(10),
        }
    }

    fn store_failed(&mut self) {
        self.retry_at = Some(Instant::now() + self.backoff);
        self.backoff = (self.backoff * 2).min(RETRY_MAX);
        if let Some((s, st)) = &self.spool {
            st.update(s, true, &self.metrics);
        }
    }

    fn store_ok(&mut self) {
        self.retry_at = None;
        self.backoff = RETRY_MIN;
        if let Some((s, st)) = &self.spool {
            st.update(s, false, &self.metrics);
        }
    }

    /// Writes one batch: to the store, or to the spool while the store is failing or the spool
    /// still holds older records (so this instance's entries enter the chain in order).
    /// `Ok(None)`: spooled.
    async fn write(&mut self, batch: AuditBatch) -> Result<Option<Vec<u64>>, StoreError> {
        Ok(self.write_all(vec![batch]).await?.map(|mut out| match out.pop() {
            Some(Appended::New(seqs)) => seqs,
            _ => Vec::new(),
        }))
    }

    /// Writes caller-made batches (ids chosen by the caller) and says what became of each.
    async fn write_batches(&mut self, batches: Vec<AuditBatch>) -> Result<Vec<BatchOutcome>, StoreError> {
        let n = batches.len();
        let out = self.write_all(batches).await;
        if out.is_err() {
            self.metrics.audit_failures.inc();
        }
        match out? {
            None => Ok(vec![BatchOutcome::Spooled; n]),
            Some(done) => {
                let seqs: Vec<u64> = done
                    .iter()
                    .flat_map(|a| match a {
                        Appended::New(s) => s.clone(),
                        Appended::AlreadyPresent => Vec::new(),
                    })
                    .collect();
                self.committed(&seqs).await;
                Ok(done
                    .into_iter()
                    .map(|a| match a {
                        Appended::New(s) => BatchOutcome::Recorded(s),
                        Appended::AlreadyPresent => BatchOutcome::Duplicate,
                    })
                    .collect())
            }
        }
    }

    /// Writes batches in one transaction: to the store, or to the spool while the store is
    /// failing or the spool still holds older records. `Ok(None)`: spooled.
    async fn write_all(&mut self, batches: Vec<AuditBatch>) -> Result<Option<Vec<Appended>>, StoreError> {
        if self.spool.is_none() {
            return self.store.append_audit(batches).await.map(Some);
        }
        let due = self.retry_at.is_none_or(|t| Instant::now() >= t);
        if due && self.spool_pending() {
            self.drain_one().await;
        }
        let due = self.retry_at.is_none_or(|t| Instant::now() >= t);
        if due && !self.spool_pending() {
            match tokio::time::timeout(STORE_WAIT, self.store.append_audit(batches.clone())).await {
                Ok(Ok(out)) => {
                    self.store_ok();
                    return Ok(Some(out));
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "audit store unavailable: spooling audit records locally");
                    self.store_failed();
                }
                Err(_) => {
                    // The commit may still go through: the batch id makes the spooled copy a
                    // no-op then.
                    tracing::warn!("audit store did not answer in time: spooling audit records locally");
                    self.store_failed();
                }
            }
        }
        for batch in &batches {
            self.spool_batch(batch)?;
        }
        Ok(None)
    }

    fn spool_batch(&mut self, batch: &AuditBatch) -> Result<Option<Vec<u64>>, StoreError> {
        let Some((spool, st)) = self.spool.as_mut() else {
            return Err(StoreError::Database("no audit spool".to_owned()));
        };
        let r = spool.write(batch);
        st.update(spool, self.retry_at.is_some(), &self.metrics);
        r.map(|()| None).map_err(|e| StoreError::Database(format!("audit spool: {e}")))
    }

    /// Chains the oldest spooled segment (sealing the open one when none is sealed). Returns
    /// whether it made progress.
    async fn drain_one(&mut self) -> bool {
        if self.retry_at.is_some_and(|t| Instant::now() < t) {
            return false;
        }
        let Some((spool, _)) = self.spool.as_mut() else { return false };
        let next = match spool.oldest_sealed() {
            Ok(Some(s)) => Ok(Some(s)),
            Ok(None) => spool.seal().and_then(|()| spool.oldest_sealed()),
            Err(e) => Err(e),
        };
        let sealed = match next {
            Ok(Some(s)) => s,
            Ok(None) => return false,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the audit spool");
                self.store_failed();
                return false;
            }
        };
        let records = sealed.records();
        // A quick probe first: a database that does not answer must not hold the writer (and
        // every verification waiting for it) for the whole operation timeout.
        match tokio::time::timeout(STORE_WAIT, self.store.ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "audit store still unavailable; spooled records wait");
                self.store_failed();
                return false;
            }
            Err(_) => {
                tracing::warn!("audit store still not answering; spooled records wait");
                self.store_failed();
                return false;
            }
        }
        match self.store.append_audit(sealed.batches.clone()).await {
            Ok(out) => {
                let skipped = out.iter().filter(|o| **o == Appended::AlreadyPresent).count();
                if let Some((spool, _)) = self.spool.as_mut()
                    && let Err(e) = spool.remove(&sealed)
                {
                    // Chaining it again later is harmless: every batch would be skipped.
                    tracing::error!(error = %e, "cannot delete a chained audit spool segment");
                }
                tracing::info!(records, batches_already_chained = skipped, "spooled audit records chained");
                self.store_ok();
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "audit store still unavailable; spooled records wait");
                self.store_failed();
                false
            }
        }
    }
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    /// Every entry checked out (and every signed checkpoint, when they are checked).
    pub ok: bool,
    /// Entries checked.
    pub entries: u64,
    /// Sequence number of the last entry.
    pub head_seq: u64,
    /// Hash of the last entry (publish or note it elsewhere to detect a cut-off tail later).
    pub head_hash: String,
    /// The first entry that does not check out.
    pub first_bad_seq: Option<u64>,
    /// What is wrong with it.
    pub problem: Option<String>,
    /// Signed checkpoints checked against the chain; `None` when no checkpoint key is
    /// configured (they are not checked).
    pub checkpoints: Option<u64>,
    /// The newest checkpoint with a valid signature.
    pub last_checkpoint_seq: Option<u64>,
}

/// Walks the whole chain through the store, page by page.
pub async fn verify_chain(store: &dyn Store) -> Result<ChainReport, StoreError> {
    verify_chain_with(store, None).await
}

/// Walks the whole chain, and with `checkpoint_key` also checks it against the signed
/// checkpoints of that key: each must have a valid signature, name an entry that is still
/// there, and carry that entry's hash. So a log cut off after a checkpoint, or rewritten
/// (with recomputed hashes) at or before one, is reported broken. Checkpoints of other keys
/// are ignored.
pub async fn verify_chain_with(
    store: &dyn Store,
    checkpoint_key: Option<&ikd_core::PublicKey>,
) -> Result<ChainReport, StoreError> {
    const PAGE: usize = 5000;
    let mut signed = std::collections::BTreeMap::new();
    let mut bad_signature = None;
    if let Some(key) = checkpoint_key {
        let text = key.to_text();
        for cp in store.audit_checkpoints().await? {
            if cp.public_key != text {
                continue;
            }
            if checkpoint_signature_ok(&cp, key) {
                signed.insert(cp.seq, cp.head_hash);
            } else if bad_signature.is_none() {
                bad_signature = Some(cp.seq);
            }
        }
    }
    let checkpoints = checkpoint_key.map(|_| signed.len() as u64);
    let last_checkpoint_seq = signed.keys().next_back().copied();
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expect_seq = 1u64;
    let mut checked = 0u64;
    let broken = |entries: u64, head_seq: u64, head_hash: String, bad: u64, problem: String| ChainReport {
        ok: false,
        entries,
        head_seq,
        head_hash,
        first_bad_seq: Some(bad),
        problem: Some(problem),
        checkpoints,
        last_checkpoint_seq,
    };
    loop {
        let page = store.audit_entries(expect_seq - 1, PAGE).await?;
        let n = page.len();
        for e in page {
            if let Some(problem) = check_entry(&e, expect_seq, &prev_hash) {
                return Ok(broken(checked, expect_seq - 1, prev_hash, expect_seq.min(e.seq), problem));
            }
            if let Some(h) = signed.get(&e.seq)
                && *h != e.hash
            {
                let problem = format!(
                    "entry {} does not match its signed checkpoint: the log was rewritten at or before it",
                    e.seq
                );
                return Ok(broken(checked, expect_seq - 1, prev_hash, e.seq, problem));
            }
            prev_hash = e.hash;
            expect_seq += 1;
            checked += 1;
        }
        if n < PAGE {
            break;
        }
    }
    let head_seq = expect_seq - 1;
    if let Some(seq) = bad_signature {
        let problem = format!("the checkpoint of entry {seq} has an invalid signature: it was forged or altered");
        return Ok(broken(checked, head_seq, prev_hash, seq, problem));
    }
    if let Some(last) = last_checkpoint_seq
        && last > head_seq
    {
        let problem = format!(
            "the log ends at entry {head_seq} but a signed checkpoint covers entry {last}: entries were removed"
        );
        return Ok(broken(checked, head_seq, prev_hash, head_seq + 1, problem));
    }
    Ok(ChainReport {
        ok: true,
        entries: checked,
        head_seq,
        head_hash: prev_hash,
        first_bad_seq: None,
        problem: None,
        checkpoints,
        last_checkpoint_seq,
    })
}

fn check_entry(e: &AuditEntry, expect_seq: u64, prev_hash: &str) -> Option<String> {
    if e.seq != expect_seq {
        return Some(format!("entry {expect_seq} is missing (next entry is {})", e.seq));
    }
    if e.prev_hash != prev_hash {
        return Some(format!("entry {} does not link to the hash of entry {}", e.seq, e.seq - 1));
    }
    let h = entry_hash(e.seq, &e.prev_hash, &e.record);
    if h != e.hash {
        return Some(format!("entry {} was altered (its hash does not match its content)", e.seq));
    }
    None
}

/// Validates an `X-Counter-Id` value: 1–64 of `A–Z a–z 0–9 . _ : -`. Anything else is
/// recorded as `anonymous` (so a header can never smuggle personal data or log injection).
pub fn counter_id(header: Option<&str>) -> String {
    match header {
        Some(v)
            if !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-')) =>
        {
            v.to_owned()
        }
        _ => "anonymous".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_ids() {
        assert_eq!(counter_id(Some("loket-03.kec-cikande")), "loket-03.kec-cikande");
        assert_eq!(counter_id(Some("SITI NURHALIZA")), "anonymous");
        assert_eq!(counter_id(Some("")), "anonymous");
        assert_eq!(counter_id(Some(&"a".repeat(65))), "anonymous");
        assert_eq!(counter_id(None), "anonymous");
    }

    #[test]
    fn hash_depends_on_every_field() {
        let r = AuditRecord {
            at: "2026-11-27T00:00:00Z".into(),
            event: "verify",
            actor: "loket-1".into(),
            source: "text",
            serial: Some(7),
            key_id: Some("abcdef".into()),
            verdict: "VALID".into(),
            code: "ok".into(),
            items: None,
        };
        let h = entry_hash(1, GENESIS_HASH, &r);
        assert_ne!(h, entry_hash(2, GENESIS_HASH, &r));
        let mut r2 = r.clone();
        r2.verdict = "INVALID".into();
        assert_ne!(h, entry_hash(1, GENESIS_HASH, &r2));
        let mut r3 = r.clone();
        r3.serial = None;
        assert_ne!(h, entry_hash(1, GENESIS_HASH, &r3));
        // A `verify_batch` entry's items are its eleventh field; an entry without items hashes
        // as every entry did before they existed (pinned, and computed apart from this code from the
        // formula in docs/SERVER.md §6: chains written then stay intact).
        assert_eq!(h, "97d05d113c6d7ba3c00500a122da4414a91d99149c7967a2f2a11390806d83f5");
        let mut b = r.clone();
        b.items = Some("0 VALID ok 7 abcdef".into());
        let hb = entry_hash(1, GENESIS_HASH, &b);
        assert_ne!(h, hb);
        b.items = Some("0 VALID ok 8 abcdef".into());
        assert_ne!(hb, entry_hash(1, GENESIS_HASH, &b));
        b.items = Some(String::new());
        assert_ne!(h, entry_hash(1, GENESIS_HASH, &b), "empty items differ from none");
    }

    #[test]
    fn batch_item_lines() {
        let mut items = String::new();
        crate::store::batch_item_line(&mut items, 0, "VALID", "ok", Some(12), Some(&"ab12"));
        crate::store::batch_item_line(&mut items, 1, "INVALID", "decode_wrong_prefix", None, None);
        assert_eq!(items, "0 VALID ok 12 ab12\n1 INVALID decode_wrong_prefix - -");
    }
}
