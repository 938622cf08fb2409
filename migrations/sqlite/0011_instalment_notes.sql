-- The friendly note before each instalment of an approved plan (issue 6),
-- on SQLite. Same logical schema as migrations/postgres/0011_instalment_notes.sql.
--
-- Like the plan's confirmation, the note is a client e-mail that is not a
-- reminder (no stage, no proposal, nothing on the invoice's ladder), so it
-- is a row of `duplicates`, claimed, leased, retried and settled by the same
-- sender. A row with a `plan_id` and an `instalment` is the note before that
-- instalment, keyed `note:<plan>:<number>`; the unique index below says the
-- same in the schema: each instalment's note is queued once, whatever the
-- number of postings or instances.
ALTER TABLE duplicates ADD COLUMN instalment INTEGER CHECK (instalment > 0);

CREATE UNIQUE INDEX duplicates_instalment_note ON duplicates (plan_id, instalment) WHERE instalment IS NOT NULL;
