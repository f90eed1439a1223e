package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// TestDisabledUserRefusedEverywhere: a disabled user's access token, still
// unexpired, is refused with the code /api/me answers (403 account_disabled)
// on every authenticated route, and the refused call changes nothing: the
// session the token names stays live.
func TestDisabledUserRefusedEverywhere(t *testing.T) {
	challenge := strings.Repeat("c", 43)
	cases := []struct {
		method, path, body string
	}{
		{"GET", "/api/me", ""},
		{"GET", "/api/me/sessions", ""},
		{"GET", "/api/me/logins", ""},
		{"GET", "/api/me/accounts", ""},
		{"DELETE", "/api/me/sessions/{sid}", ""},
		{"DELETE", "/api/me/accounts/" + strings.Repeat("a", 32), ""},
		{"POST", "/api/auth/connect-ticket", `{"provider":"google","challenge":"` + challenge + `"}`},
		{"POST", "/api/auth/logout", `{"all":true}`},
		{"DELETE", "/api/me", ""},
		{"GET", "/api/me/export", ""},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, c := range cases {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				e := newEnv(t, engine, nil)
				u, p := signedIn(e)
				now := e.clock.Now()
				if err := e.store.SetUserDisabled(context.Background(), u.ID, &now); err != nil {
					t.Fatal(err)
				}
				rt, err := token.ParseRefresh(p.RefreshToken)
				if err != nil {
					t.Fatal(err)
				}
				path := strings.ReplaceAll(c.path, "{sid}", rt.FamilyID)
				resp, body := e.do(req{method: c.method, path: path, body: c.body, bearer: p.AccessToken})
				expect(t, resp, body, http.StatusForbidden, shared.CodeAccountDisabled)
				fams, err := e.auth.Sessions(context.Background(), u.ID, "")
				if err != nil || len(fams) != 1 || fams[0].ID != rt.FamilyID {
					t.Fatalf("after a refused %s %s: sessions %+v, %v; want the one session, live", c.method, path, fams, err)
				}
			})
		}
	})
}
