-- The morning digest and its decisions, on SQLite. Same logical schema as
-- migrations/postgres/0002_digest.sql; conventions of 0001 (TEXT dates and
-- timestamps, INTEGER flags, CHECKed enums, STRICT tables).
--
-- An entry's whole state (proposal, approvals, softening, veto…) is one JSON
-- document, `state`, written and read whole by the store; `status` and `rev`
-- repeat two of its fields so that SQL can filter on them.

-- One row per business day whose digest was posted.
CREATE TABLE digests (
    day               TEXT NOT NULL PRIMARY KEY,
    posted_at         TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    -- The header as shown, re-used when a page is updated after a click.
    header            TEXT NOT NULL CHECK (json_valid(header)),
    -- Finance's "send anyway" on stale data: who, through which platform, when.
    send_anyway_actor TEXT,
    send_anyway_via   TEXT CHECK (send_anyway_via IN ('slack', 'discord', 'teams', 'web')),
    send_anyway_at    TEXT
) STRICT;

-- One row per proposal of a digest. A proposal id names its day, so it is
-- the key on its own.
CREATE TABLE digest_entries (
    proposal_id TEXT NOT NULL PRIMARY KEY,
    day         TEXT NOT NULL REFERENCES digests (day),
    -- Digest order: entries added by a later posting come after.
    position    INTEGER NOT NULL CHECK (position >= 0),
    client_id   TEXT NOT NULL REFERENCES clients (client_id),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'vetoed', 'snoozed', 'withdrawn')),
    rev         INTEGER NOT NULL CHECK (rev >= 0),
    state       TEXT NOT NULL CHECK (json_valid(state)),
    updated_at  TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX digest_entries_day ON digest_entries (day, position);
CREATE INDEX digest_entries_client ON digest_entries (client_id);

-- The messages a digest page was posted as, so a click can update them in
-- place and a second posting edits instead of posting again.
CREATE TABLE digest_messages (
    day        TEXT NOT NULL REFERENCES digests (day),
    platform   TEXT NOT NULL CHECK (platform IN ('slack', 'discord', 'teams', 'web')),
    page       INTEGER NOT NULL CHECK (page >= 0),
    channel    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    -- The proposal ids shown on the page, in order (a JSON array).
    entries    TEXT NOT NULL CHECK (json_valid(entries)),
    PRIMARY KEY (day, platform, page)
) STRICT;

-- Every accepted decision (repeats are not written). Like the audit log, it
-- is the record of who decided what: append-only, no foreign key.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    proposal_id TEXT NOT NULL,
    day         TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('approve', 'soften', 'veto', 'snooze', 'send_anyway')),
    actor       TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('slack', 'discord', 'teams', 'web')),
    at          TEXT NOT NULL,
    -- approved, first_approval, softened, vetoed, snoozed, held…
    effect      TEXT NOT NULL,
    detail      TEXT NOT NULL CHECK (json_valid(detail))
) STRICT;

CREATE INDEX decisions_client ON decisions (client_id, id);
CREATE INDEX decisions_proposal ON decisions (proposal_id);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only: UPDATE refused');
END;

CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only: DELETE refused');
END;

-- The reminders approved for sending, one row per proposal, written in the
-- approval's transaction. `item` is the whole OutboxItem (the proposal as
-- approved); the other columns repeat what the sender filters on.
--
-- status: the sending issue adds 'sent' and 'failed'. SQLite cannot alter a
-- CHECK: its migration recreates the table (CREATE outbox_new with the wider
-- CHECK, INSERT … SELECT, DROP, RENAME, re-create the indexes).
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    proposal_id         TEXT NOT NULL UNIQUE,
    day                 TEXT NOT NULL,
    client_id           TEXT NOT NULL REFERENCES clients (client_id),
    stage               TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    tone                TEXT NOT NULL CHECK (tone IN ('friendly', 'courteous', 'firm', 'pre_litigation', 'formal')),
    status              TEXT NOT NULL CHECK (status IN ('queued', 'cancelled')),
    not_before          TEXT NOT NULL,
    held_for_fresh_data INTEGER NOT NULL CHECK (held_for_fresh_data IN (0, 1)),
    item                TEXT NOT NULL CHECK (json_valid(item)),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

CREATE INDEX outbox_day ON outbox (day, id);
-- What the sender looks for: queued, due, not held.
CREATE INDEX outbox_queued ON outbox (not_before) WHERE status = 'queued' AND held_for_fresh_data = 0;

-- Signed decision links act once: the digest of each token used.
CREATE TABLE used_links (
    token_digest TEXT NOT NULL PRIMARY KEY,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;
