-- Sending the approved reminders (issue 4), on PostgreSQL. Same logical
-- schema as migrations/sqlite/0003_sending.sql, which explains it.
CREATE TABLE outbox_new (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id         TEXT COLLATE "C" NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter')),
    day                 DATE NOT NULL,
    client_id           TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    stage               TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    tone                TEXT NOT NULL CHECK (tone IN ('friendly', 'courteous', 'firm', 'pre_litigation', 'formal')),
    status              TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    not_before          TIMESTAMPTZ NOT NULL,
    held_for_fresh_data BOOLEAN NOT NULL,
    item                JSONB NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     TIMESTAMPTZ,
    lease_owner         TEXT,
    lease_until         TIMESTAMPTZ,
    recipient           TEXT,
    message_id          TEXT,
    sent_at             TIMESTAMPTZ,
    last_error          TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (proposal_id, channel),
    UNIQUE (client_id, day, stage, channel)
);

INSERT INTO outbox_new (proposal_id, channel, day, client_id, stage, tone, status, not_before,
                        held_for_fresh_data, item, created_at, updated_at)
SELECT o.proposal_id, c.channel, o.day, o.client_id, o.stage, o.tone, o.status, o.not_before,
       o.held_for_fresh_data, o.item, o.created_at, o.updated_at
FROM outbox o, jsonb_array_elements_text(o.item -> 'channels') WITH ORDINALITY AS c (channel, n)
ORDER BY o.id, c.n;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_day ON outbox (day, id);
CREATE INDEX outbox_proposal ON outbox (proposal_id);
CREATE INDEX outbox_due ON outbox (not_before) WHERE status IN ('queued', 'sending') AND NOT held_for_fresh_data;
