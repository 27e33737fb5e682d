-- 0004: signed checkpoints of the audit chain's head (docs/SERVER.md §6). Each row signs
-- (seq, head_hash, at) with the audit checkpoint key, so a log cut off or rewritten by someone
-- with database access no longer matches. No personal data.
CREATE TABLE audit_checkpoints (
    seq        BIGINT PRIMARY KEY CHECK (seq > 0),
    head_hash  TEXT   NOT NULL,
    at         TEXT   NOT NULL,
    public_key TEXT   NOT NULL,
    signature  TEXT   NOT NULL
);
