-- 0003: the signed status lists of this server's own issuer key, one row per list published,
-- newest = highest sequence. Publishing runs in one immediate transaction (read the newest
-- list and the revoked status indices, sign the successor, insert it), so the lists form one
-- linear history: sequences strictly rising, issued_at never going back, no list shrinking
-- or lifting a revocation. No personal data: the lists hold status indices only.
CREATE TABLE status_lists (
    key_id    TEXT    NOT NULL,
    sequence  INTEGER NOT NULL CHECK (sequence >= 0),
    issued_at INTEGER NOT NULL,
    bytes     BLOB    NOT NULL,
    PRIMARY KEY (key_id, sequence)
) STRICT;
