package kit

import "context"

// Client calls an app's own API (any origin, any path) as the signed-in
// user: it adds the session's access token as a bearer token and, when
// the API answers 401 because the token has expired or is invalid (the
// AuthBridge error shape, or any 401 without it), refreshes the session
// once and sends the call again. A call made while signed out fails with
// ErrSignedOut without reaching the API.
//
// The API verifies the token itself (the Go verifier, or the JWKS); a
// cross-origin API must allow the Authorization header in its CORS answer.
type Client struct {
	// API sends the calls: Transport{Base: "https://api.example.com"}
	// (window.fetch in the browser), or any Doer.
	API Doer
	// Session holds the token (Kit.Session).
	Session *Manager
}

// Do sends one JSON call: method and path (relative to the API's base),
// an optional body (encoded as JSON), and where to decode a success
// answer (nil: ignore it). A failed call is an *Error (see AsError).
//
// In the browser it waits for fetch: call it from ctx.Async or a global
// action handler, never on the UI goroutine.
func (c Client) Do(ctx context.Context, method, path string, in, out any) error {
	return c.Session.CallVia(ctx, c.API, method, path, in, out)
}
