-- Duplicates of invoices a client says it never received (issue 6), on
-- PostgreSQL. Same logical schema as migrations/sqlite/0008_duplicates.sql,
-- which explains it.
CREATE TABLE duplicates (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dup_key         TEXT COLLATE "C" NOT NULL UNIQUE,
    day             DATE NOT NULL,
    client_id       TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    invoices        JSONB NOT NULL,
    recipient       TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    message_id      TEXT,
    sent_at         TIMESTAMPTZ,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX duplicates_client ON duplicates (client_id, id);
CREATE INDEX duplicates_due ON duplicates (id) WHERE status IN ('queued', 'sending');
