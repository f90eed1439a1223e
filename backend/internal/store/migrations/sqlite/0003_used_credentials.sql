-- Every accepted Google button credential, by the SHA-256 of the raw token,
-- until the verifier would refuse it anyway: the same credential never
-- opens a second session (issue #13).
CREATE TABLE used_credentials (
  credential_hash BLOB NOT NULL,
  expires_at      DATETIME NOT NULL,
  PRIMARY KEY (credential_hash)
);
CREATE INDEX used_credentials_expires ON used_credentials (expires_at);
