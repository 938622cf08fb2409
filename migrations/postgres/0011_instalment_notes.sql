-- The friendly note before each instalment of an approved plan (issue 6), on
-- PostgreSQL. Same logical schema as migrations/sqlite/0011_instalment_notes.sql,
-- which explains it.
ALTER TABLE duplicates ADD COLUMN instalment INTEGER CHECK (instalment > 0);

CREATE UNIQUE INDEX duplicates_instalment_note ON duplicates (plan_id, instalment) WHERE instalment IS NOT NULL;
