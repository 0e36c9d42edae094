-- The initial schema: clients, users, access policies, signing keys and tokens.
-- Lists are stored as JSON arrays of strings; times as Unix seconds.

CREATE TABLE clients (
    client_id                  TEXT PRIMARY KEY NOT NULL,
    client_name                TEXT NOT NULL,
    secret_hash                TEXT,
    token_endpoint_auth_method TEXT NOT NULL,
    grant_types                TEXT NOT NULL,
    redirect_uris              TEXT NOT NULL,
    scope                      TEXT NOT NULL,
    first_party                INTEGER NOT NULL,
    access_token_format        TEXT NOT NULL,
    access_token_ttl           INTEGER NOT NULL,
    refresh_token_ttl          INTEGER NOT NULL,
    require_pkce               INTEGER NOT NULL,
    allow_plain_pkce           INTEGER NOT NULL,
    rotate_refresh_tokens      INTEGER NOT NULL,
    owner                      TEXT,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    name          TEXT,
    email         TEXT,
    roles         TEXT NOT NULL,
    owner         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE access_policies (
    id          TEXT PRIMARY KEY NOT NULL,
    description TEXT,
    methods     TEXT,
    path        TEXT,
    client_ids  TEXT,
    usernames   TEXT,
    scopes      TEXT,
    auth        TEXT,
    owner       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY NOT NULL,
    alg         TEXT NOT NULL,
    private_der BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    active      INTEGER NOT NULL,
    retired_at  INTEGER
) STRICT;

CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (active) WHERE active = 1;

-- Access and refresh tokens, one row each, keyed by a time-ordered handle so that inserts append
-- to the end of every B-tree instead of dirtying random pages.
-- An opaque token's value is "<handle>.<secret>": the handle finds the row, and the secret is
-- stored only as its SHA-256 digest (secret_hash), compared in constant time. A JWT access token
-- is found by its jti, which is the handle; its secret_hash is NULL.
-- A family is one grant: every token issued from it, through any number of refreshes, shares the
-- family_id, so a grant can be revoked as a whole.
CREATE TABLE tokens (
    handle      TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    format      TEXT NOT NULL CHECK (format IN ('jwt', 'opaque')),
    secret_hash TEXT,
    client_id   TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    username    TEXT REFERENCES users (username) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    family_id   TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX tokens_family ON tokens (family_id);
CREATE INDEX tokens_client ON tokens (client_id);
CREATE INDEX tokens_username ON tokens (username);
