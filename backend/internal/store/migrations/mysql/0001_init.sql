-- AuthBridge schema, MySQL 8 / MariaDB 10.11. Binary columns for everything
-- compared byte for byte: provider ids, issuers, subjects, canonical emails,
-- hashes. Times are UTC DATETIME(6).
CREATE TABLE users (
  id              VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name            VARCHAR(200) NOT NULL,
  email           VARCHAR(320) NOT NULL DEFAULT '',
  email_canonical VARBINARY(320) NULL,
  email_verified  BOOLEAN NOT NULL DEFAULT FALSE,
  avatar_url      VARCHAR(2048) NOT NULL DEFAULT '',
  disabled_at     DATETIME(6) NULL,
  created_at      DATETIME(6) NOT NULL,
  updated_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_email_canonical (email_canonical)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE identities (
  id              VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id         VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  provider        VARBINARY(64) NOT NULL,
  issuer          VARBINARY(255) NOT NULL,
  subject         VARBINARY(255) NOT NULL,
  email           VARCHAR(320) NOT NULL DEFAULT '',
  email_canonical VARBINARY(320) NULL,
  email_verified  BOOLEAN NOT NULL DEFAULT FALSE,
  display_name    VARCHAR(200) NOT NULL DEFAULT '',
  created_at      DATETIME(6) NOT NULL,
  last_login_at   DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY identities_key (provider, issuer, subject),
  KEY identities_user (user_id),
  CONSTRAINT identities_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE auth_flows (
  state_hash    VARBINARY(32) NOT NULL,
  provider      VARBINARY(64) NOT NULL,
  process       VARCHAR(16) NOT NULL,
  handoff       VARCHAR(16) NOT NULL,
  nonce         VARCHAR(128) NOT NULL,
  pkce_verifier VARCHAR(128) NOT NULL,
  spa_challenge VARBINARY(64) NOT NULL,
  browser_hash  VARBINARY(32) NOT NULL,
  user_id       VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  created_at    DATETIME(6) NOT NULL,
  expires_at    DATETIME(6) NOT NULL,
  spent_at      DATETIME(6) NULL,
  PRIMARY KEY (state_hash),
  KEY auth_flows_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE handoff_codes (
  code_hash  VARBINARY(32) NOT NULL,
  user_id    VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  provider   VARBINARY(64) NOT NULL,
  challenge  VARBINARY(64) NOT NULL,
  is_new     BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  spent_at   DATETIME(6) NULL,
  PRIMARY KEY (code_hash),
  KEY handoff_codes_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE connect_tickets (
  ticket_hash VARBINARY(32) NOT NULL,
  user_id     VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  provider    VARBINARY(64) NOT NULL,
  challenge   VARBINARY(64) NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  expires_at  DATETIME(6) NOT NULL,
  spent_at    DATETIME(6) NULL,
  PRIMARY KEY (ticket_hash),
  KEY connect_tickets_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE credential_nonces (
  nonce_hash VARBINARY(32) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  spent_at   DATETIME(6) NULL,
  PRIMARY KEY (nonce_hash),
  KEY credential_nonces_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE refresh_families (
  id            VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id       VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  provider      VARCHAR(64) NOT NULL DEFAULT '',
  user_agent    VARCHAR(512) NOT NULL DEFAULT '',
  ip            VARCHAR(64) NOT NULL DEFAULT '',
  created_at    DATETIME(6) NOT NULL,
  last_used_at  DATETIME(6) NOT NULL,
  expires_at    DATETIME(6) NOT NULL,
  revoked_at    DATETIME(6) NULL,
  revoke_reason VARCHAR(32) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY refresh_families_user (user_id),
  CONSTRAINT refresh_families_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE refresh_tokens (
  token_hash  VARBINARY(32) NOT NULL,
  family_id   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  parent_hash VARBINARY(32) NULL,
  created_at  DATETIME(6) NOT NULL,
  spent_at    DATETIME(6) NULL,
  PRIMARY KEY (token_hash),
  KEY refresh_tokens_family (family_id),
  KEY refresh_tokens_parent (parent_hash),
  CONSTRAINT refresh_tokens_family_fk FOREIGN KEY (family_id) REFERENCES refresh_families (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE login_events (
  id         VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id    VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  provider   VARCHAR(64) NOT NULL DEFAULT '',
  outcome    VARCHAR(16) NOT NULL,
  error_code VARCHAR(64) NOT NULL DEFAULT '',
  ip         VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(512) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY login_events_user_time (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE signing_keys (
  kid         VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  alg         VARCHAR(16) NOT NULL,
  private_key VARBINARY(4096) NOT NULL,
  encrypted   BOOLEAN NOT NULL DEFAULT FALSE,
  public_jwk  TEXT NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  retired_at  DATETIME(6) NULL,
  PRIMARY KEY (kid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
