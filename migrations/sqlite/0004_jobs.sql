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
