package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// TestUserRateLimits: the admin API's reads, its changes, deleting one's
// account and the data export each have a per-user budget: with the clock
// standing still, the first budget calls pass (whatever they answer) and
// the next is 429 rate_limited with Retry-After; another user's call to the
// same route is still answered, and so is the same user's call in another
// group (each group is its own budget).
func TestUserRateLimits(t *testing.T) {
	const perMin = 40 // AUTHBRIDGE_RATE_LIMIT
	type call struct {
		who          string // "root" (an administrator) or "bob"
		method, path string
		status       int // what it answers within the budget
	}
	cases := []struct {
		name   string
		budget int
		call   call
		other  call // another user, same route: not refused by call's budget
		group  call // the same user, another group: not refused either
	}{
		{"admin reads", burstFor(perMin),
			call{"root", "GET", "/api/admin/users", 200},
			call{"bob", "GET", "/api/admin/users", 403},
			call{"root", "POST", "/api/admin/users/{bob}/revoke-sessions", 200}},
		{"admin changes", burstFor(perMin / 4),
			call{"root", "POST", "/api/admin/users/{bob}/revoke-sessions", 200},
			call{"bob", "POST", "/api/admin/users/{bob}/revoke-sessions", 403},
			call{"root", "GET", "/api/admin/events", 200}},
		// Stale: each call is refused (reauth_required) and nothing is
		// deleted, so the budget is what stops the next one.
		{"deleting one's account", burstFor(perMin / 4),
			call{"bob-stale", "DELETE", "/api/me", 403},
			call{"root-stale", "DELETE", "/api/me", 403},
			call{"bob-stale", "POST", "/api/admin/users/{bob}/revoke-sessions", 403}},
		{"data export", exportBurst,
			call{"bob", "GET", "/api/me/export", 200},
			call{"root", "GET", "/api/me/export", 200},
			call{"bob", "GET", "/api/me/sessions", 200}},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := newAdminEnvWith(t, engine, map[string]string{"AUTHBRIDGE_RATE_LIMIT": strconv.Itoa(perMin)})
				stale := func(u string) string {
					id := a.bob
					if u == "root" {
						id = a.root
					}
					return a.signInAt(id, a.clock.Now().Add(-time.Hour)).AccessToken
				}
				toks := map[string]string{"root": a.rootP.AccessToken, "bob": a.bobP.AccessToken,
					"root-stale": stale("root"), "bob-stale": stale("bob")}
				send := func(k call) (*http.Response, []byte) {
					return a.as(toks[k.who], k.method, strings.ReplaceAll(k.path, "{bob}", a.bob.ID), "")
				}
				for i := 0; i < c.budget; i++ {
					resp, body := send(c.call)
					if resp.StatusCode != c.call.status {
						t.Fatalf("call %d of %d: %d %s, want %d", i+1, c.budget, resp.StatusCode, body, c.call.status)
					}
				}
				resp, body := send(c.call)
				expect(t, resp, body, http.StatusTooManyRequests, shared.CodeRateLimited)
				if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
					t.Fatalf("Retry-After %q, want whole seconds ≥ 1", resp.Header.Get("Retry-After"))
				}
				for _, k := range []call{c.other, c.group} {
					if resp, body := send(k); resp.StatusCode != k.status {
						t.Fatalf("%s %s %s after the limit: %d %s, want %d", k.who, k.method, k.path, resp.StatusCode, body, k.status)
					}
				}
			})
		}
	})
}
