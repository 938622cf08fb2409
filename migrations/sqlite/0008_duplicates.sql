-- Duplicates of invoices a client says it never received (issue 6), on
-- SQLite. Same logical schema as migrations/postgres/0008_duplicates.sql.
--
-- A table of its own rather than a new kind of outbox row: an outbox row is
-- a reminder (a proposal, a stage, a tone, a day's digest entry, expired at
-- the end of its day), and a duplicate is none of these. It is claimed,
-- leased, retried and settled like the outbox, by the same sender.
CREATE TABLE duplicates (
    id              INTEGER PRIMARY KEY,
    -- `dup:<invoices, sorted>:<day>`: the same request twice the same day
    -- (a double click, the caller and finance both asking) queues once.
    dup_key         TEXT NOT NULL UNIQUE,
    day             TEXT NOT NULL,
    client_id       TEXT NOT NULL REFERENCES clients (client_id),
    -- The invoice numbers, a JSON array of strings.
    invoices        TEXT NOT NULL CHECK (json_valid(invoices)),
    -- The address the caller confirmed (or the client's, from the ledger).
    recipient       TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    -- queued → sending (leased) → sent | failed; queued → cancelled (paid).
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,
    lease_owner     TEXT,
    lease_until     TEXT,
    message_id      TEXT,
    -- When it left: the next written reminder waits `duplicate_grace_days` from it.
    sent_at         TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX duplicates_client ON duplicates (client_id, id);
CREATE INDEX duplicates_due ON duplicates (id) WHERE status IN ('queued', 'sending');
