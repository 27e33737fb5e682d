-- 0002: ids of committed audit batches, so a batch written again (after a commit whose outcome
-- was unknown) is recognised and skipped instead of entering the chain twice.
CREATE TABLE audit_batches (
    id        TEXT    PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL
) STRICT;
-- Revoked credentials of a key are read at start-up and for status lists.
CREATE INDEX credentials_revoked ON credentials (key_id, serial) WHERE revoked = 1;
