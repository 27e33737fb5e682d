-- 0002: the signed status lists of the issuer key(s) the instances share, one row per list
-- published, newest = highest sequence. Every instance publishes through one transaction that
-- takes a transaction-scoped advisory lock per key (pg_advisory_xact_lock), reads the newest
-- list and the revoked status indices, signs the successor and inserts it: the instances
-- write one linear history (sequences strictly rising, issued_at never going back, no list
-- shrinking or lifting a revocation) and every instance serves its newest row. No personal
-- data: the lists hold status indices only.
CREATE TABLE status_lists (
    key_id    TEXT   NOT NULL,
    sequence  BIGINT NOT NULL CHECK (sequence >= 0),
    issued_at BIGINT NOT NULL,
    bytes     BYTEA  NOT NULL,
    PRIMARY KEY (key_id, sequence)
);
