-- Instalment plans (échéancier, issue 6), on SQLite. Same logical schema as
-- migrations/postgres/0009_instalment_plans.sql.
--
-- A client short of cash pays what its invoices owe in a few dated
-- instalments. A plan is proposed (the CLI, the chat, the cash-difficulty
-- call outcome), then approved or rejected by finance; while approved, its
-- invoices are chased on the instalments' dates instead of their due dates.
-- A missed instalment breaks it (the policy's stages resume), full payment
-- completes it. The status only moves forward:
--   proposed → approved | rejected;  approved → completed | broken.
CREATE TABLE instalment_plans (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL REFERENCES clients (client_id),
    -- The invoice numbers covered, a JSON array of strings.
    invoices      TEXT NOT NULL CHECK (json_valid(invoices) AND json_type(invoices) = 'array'),
    currency      TEXT NOT NULL,
    -- What the invoices owed when the plan was proposed: the instalments sum to it.
    total         TEXT NOT NULL,
    frequency     TEXT NOT NULL CHECK (frequency IN ('monthly', 'weekly')),
    -- The language of the confirmation to the client.
    language      TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'completed', 'broken')),
    proposed_by   TEXT NOT NULL,
    proposed_via  TEXT NOT NULL,
    proposed_at   TEXT NOT NULL,
    -- Who approved or rejected it.
    decided_by    TEXT,
    decided_via   TEXT,
    decided_at    TEXT,
    -- When it was completed or broken, and for a broken plan the instalment missed.
    closed_at     TEXT,
    missed_number INTEGER CHECK (missed_number > 0)
) STRICT;

CREATE INDEX instalment_plans_client ON instalment_plans (client_id, id);
CREATE INDEX instalment_plans_in_force ON instalment_plans (client_id) WHERE status = 'approved';

CREATE TABLE instalments (
    plan_id  INTEGER NOT NULL REFERENCES instalment_plans (id),
    -- 1-based.
    number   INTEGER NOT NULL CHECK (number > 0),
    due_date TEXT NOT NULL,
    amount   TEXT NOT NULL,
    PRIMARY KEY (plan_id, number)
) STRICT;

-- The confirmation e-mailed to the client when finance approves a plan is
-- queued in `duplicates` (claimed, leased, retried, settled by the same
-- sender): a row with a `plan_id` is that plan's confirmation, keyed
-- `plan:<id>` so an approval queues it once. `duplicates` is thus the queue
-- of client e-mails that are not reminders.
ALTER TABLE duplicates ADD COLUMN plan_id INTEGER REFERENCES instalment_plans (id);
