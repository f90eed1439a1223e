-- Every accepted Google button credential, by the SHA-256 of the raw token,
-- until the verifier would refuse it anyway: the same credential never
-- opens a second session (issue #13).
CREATE TABLE used_credentials (
  credential_hash VARBINARY(32) NOT NULL,
  expires_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (credential_hash),
  KEY used_credentials_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
