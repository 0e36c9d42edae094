-- Runs belong to the browser that made them (a digest of its visitor cookie) or to the developer
-- signed in to the console. Runs from before this had no owner that anyone can prove, and held
-- live credentials, so they go.
ALTER TABLE sandbox_runs ADD COLUMN visitor TEXT;
DELETE FROM sandbox_runs WHERE owner IS NULL;
CREATE INDEX sandbox_runs_updated ON sandbox_runs (updated_at);
CREATE INDEX sandbox_runs_visitor ON sandbox_runs (visitor);

-- The collector deletes expired rows in small batches by these. Tokens have none: an index
-- there would cost every issued token one more B-tree write, and their time-ordered handles
-- let the collector walk the table in ranges of its primary key instead.
CREATE INDEX auth_codes_expiry ON auth_codes (expires_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX initial_access_tokens_expiry ON initial_access_tokens (expires_at);
