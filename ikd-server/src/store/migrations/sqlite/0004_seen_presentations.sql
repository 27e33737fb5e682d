-- 0004: live presentations this server accepted, so one replayed after a restart is refused
-- (the in-process replay cache is emptied by a restart). The key is a 16-byte hash of the
-- holder signature and `until` the end of the presentation's window (Unix seconds): no
-- personal data. A row whose `until` has passed no longer counts and is pruned.
CREATE TABLE seen_presentations (
    id    BLOB    PRIMARY KEY CHECK (length(id) = 16),
    until INTEGER NOT NULL
) STRICT;
CREATE INDEX seen_presentations_until ON seen_presentations (until);
