-- 0001 initial (PostgreSQL): registry, per-key serial counters, the audit log and its head.
-- No personal data: no name, NIK, address, photo or claims anywhere.

-- One row per issuer key: the last serial handed out. Reserving a credential increments it with
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING inside the reserve transaction, so the row lock
-- serialises reservations of one key across every server instance.
CREATE TABLE key_serials (
    key_id      TEXT   PRIMARY KEY,
    last_serial BIGINT NOT NULL CHECK (last_serial > 0)
);

CREATE TABLE credentials (
    key_id       TEXT    NOT NULL,
    serial       BIGINT  NOT NULL CHECK (serial > 0 AND serial <= 9007199254740991),
    status_index BIGINT  NOT NULL CHECK (status_index >= 0 AND status_index <= 4294967295),
    issued_at    BIGINT  NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('reserved', 'issued', 'void')),
    revoked      BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_at   BIGINT,
    PRIMARY KEY (key_id, serial),
    UNIQUE (key_id, status_index)
);
CREATE INDEX credentials_revoked ON credentials (key_id, serial) WHERE revoked;

-- The chain head: one row, locked (SELECT ... FOR UPDATE) by every append, so appends from all
-- instances are serialised and each computes prev_hash from the true head inside its transaction.
CREATE TABLE audit_head (
    id   SMALLINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT   NOT NULL CHECK (seq >= 0),
    hash TEXT     NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY CHECK (seq > 0),
    at        TEXT   NOT NULL,
    event     TEXT   NOT NULL,
    actor     TEXT   NOT NULL,
    source    TEXT   NOT NULL,
    serial    BIGINT,
    key_id    TEXT,
    verdict   TEXT   NOT NULL,
    code      TEXT   NOT NULL,
    prev_hash TEXT   NOT NULL,
    hash      TEXT   NOT NULL
);

-- Ids of committed audit batches (see the SQLite migration 0002).
CREATE TABLE audit_batches (
    id        TEXT   PRIMARY KEY,
    first_seq BIGINT NOT NULL,
    last_seq  BIGINT NOT NULL
);
