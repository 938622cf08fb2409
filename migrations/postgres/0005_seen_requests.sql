-- Requests deduplicated by id (Teams outgoing webhooks): see
-- migrations/sqlite/0005_seen_requests.sql, which explains it.
CREATE TABLE seen_requests (
    key     TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX seen_requests_by_time ON seen_requests (seen_at);
