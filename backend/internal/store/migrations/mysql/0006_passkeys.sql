-- Passkeys (issue #17): WebAuthn credentials as a sign-in method of their
-- own, and the ceremonies in progress (stored so any replica can finish
-- one). A credential id belongs to one user at most; the public key is a
-- COSE key. A ceremony is keyed by the hash of its challenge, spent once by
-- a conditional UPDATE like the redirect flows' states.
CREATE TABLE passkeys (
  id               VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id          VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  credential_id    VARBINARY(1023) NOT NULL,
  public_key       BLOB NOT NULL,
  sign_count       BIGINT NOT NULL DEFAULT 0,
  aaguid           VARBINARY(16) NOT NULL DEFAULT '',
  transports       VARCHAR(255) NOT NULL DEFAULT '',
  backup_eligible  BOOLEAN NOT NULL DEFAULT FALSE,
  backup_state     BOOLEAN NOT NULL DEFAULT FALSE,
  name             VARCHAR(255) NOT NULL DEFAULT '',
  created_at       DATETIME(6) NOT NULL,
  last_used_at     DATETIME(6) NULL,
  clone_warning    BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (id),
  UNIQUE KEY passkeys_credential (credential_id),
  KEY passkeys_user (user_id, created_at),
  CONSTRAINT passkeys_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE passkey_ceremonies (
  challenge_hash VARBINARY(32) NOT NULL,
  kind           VARCHAR(16) NOT NULL,
  user_id        VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  session_data   TEXT NOT NULL,
  browser_hash   VARBINARY(32) NOT NULL DEFAULT '',
  created_at     DATETIME(6) NOT NULL,
  expires_at     DATETIME(6) NOT NULL,
  spent_at       DATETIME(6) NULL,
  PRIMARY KEY (challenge_hash),
  KEY passkey_ceremonies_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
