-- Sending the approved reminders (issue 4), on SQLite. Same logical schema
-- as migrations/postgres/0003_sending.sql.
--
-- The outbox becomes one row per reminder AND channel: an e-mail and an SMS
-- of one reminder are sent, retried and failed independently (an invalid
-- mobile number must not hold the e-mail back, nor a sent e-mail be resent
-- because its SMS is retried). SQLite cannot alter a CHECK or a UNIQUE: the
-- table is rebuilt, each old row becoming one row per channel of its item.
CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY,
    proposal_id         TEXT NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter')),
    day                 TEXT NOT NULL,
    client_id           TEXT NOT NULL REFERENCES clients (client_id),
    stage               TEXT NOT NULL CHECK (stage IN ('pre_due', 'first', 'second', 'final', 'formal_notice')),
    tone                TEXT NOT NULL CHECK (tone IN ('friendly', 'courteous', 'firm', 'pre_litigation', 'formal')),
    -- queued → sending (leased by a worker) → sent | failed (permanent, or
    -- out of attempts); queued → cancelled (veto, payment, pause…).
    status              TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    not_before          TEXT NOT NULL,
    held_for_fresh_data INTEGER NOT NULL CHECK (held_for_fresh_data IN (0, 1)),
    item                TEXT NOT NULL CHECK (json_valid(item)),
    -- Delivery attempts made, and when the next one may be (transient failures).
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     TEXT,
    -- The worker sending it, and until when its claim holds (a worker killed
    -- mid-send loses its claim when the lease runs out).
    lease_owner         TEXT,
    lease_until         TEXT,
    -- Where it went (address or number), its Message-ID or provider id, when.
    recipient           TEXT,
    message_id          TEXT,
    sent_at             TEXT,
    -- Why it failed or was cancelled, in the team's words.
    last_error          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (proposal_id, channel),
    -- Exactly once per reminder: one client, one stage, one day, one channel.
    UNIQUE (client_id, day, stage, channel)
) STRICT;

INSERT INTO outbox_new (proposal_id, channel, day, client_id, stage, tone, status, not_before,
                        held_for_fresh_data, item, created_at, updated_at)
SELECT o.proposal_id, c.value, o.day, o.client_id, o.stage, o.tone, o.status, o.not_before,
       o.held_for_fresh_data, o.item, o.created_at, o.updated_at
FROM outbox o, json_each(o.item, '$.channels') c
ORDER BY o.id, c.key;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_day ON outbox (day, id);
CREATE INDEX outbox_proposal ON outbox (proposal_id);
-- What the workers look for: queued, not held, by due time.
CREATE INDEX outbox_due ON outbox (not_before) WHERE status IN ('queued', 'sending') AND held_for_fresh_data = 0;
