package ui

import (
	"strings"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestSessionList(t *testing.T) {
	sessions := []shared.Session{{ID: "s1", Current: true, UserAgent: "HeadlessChrome/1 Linux", IP: "127.0.0.1", Provider: "github"}, {ID: "s2"}}
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
				match(t, app.Text("Headless Chrome · Linux"), c, 0, 1, 0, 0, 0, 0)
				match(t, app.Span().Class("badge"), c, 0, 1, 0, 0, 1)
				match(t, app.Text(i18n.T(i18n.KO, i18n.UnknownDevice)), c, 0, 1, 1, 0, 0, 0)
				if strings.Count(html, "revoke-session") != 2 {
					t.Errorf("want a Revoke button per session:\n%s", html)
				}
				if named := i18n.T(i18n.KO, i18n.SignedInWithProvider, "github"); strings.Count(html, named) != 1 {
					t.Errorf("want %q once (the session with a provider):\n%s", named, html)
				}
				// Each button says which session it ends.
				if named := i18n.T(i18n.KO, i18n.RevokeSessionNamed, "Headless Chrome · Linux, 127.0.0.1"); !strings.Contains(html, `aria-label="`+named+`"`) {
					t.Errorf("no button named %q:\n%s", named, html)
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
