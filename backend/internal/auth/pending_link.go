package auth

// "Proof, then link": a popup sign-in refused as duplicate_email keeps the
// refused identity as a pending link, and the owner of the email attaches
// it by signing in to their account and confirming, from the same browser.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/provider"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// PendingLinkTTL bounds how long a refused identity waits for its owner's
// confirmation (the same ten minutes as a flow's state).
const PendingLinkTTL = 10 * time.Minute

// msgLinkExpired covers an unknown, expired, spent or discarded link, and
// one presented from another browser: each means "start again".
const msgLinkExpired = "This offer to link an account has expired or was already used. Sign in with that provider again to get a new one."

// PendingLink is what a browser was refused and may link: shown in the
// confirmation dialog.
type PendingLink struct {
	Provider     string
	ProviderName string
	Email        string
	ExpiresAt    time.Time
}

// offerLink keeps ident, refused as duplicate_email, as a pending link bound
// to the browser of flow and answers its secret. It answers "" when there is
// nothing to offer (no verified email: cannot happen for duplicate_email) or
// the row cannot be written: the refusal stands either way, so a failure is
// logged, not shown.
func (s *Service) offerLink(ctx context.Context, flow store.Flow, ident provider.Identity) string {
	row, err := s.identityRow(ident)
	if err != nil || row.EmailCanonical == nil || len(flow.BrowserHash) == 0 {
		return ""
	}
	secret, err := random()
	if err != nil {
		s.log.ErrorContext(ctx, "pending link: no randomness", "err", err)
		return ""
	}
	now := s.Now()
	if err := s.store.CreatePendingLink(context.WithoutCancel(ctx), store.PendingLink{
		LinkHash: hash(secret), BrowserHash: flow.BrowserHash,
		Provider: row.Provider, Issuer: row.Issuer, Subject: row.Subject,
		Email: row.Email, EmailCanonical: *row.EmailCanonical, DisplayName: row.DisplayName,
		CreatedAt: now, ExpiresAt: now.Add(PendingLinkTTL),
	}); err != nil {
		s.log.ErrorContext(ctx, "pending link: write failed", "err", err)
		return ""
	}
	return secret
}

// PendingLinkFor answers the newest live pending link of the browser whose
// flow cookie is browser; not_found when there is none.
func (s *Service) PendingLinkFor(ctx context.Context, browser string) (PendingLink, error) {
	none := apperr.New(shared.CodeNotFound, "Nothing is waiting to be linked in this browser.")
	if !opaqueRE.MatchString(browser) {
		return PendingLink{}, none
	}
	l, err := s.store.LivePendingLink(ctx, hash(browser), s.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return PendingLink{}, none
	case err != nil:
		return PendingLink{}, fmt.Errorf("auth: pending link: %w", err)
	}
	return PendingLink{Provider: l.Provider, ProviderName: s.providerName(l.Provider), Email: l.Email, ExpiresAt: l.ExpiresAt}, nil
}

// DiscardPendingLinks drops every pending link of this browser ("Not now").
func (s *Service) DiscardPendingLinks(ctx context.Context, browser string) error {
	if !opaqueRE.MatchString(browser) {
		return nil
	}
	if _, err := s.store.DiscardPendingLinks(ctx, hash(browser), s.Now()); err != nil {
		return fmt.Errorf("auth: discard pending links: %w", err)
	}
	return nil
}

// ConfirmPendingLink attaches the pending link whose secret is link to
// userID, the signed-in caller, when the request comes from the browser the
// link is bound to and the caller's verified canonical email is the one
// that conflicted. The first attempt from that browser spends the link,
// whatever its outcome; the link, the identity and the audit row are one
// transaction (store.ConfirmPendingLink).
func (s *Service) ConfirmPendingLink(ctx context.Context, userID, link, browser string, m Meta) (Account, error) {
	if !opaqueRE.MatchString(link) {
		return Account{}, apperr.New(shared.CodeInvalidRequest, "link must be the value the sign-in handed over (43 base64url characters).")
	}
	if !opaqueRE.MatchString(browser) {
		return Account{}, apperr.New(shared.CodeLinkExpired, msgLinkExpired)
	}
	ident, err := s.store.ConfirmPendingLink(ctx, store.ConfirmLinkParams{
		LinkHash: hash(link), BrowserHash: hash(browser), UserID: userID, Now: s.Now(), IP: store.Clip(m.IP, 64),
	})
	switch {
	case err == nil:
		s.log.InfoContext(ctx, "pending link confirmed", "user", userID, "provider", ident.Provider)
		return Account{
			ID: ident.ID, Kind: shared.AccountKindProvider, Provider: ident.Provider, ProviderName: s.providerName(ident.Provider),
			Subject: ident.Subject, Email: ident.Email, EmailVerified: ident.EmailVerified, DisplayName: ident.DisplayName,
			CreatedAt: ident.CreatedAt, LastLoginAt: ident.LastLoginAt,
		}, nil
	case errors.Is(err, store.ErrNotFound):
		return Account{}, apperr.Wrap(shared.CodeLinkExpired, msgLinkExpired, err)
	case errors.Is(err, store.ErrLinkNotYours):
		return Account{}, apperr.Wrap(shared.CodeLinkNotYours,
			"This account is not the one with that email address, so nothing was linked. Sign in with the account that has it, then link again.", err)
	case errors.Is(err, store.ErrAlreadyConnectedSelf):
		return Account{}, apperr.Wrap(shared.CodeAlreadyConnectedSelf, "This account is already connected to your account.", err)
	case errors.Is(err, store.ErrAlreadyConnectedOther):
		return Account{}, apperr.Wrap(shared.CodeAlreadyConnectedOther, "This account belongs to another user now.", err)
	case errors.Is(err, store.ErrUserDisabled):
		return Account{}, errDisabled(err)
	default:
		return Account{}, fmt.Errorf("auth: confirm pending link: %w", err)
	}
}
