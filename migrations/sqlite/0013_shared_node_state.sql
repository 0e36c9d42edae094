-- State that every node serving one issuer must share, so that any node can serve any request
-- of a flow.

-- Keys the nodes derive their HMACs from (the forms' CSRF tokens, the verified-secret cache),
-- made once by the first node to start and read by every other.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Authorization requests waiting for sign-in, the patient picker or consent: the request as
-- checked (JSON), who signed in for it and when. A request completes once: the node that
-- deletes the row completes it.
CREATE TABLE pending_requests (
    id TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    username TEXT,
    auth_time INTEGER
) STRICT;
CREATE INDEX pending_requests_created_at ON pending_requests (created_at);

-- One counter per kind of cached thing (clients, policies, signing keys), raised in the
-- transaction of every write to it. A node compares it with the value its cache was filled at
-- and drops the cache when it moved, so a change on one node is seen on every node at once.
CREATE TABLE change_counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO change_counters (name, value) VALUES ('clients', 0), ('policies', 0), ('keys', 0);
INSERT INTO change_counters (name, value) VALUES ('trusts', 0);

-- Every write, whoever makes it (the admin API, the console, a seed, a reset, a workspace's
-- end), raises its table's counter in the same transaction.
CREATE TRIGGER clients_changed_on_insert AFTER INSERT ON clients
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'clients'; END;
CREATE TRIGGER clients_changed_on_update AFTER UPDATE ON clients
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'clients'; END;
CREATE TRIGGER clients_changed_on_delete AFTER DELETE ON clients
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'clients'; END;
CREATE TRIGGER policies_changed_on_insert AFTER INSERT ON access_policies
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'policies'; END;
CREATE TRIGGER policies_changed_on_update AFTER UPDATE ON access_policies
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'policies'; END;
CREATE TRIGGER policies_changed_on_delete AFTER DELETE ON access_policies
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'policies'; END;
CREATE TRIGGER trusts_changed_on_insert AFTER INSERT ON trusted_issuers
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'trusts'; END;
CREATE TRIGGER trusts_changed_on_update AFTER UPDATE ON trusted_issuers
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'trusts'; END;
CREATE TRIGGER trusts_changed_on_delete AFTER DELETE ON trusted_issuers
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'trusts'; END;
CREATE TRIGGER keys_changed_on_insert AFTER INSERT ON signing_keys
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'keys'; END;
CREATE TRIGGER keys_changed_on_update AFTER UPDATE ON signing_keys
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'keys'; END;
CREATE TRIGGER keys_changed_on_delete AFTER DELETE ON signing_keys
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'keys'; END;
