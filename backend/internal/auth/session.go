package auth

// Sessions: AuthBridge token pairs are an access JWT plus a refresh token
// that names its family (one signed-in browser or client). The rules of a
// rotation live in store.RotateRefresh; the token format in
// token/refresh.go.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// firstGeneration is the generation of a family's first refresh token.
const firstGeneration = 1

// newFamily builds a family, not yet stored, with its secret, and answers
// its first refresh token.
func (s *Service) newFamily(userID, providerID string, m Meta) (store.Family, string, error) {
	secret, err := token.NewRefreshSecret()
	if err != nil {
		return store.Family{}, "", err
	}
	now := s.Now()
	f := store.Family{
		ID:         store.NewID(),
		UserID:     userID,
		Provider:   store.Clip(providerID, 64),
		UserAgent:  store.Clip(m.UserAgent, 512),
		IP:         store.Clip(m.IP, 64),
		CreatedAt:  now,
		LastUsedAt: now,
		ExpiresAt:  now.Add(s.opts.RefreshTTL),
		Generation: firstGeneration,
		Secret:     secret,
	}
	plain, err := s.refresh.Format(f.ID, f.Generation, f.Secret)
	if err != nil {
		return store.Family{}, "", err
	}
	return f, plain, nil
}

// pending is a session prepared before its user is known, so that the
// store can open it in the sign-in's own transaction
// (store.SignInParams.Session): one commit per sign-in.
type pending struct {
	Row   *store.NewSession
	plain string
}

// prepare builds a new family and its first refresh token; the events are
// written with it (their user is filled in by the store).
func (s *Service) prepare(providerID string, m Meta, events ...store.LoginEvent) (pending, error) {
	f, plain, err := s.newFamily("", providerID, m)
	if err != nil {
		return pending{}, fmt.Errorf("auth: prepare: %w", err)
	}
	return pending{plain: plain, Row: &store.NewSession{Family: f, Events: events}}, nil
}

// complete answers the token pair of a prepared session the store has
// opened for u. If signing fails the family stays without a token anyone
// holds and simply expires.
func (s *Service) complete(ctx context.Context, p pending, u store.User) (TokenPair, error) {
	if p.Row == nil || p.plain == "" {
		return TokenPair{}, errors.New("auth: complete: not prepared")
	}
	access, exp, err := s.sign(ctx, u, p.Row.Family)
	if err != nil {
		return TokenPair{}, err
	}
	return pair(access, p.plain, exp, s.Now()), nil
}

// Refresh judges a refresh token (store.RotateRefresh holds the rules) and
// answers the next pair, with the family and its user. The access token
// is signed before anything is written and outside any transaction, so a
// failed signature leaves the presented token live. Reuse of an earlier
// token revokes the family, records it in the user's login history and
// answers token_reused.
func (s *Service) Refresh(ctx context.Context, refreshToken string, m Meta) (Refreshed, error) {
	rt, err := token.ParseRefresh(refreshToken)
	if err != nil {
		return Refreshed{}, apperr.Wrap(shared.CodeInvalidToken, "The refresh token is not valid.", err)
	}
	now := s.Now()
	var access string
	var exp time.Time
	rot, err := s.store.RotateRefresh(ctx, store.RotateParams{
		FamilyID:   rt.FamilyID,
		Generation: rt.Generation,
		Verify:     func(secret []byte) bool { return s.refresh.Verify(rt, secret) },
		Now:        now,
		IdleTTL:    s.opts.IdleTTL,
		Grace:      s.opts.Grace,
		IP:         store.Clip(m.IP, 64),
		Sign: func(f store.Family, u store.User) error {
			var err error
			access, exp, err = s.sign(ctx, u, f)
			return err
		},
		Reuse: store.LoginEvent{
			ID:        store.NewID(),
			Outcome:   shared.OutcomeTokenReused,
			ErrorCode: string(shared.CodeTokenReused),
			IP:        store.Clip(m.IP, 64),
			UserAgent: store.Clip(m.UserAgent, 512),
			CreatedAt: now,
		},
	})
	switch {
	case err == nil:
		plain, err := s.refresh.Format(rot.Family.ID, rot.Generation, rot.Family.Secret)
		if err != nil {
			return Refreshed{}, fmt.Errorf("auth: refresh: %w", err)
		}
		return Refreshed{Pair: pair(access, plain, exp, now), User: toUser(rot.User), Session: toSession(rot.Family, rot.Family.ID, s.opts.Places)}, nil
	case errors.Is(err, store.ErrNotFound):
		return Refreshed{}, apperr.Wrap(shared.CodeInvalidToken, "The refresh token is not valid.", err)
	case errors.Is(err, store.ErrFamilyRevoked):
		return Refreshed{}, apperr.Wrap(shared.CodeInvalidToken, "This session has ended. Sign in again.", err)
	case errors.Is(err, store.ErrFamilyExpired):
		return Refreshed{}, apperr.Wrap(shared.CodeTokenExpired, "This session has expired. Sign in again.", err)
	case errors.Is(err, store.ErrTokenReused):
		// Never the token itself: which session, whose, and from where.
		s.log.Warn("auth: refresh token reused; session revoked",
			"family", rot.Family.ID, "user", rot.User.ID, "generation", rt.Generation, "current_generation", rot.Generation, "ip", m.IP)
		return Refreshed{}, apperr.Wrap(shared.CodeTokenReused, "This refresh token was already used, so the session was ended for safety. Sign in again.", err)
	case errors.Is(err, store.ErrUserDisabled):
		return Refreshed{}, errDisabled(err)
	default:
		return Refreshed{}, fmt.Errorf("auth: refresh: %w", err)
	}
}

// Logout revokes the caller's family, or with all every family of the user.
// It is idempotent: an already revoked family is not an error.
func (s *Service) Logout(ctx context.Context, userID, familyID string, all bool) error {
	now := s.Now()
	if all {
		if _, err := s.store.RevokeUserFamilies(ctx, userID, "logout_all", now); err != nil {
			return fmt.Errorf("auth: logout all: %w", err)
		}
		return nil
	}
	if err := s.store.RevokeFamily(ctx, userID, familyID, "logout", now); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}

// RevokeSession ends one of the user's sessions; another user's id is
// not_found.
func (s *Service) RevokeSession(ctx context.Context, userID, familyID string) error {
	if len(familyID) == 0 || len(familyID) > 64 {
		return apperr.New(shared.CodeNotFound, "No such session.")
	}
	err := s.store.RevokeFamily(ctx, userID, familyID, "revoked_by_user", s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Wrap(shared.CodeNotFound, "No such session.", err)
	}
	if err != nil {
		return fmt.Errorf("auth: revoke: %w", err)
	}
	return nil
}

// Sessions answers the user's active sessions; currentID is the caller's.
func (s *Service) Sessions(ctx context.Context, userID, currentID string) ([]Session, error) {
	fs, err := s.store.ListActiveFamilies(ctx, userID, s.Now(), s.opts.IdleTTL)
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	out := make([]Session, 0, len(fs))
	for _, f := range fs {
		out = append(out, toSession(f, currentID, s.opts.Places))
	}
	return out, nil
}

// toSession answers a session as listed, its place looked up now from its
// last IP: nothing is stored, so no migration, the place always matches the
// IP shown beside it, a newer database applies at once and removing the
// file removes every place.
func toSession(f store.Family, currentID string, places *geoip.DB) Session {
	return Session{
		ID:        f.ID,
		Current:   f.ID == currentID,
		UserAgent: f.UserAgent,
		IP:        f.IP,
		Place:     places.Place(f.IP),
		Provider:  f.Provider,
		CreatedAt: f.CreatedAt,
		LastUsed:  f.LastUsedAt,
		ExpiresAt: f.ExpiresAt,
	}
}

// sign signs the access token of u's session f: its sign-in time is the
// family's creation, its roles those u holds now.
func (s *Service) sign(ctx context.Context, u store.User, f store.Family) (string, time.Time, error) {
	roles, err := s.roles(ctx, u)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign access token: %w", err)
	}
	access, exp, err := s.tokens.Sign(ctx, shared.AccessClaims{
		Subject:   u.ID,
		SessionID: f.ID,
		Name:      u.Name,
		Email:     u.Email,
		AuthTime:  f.CreatedAt.Unix(),
		Roles:     roles,
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign access token: %w", err)
	}
	return access, exp, nil
}

func pair(access, refresh string, exp, now time.Time) TokenPair {
	return TokenPair{
		AccessToken:  access,
		RefreshToken: refresh,
		ExpiresIn:    int(exp.Sub(now).Round(time.Second) / time.Second),
	}
}
