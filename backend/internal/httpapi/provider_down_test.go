package httpapi

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

// deadURL is an http URL nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestProviderUnreachable: a provider that cannot be reached answers the
// popup's handoff page with provider_unavailable (so the dashboard says
// "try again in a minute" with Try again), whether its discovery fails at
// the sign-in's start or its token endpoint at the return; never a
// browser error page, never the provider's own words.
func TestProviderUnreachable(t *testing.T) {
	// An issuer whose discovery works but whose token endpoint is down.
	var issuer string
	tokenDown := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": issuer, "authorization_endpoint": issuer + "/authorize", "token_endpoint": deadURL(t) + "/token",
				"jwks_uri": issuer + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			})
		case "/jwks":
			w.Write([]byte(`{"keys":[]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer tokenDown.Close()
	issuer = tokenDown.URL

	tests := []struct {
		name   string
		issuer string
		run    func(t *testing.T, e *env, b *browser, challenge string) handoffData
	}{
		{"discovery down at the start", deadURL(t), func(t *testing.T, e *env, b *browser, c string) handoffData {
			resp, body := b.get(e.srv.URL + "/api/auth/gitlab/login?challenge=" + c)
			return parseHandoff(t, resp, body)
		}},
		{"token endpoint down at the return", issuer, func(t *testing.T, e *env, b *browser, c string) handoffData {
			auth := b.start("gitlab", "challenge="+c)
			resp, body := b.get(e.srv.URL + "/api/auth/gitlab/callback?code=c0de&state=" + auth.Query().Get("state"))
			return parseHandoff(t, resp, body)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "sqlite", map[string]string{
				"AUTHBRIDGE_GITLAB_CLIENT_ID": "gitlab-client",
				"AUTHBRIDGE_GITLAB_SECRET":    "gitlab-secret",
				"AUTHBRIDGE_GITLAB_ISSUER":    tt.issuer,
			})
			_, c := pkce(t)
			p := tt.run(t, e, e.browser(), c)
			wantError(t, p, shared.CodeProviderUnavailable)
			if p.Message.Flow != c {
				t.Fatalf("the handoff names flow %q, want the challenge", p.Message.Flow)
			}
		})
	}
}
