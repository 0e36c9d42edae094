-- Trusted outside issuers whose JWTs the demo API accepts (SPEC "TrustedIssuer"), and the
-- access policies' list of the issuers they admit.
-- jwks holds an inline JWK Set as JSON text; secret is an HMAC key, kept as it was given because
-- verifying needs it, and never returned by the API; so is the introspection client secret. Lists are JSON arrays of strings.
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
    clock_skew_seconds INTEGER NOT NULL,
    cache_ttl_seconds  INTEGER NOT NULL,
    user_claim         TEXT NOT NULL,
    client_claim       TEXT,
    scope_claim        TEXT,
    -- RFC 7662 introspection for the issuer's opaque tokens, with this server's credentials
    -- there (the secret kept as given: it is sent) and how long an answer is kept.
    introspection_endpoint      TEXT,
    introspection_client_id     TEXT,
    introspection_client_secret TEXT,
    introspection_cache_seconds INTEGER NOT NULL DEFAULT 60,
    owner              TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

CREATE INDEX trusted_issuers_issuer ON trusted_issuers (issuer);
CREATE INDEX trusted_issuers_owner ON trusted_issuers (owner);

ALTER TABLE access_policies ADD COLUMN issuers TEXT;
