package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// AuditLinkIdentity is the audit action of a confirmed pending link: the
// actor is the user who confirmed it, the reason names the provider.
const AuditLinkIdentity = "identity.link"

// ErrLinkNotYours: the confirming user's verified canonical email is not
// the one the pending link conflicted with.
var ErrLinkNotYours = errors.New("store: pending link is for another email")

// PendingLink is a row of pending_links: an identity refused as
// duplicate_email, kept so that the owner of the email can attach it after
// proving they own that account. Keyed by the hash of the link secret,
// bound to the browser (hash of the flow cookie) that was refused.
type PendingLink struct {
	LinkHash       []byte     `db:"link_hash"`
	BrowserHash    []byte     `db:"browser_hash"`
	Provider       string     `db:"provider"`
	Issuer         string     `db:"issuer"`
	Subject        string     `db:"subject"`
	Email          string     `db:"email"`
	EmailCanonical string     `db:"email_canonical"` // the verified email that conflicted
	DisplayName    string     `db:"display_name"`
	CreatedAt      time.Time  `db:"created_at"`
	ExpiresAt      time.Time  `db:"expires_at"`
	SpentAt        *time.Time `db:"spent_at"`
}

// ConfirmLinkParams is one confirmation of a pending link.
type ConfirmLinkParams struct {
	LinkHash    []byte
	BrowserHash []byte
	UserID      string // the signed-in user confirming
	Now         time.Time
	IP          string // for the audit row
}

const pendingLinkColumns = "link_hash, browser_hash, provider, issuer, subject, email, email_canonical, display_name, created_at, expires_at, spent_at"

// CreatePendingLink stores a pending link.
func (s *Store) CreatePendingLink(ctx context.Context, l PendingLink) error {
	_, err := s.exec(ctx, "INSERT INTO pending_links ("+pendingLinkColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
		l.LinkHash, l.BrowserHash, l.Provider, l.Issuer, l.Subject, Clip(l.Email, 320), l.EmailCanonical, Clip(l.DisplayName, 200),
		ts(l.CreatedAt), ts(l.ExpiresAt))
	return wrap("create pending link", err)
}

// LivePendingLink answers the newest pending link bound to browserHash that
// is neither spent nor expired at now, or ErrNotFound.
func (s *Store) LivePendingLink(ctx context.Context, browserHash []byte, now time.Time) (PendingLink, error) {
	var l PendingLink
	err := s.rdb.GetContext(ctx, &l, "SELECT "+pendingLinkColumns+" FROM pending_links WHERE browser_hash = ? AND spent_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1",
		browserHash, ts(now))
	if errors.Is(err, sql.ErrNoRows) {
		return PendingLink{}, ErrNotFound
	}
	return l, wrap("live pending link", err)
}

// DiscardPendingLinks spends every live pending link bound to browserHash
// and answers how many there were.
func (s *Store) DiscardPendingLinks(ctx context.Context, browserHash []byte, now time.Time) (int64, error) {
	n, err := s.exec(ctx, "UPDATE pending_links SET spent_at = ? WHERE browser_hash = ? AND spent_at IS NULL AND expires_at > ?",
		ts(now), browserHash, ts(now))
	return n, wrap("discard pending links", err)
}

// PendingLinkState tells an unusable link's story for the error message:
// ErrNotFound when no link has this hash (or it was purged); otherwise
// the row, spent or expired or bound elsewhere.
func (s *Store) PendingLinkState(ctx context.Context, linkHash []byte) (PendingLink, error) {
	var l PendingLink
	err := s.rdb.GetContext(ctx, &l, "SELECT "+pendingLinkColumns+" FROM pending_links WHERE link_hash = ?", linkHash)
	if errors.Is(err, sql.ErrNoRows) {
		return PendingLink{}, ErrNotFound
	}
	return l, wrap("pending link state", err)
}

// ConfirmPendingLink attaches a pending link's identity to p.UserID, in one
// transaction that spends the link, inserts the identity and writes the
// audit row. The link must be live and bound to p.BrowserHash, else
// ErrNotFound and nothing is written. The first attempt from the right
// browser spends it, right or wrong: a user whose verified canonical email
// (read under the user row's lock) is not the link's gets ErrLinkNotYours,
// an identity linked meanwhile ErrAlreadyConnectedSelf/Other, and only the
// spend is committed. A disabled or missing user: ErrUserDisabled /
// ErrNotFound, nothing written.
func (s *Store) ConfirmPendingLink(ctx context.Context, p ConfirmLinkParams) (Identity, error) {
	var (
		ident   Identity
		refused error
	)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ident, refused = Identity{}, nil
		var l PendingLink
		if err := spendTx(ctx, tx, "pending_links", "link_hash", p.LinkHash, p.Now, &l, pendingLinkColumns, "browser_hash = ?", p.BrowserHash); err != nil {
			return err
		}
		u, err := s.lockUser(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return ErrUserDisabled
		}
		if !u.EmailVerified || u.EmailCanonical == nil || *u.EmailCanonical != l.EmailCanonical {
			refused = ErrLinkNotYours
			return nil // commit the spend only
		}
		ident = Identity{
			ID: NewID(), UserID: u.ID, Provider: l.Provider, Issuer: l.Issuer, Subject: l.Subject,
			Email: l.Email, EmailCanonical: &l.EmailCanonical, EmailVerified: true, DisplayName: l.DisplayName,
			CreatedAt: p.Now, LastLoginAt: p.Now,
		}
		found, err := s.identityByKey(ctx, tx, ident)
		switch {
		case err == nil && found.UserID == u.ID:
			refused = ErrAlreadyConnectedSelf
			return nil
		case err == nil:
			refused = ErrAlreadyConnectedOther
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if err := insertIdentity(ctx, tx, ident); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEvent{
			Actor: u.ID, Action: AuditLinkIdentity, TargetUserID: &u.ID,
			Reason: "linked " + l.Provider + " after signing in to the account of its email", IP: p.IP, CreatedAt: p.Now,
		})
	})
	switch {
	case err == nil && refused != nil:
		return Identity{}, refused
	case err == nil:
		return ident, nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrUserDisabled):
		return Identity{}, err
	case errors.Is(err, ErrConflict):
		// The identity was linked by a parallel sign-in in between.
		return Identity{}, ErrAlreadyConnectedOther
	default:
		return Identity{}, fmt.Errorf("store: confirm pending link: %w", err)
	}
}
