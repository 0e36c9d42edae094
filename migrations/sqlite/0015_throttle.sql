-- The failure throttle's state, shared by every node of one issuer (security::throttle).
-- A cell is one GCRA counter: its key (a SHA-256 digest of what it counts: 43 characters
-- whatever was typed, and no username or address in the clear) and its theoretical arrival
-- time in Unix seconds. A cell whose time has passed is fresh again, and the collector
-- deletes it.
CREATE TABLE throttle_cells (
    key TEXT PRIMARY KEY,
    tat INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX throttle_cells_tat ON throttle_cells (tat);
-- Keys whose last failure did not conform, and until when they are refused before any
-- credential is checked. Every node reads the live ones each second.
CREATE TABLE throttle_blocks (
    key           TEXT PRIMARY KEY,
    blocked_until INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX throttle_blocks_blocked_until ON throttle_blocks (blocked_until);
