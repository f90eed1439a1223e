-- AuthBridge schema, SQLite (the same tables as the MySQL migration). Binary columns for everything
-- compared byte for byte: provider ids, issuers, subjects, canonical emails,
-- hashes. Times are UTC DATETIME.
CREATE TABLE users (
  id              TEXT NOT NULL,
  name            TEXT NOT NULL,
  email           TEXT NOT NULL DEFAULT '',
  email_canonical BLOB NULL,
  email_verified  INTEGER NOT NULL DEFAULT 0,
  avatar_url      TEXT NOT NULL DEFAULT '',
  disabled_at     DATETIME NULL,
  created_at      DATETIME NOT NULL,
  updated_at      DATETIME NOT NULL,
  PRIMARY KEY (id)
);

CREATE TABLE identities (
  id              TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  provider        BLOB NOT NULL,
  issuer          BLOB NOT NULL,
  subject         BLOB NOT NULL,
  email           TEXT NOT NULL DEFAULT '',
  email_canonical BLOB NULL,
  email_verified  INTEGER NOT NULL DEFAULT 0,
  display_name    TEXT NOT NULL DEFAULT '',
  created_at      DATETIME NOT NULL,
  last_login_at   DATETIME NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE auth_flows (
  state_hash    BLOB NOT NULL,
  provider      BLOB NOT NULL,
  process       TEXT NOT NULL,
  handoff       TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  pkce_verifier TEXT NOT NULL,
  spa_challenge BLOB NOT NULL,
  browser_hash  BLOB NOT NULL,
  user_id       TEXT NULL,
  created_at    DATETIME NOT NULL,
  expires_at    DATETIME NOT NULL,
  spent_at      DATETIME NULL,
  PRIMARY KEY (state_hash)
);

CREATE TABLE handoff_codes (
  code_hash  BLOB NOT NULL,
  user_id    TEXT NOT NULL,
  provider   BLOB NOT NULL,
  challenge  BLOB NOT NULL,
  is_new     INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  spent_at   DATETIME NULL,
  PRIMARY KEY (code_hash)
);

CREATE TABLE connect_tickets (
  ticket_hash BLOB NOT NULL,
  user_id     TEXT NOT NULL,
  provider    BLOB NOT NULL,
  challenge   BLOB NOT NULL,
  created_at  DATETIME NOT NULL,
  expires_at  DATETIME NOT NULL,
  spent_at    DATETIME NULL,
  PRIMARY KEY (ticket_hash)
);

CREATE TABLE credential_nonces (
  nonce_hash BLOB NOT NULL,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  spent_at   DATETIME NULL,
  PRIMARY KEY (nonce_hash)
);

CREATE TABLE refresh_families (
  id            TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  provider      TEXT NOT NULL DEFAULT '',
  user_agent    TEXT NOT NULL DEFAULT '',
  ip            TEXT NOT NULL DEFAULT '',
  created_at    DATETIME NOT NULL,
  last_used_at  DATETIME NOT NULL,
  expires_at    DATETIME NOT NULL,
  revoked_at    DATETIME NULL,
  revoke_reason TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE refresh_tokens (
  token_hash  BLOB NOT NULL,
  family_id   TEXT NOT NULL,
  parent_hash BLOB NULL,
  created_at  DATETIME NOT NULL,
  spent_at    DATETIME NULL,
  PRIMARY KEY (token_hash),
  FOREIGN KEY (family_id) REFERENCES refresh_families (id) ON DELETE CASCADE
);

CREATE TABLE login_events (
  id         TEXT NOT NULL,
  user_id    TEXT NULL,
  provider   TEXT NOT NULL DEFAULT '',
  outcome    TEXT NOT NULL,
  error_code TEXT NOT NULL DEFAULT '',
  ip         TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id)
);

CREATE TABLE signing_keys (
  kid         TEXT NOT NULL,
  alg         TEXT NOT NULL,
  private_key BLOB NOT NULL,
  encrypted   INTEGER NOT NULL DEFAULT 0,
  public_jwk  TEXT NOT NULL,
  created_at  DATETIME NOT NULL,
  retired_at  DATETIME NULL,
  PRIMARY KEY (kid)
);

CREATE UNIQUE INDEX users_email_canonical ON users (email_canonical);
CREATE UNIQUE INDEX identities_key ON identities (provider, issuer, subject);
CREATE INDEX identities_user ON identities (user_id);
CREATE INDEX auth_flows_expires ON auth_flows (expires_at);
CREATE INDEX handoff_codes_expires ON handoff_codes (expires_at);
CREATE INDEX connect_tickets_expires ON connect_tickets (expires_at);
CREATE INDEX credential_nonces_expires ON credential_nonces (expires_at);
CREATE INDEX refresh_families_user ON refresh_families (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_hash);
CREATE INDEX login_events_user_time ON login_events (user_id, created_at);
