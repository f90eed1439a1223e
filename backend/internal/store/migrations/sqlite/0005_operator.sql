-- The operator side (issue #15): administrators, an append-only audit
-- trail of every administrative action, and an index for the login-history
-- retention. Audit rows outlive the users they name (no foreign key) and are
-- not subject to the login-history retention.
CREATE TABLE admins (
  user_id    TEXT NOT NULL,
  granted_at DATETIME NOT NULL,
  granted_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (user_id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE audit_events (
  id             TEXT NOT NULL,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  target_user_id TEXT NULL,
  reason         TEXT NOT NULL DEFAULT '',
  ip             TEXT NOT NULL DEFAULT '',
  created_at     DATETIME NOT NULL,
  PRIMARY KEY (id)
);

CREATE INDEX audit_events_time ON audit_events (created_at);
CREATE INDEX audit_events_target ON audit_events (target_user_id, created_at);
CREATE INDEX audit_events_actor ON audit_events (actor, created_at);
CREATE INDEX login_events_time ON login_events (created_at);
