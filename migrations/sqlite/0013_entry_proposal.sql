-- A digest entry's proposal in a table of its own, apart from the entry's
-- state (approvals, softening, veto…). Same logical change as
-- migrations/postgres/0013_entry_proposal.sql.
--
-- Why: a click changes the state, a few hundred bytes, and until now
-- rewrote the whole document, proposal included (about 2 KB of invoices,
-- amounts and reasons): serialised again on the single writer's serial
-- path, and about one database page written to the WAL per click. Now a
-- decision writes the entry's small row only (a dozen to a page), and the
-- proposal only when the decision changes it (Soften lowers its tone).
-- The outbox's `item` needs no migration: from this version on, a waiting
-- row leaves the proposal out and refers to its entry's (the one approved:
-- an approved entry's proposal never changes), and a settled row takes its
-- own copy; rows written before keep the copy they have
-- (`src/store/board/rows.rs`, `item_json`).

CREATE TABLE digest_proposals (
    proposal_id TEXT NOT NULL PRIMARY KEY REFERENCES digest_entries (proposal_id),
    proposal    TEXT NOT NULL CHECK (json_valid(proposal))
) STRICT;

INSERT INTO digest_proposals (proposal_id, proposal)
SELECT proposal_id, json_extract(state, '$.proposal') FROM digest_entries;

UPDATE digest_entries SET state = json_remove(state, '$.proposal');
