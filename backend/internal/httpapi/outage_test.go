package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

type outcome struct {
	resp *http.Response
	body string
}

// bearerCall is an outage case: a signed-in call made once the database
// is gone.
func bearerCall(method, path, body string) func(t *testing.T, e *env) func() outcome {
	return func(t *testing.T, e *env) func() outcome {
		_, p := signedIn(e)
		return func() outcome {
			r, b := e.do(req{method: method, path: path, bearer: p.AccessToken, body: body})
			return outcome{r, string(b)}
		}
	}
}

// TestDatabaseOutage: with the database gone every route says unavailable,
// JSON routes with 503 and Retry-After, the popup pages in the handoff
// message, never internal_error.
func TestDatabaseOutage(t *testing.T) {
	tests := []struct {
		name string
		// before runs while the database is up and answers the call to
		// make once it is gone.
		before func(t *testing.T, e *env) func() outcome
		page   bool // a popup page: the error travels in the handoff
		fragm  bool // the redirect fallback: the error is in the fragment
	}{
		{name: "login", page: true, before: func(t *testing.T, e *env) func() outcome {
			_, c := pkce(t)
			return func() outcome {
				r, b := e.browser().get(e.srv.URL + "/api/auth/dev/login?challenge=" + c)
				return outcome{r, b}
			}
		}},
		{name: "login, redirect handoff", fragm: true, before: func(t *testing.T, e *env) func() outcome {
			_, c := pkce(t)
			return func() outcome {
				r, b := e.browser().get(e.srv.URL + "/api/auth/dev/login?handoff=redirect&challenge=" + c)
				return outcome{r, b}
			}
		}},
		{name: "callback", page: true, before: func(t *testing.T, e *env) func() outcome {
			b := e.browser()
			_, c := pkce(t)
			cb := b.authorize(b.start("dev", "challenge="+c), "alice")
			return func() outcome { r, body := b.get(cb); return outcome{r, body} }
		}},
		{name: "exchange", before: func(t *testing.T, e *env) func() outcome {
			b := e.browser()
			v, c := pkce(t)
			p := b.login("dev", "alice", c)
			return func() outcome { r, body := b.exchange(p.Message.Code, v); return outcome{r, body} }
		}},
		{name: "refresh", before: func(t *testing.T, e *env) func() outcome {
			_, p := signedIn(e)
			return func() outcome {
				r, b := e.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)})
				return outcome{r, string(b)}
			}
		}},
		{name: "me", before: func(t *testing.T, e *env) func() outcome {
			_, p := signedIn(e)
			return func() outcome {
				r, b := e.do(req{method: "GET", path: "/api/me", bearer: p.AccessToken})
				return outcome{r, string(b)}
			}
		}},
		{name: "sessions", before: func(t *testing.T, e *env) func() outcome {
			_, p := signedIn(e)
			return func() outcome {
				r, b := e.do(req{method: "GET", path: "/api/me/sessions", bearer: p.AccessToken})
				return outcome{r, string(b)}
			}
		}},
		{name: "logins", before: bearerCall("GET", "/api/me/logins", "")},
		{name: "accounts", before: bearerCall("GET", "/api/me/accounts", "")},
		{name: "disconnect", before: bearerCall("DELETE", "/api/me/accounts/x", "")},
		{name: "revoke a session", before: bearerCall("DELETE", "/api/me/sessions/x", "")},
		{name: "logout", before: bearerCall("POST", "/api/auth/logout", `{"all":true}`)},
		{name: "connect ticket", before: func(t *testing.T, e *env) func() outcome {
			_, p := signedIn(e)
			_, c := pkce(t)
			return func() outcome {
				r, b := e.do(req{method: "POST", path: "/api/auth/connect-ticket", bearer: p.AccessToken, body: `{"provider":"github","challenge":"` + c + `"}`})
				return outcome{r, string(b)}
			}
		}},
		{name: "google nonce", before: func(t *testing.T, e *env) func() outcome {
			return func() outcome {
				r, b := e.do(req{method: "GET", path: "/api/auth/google/nonce"})
				return outcome{r, string(b)}
			}
		}},
		{name: "readyz", before: func(t *testing.T, e *env) func() outcome {
			return func() outcome {
				r, b := e.do(req{method: "GET", path: "/readyz"})
				return outcome{r, string(b)}
			}
		}},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, engine, nil)
				call := tt.before(t, e)
				e.store.Close()
				got := call()
				switch {
				case tt.page:
					wantError(t, parseHandoff(t, got.resp, got.body), shared.CodeUnavailable)
				case tt.fragm:
					loc := got.resp.Header.Get("Location")
					if got.resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "#") {
						t.Fatalf("status %d Location %q", got.resp.StatusCode, loc)
					}
					frag, _ := url.ParseQuery(strings.SplitN(loc, "#", 2)[1])
					if frag.Get("error") != string(shared.CodeUnavailable) {
						t.Fatalf("fragment = %v", frag)
					}
				default:
					expect(t, got.resp, []byte(got.body), http.StatusServiceUnavailable, shared.CodeUnavailable)
					if got.resp.Header.Get("Retry-After") == "" {
						t.Fatal("503 without Retry-After")
					}
				}
			})
		}
	})
}
