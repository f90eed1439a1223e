package httpapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/geoip/geoiptest"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// TestSessionPlaces: with AUTHBRIDGE_GEOIP_FILE set, GET /api/me/sessions
// and the admin's user detail name each session's coarse place from its IP;
// an IP the database does not know has no place (and no "place" key), and
// without the file no session has one.
func TestSessionPlaces(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		file := geoiptest.Write(t, "GeoLite2-City", 6, map[string]geoiptest.Place{
			"192.0.2.0/24":  {City: "Testville", CountryCode: "ZZ", Country: "Testland"},
			"2001:db8::/32": {CountryCode: "KR", Country: "South Korea"},
		})
		for _, tc := range []struct {
			name  string
			extra map[string]string
			want  map[string]string // IP → place
		}{
			{"with a GeoIP file", map[string]string{"AUTHBRIDGE_GEOIP_FILE": file},
				map[string]string{"192.0.2.1": "Testville, ZZ", "2001:db8::7": "South Korea", "198.51.100.9": ""}},
			{"without", nil, map[string]string{"192.0.2.1": "", "2001:db8::7": "", "198.51.100.9": ""}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, engine, tc.extra)
				u := e.user("ada", "ada@example.com")
				p := e.signIn(u) // from 192.0.2.1
				for _, ip := range []string{"2001:db8::7", "198.51.100.9"} {
					addFamily(t, e, u, ip)
				}
				resp, body := e.do(req{method: "GET", path: "/api/me/sessions", bearer: p.AccessToken})
				expect(t, resp, body, 200, "")
				items := mustJSON[shared.ListResponse[shared.Session]](t, body).Items
				if len(items) != len(tc.want) {
					t.Fatalf("sessions = %s", body)
				}
				for _, s := range items {
					if want, ok := tc.want[s.IP]; !ok || s.Place != want {
						t.Errorf("session from %s: place %q, want %q", s.IP, s.Place, want)
					}
				}
				if n := strings.Count(string(body), `"place"`); n != countNonEmpty(tc.want) {
					t.Errorf(`%d "place" keys, want one per known place: %s`, n, body)
				}

				d, err := e.auth.Admin().UserDetail(context.Background(), u.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range d.Sessions {
					if s.Place != tc.want[s.IP] {
						t.Errorf("user detail: session from %s: place %q, want %q", s.IP, s.Place, tc.want[s.IP])
					}
				}
			})
		}
	})
}

// addFamily opens another session of u, last used from ip.
func addFamily(t *testing.T, e *env, u store.User, ip string) {
	t.Helper()
	secret, err := token.NewRefreshSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	storetest.CreateFamily(t, e.store, store.Family{ID: store.NewID(), UserID: u.ID, Provider: "test", UserAgent: "test-agent", IP: ip,
		CreatedAt: now.Add(-time.Hour), LastUsedAt: now, ExpiresAt: now.Add(e.cfg.RefreshTTL), Generation: 1, Secret: secret})
}

func countNonEmpty(m map[string]string) int {
	n := 0
	for _, v := range m {
		if v != "" {
			n++
		}
	}
	return n
}
