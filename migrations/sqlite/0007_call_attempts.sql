-- What came of a phone call made from the digest's "📞 À appeler" section:
-- one row per outcome recorded (a voicemail too, which counts towards
-- `policy.calls.max_call_attempts`). The call planner reads these rows to
-- close a task once someone answered, and the digest shows the day's rows
-- in place under their call. A record, like the decisions: append-only.
-- Same logical schema as on PostgreSQL.
CREATE TABLE call_attempts (
    id           INTEGER PRIMARY KEY,
    task_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL REFERENCES clients (client_id),
    invoices     TEXT NOT NULL CHECK (json_valid(invoices) AND json_type(invoices) = 'array'),
    offset_days  INTEGER NOT NULL CHECK (offset_days >= 0),
    day          TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('promise', 'not_received', 'payment_sent', 'dispute',
                                                  'internal_block', 'cash_difficulty', 'voicemail')),
    -- The outcome's detail: the promised date, the reason, the days held.
    promised_for TEXT,
    reason       TEXT,
    days         INTEGER CHECK (days > 0),
    actor        TEXT NOT NULL,
    via          TEXT NOT NULL CHECK (via IN ('slack', 'discord', 'teams', 'web', 'cli')),
    at           TEXT NOT NULL
) STRICT;

CREATE INDEX call_attempts_by_day ON call_attempts (day, id);

CREATE TRIGGER call_attempts_no_update BEFORE UPDATE ON call_attempts
BEGIN
    SELECT RAISE(ABORT, 'call_attempts is append-only');
END;

CREATE TRIGGER call_attempts_no_delete BEFORE DELETE ON call_attempts
BEGIN
    SELECT RAISE(ABORT, 'call_attempts is append-only');
END;
