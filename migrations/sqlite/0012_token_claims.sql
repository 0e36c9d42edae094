-- Extra claims a token carries beyond the registered ones (a token minted through the mock
-- control API, POST /mock/token): a JSON object, shown by introspection. NULL for every token
-- the protocol endpoints issue.
ALTER TABLE tokens ADD COLUMN claims TEXT;

-- The claims a mock-mode test sign-in chose, handed to the code's tokens.
ALTER TABLE auth_codes ADD COLUMN claims TEXT;
