-- The device authorization grant (RFC 8628). A device code's value is "<handle>.<secret>", like
-- an authorization code: the handle finds the row, the secret is stored only as its SHA-256
-- digest. The user code is what a person types on a second device: unique among the rows kept.
-- status: pending, then approved or denied by the person, then used once tokens were issued.
CREATE TABLE device_codes (
    handle       TEXT PRIMARY KEY NOT NULL,
    secret_hash  TEXT NOT NULL,
    user_code    TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    issued_at    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    -- Seconds a client must wait between polls; slow_down adds five (RFC 8628 §3.5).
    poll_interval INTEGER NOT NULL,
    last_poll_at INTEGER,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    username     TEXT REFERENCES users (username) ON DELETE CASCADE,
    auth_time    INTEGER,
    family_id    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX device_codes_client ON device_codes (client_id);
CREATE INDEX device_codes_username ON device_codes (username);
