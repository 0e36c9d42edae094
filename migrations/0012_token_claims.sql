-- Extra claims a token carries beyond the registered ones (a token minted through the mock
-- control API, POST /mock/token): a JSON object, shown by introspection. NULL for every token
-- the protocol endpoints issue.
ALTER TABLE tokens ADD COLUMN claims TEXT;
