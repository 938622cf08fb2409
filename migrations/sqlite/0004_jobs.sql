-- Jobs every instance schedules but only one must run: the morning digest
-- (several `relance serve` on one database would each post it). The first
-- instance to insert (name, day) runs it; a claim left unfinished for long
-- (its instance died) may be taken over. Same schema as on PostgreSQL.
CREATE TABLE jobs (
    name       TEXT NOT NULL,
    day        TEXT NOT NULL,
    owner      TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    done_at    TEXT,
    PRIMARY KEY (name, day)
) STRICT;

-- A formal notice is a letter a person prints and posts (recommandé avec
-- AR): its outbox row is "sent" once the PDF is written; who posted it, and
-- when, is recorded when they say so (a digest button or a command).
ALTER TABLE outbox ADD COLUMN posted_on TEXT;
ALTER TABLE outbox ADD COLUMN posted_by TEXT;
