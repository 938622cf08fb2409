-- The morning digest and its decisions, on PostgreSQL. Same logical schema
-- as migrations/sqlite/0002_digest.sql (see its comments); JSON as JSONB,
-- dates DATE, timestamps TIMESTAMPTZ, identifiers in the "C" collation.

CREATE TABLE digests (
    day               DATE NOT NULL PRIMARY KEY,
    posted_at         TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    header            JSONB NOT NULL,
    send_anyway_actor TEXT,
    send_anyway_via   TEXT CHECK (send_anyway_via IN ('slack', 'discord', 'teams', 'web')),
    send_anyway_at    TIMESTAMPTZ
);

CREATE TABLE digest_entries (
    proposal_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    day         DATE NOT NULL REFERENCES digests (day),
    position    BIGINT NOT NULL CHECK (position >= 0),
    client_id   TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'vetoed', 'snoozed', 'withdrawn')),
    rev         BIGINT NOT NULL CHECK (rev >= 0),
    state       JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX digest_entries_day ON digest_entries (day, position);
CREATE INDEX digest_entries_client ON digest_entries (client_id);

CREATE TABLE digest_messages (
    day        DATE NOT NULL REFERENCES digests (day),
    platform   TEXT NOT NULL CHECK (platform IN ('slack', 'discord', 'teams', 'web')),
    page       BIGINT NOT NULL CHECK (page >= 0),
    channel    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    entries    JSONB NOT NULL,
    PRIMARY KEY (day, platform, page)
);

CREATE TABLE decisions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id TEXT COLLATE "C" NOT NULL,
    day         DATE NOT NULL,
    client_id   TEXT COLLATE "C" NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('approve', 'soften', 'veto', 'snooze', 'send_anyway')),
    actor       TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('slack', 'discord', 'teams', 'web')),
    at          TIMESTAMPTZ NOT NULL,
    effect      TEXT NOT NULL,
    detail      JSONB NOT NULL
);

CREATE INDEX decisions_client ON decisions (client_id, id);
CREATE INDEX decisions_proposal ON decisions (proposal_id);

-- Who decided what is a record, like the audit log: append-only.
CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER decisions_no_update_delete BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_append_only();

CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION decisions_append_only();

-- status: the sending issue adds 'sent' and 'failed' with
-- ALTER TABLE outbox DROP CONSTRAINT outbox_status, ADD CONSTRAINT outbox_status CHECK (…).
CREATE TABLE outbox (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id         TEXT COLLATE "C" NOT NULL UNIQUE,
    day                 DATE NOT NULL,
    client_id           TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    stage               TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    tone                TEXT NOT NULL CHECK (tone IN ('friendly', 'courteous', 'firm', 'pre_litigation', 'formal')),
    status              TEXT NOT NULL CONSTRAINT outbox_status CHECK (status IN ('queued', 'cancelled')),
    not_before          TIMESTAMPTZ NOT NULL,
    held_for_fresh_data BOOLEAN NOT NULL,
    item                JSONB NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX outbox_day ON outbox (day, id);
CREATE INDEX outbox_queued ON outbox (not_before) WHERE status = 'queued' AND NOT held_for_fresh_data;

CREATE TABLE used_links (
    token_digest TEXT NOT NULL PRIMARY KEY,
    actor        TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
