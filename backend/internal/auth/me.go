package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// ActiveUser answers the user an access token names. A deleted or disabled
// user is refused even while their access token has not expired: every
// authenticated call asks this first, so the rule holds on every route.
// The store keeps users in a short-lived cache, so this costs no query on
// a busy user.
func (s *Service) ActiveUser(ctx context.Context, userID string) (User, error) {
	u, err := s.store.GetUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, apperr.Wrap(shared.CodeInvalidToken, "This account no longer exists.", err)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: active user: %w", err)
	}
	if err := active(u); err != nil {
		return User{}, err
	}
	return toUser(u), nil
}

// active is the disabled-user rule: a disabled user gets no tokens and no
// answers. The store applies it inside its own transactions too
// (store.ErrUserDisabled, answered as errDisabled).
func active(u store.User) error {
	if u.DisabledAt != nil {
		return errDisabled(nil)
	}
	return nil
}

// errDisabled is how a disabled user is refused, whichever step found out
// (sign-in, refresh, any authenticated route): 403 account_disabled, so a
// client can tell the user why they were signed out.
func errDisabled(cause error) error {
	return apperr.Wrap(shared.CodeAccountDisabled, "This account has been disabled by an administrator.", cause)
}

// Logins answers the user's latest login events, newest first.
func (s *Service) Logins(ctx context.Context, userID string, limit int) ([]LoginEvent, error) {
	evs, err := s.store.ListLoginEvents(ctx, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("auth: logins: %w", err)
	}
	out := make([]LoginEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, LoginEvent{
			ID: e.ID, Time: e.CreatedAt, Provider: e.Provider, Outcome: e.Outcome,
			ErrorCode: e.ErrorCode, IP: e.IP, UserAgent: e.UserAgent,
		})
	}
	return out, nil
}

// Providers lists the configured providers in order, and the client id
// of the sign-in button's provider (the one that verifies button
// credentials, by capability), if any.
func (s *Service) Providers() (list []ProviderInfo, buttonClientID string) {
	list = []ProviderInfo{}
	for _, info := range s.providers.List() {
		list = append(list, ProviderInfo{ID: info.ID, Name: info.Name, Kind: info.Kind, Available: info.Available})
	}
	if _, clientID, ok := s.providers.Button(); ok {
		buttonClientID = clientID
	}
	return list, buttonClientID
}

// Ready reports whether the database answers.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("auth: ready: %w", err)
	}
	return nil
}

// IsUnavailable reports whether err comes from a database that cannot be
// reached right now (the request may succeed when retried), as opposed to
// a fault of ours.
func IsUnavailable(err error) bool { return store.IsUnavailable(err) }
