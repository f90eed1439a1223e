-- Pending links (issue #18, "proof, then link"): a sign-in refused as
-- duplicate_email keeps the refused identity here, keyed by the hash of a
-- link secret only the refused browser's popup saw, bound to that browser
-- like a flow's state, for at most 10 minutes. It is attached to an account
-- only when a user signed in from the same browser confirms it and their
-- verified canonical email is the one that conflicted; confirming spends
-- it in the same transaction that links. No foreign key: no user owns a
-- pending link until it is confirmed.
CREATE TABLE pending_links (
  link_hash       VARBINARY(32) NOT NULL,
  browser_hash    VARBINARY(32) NOT NULL,
  provider        VARBINARY(64) NOT NULL,
  issuer          VARBINARY(255) NOT NULL,
  subject         VARBINARY(255) NOT NULL,
  email           VARCHAR(320) NOT NULL,
  email_canonical VARBINARY(320) NOT NULL,
  display_name    VARCHAR(200) NOT NULL DEFAULT '',
  created_at      DATETIME(6) NOT NULL,
  expires_at      DATETIME(6) NOT NULL,
  spent_at        DATETIME(6) NULL,
  PRIMARY KEY (link_hash),
  KEY pending_links_expires (expires_at),
  KEY pending_links_browser (browser_hash, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
