-- SMART App Launch and Backend Services.

-- A client may authenticate with a signed assertion (RFC 7523 §2.2, private_key_jwt) instead of
-- a secret: its public keys, inline as a JWK Set or at a URL. launch_uri is the app's launch URL
-- for an EHR launch (SMART App Launch §2.0.1).
ALTER TABLE clients ADD COLUMN jwks TEXT;
ALTER TABLE clients ADD COLUMN jwks_uri TEXT;
ALTER TABLE clients ADD COLUMN launch_uri TEXT;

-- The FHIR resource a user is, as a reference relative to the FHIR base ("Practitioner/prac-1"),
-- for the fhirUser claim.
ALTER TABLE users ADD COLUMN fhir_user TEXT;

-- EHR launches: a launch value "<handle>.<secret>", stored by handle with only the secret's
-- digest, bound to one client, short-lived, and used at most once. context is the JSON launch
-- context the tokens will carry (patient, encounter, fhirContext, fhirUser, ...).
CREATE TABLE launches (
    handle      TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT NOT NULL,
    client_id   TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    context     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX launches_client ON launches (client_id);

-- The launch context travels with the code and with every token of the grant, so the token
-- response, introspection, refreshes and the FHIR API all see it.
ALTER TABLE auth_codes ADD COLUMN context TEXT;
ALTER TABLE tokens ADD COLUMN context TEXT;

-- RFC 7523 §3: "The authorization server MAY ensure that JWTs are not replayed by maintaining the
-- set of used "jti" values for the length of time for which the JWT would be considered valid".
-- Rows past expires_at are swept.
-- id is the client_id and the jti, joined by a newline (neither may hold one).
CREATE TABLE client_assertions (
    id         TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX client_assertions_expiry ON client_assertions (expires_at);
