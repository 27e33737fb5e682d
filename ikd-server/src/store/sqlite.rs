//! The embedded store: one SQLite database file in WAL mode.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::{
    Appended, AuditBatch, AuditCheckpoint, AuditEntry, AuditRecord, AuditSync, CredentialRecord, CredentialState,
    GENESIS_HASH, Published, Reservation, RevokeOutcome, RevokedCredential, SQLITE_MIGRATIONS, STATUS_LISTS_KEPT,
    SqliteOptions, StatusListSigner, Store, StoreError, StoreFuture, StoredStatusList, check_stored_successor,
    entry_hash, prune_due, schema_too_new, static_event, static_source,
};

/// Largest serial the credential format carries (2^53 − 1).
pub(super) const MAX_SERIAL: u64 = (1 << 53) - 1;
/// Random status indices tried before giving up.
pub(super) const STATUS_INDEX_TRIES: usize = 64;
/// The SQLite store. Cheap to clone (shares one connection).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    path: PathBuf,
    audit_sync: AuditSync,
    /// When `seen_presentations` was last pruned (Unix seconds).
    last_prune: AtomicI64,
    /// Moves the WAL into the database file off the writer's path (`None` when read-only).
    _wal: Option<WalCheckpointer>,
}

/// How often the WAL checkpointer copies committed pages from the WAL into the database file.
const WAL_CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// WAL pages after which the writing connection checkpoints by itself: only a safety net for a
/// checkpointer that cannot keep up (80 MiB of 4 KiB pages). SQLite's default, 1000 pages, made
/// the committing audit writer copy and fsync the WAL in the middle of a group commit, which
/// held every waiting verification for milliseconds (issue 18, `docs/SERVER.md` §11).
const WAL_AUTOCHECKPOINT_PAGES: i64 = 20_000;

/// A thread with its own connection that runs `PRAGMA wal_checkpoint(PASSIVE)` every
/// [`WAL_CHECKPOINT_EVERY`]: a passive checkpoint never waits for, nor blocks, the writer, so
/// commits only append to the WAL. Its fsyncs (the WAL before the copy, the database after) are
/// the same as SQLite's own checkpoints: the durability of `audit_sync` is unchanged. Dropping it
/// stops the thread after a last checkpoint.
struct WalCheckpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WalCheckpointer {
    fn start(path: &Path) -> Result<WalCheckpointer, StoreError> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| StoreError::Open(e.to_string()))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("ikd-wal-checkpoint".into())
            .spawn(move || {
                let mut failing = false;
                loop {
                    let last = !matches!(
                        stopped.recv_timeout(WAL_CHECKPOINT_EVERY),
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                    );
                    match wal_checkpoint(&conn) {
                        Ok(()) if failing => {
                            failing = false;
                            tracing::info!("SQLite WAL checkpoints work again");
                        }
                        Ok(()) => {}
                        Err(e) if !failing => {
                            failing = true;
                            tracing::warn!(
                                error = %e,
                                "SQLite WAL checkpoint failed; retried, and past its limit the writer checkpoints by itself"
                            );
                        }
                        Err(_) => {}
                    }
                    if last {
                        break;
                    }
                }
            })
            .map_err(|e| StoreError::Open(format!("cannot start the WAL checkpoint thread: {e}")))?;
        Ok(WalCheckpointer { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for WalCheckpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One passive checkpoint.
fn wal_checkpoint(conn: &Connection) -> Result<(), StoreError> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).map_err(db)
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

pub(super) fn random_below(n: u32) -> Result<u32, StoreError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| StoreError::Database(format!("random source failed: {e}")))?;
    // 64 random bits reduced modulo n < 2^32: the bias is below 2^-32.
    Ok(u32::try_from(u64::from_le_bytes(b) % u64::from(n.max(1))).unwrap_or(0))
}

fn sync_pragma(s: AuditSync) -> &'static str {
    match s {
        AuditSync::Normal => "NORMAL",
        AuditSync::Full => "FULL",
    }
}

impl SqliteStore {
    /// The database file inside a data directory.
    pub fn db_path(data_dir: &Path) -> PathBuf {
        data_dir.join("ikd-server.sqlite3")
    }

    /// Opens (creating if needed, unless read-only) the database in `data_dir` and applies the
    /// pending migrations. Refuses a database whose schema is newer than this server knows.
    pub fn open(data_dir: &Path, opts: SqliteOptions) -> Result<SqliteStore, StoreError> {
        let path = SqliteStore::db_path(data_dir);
        let conn = if opts.read_only {
            if !path.exists() {
                return Err(StoreError::Open(format!("{} does not exist", path.display())));
            }
            let conn =
                Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                    .map_err(|e| StoreError::Open(e.to_string()))?;
            let (version, _) = schema_version(&conn)?;
            if version > latest() {
                return Err(schema_too_new(version, latest()));
            }
            conn
        } else {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| StoreError::Open(format!("cannot create {}: {e}", data_dir.display())))?;
            let mut conn = Connection::open(&path).map_err(|e| StoreError::Open(e.to_string()))?;
            conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db)?;
            conn.pragma_update(None, "journal_mode", "WAL").map_err(db)?;
            conn.pragma_update(None, "synchronous", "FULL").map_err(db)?;
            migrate(&mut conn)?;
            conn.pragma_update(None, "synchronous", sync_pragma(opts.audit_sync)).map_err(db)?;
            conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES).map_err(db)?;
            conn
        };
        let wal = if opts.read_only { None } else { Some(WalCheckpointer::start(&path)?) };
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path,
                audit_sync: opts.audit_sync,
                last_prune: AtomicI64::new(0),
                _wal: wal,
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner, &mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'_, T> {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = lock(&inner.conn);
                f(&inner, &mut conn)
            })
            .await
            .map_err(|e| StoreError::Database(format!("store task failed: {e}")))?
        })
    }
}

/// The newest schema version this server knows.
fn latest() -> i64 {
    SQLITE_MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The schema version: the highest applied migration in `schema_migrations`, or for a database
/// made before that table existed, `PRAGMA user_version` (the two are kept equal, so a server
/// older than `schema_migrations` also refuses a newer schema). Also whether the table exists.
fn schema_version(conn: &Connection) -> Result<(i64, bool), StoreError> {
    let user_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(db)?;
    let has_table: bool = conn
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(db)?
        > 0;
    let recorded: i64 = if has_table {
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0)).map_err(db)?
    } else {
        0
    };
    Ok((recorded.max(user_version), has_table))
}

/// Applies the pending migrations, each in its own immediate transaction (so two processes
/// opening one file at once cannot both apply one).
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let (version, has_table) = schema_version(conn)?;
    if version > latest() {
        return Err(schema_too_new(version, latest()));
    }
    if !has_table {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL,
                applied_at INTEGER NOT NULL
            ) STRICT;",
        )
        .map_err(db)?;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0);
    for m in SQLITE_MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
        let applied: i64 = tx
            .query_row("SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", [m.version], |r| r.get(0))
            .map_err(db)?;
        if applied > 0 {
            continue;
        }
        tx.execute_batch(m.sql)
            .map_err(|e| StoreError::Open(format!("migration {} ({}) failed: {e}", m.version, m.name)))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, now],
        )
        .map_err(db)?;
        tx.pragma_update(None, "user_version", m.version).map_err(db)?;
        tx.commit().map_err(db)?;
        tracing::info!(version = m.version, name = m.name, "SQLite schema migration applied");
    }
    Ok(())
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back
    // on drop), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `f` with `synchronous=FULL`, then restores the audit setting.
fn with_full_sync<T>(
    inner: &Inner,
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if inner.audit_sync != AuditSync::Full {
        conn.pragma_update(None, "synchronous", "FULL").map_err(db)?;
    }
    let r = f(conn);
    if inner.audit_sync != AuditSync::Full {
        conn.pragma_update(None, "synchronous", sync_pragma(inner.audit_sync)).map_err(db)?;
    }
    r
}

/// Deletes the `seen_presentations` rows whose `until` is before `now`.
fn prune_seen(conn: &Connection, now: i64) -> Result<u64, StoreError> {
    let n = conn
        .prepare_cached("DELETE FROM seen_presentations WHERE until < ?1")
        .map_err(db)?
        .execute([now])
        .map_err(db)?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<CredentialRecord> {
    let state: String = r.get(4)?;
    Ok(CredentialRecord {
        key_id: r.get(0)?,
        serial: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
        status_index: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
        issued_at: r.get(3)?,
        state: CredentialState::parse(&state).unwrap_or(CredentialState::Void),
        revoked: r.get::<_, i64>(5)? != 0,
        revoked_at: r.get(6)?,
    })
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The newest stored status list of a key with a sequence above `newer_than`.
fn latest_list(
    conn: &Connection,
    key_id: &str,
    newer_than: Option<u64>,
) -> Result<Option<StoredStatusList>, StoreError> {
    let above = newer_than.map_or(-1, to_i64);
    conn.prepare_cached(
        "SELECT sequence, issued_at, bytes FROM status_lists WHERE key_id = ?1 AND sequence > ?2 \
         ORDER BY sequence DESC LIMIT 1",
    )
    .map_err(db)?
    .query_row(params![key_id, above], |r| {
        Ok(StoredStatusList {
            sequence: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            issued_at: r.get(1)?,
            bytes: r.get(2)?,
        })
    })
    .optional()
    .map_err(db)
}

impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn describe(&self) -> String {
        format!("SQLite at {}", self.inner.path.display())
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        self.run(|_, c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db))
    }

    fn reserve_credential(&self, key_id: &str, issued_at: i64, status_list_size: u32) -> StoreFuture<'_, Reservation> {
        let key_id = key_id.to_owned();
        self.run(move |inner, conn| {
            with_full_sync(inner, conn, |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
                let last: i64 = tx
                    .query_row("SELECT COALESCE(MAX(serial), 0) FROM credentials WHERE key_id = ?1", [&key_id], |r| {
                        r.get(0)
                    })
                    .map_err(db)?;
                let serial = u64::try_from(last).unwrap_or(0) + 1;
                if serial > MAX_SERIAL {
                    return Err(StoreError::SerialsExhausted);
                }
                let mut found = None;
                for _ in 0..STATUS_INDEX_TRIES {
                    let idx = random_below(status_list_size)?;
                    let res = tx.execute(
                        "INSERT INTO credentials (key_id, serial, status_index, issued_at, state) \
                         VALUES (?1, ?2, ?3, ?4, 'reserved')",
                        params![key_id, to_i64(serial), i64::from(idx), issued_at],
                    );
                    match res {
                        Ok(_) => {
                            found = Some(idx);
                            break;
                        }
                        Err(e) if is_unique_violation(&e) => continue,
                        Err(e) => return Err(db(e)),
                    }
                }
                let status_index = found.ok_or(StoreError::StatusListFull)?;
                tx.commit().map_err(db)?;
                Ok(Reservation { serial, status_index })
            })
        })
    }

    fn finish_credential(&self, key_id: &str, serial: u64, state: CredentialState) -> StoreFuture<'_, ()> {
        let key_id = key_id.to_owned();
        self.run(move |inner, conn| {
            with_full_sync(inner, conn, |conn| {
                conn.execute(
                    "UPDATE credentials SET state = ?3 WHERE key_id = ?1 AND serial = ?2 AND state = 'reserved'",
                    params![key_id, to_i64(serial), state.as_str()],
                )
                .map_err(db)?;
                Ok(())
            })
        })
    }

    fn credential(&self, key_id: &str, serial: u64) -> StoreFuture<'_, Option<CredentialRecord>> {
        let key_id = key_id.to_owned();
        self.run(move |_, conn| {
            conn.query_row(
                "SELECT key_id, serial, status_index, issued_at, state, revoked, revoked_at FROM credentials \
                 WHERE key_id = ?1 AND serial = ?2",
                params![key_id, to_i64(serial)],
                row_to_record,
            )
            .optional()
            .map_err(db)
        })
    }

    fn revoke(&self, key_id: &str, serial: u64, at: i64) -> StoreFuture<'_, RevokeOutcome> {
        let key_id = key_id.to_owned();
        self.run(move |inner, conn| {
            with_full_sync(inner, conn, |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
                let row: Option<(i64, Option<i64>)> = tx
                    .query_row(
                        "SELECT revoked, revoked_at FROM credentials WHERE key_id = ?1 AND serial = ?2",
                        params![key_id, to_i64(serial)],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(db)?;
                let out = match row {
                    None => RevokeOutcome::NotFound,
                    Some((1, when)) => RevokeOutcome::AlreadyRevoked { at: when.unwrap_or(0) },
                    Some(_) => {
                        tx.execute(
                            "UPDATE credentials SET revoked = 1, revoked_at = ?3 WHERE key_id = ?1 AND serial = ?2",
                            params![key_id, to_i64(serial), at],
                        )
                        .map_err(db)?;
                        RevokeOutcome::Revoked { at }
                    }
                };
                tx.commit().map_err(db)?;
                Ok(out)
            })
        })
    }

    fn revoked_serials(&self, key_id: &str) -> StoreFuture<'_, Vec<u64>> {
        let key_id = key_id.to_owned();
        self.run(move |_, conn| {
            let mut st =
                conn.prepare_cached("SELECT serial FROM credentials WHERE key_id = ?1 AND revoked = 1").map_err(db)?;
            let rows = st.query_map([&key_id], |r| r.get::<_, i64>(0)).map_err(db)?;
            rows.map(|r| r.map(|v| u64::try_from(v).unwrap_or(0)).map_err(db)).collect()
        })
    }

    fn revoked_status_indices(&self, key_id: &str) -> StoreFuture<'_, Vec<u32>> {
        let key_id = key_id.to_owned();
        self.run(move |_, conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT status_index FROM credentials WHERE key_id = ?1 AND revoked = 1 ORDER BY status_index",
                )
                .map_err(db)?;
            let rows = st.query_map([&key_id], |r| r.get::<_, i64>(0)).map_err(db)?;
            rows.map(|r| r.map(|v| u32::try_from(v).unwrap_or(u32::MAX)).map_err(db)).collect()
        })
    }

    fn latest_status_list(&self, key_id: &str, newer_than: Option<u64>) -> StoreFuture<'_, Option<StoredStatusList>> {
        let key_id = key_id.to_owned();
        self.run(move |_, conn| latest_list(conn, &key_id, newer_than))
    }

    fn publish_status_list(&self, key_id: &str, sign: StatusListSigner) -> StoreFuture<'_, Published> {
        let key_id = key_id.to_owned();
        self.run(move |inner, conn| {
            with_full_sync(inner, conn, |conn| {
                // IMMEDIATE: the write lock is taken before anything is read, so publishing is
                // serialised and reads the newest list and every committed revocation.
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
                let latest = latest_list(&tx, &key_id, None)?;
                let revoked: Vec<RevokedCredential> = {
                    let mut st = tx
                        .prepare_cached(
                            "SELECT serial, status_index FROM credentials WHERE key_id = ?1 AND revoked = 1",
                        )
                        .map_err(db)?;
                    let rows = st
                        .query_map([&key_id], |r| {
                            Ok(RevokedCredential {
                                serial: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                                status_index: u32::try_from(r.get::<_, i64>(1)?).unwrap_or(u32::MAX),
                            })
                        })
                        .map_err(db)?;
                    rows.collect::<Result<_, _>>().map_err(db)?
                };
                let revoked_serials = revoked.iter().map(|r| r.serial).collect();
                let Some(new) = sign(latest.as_ref(), &revoked).map_err(StoreError::StatusListSigning)? else {
                    return Ok(Published { latest, inserted: false, revoked_serials });
                };
                check_stored_successor(latest.as_ref(), &new)?;
                tx.execute(
                    "INSERT INTO status_lists (key_id, sequence, issued_at, bytes) VALUES (?1, ?2, ?3, ?4)",
                    params![key_id, to_i64(new.sequence), new.issued_at, new.bytes],
                )
                .map_err(db)?;
                tx.execute(
                    "DELETE FROM status_lists WHERE key_id = ?1 AND sequence < (SELECT sequence FROM status_lists \
                     WHERE key_id = ?1 ORDER BY sequence DESC LIMIT 1 OFFSET ?2)",
                    params![key_id, STATUS_LISTS_KEPT - 1],
                )
                .map_err(db)?;
                tx.commit().map_err(db)?;
                Ok(Published { latest: Some(new), inserted: true, revoked_serials })
            })
        })
    }

    fn append_audit(&self, batches: Vec<AuditBatch>) -> StoreFuture<'_, Vec<Appended>> {
        // Runs on the audit writer's own thread (see the trait): no hop to the blocking pool.
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            let mut guard = lock(&inner.conn);
            let conn: &mut Connection = &mut guard;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            let (mut seq, mut prev): (u64, String) = tx
                .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .map_err(db)?
                .query_row([], |r| Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?)))
                .optional()
                .map_err(db)?
                .unwrap_or((0, GENESIS_HASH.to_owned()));
            let mut out = Vec::with_capacity(batches.len());
            {
                let mut mark = tx
                    .prepare_cached(
                        "INSERT INTO audit_batches (id, first_seq, last_seq) VALUES (?1, ?2, ?3) \
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .map_err(db)?;
                let mut st = tx
                    .prepare_cached(
                        "INSERT INTO audit_log (seq, at, event, actor, source, serial, key_id, verdict, code, \
                         prev_hash, hash, items) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )
                    .map_err(db)?;
                for batch in &batches {
                    if batch.records.is_empty() {
                        out.push(Appended::New(Vec::new()));
                        continue;
                    }
                    let n = u64::try_from(batch.records.len()).unwrap_or(u64::MAX);
                    let fresh =
                        mark.execute(params![batch.id, to_i64(seq + 1), to_i64(seq.saturating_add(n))]).map_err(db)?;
                    if fresh == 0 {
                        out.push(Appended::AlreadyPresent);
                        continue;
                    }
                    let mut seqs = Vec::with_capacity(batch.records.len());
                    for r in &batch.records {
                        seq += 1;
                        let hash = entry_hash(seq, &prev, r);
                        st.execute(params![
                            to_i64(seq),
                            r.at,
                            r.event,
                            r.actor,
                            r.source,
                            r.serial.map(to_i64),
                            r.key_id,
                            r.verdict,
                            r.code,
                            prev,
                            hash,
                            r.items
                        ])
                        .map_err(db)?;
                        seqs.push(seq);
                        prev = hash;
                    }
                    out.push(Appended::New(seqs));
                }
            }
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }

    fn audit_entries(&self, after: u64, limit: usize) -> StoreFuture<'_, Vec<AuditEntry>> {
        self.run(move |_, conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT seq, at, event, actor, source, serial, key_id, verdict, code, prev_hash, hash, items \
                     FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(db)?;
            let rows = st
                .query_map(params![to_i64(after), i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    let event: String = r.get(2)?;
                    let source: String = r.get(4)?;
                    Ok(AuditEntry {
                        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        record: AuditRecord {
                            at: r.get(1)?,
                            event: static_event(&event),
                            actor: r.get(3)?,
                            source: static_source(&source),
                            serial: r.get::<_, Option<i64>>(5)?.map(|v| u64::try_from(v).unwrap_or(0)),
                            key_id: r.get(6)?,
                            verdict: r.get(7)?,
                            code: r.get(8)?,
                            items: r.get(11)?,
                        },
                        prev_hash: r.get(9)?,
                        hash: r.get(10)?,
                    })
                })
                .map_err(db)?;
            rows.map(|r| r.map_err(db)).collect()
        })
    }

    fn record_presentation(&self, id: [u8; 16], until: i64, now: i64) -> StoreFuture<'_, bool> {
        self.run(move |inner, conn| {
            // An upsert that changes nothing (the key is there and still inside its window)
            // counts no row.
            let changed = conn
                .prepare_cached(
                    "INSERT INTO seen_presentations (id, until) VALUES (?1, ?2) \
                     ON CONFLICT (id) DO UPDATE SET until = excluded.until WHERE seen_presentations.until < ?3",
                )
                .map_err(db)?
                .execute(params![&id[..], until, now])
                .map_err(db)?;
            if prune_due(&inner.last_prune, now)
                && let Err(e) = prune_seen(conn, now)
            {
                tracing::debug!(error = %e, "cannot prune expired live presentations; retried later");
            }
            Ok(changed > 0)
        })
    }

    fn prune_presentations(&self, now: i64) -> StoreFuture<'_, u64> {
        self.run(move |_, conn| prune_seen(conn, now))
    }

    fn append_checkpoint(&self, cp: AuditCheckpoint) -> StoreFuture<'_, ()> {
        self.run(move |inner, conn| {
            with_full_sync(inner, conn, |conn| {
                conn.execute(
                    "INSERT INTO audit_checkpoints (seq, head_hash, at, public_key, signature) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (seq) DO NOTHING",
                    params![to_i64(cp.seq), cp.head_hash, cp.at, cp.public_key, cp.signature],
                )
                .map_err(db)?;
                Ok(())
            })
        })
    }

    fn audit_checkpoints(&self) -> StoreFuture<'_, Vec<AuditCheckpoint>> {
        self.run(move |_, conn| {
            let mut st = conn
                .prepare_cached("SELECT seq, head_hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq")
                .map_err(db)?;
            let rows = st
                .query_map([], |r| {
                    Ok(AuditCheckpoint {
                        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        head_hash: r.get(1)?,
                        at: r.get(2)?,
                        public_key: r.get(3)?,
                        signature: r.get(4)?,
                    })
                })
                .map_err(db)?;
            rows.map(|r| r.map_err(db)).collect()
        })
    }
}

#[cfg(test)]
mod wal_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Issue 18: the writing connection checkpointed by itself every 1000 WAL pages, inside a
    /// group commit; now only past [`WAL_AUTOCHECKPOINT_PAGES`], the checkpoint thread's
    /// safety net. `tests/sqlite_wal.rs` checks that the thread checkpoints.
    #[test]
    fn regression_writer_does_not_checkpoint_every_1000_pages() {
        let dir = std::env::temp_dir().join(format!("ikd-wal-unit-{}", std::process::id()));
        let store = SqliteStore::open(&dir, SqliteOptions::default()).unwrap();
        let limit: i64 = lock(&store.inner.conn).pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0)).unwrap();
        assert_eq!(limit, WAL_AUTOCHECKPOINT_PAGES);
        assert!(store.inner._wal.is_some(), "a writable store has a checkpoint thread");
        drop(store);
        let ro = SqliteStore::open(&dir, SqliteOptions { read_only: true, ..SqliteOptions::default() }).unwrap();
        assert!(ro.inner._wal.is_none(), "a read-only store has none");
        drop(ro);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
