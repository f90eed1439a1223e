package kit

import (
	"context"
	"net/http"
	"net/url"

	"github.com/authbridge/authbridge/shared"
)

// The contract's paths, each written once: callers use the typed methods
// below and never build a path themselves.
const (
	pathProviders        = "/api/auth/providers"
	pathGoogleNonce      = "/api/auth/google/nonce"
	pathGoogleCredential = "/api/auth/google/credential"
	pathExchange         = "/api/auth/exchange"
	pathRefresh          = "/api/auth/token/refresh"
	pathLogout           = "/api/auth/logout"
	pathConnectTicket    = "/api/auth/connect-ticket"
)

// Public makes the calls that need no session: D sends them as they are.
type Public struct {
	D Doer
}

// Providers lists the sign-in providers and the Google client id.
func (p Public) Providers(ctx context.Context) (shared.ProvidersResponse, error) {
	var out shared.ProvidersResponse
	err := p.D.Do(ctx, http.MethodGet, pathProviders, "", nil, &out)
	return out, err
}

// GoogleNonce is a single-use nonce for the Google Identity button.
func (p Public) GoogleNonce(ctx context.Context) (shared.NonceResponse, error) {
	var out shared.NonceResponse
	err := p.D.Do(ctx, http.MethodGet, pathGoogleNonce, "", nil, &out)
	return out, err
}

// GoogleCredential signs in with the Google button's ID token.
func (p Public) GoogleCredential(ctx context.Context, credential, nonce string) (shared.SignInResponse, error) {
	var out shared.SignInResponse
	err := p.D.Do(ctx, http.MethodPost, pathGoogleCredential, "",
		shared.GoogleCredentialRequest{Credential: credential, Nonce: nonce}, &out)
	return out, err
}

// Exchange redeems a handoff's one-time code with the flow's verifier.
func (p Public) Exchange(ctx context.Context, code, verifier string) (shared.SignInResponse, error) {
	var out shared.SignInResponse
	err := p.D.Do(ctx, http.MethodPost, pathExchange, "", shared.ExchangeRequest{Code: code, Verifier: verifier}, &out)
	return out, err
}

// Refresh spends the refresh cookie for a new token pair.
func (p Public) Refresh(ctx context.Context) (shared.RefreshResponse, error) {
	var out shared.RefreshResponse
	// An empty JSON object: the token travels in the HttpOnly cookie.
	err := p.D.Do(ctx, http.MethodPost, pathRefresh, "", struct{}{}, &out)
	return out, err
}

// Caller makes one call with the session's access token (Manager
// does, refreshing once when the token has just expired).
type Caller interface {
	Call(ctx context.Context, method, path string, in, out any) error
}

// Signed makes the session's calls to AuthBridge through C (a *Manager).
type Signed struct {
	C Caller
}

// Logout ends the caller's session, or all the user's sessions.
func (s Signed) Logout(ctx context.Context, all bool) error {
	return s.C.Call(ctx, http.MethodPost, pathLogout, shared.LogoutRequest{All: all}, nil)
}

// ConnectTicket is a single-use ticket to connect provider in a flow
// bound to challenge.
func (s Signed) ConnectTicket(ctx context.Context, provider, challenge string) (string, error) {
	var out shared.ConnectTicketResponse
	err := s.C.Call(ctx, http.MethodPost, pathConnectTicket,
		shared.ConnectTicketRequest{Provider: provider, Challenge: challenge}, &out)
	return out.Ticket, err
}

// LoginURL is where the browser starts provider id's sign-in or connect
// flow: loginPath as the providers list published it (when set), else the
// contract's default, on base, with the query q.
func LoginURL(base, id, loginPath string, q url.Values) string {
	if loginPath == "" {
		loginPath = "/api/auth/" + url.PathEscape(id) + "/login"
	}
	return base + loginPath + "?" + q.Encode()
}
