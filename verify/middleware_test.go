package verify

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

func TestMiddleware(t *testing.T) {
	ec := newECKey(t, "ec-1")
	now := newFakeClock().Now()
	cases := []struct {
		name       string
		opts       []Option
		down       bool // the JWKS fails and the cache is stale
		header     func(is *testIssuer) string
		status     int
		challenge  string
		code       shared.ErrorCode
		wantClaims bool
	}{
		{name: "valid token", header: func(is *testIssuer) string { return "Bearer " + sign(t, ec, is.claimsAt(now), nil) },
			status: 200, wantClaims: true},
		{name: "scheme is case-insensitive", header: func(is *testIssuer) string { return "bearer " + sign(t, ec, is.claimsAt(now), nil) },
			status: 200, wantClaims: true},
		{name: "no Authorization", header: func(*testIssuer) string { return "" },
			status: 401, challenge: "Bearer", code: shared.CodeInvalidToken},
		{name: "another scheme", header: func(*testIssuer) string { return "Basic dXNlcjpwYXNz" },
			status: 401, challenge: "Bearer", code: shared.CodeInvalidToken},
		{name: "Bearer without a token", header: func(*testIssuer) string { return "Bearer " },
			status: 401, challenge: "Bearer", code: shared.CodeInvalidToken},
		{name: "invalid token", header: func(*testIssuer) string { return "Bearer abc.def.ghi" },
			status: 401, challenge: `Bearer error="invalid_token"`, code: shared.CodeInvalidToken},
		{name: "expired token", header: func(is *testIssuer) string {
			return "Bearer " + sign(t, ec, is.claimsAt(now.Add(-time.Hour)), nil)
		}, status: 401, challenge: `Bearer error="invalid_token", error_description="The access token expired"`, code: shared.CodeTokenExpired},
		{name: "role required and missing", opts: []Option{WithRole("admin")},
			header: func(is *testIssuer) string { return "Bearer " + sign(t, ec, is.claimsAt(now), nil) },
			status: 403, challenge: `Bearer error="insufficient_scope"`, code: shared.CodeAccessDenied},
		{name: "role required and present", opts: []Option{WithRole("admin")}, header: func(is *testIssuer) string {
			c := is.claimsAt(now)
			c["roles"] = []string{"admin"}
			return "Bearer " + sign(t, ec, c, nil)
		}, status: 200, wantClaims: true},
		{name: "keys unavailable", down: true, header: func(is *testIssuer) string {
			return "Bearer " + sign(t, newECKey(t, "rotated"), is.claimsAt(now), nil)
		}, status: 503, code: shared.CodeUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := newTestIssuer(t, ec)
			clock := newFakeClock()
			clock.now = now
			v := mustNew(t, is, append([]Option{WithClock(clock.Now)}, c.opts...)...)
			if c.down {
				is.set(func(is *testIssuer) { is.jwksStatus = 500 })
				clock.Advance(5 * time.Minute) // the cache is stale
			}
			var got *Claims
			h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClaimsFrom(r.Context()) }))
			req := httptest.NewRequest("GET", "/things", nil)
			if hv := c.header(is); hv != "" {
				req.Header.Set("Authorization", hv)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if hv := rec.Header().Get("WWW-Authenticate"); hv != c.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", hv, c.challenge)
			}
			if c.wantClaims != (got != nil) || (got != nil && got.Subject != "user-1") {
				t.Errorf("ClaimsFrom = %+v, want claims: %v", got, c.wantClaims)
			}
			if c.code != "" {
				var env shared.ErrorEnvelope
				if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code != c.code {
					t.Errorf("body = %s, want code %s", rec.Body, c.code)
				}
			}
		})
	}
}

func TestClaimsFromWithout(t *testing.T) {
	if c := ClaimsFrom(httptest.NewRequest("GET", "/", nil).Context()); c != nil {
		t.Fatalf("ClaimsFrom on a bare context = %+v", c)
	}
}
