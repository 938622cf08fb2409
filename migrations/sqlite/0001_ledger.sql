-- The ledger on SQLite. Same logical schema as migrations/postgres/0001_ledger.sql.
--
-- Conventions (SQLite has no DECIMAL, DATE or BOOLEAN):
-- * money is TEXT holding the canonical decimal string (rust_decimal's
--   `normalize().to_string()`): exact, never REAL, and never summed in SQL;
-- * dates are TEXT 'YYYY-MM-DD', timestamps TEXT RFC 3339;
-- * flags are INTEGER 0/1; enums are TEXT with CHECK constraints;
-- * tables are STRICT, so a wrongly typed bind fails loudly.
--
-- clients and invoices are WITHOUT ROWID tables clustered by client id: the
-- ledger snapshot reads them in client order with no sort and no random
-- lookups (one million open invoices in about a second).

CREATE TABLE clients (
    client_id    TEXT NOT NULL PRIMARY KEY,
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
    paused_until TEXT,
    dispute      TEXT,
    promise_date TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per import, written in the import's transaction. Invoices and
-- payments name the import that last wrote them (import_id): the file a
-- figure came from, without storing timestamps on a million rows.
CREATE TABLE imports (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('clients', 'invoices', 'payments')),
    file      TEXT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    inserted  INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    unchanged INTEGER NOT NULL
) STRICT;

CREATE INDEX imports_kind ON imports (kind, id);

CREATE TABLE invoices (
    number        TEXT NOT NULL,
    client_id     TEXT NOT NULL REFERENCES clients (client_id),
    issue_date    TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    amount        TEXT NOT NULL,
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    paid          TEXT NOT NULL,
    description   TEXT NOT NULL,
    pdf           TEXT,
    -- The hold, set by users (never by an import).
    paused_until  TEXT,
    dispute       TEXT,
    promise_date  TEXT,
    -- Derived, maintained by the store in the transaction that changes their
    -- sources, so the snapshot can filter without summing money in SQL:
    -- is_open: amount > paid + payments; settled_on: the last payment's date
    -- once fully paid; last_stage/_on: the most advanced reminder_invoices row.
    is_open       INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    settled_on    TEXT,
    last_stage    TEXT CHECK (last_stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    last_stage_on TEXT,
    import_id     INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (client_id, number)
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX invoices_number ON invoices (number);
-- Holds on invoices are rare: the snapshot reads them through this index.
CREATE INDEX invoices_held ON invoices (client_id, number)
    WHERE paused_until IS NOT NULL OR dispute IS NOT NULL OR promise_date IS NOT NULL;

CREATE TABLE payments (
    id         INTEGER PRIMARY KEY,
    invoice    TEXT NOT NULL REFERENCES invoices (number),
    amount     TEXT NOT NULL,
    date       TEXT NOT NULL,
    reference  TEXT NOT NULL,
    import_id  INTEGER NOT NULL REFERENCES imports (id),
    -- The same bank line imported twice is one payment. Also the index for
    -- "payments of an invoice, by date".
    UNIQUE (invoice, date, amount, reference)
) STRICT;

CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    proposal_id TEXT NOT NULL,
    client_id   TEXT NOT NULL REFERENCES clients (client_id),
    sent_at     TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    tone        TEXT NOT NULL CHECK (tone IN ('friendly', 'courteous', 'firm', 'pre_litigation', 'formal')),
    -- Comma-separated channel keywords, in the order they were used ('email,sms').
    channels    TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    total_due   TEXT NOT NULL
) STRICT;

CREATE INDEX reminders_client ON reminders (client_id, on_date);
CREATE INDEX reminders_proposal ON reminders (proposal_id);

CREATE TABLE reminder_invoices (
    reminder_id INTEGER NOT NULL REFERENCES reminders (id),
    line        INTEGER NOT NULL,
    invoice     TEXT NOT NULL REFERENCES invoices (number),
    stage       TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    amount_due  TEXT NOT NULL,
    PRIMARY KEY (reminder_id, line),
    -- An invoice never receives the same stage twice, whatever the instance.
    UNIQUE (invoice, stage)
) STRICT;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    via       TEXT NOT NULL,
    action    TEXT NOT NULL,
    -- No foreign key: the log outlives whatever it mentions.
    client_id TEXT,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL CHECK (json_valid(detail))
) STRICT;

CREATE INDEX audit_log_client ON audit_log (client_id, id);

-- The audit log is the proof of good faith before a judge: append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
