-- Requests that carry no signed timestamp (Teams outgoing webhooks) are
-- deduplicated by their id: a retried or replayed request finds its key
-- here and is not run again. Kept in the database, not in memory, so
-- several instances of relance agree; old rows are pruned by the insert
-- itself (Store::first_seen). Same schema as on PostgreSQL.
CREATE TABLE seen_requests (
    key     TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
) STRICT;

CREATE INDEX seen_requests_by_time ON seen_requests (seen_at);
