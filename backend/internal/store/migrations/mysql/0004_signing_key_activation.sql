-- Signing keys retire by age (issue #13): a key is published when it is
-- created and signs only from signs_from, at least the JWKS cache lifetime
-- later. Existing keys signed from their creation.
ALTER TABLE signing_keys ADD COLUMN signs_from DATETIME(6) NULL;
UPDATE signing_keys SET signs_from = created_at;
ALTER TABLE signing_keys MODIFY signs_from DATETIME(6) NOT NULL;
