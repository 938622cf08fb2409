-- The outbox's index on proposal_id alone repeats the first column of its
-- UNIQUE (proposal_id, channel), which every lookup by proposal already
-- uses. Every approval inserts an outbox row per channel, inside the batch
-- of clicks that holds the single writer: one b-tree fewer to update there
-- (see serve/engine.rs and `relance bench clicks`).
DROP INDEX outbox_proposal;
