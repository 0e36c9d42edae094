-- Authorization codes, login sessions and remembered consent.

-- A code's value is "<handle>.<secret>", like an opaque token: the handle finds the row, the
-- secret is stored only as its SHA-256 digest. A code lives 60 s and is used once; family_id
-- names the grant so that every token issued from a replayed code can be revoked.
CREATE TABLE auth_codes (
    handle                TEXT PRIMARY KEY NOT NULL,
    secret_hash           TEXT NOT NULL,
    client_id             TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    username              TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    redirect_uri          TEXT,
    scope                 TEXT NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    nonce                 TEXT,
    auth_time             INTEGER NOT NULL,
    family_id             TEXT NOT NULL,
    issued_at             INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    used_at               INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_codes_client ON auth_codes (client_id);
CREATE INDEX auth_codes_username ON auth_codes (username);

-- A login session (single sign-on): the cookie holds "<handle>.<secret>".
CREATE TABLE sessions (
    handle      TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT NOT NULL,
    username    TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    auth_time   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_username ON sessions (username);

-- Consent a user gave a client for a set of scopes (space-separated, sorted).
CREATE TABLE consents (
    username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (username, client_id, scope)
) STRICT, WITHOUT ROWID;

CREATE INDEX consents_client ON consents (client_id);
