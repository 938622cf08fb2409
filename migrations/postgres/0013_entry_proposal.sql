-- A digest entry's proposal in a column of its own, apart from its state
-- (approvals, softening, veto…). Same logical change as
-- migrations/sqlite/0013_entry_proposal.sql, which says why.
ALTER TABLE digest_entries ADD COLUMN proposal JSONB;

UPDATE digest_entries
SET proposal = state -> 'proposal',
    state = state - 'proposal';

ALTER TABLE digest_entries ALTER COLUMN proposal SET NOT NULL;
