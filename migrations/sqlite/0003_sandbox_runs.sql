-- Sandbox runs: each flow run with its recorded exchanges, as JSON, for the runs page and export.
CREATE TABLE sandbox_runs (
    id         TEXT PRIMARY KEY NOT NULL,
    flow       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    steps      TEXT NOT NULL
) STRICT, WITHOUT ROWID;
