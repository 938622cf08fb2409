-- A digest entry's proposal in a column of its own, apart from its state
-- (approvals, softening, veto…). Same logical change as
-- migrations/postgres/0013_entry_proposal.sql.
--
-- Why: a click changes the state, a few hundred bytes, and until now
-- rewrote the whole document, proposal included (about 2 KB of invoices,
-- amounts and reasons), serialised again on the single writer's serial
-- path. Now a decision writes `state` only, and `proposal` only when the
-- decision changes it (Soften lowers its tone).
--
-- The DEFAULT only lets SQLite add a NOT NULL column to existing rows: the
-- UPDATE below fills it, and every insert states it.
ALTER TABLE digest_entries ADD COLUMN proposal TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(proposal));

UPDATE digest_entries
SET proposal = json_extract(state, '$.proposal'),
    state = json_remove(state, '$.proposal');
