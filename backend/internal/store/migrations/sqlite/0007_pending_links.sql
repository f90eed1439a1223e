-- Pending links (issue #18, "proof, then link"): a sign-in refused as
-- duplicate_email keeps the refused identity here, keyed by the hash of a
-- link secret only the refused browser's popup saw, bound to that browser
-- like a flow's state, for at most 10 minutes. It is attached to an account
-- only when a user signed in from the same browser confirms it and their
-- verified canonical email is the one that conflicted; confirming spends
-- it in the same transaction that links. No foreign key: no user owns a
-- pending link until it is confirmed.
CREATE TABLE pending_links (
  link_hash       BLOB NOT NULL,
  browser_hash    BLOB NOT NULL,
  provider        BLOB NOT NULL,
  issuer          BLOB NOT NULL,
  subject         BLOB NOT NULL,
  email           TEXT NOT NULL,
  email_canonical BLOB NOT NULL,
  display_name    TEXT NOT NULL DEFAULT '',
  created_at      DATETIME NOT NULL,
  expires_at      DATETIME NOT NULL,
  spent_at        DATETIME NULL,
  PRIMARY KEY (link_hash)
);

CREATE INDEX pending_links_expires ON pending_links (expires_at);
CREATE INDEX pending_links_browser ON pending_links (browser_hash, created_at);
