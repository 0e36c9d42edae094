-- A sandbox run made by a developer signed in to the console is theirs: it may hold the secret
-- of one of their clients. Runs without an owner were made anonymously, with the demo clients.
ALTER TABLE sandbox_runs ADD COLUMN owner TEXT;
