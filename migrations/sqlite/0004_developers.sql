-- Developer self-service: accounts that can be disabled, console sessions kept apart from the
-- authorization server's login sessions, and initial access tokens for dynamic registration.

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

-- 'login' is the authorization server's single sign-on for resource owners; 'console' is a
-- developer signed in to manage clients. A cookie of one kind never opens the other.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'login' CHECK (kind IN ('login', 'console'));

-- RFC 7591 §3: an initial access token lets its holder register clients as the developer who
-- made it. Stored like an opaque token: "<handle>.<secret>", the secret only as its digest.
CREATE TABLE initial_access_tokens (
    handle      TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT NOT NULL,
    owner       TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
