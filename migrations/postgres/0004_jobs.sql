-- Jobs every instance schedules but only one must run (the morning digest).
-- Same logical schema as migrations/sqlite/0004_jobs.sql, which explains it.
CREATE TABLE jobs (
    name       TEXT NOT NULL,
    day        DATE NOT NULL,
    owner      TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ,
    PRIMARY KEY (name, day)
);

-- A formal notice letter: when a person posted it, and who (see SQLite's).
ALTER TABLE outbox ADD COLUMN posted_on DATE;
ALTER TABLE outbox ADD COLUMN posted_by TEXT;
