-- Signing keys retire by age (issue #13): a key is published when it is
-- created and signs only from signs_from, at least the JWKS cache lifetime
-- later. Existing keys signed from their creation.
ALTER TABLE signing_keys ADD COLUMN signs_from DATETIME NOT NULL DEFAULT '1970-01-01 00:00:00.000000';
UPDATE signing_keys SET signs_from = created_at;
