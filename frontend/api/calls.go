// Package api is the dashboard's own calls to the AuthBridge API: the
// signed-in user, linked accounts, sessions and login history. They go
// through kit's session (kit.Manager), like any app's calls to its own
// API would; the sign-in calls and the transport live in package kit.
package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
)

// The contract's paths, each written once: callers use the typed methods
// below and never build a path themselves.
const (
	pathMe       = "/api/me"
	pathAccounts = "/api/me/accounts"
	pathSessions = "/api/me/sessions"
	pathLogins   = "/api/me/logins"
)

// Signed makes the signed-in user's calls through C (a *kit.Manager).
type Signed struct {
	C kit.Caller
}

// Me is the signed-in user.
func (s Signed) Me(ctx context.Context) (shared.User, error) {
	var out shared.User
	err := s.C.Call(ctx, http.MethodGet, pathMe, nil, &out)
	return out, err
}

// Accounts lists the user's linked provider accounts.
func (s Signed) Accounts(ctx context.Context) ([]shared.LinkedAccount, error) {
	var out shared.ListResponse[shared.LinkedAccount]
	err := s.C.Call(ctx, http.MethodGet, pathAccounts, nil, &out)
	return out.Items, err
}

// Disconnect unlinks the account id.
func (s Signed) Disconnect(ctx context.Context, id string) error {
	return s.C.Call(ctx, http.MethodDelete, pathAccounts+"/"+url.PathEscape(id), nil, nil)
}

// Sessions lists the user's sessions, the caller's marked current.
func (s Signed) Sessions(ctx context.Context) ([]shared.Session, error) {
	var out shared.ListResponse[shared.Session]
	err := s.C.Call(ctx, http.MethodGet, pathSessions, nil, &out)
	return out.Items, err
}

// RevokeSession ends the session id.
func (s Signed) RevokeSession(ctx context.Context, id string) error {
	return s.C.Call(ctx, http.MethodDelete, pathSessions+"/"+url.PathEscape(id), nil, nil)
}

// Logins is the user's login history.
func (s Signed) Logins(ctx context.Context) ([]shared.LoginEvent, error) {
	var out shared.ListResponse[shared.LoginEvent]
	err := s.C.Call(ctx, http.MethodGet, pathLogins, nil, &out)
	return out.Items, err
}
