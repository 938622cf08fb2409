-- Instalment plans (échéancier, issue 6), on PostgreSQL. Same logical schema
-- as migrations/sqlite/0009_instalment_plans.sql, which explains it.
CREATE TABLE instalment_plans (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id     TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    invoices      JSONB NOT NULL CHECK (jsonb_typeof(invoices) = 'array'),
    currency      TEXT NOT NULL,
    total         NUMERIC(18, 4) NOT NULL,
    frequency     TEXT NOT NULL CHECK (frequency IN ('monthly', 'weekly')),
    language      TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'completed', 'broken')),
    proposed_by   TEXT NOT NULL,
    proposed_via  TEXT NOT NULL,
    proposed_at   TIMESTAMPTZ NOT NULL,
    decided_by    TEXT,
    decided_via   TEXT,
    decided_at    TIMESTAMPTZ,
    closed_at     TIMESTAMPTZ,
    missed_number INTEGER CHECK (missed_number > 0)
);

CREATE INDEX instalment_plans_client ON instalment_plans (client_id, id);
CREATE INDEX instalment_plans_in_force ON instalment_plans (client_id) WHERE status = 'approved';

CREATE TABLE instalments (
    plan_id  BIGINT NOT NULL REFERENCES instalment_plans (id),
    number   INTEGER NOT NULL CHECK (number > 0),
    due_date DATE NOT NULL,
    amount   NUMERIC(18, 4) NOT NULL,
    PRIMARY KEY (plan_id, number)
);

-- The plan's confirmation e-mail, queued in `duplicates` (see the SQLite twin).
ALTER TABLE duplicates ADD COLUMN plan_id BIGINT REFERENCES instalment_plans (id);
