package httpapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// scenario is one API call on a fresh server and database.
type scenario struct {
	name   string
	extra  map[string]string
	setup  func(e *env) req
	status int
	code   shared.ErrorCode
	check  func(t *testing.T, e *env, resp *http.Response, body []byte)
}

func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	forEngine(t, func(t *testing.T, engine string) {
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				e := newEnv(t, engine, sc.extra)
				resp, body := e.do(sc.setup(e))
				expect(t, resp, body, sc.status, sc.code)
				if sc.check != nil {
					sc.check(t, e, resp, body)
				}
			})
		}
	})
}

func signedIn(e *env) (store.User, shared.TokenPair) {
	u := e.user("Ada", "ada@example.com")
	return u, e.signIn(u)
}

func refreshBody(tok string) string { return `{"refresh_token":"` + tok + `"}` }

func TestHealthAndDiscovery(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "healthz", setup: func(e *env) req { return req{method: "GET", path: "/healthz"} }, status: 200},
		{name: "readyz", setup: func(e *env) req { return req{method: "GET", path: "/readyz"} }, status: 200},
		{name: "readyz while draining", setup: func(e *env) req {
			e.draining.Store(true)
			return req{method: "GET", path: "/readyz"}
		}, status: 503, code: shared.CodeUnavailable},
		{name: "jwks", setup: func(e *env) req { return req{method: "GET", path: "/.well-known/jwks.json"} }, status: 200,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				set := mustJSON[jwks](t, body)
				if len(set.Keys) != 1 || set.Keys[0].Kid == "" || set.Keys[0].Alg != "ES256" {
					t.Fatalf("jwks = %s", body)
				}
				if !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
					t.Fatalf("jwks Cache-Control = %q", resp.Header.Get("Cache-Control"))
				}
			}},
		{name: "openapi", setup: func(e *env) req { return req{method: "GET", path: "/api/openapi.yaml"} }, status: 200,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				if !strings.HasPrefix(string(body), "openapi: 3.") {
					t.Fatalf("openapi body starts %q", string(body[:min(40, len(body))]))
				}
			}},
		{name: "metrics", setup: func(e *env) req { return req{method: "GET", path: "/metrics"} }, status: 200,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				if !strings.Contains(string(body), "go_goroutines") {
					t.Fatal("metrics without the Go collector")
				}
			}},
		{name: "database gone mid-flight", setup: func(e *env) req {
			_, p := signedIn(e)
			e.store.Close()
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 503, code: shared.CodeUnavailable, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			r, b := e.do(req{method: "GET", path: "/readyz"})
			expect(t, r, b, 503, shared.CodeUnavailable)
			r, b = e.do(req{method: "GET", path: "/healthz"})
			expect(t, r, b, 200, "")
		}},
		{name: "unknown path", setup: func(e *env) req { return req{method: "GET", path: "/api/nope"} }, status: 404, code: shared.CodeNotFound},
		{name: "wrong method", setup: func(e *env) req { return req{method: "GET", path: "/api/auth/token/refresh"} }, status: 405, code: shared.CodeMethodNotAllowed,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				if resp.Header.Get("Allow") != "POST" {
					t.Fatalf("Allow = %q", resp.Header.Get("Allow"))
				}
			}},
	})
}

func TestRefreshScenarios(t *testing.T) {
	big := `{"refresh_token":"` + strings.Repeat("a", 1<<20) + `"}`
	var rotated string // the token a rotation handed out, for the grace replay
	runScenarios(t, []scenario{
		{name: "body token rotates", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			r := mustJSON[shared.RefreshResponse](t, body)
			if r.AccessToken == "" || r.RefreshToken == "" || r.TokenType != "Bearer" || r.ExpiresIn != 600 || r.User.Name != "Ada" {
				t.Fatalf("refresh answer = %s", body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
			}
			if len(resp.Cookies()) != 0 {
				t.Fatal("a body refresh must not set cookies")
			}
		}},
		{name: "malformed json", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh", body: `{"refresh_token":`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "unknown field", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh", body: `{"refresh_token":"x","admin":true}`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "trailing data", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken) + `{}`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "array instead of object", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh", body: `[]`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "1 MB body", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh", body: big}
		}, status: 413, code: shared.CodeRequestTooLarge},
		{name: "wrong content type", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken),
				header: map[string]string{"Content-Type": "text/plain"}}
		}, status: 415, code: shared.CodeUnsupportedMediaType},
		{name: "no token anywhere", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh"}
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "garbage token", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody("not a token!")}
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "unknown token", setup: func(e *env) req {
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(strings.Repeat("A", 43))}
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "cookie without origin", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", cookie: p.RefreshToken}
		}, status: 403, code: shared.CodeOriginNotAllowed},
		{name: "cookie from foreign origin", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", cookie: p.RefreshToken,
				header: map[string]string{"Origin": "https://evil.example"}}
		}, status: 403, code: shared.CodeOriginNotAllowed},
		{name: "cookie in, cookie out", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", cookie: p.RefreshToken,
				header: map[string]string{"Origin": e.cfg.FrontendOrigin}}
		}, status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			r := mustJSON[shared.RefreshResponse](t, body)
			if r.RefreshToken != "" {
				t.Fatal("cookie mode must not put the refresh token in the body")
			}
			c := findCookie(resp, RefreshCookie)
			if c == nil || c.Value == "" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge <= 0 {
				t.Fatalf("refresh cookie = %+v", c)
			}
		}},
		{name: "replay after grace revokes the family", setup: func(e *env) req {
			_, p := signedIn(e)
			resp, body := e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)})
			expect(e.t, resp, body, 200, "")
			e.clock.Advance(11 * time.Second)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 401, code: shared.CodeTokenReused, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			fams, err := e.auth.Sessions(context.Background(), onlyUserID(t, e), "")
			if err != nil || len(fams) != 0 {
				t.Fatalf("after reuse the session list = %v, %v; want empty", fams, err)
			}
		}},
		{name: "replay within grace succeeds", setup: func(e *env) req {
			_, p := signedIn(e)
			resp, body := e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)})
			expect(e.t, resp, body, 200, "")
			rotated = mustJSON[shared.RefreshResponse](e.t, body).RefreshToken
			e.clock.Advance(3 * time.Second)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			// One live chain: the replay gets the token the rotation gave.
			if got := mustJSON[shared.RefreshResponse](t, body).RefreshToken; got != rotated {
				t.Fatalf("the replay got a refresh token of its own (a second chain): %q, want %q", got, rotated)
			}
		}},
		{name: "reuse is in the login history", setup: func(e *env) req {
			_, p := signedIn(e)
			resp, body := e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)})
			expect(e.t, resp, body, 200, "")
			e.clock.Advance(11 * time.Second)
			resp, body = e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken),
				header: map[string]string{"User-Agent": "thief-agent"}})
			expect(e.t, resp, body, 401, shared.CodeTokenReused)
			// The access token lives until its exp; the history shows the reuse.
			return req{method: "GET", path: "/api/me/logins", bearer: p.AccessToken}
		}, status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			l := mustJSON[shared.ListResponse[shared.LoginEvent]](t, body)
			if len(l.Items) == 0 || l.Items[0].Outcome != shared.OutcomeTokenReused || l.Items[0].ErrorCode != shared.CodeTokenReused ||
				l.Items[0].UserAgent != "thief-agent" || l.Items[0].IP == "" || l.Items[0].Provider != "test" {
				t.Fatalf("login history = %+v, want the reuse first", l.Items)
			}
			resp2, body2 := e.do(req{method: "GET", path: "/metrics"})
			expect(t, resp2, body2, 200, "")
			if !strings.Contains(string(body2), `authbridge_refreshes_total{outcome="token_reused"} 1`) {
				t.Fatal("the reuse metric did not count it")
			}
		}},
		{name: "a forged refresh token changes nothing", setup: func(e *env) req {
			_, p := signedIn(e)
			forged := []byte(p.RefreshToken)
			if forged[len(forged)-1] == 'A' {
				forged[len(forged)-1] = 'B'
			} else {
				forged[len(forged)-1] = 'A'
			}
			e.clock.Advance(time.Minute)
			resp, body := e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(string(forged))})
			expect(e.t, resp, body, 401, shared.CodeInvalidToken)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 200},
		{name: "refresh after logout", setup: func(e *env) req {
			_, p := signedIn(e)
			resp, body := e.do(req{method: "POST", path: "/api/auth/logout", bearer: p.AccessToken})
			expect(e.t, resp, body, 204, "")
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "refresh past the absolute lifetime", setup: func(e *env) req {
			_, p := signedIn(e)
			tok := p.RefreshToken
			// Stay within the idle lifetime (168h) while passing the absolute one (720h).
			for i := 0; i < 7; i++ {
				e.clock.Advance(100 * time.Hour)
				resp, body := e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(tok)})
				expect(e.t, resp, body, 200, "")
				tok = mustJSON[shared.RefreshResponse](e.t, body).RefreshToken
			}
			e.clock.Advance(21 * time.Hour)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(tok)}
		}, status: 401, code: shared.CodeTokenExpired},
		{name: "refresh past the idle lifetime", setup: func(e *env) req {
			_, p := signedIn(e)
			e.clock.Advance(169 * time.Hour)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 401, code: shared.CodeTokenExpired},
		{name: "disabled user cannot refresh", setup: func(e *env) req {
			u, p := signedIn(e)
			now := e.clock.Now()
			if err := e.store.SetUserDisabled(context.Background(), u.ID, &now); err != nil {
				e.t.Fatal(err)
			}
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 403, code: shared.CodeAccountDisabled},
		{name: "rate limited", extra: map[string]string{"AUTHBRIDGE_RATE_LIMIT": "1"}, setup: func(e *env) req {
			for i := 0; i < 10; i++ {
				e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody("x")})
			}
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody("x")}
		}, status: 429, code: shared.CodeRateLimited, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}},
	})
}

func TestVerifyScenarios(t *testing.T) {
	verify := func(tok string) req {
		b, _ := json.Marshal(shared.VerifyRequest{Token: tok})
		return req{method: "POST", path: "/api/auth/token/verify", body: string(b)}
	}
	runScenarios(t, []scenario{
		{name: "valid", setup: func(e *env) req { _, p := signedIn(e); return verify(p.AccessToken) }, status: 200,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				v := mustJSON[shared.VerifyResponse](t, body)
				if !v.Active || v.Claims.Subject == "" || v.Claims.SessionID == "" || !v.Claims.Audience.Contains(e.cfg.Audience()) {
					t.Fatalf("verify = %s", body)
				}
			}},
		{name: "missing token", setup: func(e *env) req { return req{method: "POST", path: "/api/auth/token/verify", body: `{}`} },
			status: 400, code: shared.CodeInvalidRequest},
		{name: "expired", setup: func(e *env) req {
			_, p := signedIn(e)
			e.clock.Advance(10*time.Minute + 31*time.Second)
			return verify(p.AccessToken)
		}, status: 401, code: shared.CodeTokenExpired},
		{name: "within leeway", setup: func(e *env) req {
			_, p := signedIn(e)
			e.clock.Advance(10*time.Minute + 20*time.Second)
			return verify(p.AccessToken)
		}, status: 200},
		{name: "alg none", setup: func(e *env) req { _, p := signedIn(e); return verify(algNone(e.t, p.AccessToken)) },
			status: 401, code: shared.CodeInvalidToken},
		{name: "HS256 with the public key", setup: func(e *env) req { _, p := signedIn(e); return verify(hsWithPublicKey(e, p.AccessToken)) },
			status: 401, code: shared.CodeInvalidToken},
		{name: "unknown kid", setup: func(e *env) req {
			_, p := signedIn(e)
			return verify(resignES256(e.t, p.AccessToken, "unknown-kid", nil))
		},
			status: 401, code: shared.CodeInvalidToken},
		{name: "wrong aud", setup: func(e *env) req {
			u, _ := signedIn(e)
			return verify(signWith(e, otherManager(e, e.cfg.Issuer(), "https://other.example/api"), u))
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "wrong iss", setup: func(e *env) req {
			u, _ := signedIn(e)
			return verify(signWith(e, otherManager(e, "https://other.example", e.cfg.Audience()), u))
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "same iss and aud, our keys", setup: func(e *env) req {
			u, _ := signedIn(e)
			return verify(signWith(e, otherManager(e, e.cfg.Issuer(), e.cfg.Audience()), u))
		}, status: 200},
		{name: "forged signature with our kid", setup: func(e *env) req { _, p := signedIn(e); return verify(resignES256(e.t, p.AccessToken, "", nil)) },
			status: 401, code: shared.CodeInvalidToken},
		{name: "not a jwt", setup: func(e *env) req { return verify("hello") }, status: 401, code: shared.CodeInvalidToken},
		{name: "oversized", setup: func(e *env) req { return verify(strings.Repeat("a", 9000)) }, status: 401, code: shared.CodeInvalidToken},
	})
}

func TestMeScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "me", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "GET", path: "/api/me", bearer: p.AccessToken}
		},
			status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				u := mustJSON[shared.User](t, body)
				if u.Name != "Ada" || u.Email != "ada@example.com" || !u.EmailVerified {
					t.Fatalf("me = %s", body)
				}
			}},
		{name: "no bearer", setup: func(e *env) req { return req{method: "GET", path: "/api/me"} }, status: 401, code: shared.CodeInvalidToken,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Fatal("401 without WWW-Authenticate")
				}
			}},
		{name: "token in the query is ignored", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "GET", path: "/api/me?access_token=" + p.AccessToken}
		}, status: 401, code: shared.CodeInvalidToken},
		{name: "refresh token as bearer", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "GET", path: "/api/me", bearer: p.RefreshToken}
		},
			status: 401, code: shared.CodeInvalidToken},
		{name: "disabled user", setup: func(e *env) req {
			u, p := signedIn(e)
			now := e.clock.Now()
			if err := e.store.SetUserDisabled(context.Background(), u.ID, &now); err != nil {
				e.t.Fatal(err)
			}
			return req{method: "GET", path: "/api/me", bearer: p.AccessToken}
		}, status: 403, code: shared.CodeAccountDisabled},
		{name: "sessions", setup: func(e *env) req {
			u, p := signedIn(e)
			e.signIn(u)
			return req{method: "GET", path: "/api/me/sessions", bearer: p.AccessToken}
		}, status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			l := mustJSON[shared.ListResponse[shared.Session]](t, body)
			current := 0
			for _, s := range l.Items {
				if s.Current {
					current++
				}
				if s.UserAgent != "test-agent" || s.IP != "192.0.2.1" {
					t.Fatalf("session = %+v", s)
				}
			}
			if len(l.Items) != 2 || current != 1 {
				t.Fatalf("sessions = %s", body)
			}
		}},
		{name: "revoke own session", setup: func(e *env) req {
			u, p := signedIn(e)
			other := e.signIn(u)
			sid := claimsOf(e, other.AccessToken).SessionID
			return req{method: "DELETE", path: "/api/me/sessions/" + sid, bearer: p.AccessToken}
		}, status: 204, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			fams, err := e.auth.Sessions(context.Background(), onlyUserID(t, e), "")
			if err != nil || len(fams) != 1 {
				t.Fatalf("after revoke: %d sessions, %v", len(fams), err)
			}
		}},
		{name: "another user's session is not found", setup: func(e *env) req {
			_, p := signedIn(e)
			eve := e.user("Eve", "eve@example.com")
			sid := claimsOf(e, e.signIn(eve).AccessToken).SessionID
			return req{method: "DELETE", path: "/api/me/sessions/" + sid, bearer: p.AccessToken}
		}, status: 404, code: shared.CodeNotFound},
		{name: "unknown session", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "DELETE", path: "/api/me/sessions/nope", bearer: p.AccessToken}
		}, status: 404, code: shared.CodeNotFound},
		{name: "logins newest first", setup: func(e *env) req {
			u, p := signedIn(e)
			for i, outcome := range []string{shared.OutcomeFailure, shared.OutcomeSuccess} {
				ev := store.LoginEvent{ID: store.NewID(), UserID: &u.ID, Provider: "github", Outcome: outcome,
					IP: "192.0.2.9", UserAgent: "ua", CreatedAt: e.clock.Now().Add(time.Duration(i) * time.Minute)}
				if outcome == shared.OutcomeFailure {
					ev.ErrorCode = string(shared.CodeAccessDenied)
				}
				if err := e.store.InsertLoginEvent(context.Background(), ev); err != nil {
					e.t.Fatal(err)
				}
			}
			return req{method: "GET", path: "/api/me/logins", bearer: p.AccessToken}
		}, status: 200, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			l := mustJSON[shared.ListResponse[shared.LoginEvent]](t, body)
			if len(l.Items) != 2 || l.Items[0].Outcome != shared.OutcomeSuccess || l.Items[1].ErrorCode != shared.CodeAccessDenied {
				t.Fatalf("logins = %s", body)
			}
		}},
		{name: "logins bad limit", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "GET", path: "/api/me/logins?limit=0", bearer: p.AccessToken}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "logout all", setup: func(e *env) req {
			u, p := signedIn(e)
			e.signIn(u)
			return req{method: "POST", path: "/api/auth/logout", bearer: p.AccessToken, body: `{"all":true}`}
		}, status: 204, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			fams, err := e.auth.Sessions(context.Background(), onlyUserID(t, e), "")
			if err != nil || len(fams) != 0 {
				t.Fatalf("after logout all: %d sessions, %v", len(fams), err)
			}
		}},
		{name: "logout clears the cookie", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/logout", bearer: p.AccessToken, cookie: p.RefreshToken,
				header: map[string]string{"Origin": e.cfg.FrontendOrigin}}
		}, status: 204, check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
			if c := findCookie(resp, RefreshCookie); c == nil || c.MaxAge >= 0 {
				t.Fatalf("logout cookie = %+v, want it cleared", c)
			}
		}},
		{name: "logout with cookie from foreign origin", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/logout", bearer: p.AccessToken, cookie: p.RefreshToken,
				header: map[string]string{"Origin": "https://evil.example"}}
		}, status: 403, code: shared.CodeOriginNotAllowed},
		{name: "logout without bearer", setup: func(e *env) req { return req{method: "POST", path: "/api/auth/logout"} },
			status: 401, code: shared.CodeInvalidToken},
	})
}

// TestParallelRefresh: two tabs refresh the same token at once; both stay
// signed in and the user still has exactly one session.
func TestParallelRefresh(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, nil)
		u, p := signedIn(e)
		const n = 2
		codes := make(chan int, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			go func() {
				<-start
				hr, _ := http.NewRequest("POST", e.srv.URL+"/api/auth/token/refresh", strings.NewReader(refreshBody(p.RefreshToken)))
				hr.Header.Set("Content-Type", "application/json")
				resp, err := e.srv.Client().Do(hr)
				if err != nil {
					codes <- 0
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		close(start)
		for i := 0; i < n; i++ {
			if c := <-codes; c != 200 {
				t.Fatalf("parallel refresh answered %d", c)
			}
		}
		fams, err := e.auth.Sessions(context.Background(), u.ID, "")
		if err != nil || len(fams) != 1 {
			t.Fatalf("after parallel refresh: %d live families, %v; want 1", len(fams), err)
		}
	})
}

type jwks struct {
	Keys []struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
		Kty string `json:"kty"`
		Crv string `json:"crv"`
		X   string `json:"x"`
		Y   string `json:"y"`
	} `json:"keys"`
}

func findCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func claimsOf(e *env, tok string) shared.AccessClaims {
	e.t.Helper()
	c, err := e.tokens.Verify(context.Background(), tok)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// onlyUserID is the id of the first user a scenario created.
func onlyUserID(t *testing.T, e *env) string {
	t.Helper()
	if len(e.users) == 0 {
		t.Fatal("the scenario created no user")
	}
	return e.users[0].ID
}

// otherManager signs with the server's keys but its own iss/aud, to prove
// the server checks them and not only the signature.
func otherManager(e *env, issuer, audience string) *token.Manager {
	e.t.Helper()
	tm, err := token.New(context.Background(), e.store, token.Options{Issuer: issuer, Audience: audience, TTL: time.Minute, Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	return tm
}

func signWith(e *env, tm *token.Manager, u store.User) string {
	e.t.Helper()
	tok, _, err := tm.Sign(context.Background(), shared.AccessClaims{Subject: u.ID, SessionID: "s"})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func splitJWT(tb testing.TB, tok string) (header, payload map[string]any) {
	tb.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		tb.Fatalf("not a JWT: %q", tok)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			tb.Fatal(err)
		}
	}
	return header, payload
}

func seg(tb testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// algNone re-encodes tok unsigned with alg none, keeping kid and claims.
func algNone(tb testing.TB, tok string) string {
	h, p := splitJWT(tb, tok)
	h["alg"] = "none"
	return seg(tb, h) + "." + seg(tb, p) + "."
}

// hsWithPublicKey signs tok's claims with HS256 using the server's public key
// (PEM) as the HMAC secret: the classic algorithm-confusion attack.
func hsWithPublicKey(e *env, tok string) string {
	e.t.Helper()
	h, p := splitJWT(e.t, tok)
	_, body := e.do(req{method: "GET", path: "/.well-known/jwks.json"})
	set := mustJSON[jwks](e.t, body)
	x, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].X)
	y, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].Y)
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		e.t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(p))
	t.Header["kid"] = h["kid"]
	t.Header["typ"] = h["typ"]
	s, err := t.SignedString(pemKey)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// resignES256 signs tok's claims (with overrides) with a fresh key the server
// does not know; kid "" keeps the server's kid.
func resignES256(tb testing.TB, tok, kid string, override map[string]any) string {
	h, p := splitJWT(tb, tok)
	for k, v := range override {
		p[k] = v
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims(p))
	t.Header["typ"] = h["typ"]
	t.Header["kid"] = h["kid"]
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
