-- 0003: live presentations accepted by any instance, so one replayed to another instance (or
-- after a restart) is refused: each instance's own replay cache only sees its own traffic.
-- The key is a 16-byte hash of the holder signature and `until` the end of the presentation's
-- window (Unix seconds): no personal data. A row whose `until` has passed no longer counts
-- and is pruned.
CREATE TABLE seen_presentations (
    id    BYTEA  PRIMARY KEY CHECK (octet_length(id) = 16),
    until BIGINT NOT NULL
);
CREATE INDEX seen_presentations_until ON seen_presentations (until);
