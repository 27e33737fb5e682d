-- 0006: one audit entry per `POST /v1/verify/batch` (event `verify_batch`), its texts in
-- `items`, one line each: index, verdict, code, serial, key id (docs/SERVER.md §6). NULL for
-- every other entry, whose hash is unchanged. No personal data.
ALTER TABLE audit_log ADD COLUMN items TEXT;
