-- The schema for PostgreSQL: the same tables, columns, keys, indexes and triggers as the
-- SQLite migrations 0001 to 0013 in migrations/sqlite, in PostgreSQL's types (BIGINT for
-- integers, BYTEA for blobs), numbered 0013 like the last of them. Every later change is one
-- migration in each folder, with the same number and name.

CREATE TABLE clients (
    client_id                  TEXT PRIMARY KEY NOT NULL,
    client_name                TEXT NOT NULL,
    secret_hash                TEXT,
    token_endpoint_auth_method TEXT NOT NULL,
    grant_types                TEXT NOT NULL,
    redirect_uris              TEXT NOT NULL,
    scope                      TEXT NOT NULL,
    first_party                BIGINT NOT NULL,
    access_token_format        TEXT NOT NULL,
    access_token_ttl           BIGINT NOT NULL,
    refresh_token_ttl          BIGINT NOT NULL,
    require_pkce               BIGINT NOT NULL,
    allow_plain_pkce           BIGINT NOT NULL,
    rotate_refresh_tokens      BIGINT NOT NULL,
    owner                      TEXT,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL,
    jwks TEXT, jwks_uri TEXT, launch_uri TEXT);

CREATE TABLE users (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    name          TEXT,
    email         TEXT,
    roles         TEXT NOT NULL,
    owner         TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0, expires_at BIGINT, fhir_user TEXT);

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
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    issuers TEXT);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY NOT NULL,
    alg         TEXT NOT NULL,
    private_der BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    retired_at  BIGINT
);

CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (active) WHERE active = 1;

CREATE TABLE tokens (
    handle      TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    format      TEXT NOT NULL CHECK (format IN ('jwt', 'opaque')),
    secret_hash TEXT,
    client_id   TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    username    TEXT REFERENCES users (username) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    family_id   TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT,
    context TEXT, claims TEXT);

CREATE INDEX tokens_family ON tokens (family_id);

CREATE INDEX tokens_client ON tokens (client_id);

CREATE INDEX tokens_username ON tokens (username);

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
    auth_time             BIGINT NOT NULL,
    family_id             TEXT NOT NULL,
    issued_at             BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    used_at               BIGINT,
    context TEXT, claims TEXT);

CREATE INDEX auth_codes_client ON auth_codes (client_id);

CREATE INDEX auth_codes_username ON auth_codes (username);

CREATE TABLE sessions (
    handle      TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT NOT NULL,
    username    TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    auth_time   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'login' CHECK (kind IN ('login', 'console')));

CREATE INDEX sessions_username ON sessions (username);

CREATE TABLE consents (
    username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (username, client_id, scope)
);

CREATE INDEX consents_client ON consents (client_id);

CREATE TABLE sandbox_runs (
    id         TEXT PRIMARY KEY NOT NULL,
    flow       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    steps      TEXT NOT NULL,
    owner TEXT, visitor TEXT);

CREATE TABLE initial_access_tokens (
    handle      TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT NOT NULL,
    owner       TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX sandbox_runs_updated ON sandbox_runs (updated_at);

CREATE INDEX sandbox_runs_visitor ON sandbox_runs (visitor);

CREATE INDEX auth_codes_expiry ON auth_codes (expires_at);

CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE INDEX initial_access_tokens_expiry ON initial_access_tokens (expires_at);

CREATE INDEX users_expiry ON users (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE device_codes (
    handle       TEXT PRIMARY KEY NOT NULL,
    secret_hash  TEXT NOT NULL,
    user_code    TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    -- Seconds a client must wait between polls; slow_down adds five (RFC 8628 §3.5).
    poll_interval BIGINT NOT NULL,
    last_poll_at BIGINT,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    username     TEXT REFERENCES users (username) ON DELETE CASCADE,
    auth_time    BIGINT,
    family_id    TEXT NOT NULL
);

CREATE INDEX device_codes_client ON device_codes (client_id);

CREATE INDEX device_codes_username ON device_codes (username);

CREATE TABLE trusted_issuers (
    id                 TEXT PRIMARY KEY NOT NULL,
    description        TEXT,
    issuer             TEXT NOT NULL,
    audiences          TEXT NOT NULL,
    jwks_uri           TEXT,
    jwks               TEXT,
    pem                TEXT,
    secret             TEXT,
    algorithms         TEXT NOT NULL,
    clock_skew_seconds BIGINT NOT NULL,
    cache_ttl_seconds  BIGINT NOT NULL,
    user_claim         TEXT NOT NULL,
    client_claim       TEXT,
    scope_claim        TEXT,
    -- RFC 7662 introspection for the issuer's opaque tokens, with this server's credentials
    -- there (the secret kept as given: it is sent) and how long an answer is kept.
    introspection_endpoint      TEXT,
    introspection_client_id     TEXT,
    introspection_client_secret TEXT,
    introspection_cache_seconds BIGINT NOT NULL DEFAULT 60,
    owner              TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE INDEX trusted_issuers_issuer ON trusted_issuers (issuer);

CREATE INDEX trusted_issuers_owner ON trusted_issuers (owner);

CREATE TABLE launches (
    handle      TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT NOT NULL,
    client_id   TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    context     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE INDEX launches_client ON launches (client_id);

CREATE TABLE client_assertions (
    id         TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX client_assertions_expiry ON client_assertions (expires_at);

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE pending_requests (
    id TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    username TEXT,
    auth_time BIGINT
);

CREATE INDEX pending_requests_created_at ON pending_requests (created_at);

CREATE TABLE change_counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO change_counters (name, value)
VALUES ('clients', 0), ('policies', 0), ('keys', 0), ('trusts', 0);

-- Every write raises its table's change counter in the same transaction (see the SQLite
-- migration 0013 for why).
CREATE FUNCTION raise_change_counter() RETURNS trigger AS $$
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER clients_changed AFTER INSERT OR UPDATE OR DELETE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_counter('clients');
CREATE TRIGGER policies_changed AFTER INSERT OR UPDATE OR DELETE ON access_policies
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_counter('policies');
CREATE TRIGGER trusts_changed AFTER INSERT OR UPDATE OR DELETE ON trusted_issuers
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_counter('trusts');
CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_counter('keys');
