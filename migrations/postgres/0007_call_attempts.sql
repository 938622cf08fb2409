-- What came of a phone call: see migrations/sqlite/0007_call_attempts.sql,
-- which explains it. Append-only, like the decisions.
CREATE TABLE call_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id      TEXT COLLATE "C" NOT NULL,
    client_id    TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id),
    invoices     JSONB NOT NULL CHECK (jsonb_typeof(invoices) = 'array'),
    offset_days  BIGINT NOT NULL CHECK (offset_days >= 0),
    day          DATE NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('promise', 'not_received', 'payment_sent', 'dispute',
                                                  'internal_block', 'cash_difficulty', 'voicemail')),
    promised_for DATE,
    reason       TEXT,
    days         BIGINT CHECK (days > 0),
    actor        TEXT NOT NULL,
    via          TEXT NOT NULL CHECK (via IN ('slack', 'discord', 'teams', 'web', 'cli')),
    at           TIMESTAMPTZ NOT NULL
);

CREATE INDEX call_attempts_by_day ON call_attempts (day, id);

CREATE FUNCTION call_attempts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'call_attempts is append-only';
END;
$$;

CREATE TRIGGER call_attempts_append_only BEFORE UPDATE OR DELETE ON call_attempts
FOR EACH ROW EXECUTE FUNCTION call_attempts_append_only();
