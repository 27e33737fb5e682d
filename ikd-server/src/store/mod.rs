//! Storage behind a trait: the issued-credential registry (no personal data), serial and
//! status-index allocation, revocation, and the hash-chained audit log.
//!
//! [`SqliteStore`] is the embedded implementation. A PostgreSQL implementation only has to
//! provide the same operations with the same transactional guarantees (see `docs/SERVER.md`).

mod sqlite;

use std::future::Future;
use std::pin::Pin;

pub use sqlite::SqliteStore;

use crate::config::AuditSync;

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
    /// `verify`, `issue` or `revoke`.
    pub event: &'static str,
    /// Counter or client id (validated: `[A-Za-z0-9._:-]{1,64}`), `anonymous`, or `admin`.
    pub actor: String,
    /// `text`, `image`, `batch` or `admin`.
    pub source: &'static str,
    /// Credential serial, when the text decoded.
    pub serial: Option<u64>,
    /// Issuer key id (hex), when the text decoded.
    pub key_id: Option<String>,
    /// Verdict (`VALID`, `INVALID`, `UNDETERMINED`), or empty for admin events.
    pub verdict: String,
    /// Reason code (`ok` when VALID).
    pub code: String,
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

/// The storage operations the server needs.
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// `sqlite`, `postgres`, ...
    fn kind(&self) -> &'static str;

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

    /// Appends entries to the audit log in one transaction, chaining each to the one before
    /// (see [`crate::audit::entry_hash`]). Returns their sequence numbers. Only the audit
    /// writer calls it, from its own thread: an implementation may block in it.
    fn append_audit(&self, records: Vec<AuditRecord>) -> StoreFuture<'_, Vec<u64>>;

    /// Up to `limit` audit entries with `seq > after`, in order.
    fn audit_entries(&self, after: u64, limit: usize) -> StoreFuture<'_, Vec<AuditEntry>>;
}

/// Options for opening the SQLite store.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteOptions {
    /// Durability of audit commits (registry commits are always `FULL`).
    pub audit_sync: AuditSync,
    /// Open read-only (for `audit-verify`).
    pub read_only: bool,
}
