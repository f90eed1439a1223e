-- The operator side (issue #15): administrators, an append-only audit
-- trail of every administrative action, and an index for the login-history
-- retention. Audit rows outlive the users they name (no foreign key) and are
-- not subject to the login-history retention.
CREATE TABLE admins (
  user_id    VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  granted_at DATETIME(6) NOT NULL,
  granted_by VARCHAR(128) NOT NULL DEFAULT '',
  PRIMARY KEY (user_id),
  CONSTRAINT admins_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE audit_events (
  id             VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  actor          VARCHAR(128) NOT NULL,
  action         VARCHAR(32) NOT NULL,
  target_user_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  reason         VARCHAR(512) NOT NULL DEFAULT '',
  ip             VARCHAR(64) NOT NULL DEFAULT '',
  created_at     DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY audit_events_time (created_at),
  KEY audit_events_target (target_user_id, created_at),
  KEY audit_events_actor (actor, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE INDEX login_events_time ON login_events (created_at);
