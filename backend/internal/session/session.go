// Package session issues and rotates AuthBridge token pairs: an access JWT
// plus an opaque refresh token that belongs to a family (one signed-in
// browser or client). Every rule about refresh families lives here and in the
// store's rotation transaction.
package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// Options are the lifetimes of refresh families.
type Options struct {
	RefreshTTL time.Duration // absolute lifetime, fixed at sign-in
	IdleTTL    time.Duration // a family unused this long expires
	Grace      time.Duration // a just-spent token may be presented again this long (two tabs)
	Now        func() time.Time
}

// Meta describes where a request comes from; it is recorded on the family.
type Meta struct {
	Provider  string
	IP        string
	UserAgent string
}

// Service issues and rotates token pairs.
type Service struct {
	store  *store.Store
	tokens *token.Manager
	opts   Options
	hints  *hints // family and user of the refresh tokens this process issued
}

// New returns a Service.
func New(st *store.Store, tm *token.Manager, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, tokens: tm, opts: opts, hints: newHints()}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.opts.Now().UTC() }

// Start opens a new family for u and answers its first token pair. The
// login events given are written in the same transaction. A disabled user
// gets nothing.
func (s *Service) Start(ctx context.Context, u store.User, m Meta, events ...store.LoginEvent) (shared.TokenPair, store.Family, error) {
	if u.DisabledAt != nil {
		return shared.TokenPair{}, store.Family{}, apperr.New(shared.CodeAccessDenied, "This account is disabled.")
	}
	plain, hash, err := token.NewOpaque()
	if err != nil {
		return shared.TokenPair{}, store.Family{}, fmt.Errorf("session: start: %w", err)
	}
	now := s.Now()
	f := store.Family{
		ID:         store.NewID(),
		UserID:     u.ID,
		Provider:   store.Clip(m.Provider, 64),
		UserAgent:  store.Clip(m.UserAgent, 512),
		IP:         store.Clip(m.IP, 64),
		CreatedAt:  now,
		LastUsedAt: now,
		ExpiresAt:  now.Add(s.opts.RefreshTTL),
	}
	access, exp, err := s.sign(ctx, u, f.ID)
	if err != nil {
		return shared.TokenPair{}, store.Family{}, err
	}
	if err := s.store.CreateFamily(ctx, f, hash, events...); err != nil {
		return shared.TokenPair{}, store.Family{}, fmt.Errorf("session: start: %w", err)
	}
	s.hints.put(hash, f.ID, u.ID)
	return pair(access, plain, exp, now), f, nil
}

// Pending is a session prepared before its user is known, so that the
// store can open it in the sign-in's own transaction
// (store.SignInParams.Session): one commit per sign-in.
type Pending struct {
	Row   *store.NewSession
	plain string
}

// Prepare builds a new family and its first refresh token; the events are
// written with it (their user is filled in by the store).
func (s *Service) Prepare(m Meta, events ...store.LoginEvent) (Pending, error) {
	plain, hash, err := token.NewOpaque()
	if err != nil {
		return Pending{}, fmt.Errorf("session: prepare: %w", err)
	}
	now := s.Now()
	return Pending{plain: plain, Row: &store.NewSession{
		Family: store.Family{
			ID:         store.NewID(),
			Provider:   store.Clip(m.Provider, 64),
			UserAgent:  store.Clip(m.UserAgent, 512),
			IP:         store.Clip(m.IP, 64),
			CreatedAt:  now,
			LastUsedAt: now,
			ExpiresAt:  now.Add(s.opts.RefreshTTL),
		},
		FirstTokenHash: hash,
		Events:         events,
	}}, nil
}

// Complete answers the token pair of a prepared session the store has
// opened for u. If signing fails the family stays without a token anyone
// holds and simply expires.
func (s *Service) Complete(ctx context.Context, p Pending, u store.User) (shared.TokenPair, error) {
	if p.Row == nil || p.plain == "" {
		return shared.TokenPair{}, errors.New("session: complete: not prepared")
	}
	access, exp, err := s.sign(ctx, u, p.Row.Family.ID)
	if err != nil {
		return shared.TokenPair{}, err
	}
	return pair(access, p.plain, exp, s.Now()), nil
}

// Refreshed is the outcome of a rotation.
type Refreshed struct {
	Pair   shared.TokenPair
	User   store.User
	Family store.Family
}

// Refresh spends a refresh token and answers the next pair, with the
// family and its user. Reuse of a spent token outside the grace window
// revokes the family and answers token_reused.
func (s *Service) Refresh(ctx context.Context, refreshToken string, m Meta) (Refreshed, error) {
	if !token.ValidOpaque(refreshToken) {
		return Refreshed{}, apperr.New(shared.CodeInvalidToken, "The refresh token is not valid.")
	}
	plain, newHash, err := token.NewOpaque()
	if err != nil {
		return Refreshed{}, fmt.Errorf("session: refresh: %w", err)
	}
	now := s.Now()
	oldHash := token.HashOpaque(refreshToken)
	// Sign the next access token ahead, before the rotation queues, when
	// this process issued the token and so knows its family and user
	// (hints.go): the rotation, which decides, uses it only when it finds
	// the same family and the same claims, and signs itself otherwise. Its
	// critical section (SQLite's one writer, a MySQL batch holding row
	// locks) then holds no signature.
	var ahead struct {
		ok                        bool
		family, user, name, email string
		access                    string
		exp                       time.Time
	}
	if h, ok := s.hints.take(oldHash); ok {
		if u, err := s.store.GetUser(ctx, h.user); err == nil && u.DisabledAt == nil {
			if a, e, err := s.sign(ctx, u, h.family); err == nil {
				ahead.ok, ahead.family, ahead.user, ahead.name, ahead.email, ahead.access, ahead.exp = true, h.family, u.ID, u.Name, u.Email, a, e
			}
		}
	}
	var access string
	var exp time.Time
	f, u, err := s.store.RotateRefresh(ctx, store.RotateParams{
		OldHash: oldHash,
		NewHash: newHash,
		Now:     now,
		IdleTTL: s.opts.IdleTTL,
		Grace:   s.opts.Grace,
		IP:      store.Clip(m.IP, 64),
		Mint: func(f store.Family, u store.User) error {
			if ahead.ok && f.ID == ahead.family && u.ID == ahead.user && u.Name == ahead.name && u.Email == ahead.email {
				access, exp = ahead.access, ahead.exp
				return nil
			}
			var err error
			access, exp, err = s.sign(ctx, u, f.ID)
			return err
		},
	})
	switch {
	case err == nil:
		s.hints.put(newHash, f.ID, u.ID)
		return Refreshed{Pair: pair(access, plain, exp, now), User: u, Family: f}, nil
	case errors.Is(err, store.ErrNotFound):
		return Refreshed{}, apperr.Wrap(shared.CodeInvalidToken, "The refresh token is not valid.", err)
	case errors.Is(err, store.ErrFamilyRevoked):
		return Refreshed{}, apperr.Wrap(shared.CodeInvalidToken, "This session has ended. Sign in again.", err)
	case errors.Is(err, store.ErrFamilyExpired):
		return Refreshed{}, apperr.Wrap(shared.CodeTokenExpired, "This session has expired. Sign in again.", err)
	case errors.Is(err, store.ErrTokenReused):
		return Refreshed{}, apperr.Wrap(shared.CodeTokenReused, "This refresh token was already used, so the session was ended for safety. Sign in again.", err)
	case errors.Is(err, store.ErrUserDisabled):
		return Refreshed{}, apperr.Wrap(shared.CodeAccessDenied, "This account is disabled.", err)
	default:
		return Refreshed{}, fmt.Errorf("session: refresh: %w", err)
	}
}

// Logout revokes the caller's family, or with all every family of the user.
// It is idempotent: an already revoked family is not an error.
func (s *Service) Logout(ctx context.Context, userID, familyID string, all bool) error {
	now := s.Now()
	if all {
		if _, err := s.store.RevokeUserFamilies(ctx, userID, "logout_all", now); err != nil {
			return fmt.Errorf("session: logout all: %w", err)
		}
		return nil
	}
	if err := s.store.RevokeFamily(ctx, userID, familyID, "logout", now); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("session: logout: %w", err)
	}
	return nil
}

// Revoke ends one of the user's sessions; another user's id is not_found.
func (s *Service) Revoke(ctx context.Context, userID, familyID string) error {
	err := s.store.RevokeFamily(ctx, userID, familyID, "revoked_by_user", s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Wrap(shared.CodeNotFound, "No such session.", err)
	}
	if err != nil {
		return fmt.Errorf("session: revoke: %w", err)
	}
	return nil
}

// List answers the user's active sessions.
func (s *Service) List(ctx context.Context, userID string) ([]store.Family, error) {
	fs, err := s.store.ListActiveFamilies(ctx, userID, s.Now(), s.opts.IdleTTL)
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	return fs, nil
}

func (s *Service) sign(ctx context.Context, u store.User, familyID string) (string, time.Time, error) {
	access, exp, err := s.tokens.Sign(ctx, shared.AccessClaims{
		Subject:   u.ID,
		SessionID: familyID,
		Name:      u.Name,
		Email:     u.Email,
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("session: sign access token: %w", err)
	}
	return access, exp, nil
}

func pair(access, refresh string, exp, now time.Time) shared.TokenPair {
	return shared.TokenPair{
		AccessToken:  access,
		RefreshToken: refresh,
		TokenType:    shared.TokenType,
		ExpiresIn:    int(exp.Sub(now).Round(time.Second) / time.Second),
	}
}
