-- A learner workspace is a developer account with an end: the tutorial makes one for a browser
-- on its first visit, and the collector deletes it, with everything it owns, once it expires.
-- Keeping the workspace (choosing a name and a password) clears the end. NULL: a lasting account.
ALTER TABLE users ADD COLUMN expires_at INTEGER;
CREATE INDEX users_expiry ON users (expires_at) WHERE expires_at IS NOT NULL;
