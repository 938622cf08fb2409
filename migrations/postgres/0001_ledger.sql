-- The ledger on PostgreSQL. Same logical schema as migrations/sqlite/0001_ledger.sql.
--
-- Money is NUMERIC(18, 4), dates DATE, timestamps TIMESTAMPTZ, enums TEXT
-- with CHECK constraints. Identifiers use the "C" collation: they are opaque
-- codes, and byte order is the order the store merges its sorted streams in
-- (the same as SQLite's BINARY collation and Rust's string order).

CREATE TABLE clients (
    client_id    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT,
    cc           TEXT,
    phone        TEXT,
    segment      TEXT NOT NULL CHECK (segment IN ('standard', 'strategic')),
    owner        TEXT,
    language     TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    kind         TEXT NOT NULL CHECK (kind IN ('b2b', 'b2c')),
    siren        TEXT,
    -- The hold, set by users (never by an import).
    paused_until DATE,
    dispute      TEXT,
    promise_date DATE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- One row per import, written in the import's transaction. Invoices and
-- payments name the import that last wrote them (import_id): the file a
-- figure came from, without storing timestamps on a million rows.
CREATE TABLE imports (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('clients', 'invoices', 'payments')),
    file      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    inserted  BIGINT NOT NULL,
    updated   BIGINT NOT NULL,
    unchanged BIGINT NOT NULL
);

CREATE INDEX imports_kind ON imports (kind, id);

CREATE TABLE invoices (
    number        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    client_id     TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    issue_date    DATE NOT NULL,
    due_date      DATE NOT NULL,
    amount        NUMERIC(18, 4) NOT NULL,
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    paid          NUMERIC(18, 4) NOT NULL,
    description   TEXT NOT NULL,
    pdf           TEXT,
    -- The hold, set by users (never by an import).
    paused_until  DATE,
    dispute       TEXT,
    promise_date  DATE,
    -- Derived, maintained by the store in the transaction that changes their
    -- sources (see the SQLite schema): is_open, settled_on, last_stage/_on.
    is_open       BOOLEAN NOT NULL,
    settled_on    DATE,
    last_stage    TEXT CHECK (last_stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    last_stage_on DATE,
    import_id     BIGINT NOT NULL REFERENCES imports (id)
);

CREATE INDEX invoices_client ON invoices (client_id, number);
-- Holds on invoices are rare: the snapshot reads them through this index.
CREATE INDEX invoices_held ON invoices (client_id, number)
    WHERE paused_until IS NOT NULL OR dispute IS NOT NULL OR promise_date IS NOT NULL;

CREATE TABLE payments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice    TEXT COLLATE "C" NOT NULL REFERENCES invoices (number),
    amount     NUMERIC(18, 4) NOT NULL,
    date       DATE NOT NULL,
    reference  TEXT NOT NULL,
    import_id  BIGINT NOT NULL REFERENCES imports (id),
    -- The same bank line imported twice is one payment; also the index for
    -- "payments of an invoice, by date".
    UNIQUE (invoice, date, amount, reference)
);

CREATE TABLE reminders (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id TEXT NOT NULL,
    client_id   TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    sent_at     TIMESTAMPTZ NOT NULL,
    on_date     DATE NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    tone        TEXT NOT NULL CHECK (tone IN ('friendly', 'courteous', 'firm', 'pre_litigation', 'formal')),
    -- Comma-separated channel keywords, in the order they were used ('email,sms').
    channels    TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    total_due   NUMERIC(18, 4) NOT NULL
);

CREATE INDEX reminders_client ON reminders (client_id, on_date);
CREATE INDEX reminders_proposal ON reminders (proposal_id);

CREATE TABLE reminder_invoices (
    reminder_id BIGINT NOT NULL REFERENCES reminders (id),
    line        BIGINT NOT NULL,
    invoice     TEXT COLLATE "C" NOT NULL REFERENCES invoices (number),
    stage       TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    amount_due  NUMERIC(18, 4) NOT NULL,
    PRIMARY KEY (reminder_id, line),
    -- An invoice never receives the same stage twice, whatever the instance.
    UNIQUE (invoice, stage)
);

CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    via       TEXT NOT NULL,
    action    TEXT NOT NULL,
    -- No foreign key: the log outlives whatever it mentions.
    client_id TEXT COLLATE "C",
    subject   TEXT NOT NULL,
    detail    JSONB NOT NULL
);

CREATE INDEX audit_log_client ON audit_log (client_id, id);

-- The audit log is the proof of good faith before a judge: append-only.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
