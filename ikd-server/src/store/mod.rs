//! Storage behind a trait: the issued-credential registry (no personal data), serial and
//! status-index allocation, revocation, the signed status lists of the server's own issuer key
//! (one linear history, shared by every instance), and the hash-chained audit log.
//!
//! Two implementations: [`SqliteStore`], the embedded default for one counter or office, and
//! [`PgStore`], PostgreSQL shared by several server instances (chosen with `IKD_DATABASE_URL`).
//! Both keep the same transactional guarantees and apply versioned migrations at start-up
//! (`schema_migrations`); see `docs/SERVER.md` §5 and `docs/SCALING.md`.

mod postgres;
pub mod spool;
mod sqlite;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use sha2::{Digest, Sha256};

pub use postgres::{DEFAULT_POOL_SIZE, DatabaseUrl, PgOptions, PgStore, SslMode};
pub use sqlite::SqliteStore;

/// A boxed future returned by [`Store`] methods (keeps the trait object-safe).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A storage failure. Messages are for the log; they never hold personal data (none is stored).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(String),
    /// Every random status index tried was taken: the status list is (nearly) full.
    #[error("no free status index was found; the status list is full")]
    StatusListFull,
    /// The serial space of this key is used up.
    #[error("no serial numbers are left for this key")]
    SerialsExhausted,
    /// The store cannot be opened.
    #[error("cannot open the store: {0}")]
    Open(String),
    /// A status list offered for publishing does not follow the newest stored one (its
    /// sequence is not above it, or its `issued_at` is earlier): nothing was stored.
    #[error("status list not stored: {0}")]
    StatusListOutOfOrder(String),
    /// The signer of a status list failed inside the publishing transaction: nothing was stored.
    #[error("status list not signed: {0}")]
    StatusListSigning(String),
}

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The hash of an audit entry: chains `seq`, the previous entry's hash and every field of the
/// record (each length-prefixed) under the domain tag `ikd-audit-v1`; a `verify_batch` entry's
/// `items` follow as an eleventh field (the other entries have none, and hash as they always
/// did). Both stores write it; [`crate::audit`] checks the chain with it.
pub fn entry_hash(seq: u64, prev_hash: &str, r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    h.update(b"ikd-audit-v1");
    let serial = r.serial.map(|s| s.to_string()).unwrap_or_default();
    let seq = seq.to_string();
    let fields: [&str; 10] = [
        &seq,
        prev_hash,
        &r.at,
        r.event,
        &r.actor,
        r.source,
        &serial,
        r.key_id.as_deref().unwrap_or(""),
        &r.verdict,
        &r.code,
    ];
    for f in fields.into_iter().chain(r.items.as_deref()) {
        h.update(u32::try_from(f.len()).unwrap_or(u32::MAX).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Lifecycle of a registry row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialState {
    /// Serial and status index allocated, signing not yet confirmed (a row left in this state
    /// means the process stopped between allocation and signing; the serial is never reused).
    Reserved,
    /// Signed and handed out.
    Issued,
    /// Allocated, but signing failed: never handed out.
    Void,
}

impl CredentialState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialState::Reserved => "reserved",
            CredentialState::Issued => "issued",
            CredentialState::Void => "void",
        }
    }

    /// From the stored spelling.
    pub fn parse(s: &str) -> Option<CredentialState> {
        match s {
            "reserved" => Some(CredentialState::Reserved),
            "issued" => Some(CredentialState::Issued),
            "void" => Some(CredentialState::Void),
            _ => None,
        }
    }
}

/// One registry row. There is deliberately no personal data in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// Issuer key id (hex).
    pub key_id: String,
    /// Serial, unique per key.
    pub serial: u64,
    /// Status-list index, unique per key.
    pub status_index: u32,
    /// Issue time (Unix seconds).
    pub issued_at: i64,
    /// Lifecycle state.
    pub state: CredentialState,
    /// Revoked?
    pub revoked: bool,
    /// When it was revoked (Unix seconds).
    pub revoked_at: Option<i64>,
}

/// A serial and status index allocated (and committed) before signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// The serial.
    pub serial: u64,
    /// The status index.
    pub status_index: u32,
}

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// Newly revoked at this time.
    Revoked {
        /// Unix seconds.
        at: i64,
    },
    /// It was already revoked, at this time.
    AlreadyRevoked {
        /// Unix seconds.
        at: i64,
    },
    /// No such serial for this key.
    NotFound,
}

/// An audit event as the server records it (before the store assigns `seq` and hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// RFC 3339 UTC time.
    pub at: String,
    /// `verify`, `verify_batch` (one entry for all the texts of a `POST /v1/verify/batch`),
    /// `issue`, `issue_void` or `revoke`.
    pub event: &'static str,
    /// Counter or client id (validated: `[A-Za-z0-9._:-]{1,64}`), `anonymous`, or `admin`.
    pub actor: String,
    /// `text`, `image`, `batch`, `admin`, or `page` (a verification the counter page made in
    /// the browser and uploaded, `POST /v1/audit/entries`).
    pub source: &'static str,
    /// Credential serial, when the text decoded.
    pub serial: Option<u64>,
    /// Issuer key id (hex), when the text decoded.
    pub key_id: Option<String>,
    /// Verdict (`VALID`, `INVALID`, `UNDETERMINED`), or empty for admin events.
    pub verdict: String,
    /// Reason code (`ok` when VALID).
    pub code: String,
    /// A `verify_batch` entry's texts, one line each ([`batch_item_line`]); `None` for every
    /// other event.
    pub items: Option<String>,
}

/// Appends one text of a `verify_batch` entry to `items`: `index verdict code serial key_id`,
/// separated by single spaces, `-` for a serial or key id the text did not yield, and a newline
/// before every line but the first. The same fields as a `verify` entry, without the time, actor
/// and source the batch's entry holds once.
pub fn batch_item_line(
    items: &mut String,
    index: usize,
    verdict: &str,
    code: &str,
    serial: Option<u64>,
    key_id: Option<&dyn std::fmt::Display>,
) {
    use std::fmt::Write as _;
    if !items.is_empty() {
        items.push('\n');
    }
    let _ = write!(items, "{index} {verdict} {code} ");
    match serial {
        Some(s) => {
            let _ = write!(items, "{s}");
        }
        None => items.push('-'),
    }
    items.push(' ');
    match key_id {
        Some(k) => {
            let _ = write!(items, "{k}");
        }
        None => items.push('-'),
    }
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// The event.
    pub record: AuditRecord,
    /// Hash of the previous entry (hex; 64 zeros for the first).
    pub prev_hash: String,
    /// This entry's hash (hex).
    pub hash: String,
}

/// Audit records committed together, under a random id. The id is stored with them
/// (`audit_batches`), so a batch whose commit was interrupted (was it written or not?) can be
/// written again from the local spool without ever appearing twice in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBatch {
    /// 32 hex digits, random.
    pub id: String,
    /// The records, in order.
    pub records: Vec<AuditRecord>,
}

impl AuditBatch {
    /// A batch with a fresh random id.
    pub fn new(records: Vec<AuditRecord>) -> Result<AuditBatch, StoreError> {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).map_err(|e| StoreError::Database(format!("random source failed: {e}")))?;
        Ok(AuditBatch { id: hex::encode(b), records })
    }
}

/// What appending one [`AuditBatch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Chained now, at these sequence numbers.
    New(Vec<u64>),
    /// A batch with this id is already in the chain (an earlier, seemingly failed commit went
    /// through): nothing was written.
    AlreadyPresent,
}

/// A signed status list as stored (`status_lists`): one row per list published for a key, the
/// newest being the one with the highest sequence.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredStatusList {
    /// The sequence signed in the list.
    pub sequence: u64,
    /// The `issued_at` signed in the list (Unix seconds).
    pub issued_at: i64,
    /// The signed list, byte for byte (`docs/TRUST-AND-STATUS.md` §2.2).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for StoredStatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredStatusList")
            .field("sequence", &self.sequence)
            .field("issued_at", &self.issued_at)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A revoked credential of a key, as [`Store::publish_status_list`] hands it to the signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedCredential {
    /// Its serial.
    pub serial: u64,
    /// Its status index (what the status list marks revoked).
    pub status_index: u32,
}

/// Signs the successor of a status list inside [`Store::publish_status_list`]'s transaction.
/// It gets the newest stored list of the key (if any) and every revoked credential of the key
/// committed before the transaction, and returns the list to store, or `None` when the newest
/// stored list needs no successor. An `Err` (a message for the log) stores nothing.
pub type StatusListSigner =
    Box<dyn FnOnce(Option<&StoredStatusList>, &[RevokedCredential]) -> Result<Option<StoredStatusList>, String> + Send>;

/// What [`Store::publish_status_list`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The newest stored list after the transaction: the one just stored, or the one that
    /// needed no successor (`None`: nothing is stored and the signer made nothing).
    pub latest: Option<StoredStatusList>,
    /// Whether `latest` was stored by this call.
    pub inserted: bool,
    /// The revoked serials the signer was given: every one of them is marked in `latest` (when
    /// the signer kept its promise, which the caller checks by verifying `latest`).
    pub revoked_serials: Vec<u64>,
}

/// How many status lists per key a store keeps: publishing deletes older rows in the same
/// transaction (only the newest is ever served; the others are kept for inspection).
pub const STATUS_LISTS_KEPT: i64 = 32;

/// Checks that `new` may follow `latest` in the stored history: a strictly higher sequence and
/// an `issued_at` not earlier. (Both stores run this inside the publishing transaction; what
/// the lists say, shrinking and lifted revocations, is the signer's part and checked again by
/// every instance that adopts the list.)
pub(crate) fn check_stored_successor(
    latest: Option<&StoredStatusList>,
    new: &StoredStatusList,
) -> Result<(), StoreError> {
    if i64::try_from(new.sequence).is_err() {
        return Err(StoreError::StatusListOutOfOrder(format!("sequence {} is out of range", new.sequence)));
    }
    let Some(l) = latest else { return Ok(()) };
    if new.sequence <= l.sequence {
        return Err(StoreError::StatusListOutOfOrder(format!(
            "sequence {} is not above the stored sequence {}",
            new.sequence, l.sequence
        )));
    }
    if new.issued_at < l.issued_at {
        return Err(StoreError::StatusListOutOfOrder(format!(
            "issued_at {} is before the stored list's {}",
            new.issued_at, l.issued_at
        )));
    }
    Ok(())
}

/// Where the audit writer keeps records while the store cannot take them (see
/// [`spool`]). Only stores shared over the network have one: for the embedded store a failed
/// write means the local disk failed, and the server fails closed instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolConfig {
    /// The spool folder (one per server instance: `<data_dir>/audit-spool`).
    pub dir: PathBuf,
    /// Most bytes kept; past this, verifications are refused (`audit_unavailable`).
    pub max_bytes: u64,
}

/// The storage operations the server needs.
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// `sqlite`, `postgres`, ...
    fn kind(&self) -> &'static str;

    /// One line for the start-up banner and logs (never a password).
    fn describe(&self) -> String {
        self.kind().to_owned()
    }

    /// Whether other server processes may share this store (their revocations must then be
    /// read back periodically).
    fn shared(&self) -> bool {
        false
    }

    /// The local audit spool used while this store is unreachable, if any.
    fn audit_spool(&self) -> Option<SpoolConfig> {
        None
    }

    /// Checks the store answers.
    fn ping(&self) -> StoreFuture<'_, ()>;

    /// Allocates the next serial for `key_id` and a random unused status index below
    /// `status_list_size`, and commits a registry row in state `reserved`, all in one
    /// transaction, before anything is signed.
    fn reserve_credential(&self, key_id: &str, issued_at: i64, status_list_size: u32) -> StoreFuture<'_, Reservation>;

    /// Moves a reserved row to `issued` or `void`.
    fn finish_credential(&self, key_id: &str, serial: u64, state: CredentialState) -> StoreFuture<'_, ()>;

    /// One registry row.
    fn credential(&self, key_id: &str, serial: u64) -> StoreFuture<'_, Option<CredentialRecord>>;

    /// Revokes a credential.
    fn revoke(&self, key_id: &str, serial: u64, at: i64) -> StoreFuture<'_, RevokeOutcome>;

    /// Every revoked serial of a key.
    fn revoked_serials(&self, key_id: &str) -> StoreFuture<'_, Vec<u64>>;

    /// The status indices of every revoked credential of a key, ascending (what a status list
    /// marks revoked).
    fn revoked_status_indices(&self, key_id: &str) -> StoreFuture<'_, Vec<u32>>;

    /// The newest stored status list of a key with a sequence above `newer_than` (all of them
    /// with `None`): one primary-key lookup, which returns nothing when the caller's copy is
    /// current.
    fn latest_status_list(&self, key_id: &str, newer_than: Option<u64>) -> StoreFuture<'_, Option<StoredStatusList>>;

    /// Publishes the next status list of a key, serialised per key across every process
    /// sharing the store: in **one** transaction it takes the key's lock, reads the newest
    /// stored list and every revoked credential of the key, calls `sign`, and stores what it
    /// returns (refused with [`StoreError::StatusListOutOfOrder`] unless its sequence is above
    /// the stored one and its `issued_at` not earlier). The stored lists thereby form one
    /// linear history that includes every revocation committed before the transaction.
    fn publish_status_list(&self, key_id: &str, sign: StatusListSigner) -> StoreFuture<'_, Published>;

    /// Appends batches to the audit log in **one** transaction, chaining each record to the one
    /// before (see [`crate::audit::entry_hash`]) whichever server wrote it. A batch whose id is
    /// already stored is skipped ([`Appended::AlreadyPresent`]). Returns one outcome per batch.
    /// Only the audit writer calls it, from its own thread: an implementation may block in it.
    fn append_audit(&self, batches: Vec<AuditBatch>) -> StoreFuture<'_, Vec<Appended>>;

    /// Up to `limit` audit entries with `seq > after`, in order.
    fn audit_entries(&self, after: u64, limit: usize) -> StoreFuture<'_, Vec<AuditEntry>>;

    /// Records an accepted live presentation (`seen_presentations`) under its replay key `id`
    /// (see [`ikd_core::ReplayToken`]) until `until` (Unix seconds). Returns `true` when it was
    /// newly recorded, `false` when the key is already there with an `until` not before `now`:
    /// a replay, accepted before by this or another instance sharing the store. An entry whose
    /// `until` is before `now` does not count (it is replaced). One atomic statement
    /// (`INSERT … ON CONFLICT … DO UPDATE … WHERE`), so of two instances recording one key at
    /// once exactly one gets `true`. At most once a minute per store handle, entries past their
    /// `until` are also pruned ([`PRESENTATION_PRUNE_INTERVAL`]).
    fn record_presentation(&self, id: [u8; 16], until: i64, now: i64) -> StoreFuture<'_, bool>;

    /// Deletes the recorded presentations whose `until` is before `now`; returns how many.
    fn prune_presentations(&self, now: i64) -> StoreFuture<'_, u64>;

    /// Stores a signed checkpoint of the audit chain's head (`audit_checkpoints`); one already
    /// stored for the same `seq` (another instance's) is kept. A store without the table
    /// refuses.
    fn append_checkpoint(&self, checkpoint: AuditCheckpoint) -> StoreFuture<'_, ()> {
        let _ = checkpoint;
        Box::pin(async { Err(StoreError::Database("this store keeps no audit checkpoints".to_owned())) })
    }

    /// Every stored audit checkpoint, by `seq` (none for a store without the table).
    fn audit_checkpoints(&self) -> StoreFuture<'_, Vec<AuditCheckpoint>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// A signed checkpoint of the audit chain: entry `seq` had hash `head_hash` when the key
/// `public_key` signed it at `at` (see [`crate::audit::checkpoint_message`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditCheckpoint {
    /// The entry checkpointed.
    pub seq: u64,
    /// Its hash.
    pub head_hash: String,
    /// When it was signed (RFC 3339 UTC).
    pub at: String,
    /// The signing key, `ikdpk1:…`.
    pub public_key: String,
    /// Ed25519 signature, base64url without padding.
    pub signature: String,
}

/// How often (seconds) [`Store::record_presentation`] also prunes expired entries. The table
/// only grows through that method, so pruning there keeps it bounded by the presentations of
/// the last window plus a minute, on verify-only servers too.
pub const PRESENTATION_PRUNE_INTERVAL: i64 = 60;

/// Whether a store handle whose last prune of `seen_presentations` was at `last` should prune
/// now (and, if so, marks it done).
pub(crate) fn prune_due(last: &std::sync::atomic::AtomicI64, now: i64) -> bool {
    use std::sync::atomic::Ordering;
    let prev = last.load(Ordering::Relaxed);
    now.saturating_sub(prev) >= PRESENTATION_PRUNE_INTERVAL
        && last.compare_exchange(prev, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
}

/// SQLite durability of audit-log commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuditSync {
    /// `synchronous=NORMAL` in WAL mode: safe against a process crash; a power cut may lose the
    /// last commits (the chain stays valid, it is only shorter).
    #[default]
    Normal,
    /// `synchronous=FULL`: every audit commit is fsynced.
    Full,
}

/// Options for opening the SQLite store.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteOptions {
    /// Durability of audit commits (registry commits are always `FULL`).
    pub audit_sync: AuditSync,
    /// Open read-only (for `audit-verify`).
    pub read_only: bool,
}

/// One schema migration: applied once, in order, recorded in `schema_migrations`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// 1, 2, 3, ... without gaps.
    pub version: i64,
    /// Short name (the file name without number and extension).
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

/// The SQLite migrations this server knows.
pub const SQLITE_MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "initial", sql: include_str!("migrations/sqlite/0001_initial.sql") },
    Migration { version: 2, name: "audit_batches", sql: include_str!("migrations/sqlite/0002_audit_batches.sql") },
    Migration { version: 3, name: "status_lists", sql: include_str!("migrations/sqlite/0003_status_lists.sql") },
    Migration {
        version: 4,
        name: "seen_presentations",
        sql: include_str!("migrations/sqlite/0004_seen_presentations.sql"),
    },
    Migration {
        version: 5,
        name: "audit_checkpoints",
        sql: include_str!("migrations/sqlite/0005_audit_checkpoints.sql"),
    },
    Migration {
        version: 6,
        name: "audit_batch_items",
        sql: include_str!("migrations/sqlite/0006_audit_batch_items.sql"),
    },
];

/// The PostgreSQL migrations this server knows.
pub const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "initial", sql: include_str!("migrations/postgres/0001_initial.sql") },
    Migration { version: 2, name: "status_lists", sql: include_str!("migrations/postgres/0002_status_lists.sql") },
    Migration {
        version: 3,
        name: "seen_presentations",
        sql: include_str!("migrations/postgres/0003_seen_presentations.sql"),
    },
    Migration {
        version: 4,
        name: "audit_checkpoints",
        sql: include_str!("migrations/postgres/0004_audit_checkpoints.sql"),
    },
    Migration {
        version: 5,
        name: "audit_batch_items",
        sql: include_str!("migrations/postgres/0005_audit_batch_items.sql"),
    },
];

/// The error for a database whose schema is newer than this server.
fn schema_too_new(found: i64, known: i64) -> StoreError {
    StoreError::Open(format!(
        "the database schema is at version {found}, newer than this ikd-server knows (version {known}): \
         a newer ikd-server has migrated it. Run that version (or a newer one), or point this server at \
         another database; it will not touch a schema it does not know"
    ))
}

/// Stored event names map back to the static names; anything else (a tampered row) becomes
/// `?`, whose hash will not match.
pub(crate) fn static_event(s: &str) -> &'static str {
    match s {
        "verify" => "verify",
        "verify_batch" => "verify_batch",
        "issue" => "issue",
        "issue_void" => "issue_void",
        "revoke" => "revoke",
        _ => "?",
    }
}

pub(crate) fn static_source(s: &str) -> &'static str {
    match s {
        "text" => "text",
        "image" => "image",
        "batch" => "batch",
        "admin" => "admin",
        "page" => "page",
        _ => "?",
    }
}
