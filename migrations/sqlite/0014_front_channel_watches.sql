-- The sandbox runs whose front channel (authorize, sign-in, patient picker, consent) is being
-- recorded: whose browser, which client and state, and the run and step the pages join (JSON).
-- In the database so that whichever node a page reaches records it into the run.
CREATE TABLE front_channel_watches (
    owner      TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    state      TEXT NOT NULL,
    trace      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner, client_id, state)
) STRICT, WITHOUT ROWID;
CREATE INDEX front_channel_watches_created_at ON front_channel_watches (created_at);
