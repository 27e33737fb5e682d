-- 0001 initial: the registry (no personal data) and the hash-chained audit log.
-- IF NOT EXISTS: databases made before schema_migrations existed (PRAGMA user_version = 1)
-- already have these tables; the migration then only records itself.
CREATE TABLE IF NOT EXISTS credentials (
    key_id       TEXT    NOT NULL,
    serial       INTEGER NOT NULL CHECK (serial > 0),
    status_index INTEGER NOT NULL CHECK (status_index >= 0),
    issued_at    INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('reserved', 'issued', 'void')),
    revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    revoked_at   INTEGER,
    PRIMARY KEY (key_id, serial),
    UNIQUE (key_id, status_index)
) STRICT;
CREATE TABLE IF NOT EXISTS audit_log (
    seq       INTEGER PRIMARY KEY CHECK (seq > 0),
    at        TEXT    NOT NULL,
    event     TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    source    TEXT    NOT NULL,
    serial    INTEGER,
    key_id    TEXT,
    verdict   TEXT    NOT NULL,
    code      TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;
