package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestSessionList(t *testing.T) {
	first := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	sessions := []shared.Session{
		{ID: "s1", Current: true, UserAgent: "HeadlessChrome/1 Linux", IP: "127.0.0.1", Place: "Testville, ZZ", Provider: "github", CreatedAt: first},
		{ID: "s2", CreatedAt: first},
	}
	tests := []struct {
		name  string
		v     View
		load  string
		check func(t *testing.T, c *sessionList, html string)
	}{
		{"empty list", View{SessionsLoad: Load{Status: LoadLoaded}}, "loaded",
			func(t *testing.T, c *sessionList, html string) {
				match(t, app.Ul().ID("sessions").Class("list"), c, 0, 1)
				if strings.Contains(html, "<li") || strings.Contains(html, "list-error") {
					t.Errorf("want no rows and no error:\n%s", html)
				}
			}},
		{"items, the current one marked", View{Sessions: sessions, SessionsLoad: Load{Status: LoadLoaded}}, "loaded",
			func(t *testing.T, c *sessionList, html string) {
				match(t, app.Li().DataSet("session", "s1").DataSet("current", "true"), c, 0, 1, 0)
				match(t, app.Li().DataSet("session", "s2").DataSet("current", "false"), c, 0, 1, 1)
				match(t, app.Text("Headless Chrome · Linux · Testville, ZZ"), c, 0, 1, 0, 0, 0, 0)
				match(t, app.Span().Class("badge"), c, 0, 1, 0, 0, 1)
				match(t, app.Text(i18n.T(i18n.KO, i18n.UnknownDevice)+" · "+i18n.T(i18n.KO, i18n.FirstSeen, When(first))), c, 0, 1, 1, 0, 0, 0)
				if strings.Count(html, "revoke-session") != 2 {
					t.Errorf("want a Revoke button per session:\n%s", html)
				}
				if named := i18n.T(i18n.KO, i18n.SignedInWithProvider, "github"); strings.Count(html, named) != 1 {
					t.Errorf("want %q once (the session with a provider):\n%s", named, html)
				}
				// Each button says which session it ends, by the name that
				// tells it from the others (the current one as this device).
				for _, named := range []string{
					i18n.T(i18n.KO, i18n.RevokeSessionNamed, "Headless Chrome · Linux · Testville, ZZ, 127.0.0.1, "+i18n.T(i18n.KO, i18n.ThisDevice)),
					i18n.T(i18n.KO, i18n.RevokeSessionNamed, i18n.T(i18n.KO, i18n.UnknownDevice)+" · "+i18n.T(i18n.KO, i18n.FirstSeen, When(first))),
				} {
					if !strings.Contains(html, `aria-label="`+named+`"`) {
						t.Errorf("no button named %q:\n%s", named, html)
					}
				}
			}},
		{"a failed fetch says why", View{SessionsLoad: loaded(&kit.Error{Status: 500, Code: shared.CodeInternal, Message: "boom"})}, "error",
			func(t *testing.T, c *sessionList, html string) {
				match(t, app.Div().Class("muted small list-error"), c, 0, 2)
				match(t, app.Text(i18n.ErrorMessage(i18n.KO, shared.CodeInternal, "boom")), c, 0, 2, 0)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &sessionList{Lang: i18n.KO, v: tt.v}
			html := mount(t, c)
			match(t, app.Div().Class("card").DataSet("load", tt.load), c, 0)
			match(t, app.Text(i18n.T(i18n.KO, i18n.Sessions)), c, 0, 0, 0)
			tt.check(t, c, html)
		})
	}
}

// TestSessionName: the device, then the place when the server knows it,
// else when the session was first seen, in each language.
func TestSessionName(t *testing.T) {
	first := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	chrome := "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"
	tests := []struct {
		name string
		lang i18n.Lang
		s    shared.Session
		want string
	}{
		{"place", i18n.EN, shared.Session{UserAgent: chrome, Place: "Taipei, TW", CreatedAt: first}, "Chrome · Linux · Taipei, TW"},
		{"a country alone", i18n.KO, shared.Session{UserAgent: chrome, Place: "South Korea", CreatedAt: first}, "Chrome · Linux · South Korea"},
		{"no place: first seen", i18n.EN, shared.Session{UserAgent: chrome, CreatedAt: first}, "Chrome · Linux · first seen " + When(first)},
		{"no place: first seen, zh-TW", i18n.ZHTW, shared.Session{UserAgent: chrome, CreatedAt: first}, "Chrome · Linux · 首次使用 " + When(first)},
		{"no place: first seen, ko", i18n.KO, shared.Session{UserAgent: chrome, CreatedAt: first}, "Chrome · Linux · 처음 사용 " + When(first)},
		{"unknown device", i18n.EN, shared.Session{Place: "Taipei, TW"}, "Unknown device · Taipei, TW"},
		{"no time either", i18n.EN, shared.Session{UserAgent: chrome}, "Chrome · Linux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sessionName(tt.lang, tt.s); got != tt.want {
				t.Errorf("sessionName = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSessionNames: sessions that would read alike (one device, one place)
// are told apart by their first-seen time; the others keep their short
// names.
func TestSessionNames(t *testing.T) {
	first := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	second := first.Add(26 * time.Hour)
	chrome := "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"
	firefox := "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	sessions := []shared.Session{
		{UserAgent: chrome, Place: "Taipei, TW", CreatedAt: first},
		{UserAgent: chrome, Place: "Taipei, TW", CreatedAt: second},
		{UserAgent: chrome, Place: "Seoul, KR", CreatedAt: first},
		{UserAgent: firefox, Place: "Taipei, TW", CreatedAt: first},
	}
	want := []string{
		"Chrome · Linux · Taipei, TW · first seen " + When(first),
		"Chrome · Linux · Taipei, TW · first seen " + When(second),
		"Chrome · Linux · Seoul, KR",
		sessionName(i18n.EN, sessions[3]),
	}
	got := sessionNames(i18n.EN, sessions)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("session %d: %q, want %q", i, got[i], want[i])
		}
	}
	if got[0] == got[1] {
		t.Errorf("two sessions read alike: %q", got[0])
	}
}
