package verify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/authbridge/authbridge/shared"
)

type claimsKey struct{}

// ClaimsFrom answers the claims Middleware put in ctx, or nil.
func ClaimsFrom(ctx context.Context) *Claims {
	c, _ := ctx.Value(claimsKey{}).(*Claims)
	return c
}

// WithClaims answers a copy of ctx carrying c, as Middleware does; handy
// in tests of handlers behind it.
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// Middleware lets a request through to next only with a valid access token
// in its Authorization header (RFC 6750 §2.1; never the query or the body),
// and with the role of WithRole when one is set. next finds the claims
// with ClaimsFrom. It answers, with the error envelope of the AuthBridge
// API:
//   - 401 and WWW-Authenticate: Bearer without a bearer token;
//   - 401 and error="invalid_token" for an invalid or expired one (the
//     code token_expired tells a client to refresh);
//   - 403 and error="insufficient_scope" without the required role;
//   - 503 when the issuer's keys cannot be fetched.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, shared.CodeInvalidToken, "An access token is required.")
			return
		}
		c, err := v.Verify(r.Context(), tok)
		switch {
		case errors.Is(err, ErrKeyUnavailable):
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, shared.CodeUnavailable, "The token cannot be checked right now.")
			return
		case errors.Is(err, ErrExpired):
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token expired"`)
			writeError(w, http.StatusUnauthorized, shared.CodeTokenExpired, "The access token has expired. Refresh it.")
			return
		case err != nil:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, shared.CodeInvalidToken, "The access token is not valid.")
			return
		}
		if v.role != "" && !c.HasRole(v.role) {
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
			writeError(w, http.StatusForbidden, shared.CodeAccessDenied, "The access token lacks the required role.")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), c)))
	})
}

// bearer answers the token of an Authorization header "Bearer <token>";
// the scheme is case-insensitive (RFC 9110 §11.1).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

func writeError(w http.ResponseWriter, status int, code shared.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(shared.ErrorEnvelope{Error: shared.ErrorBody{Code: code, Message: msg}})
}
