-- A digest entry's proposal in a table of its own, apart from the entry's
-- state (approvals, softening, veto…). Same logical change as
-- migrations/sqlite/0013_entry_proposal.sql, which says why.
-- The outbox's `item` needs no migration: from this version on, a waiting
-- row leaves the proposal out and refers to its entry's (the one approved:
-- an approved entry's proposal never changes), and a settled row takes its
-- own copy; rows written before keep the copy they have
-- (`src/store/board/rows.rs`, `item_json`).

CREATE TABLE digest_proposals (
    proposal_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES digest_entries (proposal_id),
    proposal    JSONB NOT NULL
);

INSERT INTO digest_proposals (proposal_id, proposal)
SELECT proposal_id, state -> 'proposal' FROM digest_entries;

UPDATE digest_entries SET state = state - 'proposal';
