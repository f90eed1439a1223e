-- Passkeys (issue #17): WebAuthn credentials as a sign-in method of their
-- own, and the ceremonies in progress (stored so any replica can finish
-- one). A credential id belongs to one user at most; the public key is a
-- COSE key. A ceremony is keyed by the hash of its challenge, spent once by
-- a conditional UPDATE like the redirect flows' states.
CREATE TABLE passkeys (
  id               TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  credential_id    BLOB NOT NULL,
  public_key       BLOB NOT NULL,
  sign_count       INTEGER NOT NULL DEFAULT 0,
  aaguid           BLOB NOT NULL DEFAULT X'',
  transports       TEXT NOT NULL DEFAULT '',
  backup_eligible  INTEGER NOT NULL DEFAULT 0,
  backup_state     INTEGER NOT NULL DEFAULT 0,
  name             TEXT NOT NULL DEFAULT '',
  created_at       DATETIME NOT NULL,
  last_used_at     DATETIME NULL,
  clone_warning    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX passkeys_credential ON passkeys (credential_id);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);

CREATE TABLE passkey_ceremonies (
  challenge_hash BLOB NOT NULL,
  kind           TEXT NOT NULL,
  user_id        TEXT NULL,
  session_data   TEXT NOT NULL,
  browser_hash   BLOB NOT NULL DEFAULT X'',
  created_at     DATETIME NOT NULL,
  expires_at     DATETIME NOT NULL,
  spent_at       DATETIME NULL,
  PRIMARY KEY (challenge_hash)
);

CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at);
