-- Constant-size refresh families (issue 14 item 3, issue 13 items 3-4): a
-- family keeps one row however often it rotates. Its refresh token names
-- (family, generation) and carries a MAC over them and the family's random
-- secret (token/refresh.go); only the generation moves on a rotation.
ALTER TABLE refresh_families
  ADD COLUMN generation BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN secret VARBINARY(32) NOT NULL DEFAULT '',
  ADD COLUMN rotated_at DATETIME(6) NULL;
-- The sessions of the old token format cannot carry over (their tokens were
-- random, only their hashes were kept): they end here, cleanly, with a
-- reason, and their users sign in again.
UPDATE refresh_families SET revoked_at = UTC_TIMESTAMP(6), revoke_reason = 'token_format'
  WHERE revoked_at IS NULL;
DROP TABLE refresh_tokens;
