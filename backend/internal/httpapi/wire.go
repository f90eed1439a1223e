package httpapi

import (
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/shared"
)

// The contract's view of auth's types: the one place the use cases meet
// the wire format.

func wireUser(u auth.User) shared.User {
	return shared.User{
		ID:            u.ID,
		Name:          u.Name,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		AvatarURL:     u.AvatarURL,
		CreatedAt:     u.CreatedAt,
	}
}

func wirePair(p auth.TokenPair) shared.TokenPair {
	return shared.TokenPair{
		AccessToken:  p.AccessToken,
		RefreshToken: p.RefreshToken,
		TokenType:    shared.TokenType,
		ExpiresIn:    p.ExpiresIn,
	}
}

func wireSignIn(s auth.SignedIn) shared.SignInResponse {
	return shared.SignInResponse{TokenPair: wirePair(s.Pair), User: wireUser(s.User), IsNew: s.IsNew}
}

func wireSession(s auth.Session) shared.Session {
	return shared.Session{
		ID:        s.ID,
		Current:   s.Current,
		UserAgent: s.UserAgent,
		IP:        s.IP,
		Place:     s.Place,
		Provider:  s.Provider,
		CreatedAt: s.CreatedAt,
		LastUsed:  s.LastUsed,
		ExpiresAt: s.ExpiresAt,
	}
}

func wireAccount(a auth.Account) shared.LinkedAccount {
	return shared.LinkedAccount{
		ID: a.ID, Kind: a.Kind, CloneWarning: a.CloneWarning, Provider: a.Provider, ProviderName: a.ProviderName, Subject: a.Subject,
		Email: a.Email, EmailVerified: a.EmailVerified, DisplayName: a.DisplayName,
		CreatedAt: a.CreatedAt, LastLoginAt: a.LastLoginAt,
	}
}

func wireLoginEvent(e auth.LoginEvent) shared.LoginEvent {
	return shared.LoginEvent{
		ID:        e.ID,
		Time:      e.Time,
		Provider:  e.Provider,
		Outcome:   e.Outcome,
		ErrorCode: shared.ErrorCode(e.ErrorCode),
		IP:        e.IP,
		UserAgent: e.UserAgent,
	}
}

// wireList maps items with f into the contract's list envelope (never a
// null items).
func wireList[T, W any](items []T, f func(T) W) shared.ListResponse[W] {
	out := shared.ListResponse[W]{Items: make([]W, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, f(it))
	}
	return out
}

func wireAdminUser(u auth.UserRecord) shared.AdminUser {
	return shared.AdminUser{User: wireUser(u.User), DisabledAt: u.DisabledAt}
}

func wireAuditEvent(e auth.AuditEvent) shared.AuditEvent {
	return shared.AuditEvent{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target, Reason: e.Reason, IP: e.IP}
}
