package ui

import (
	"strings"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestAccountList(t *testing.T) {
	providers := []shared.ProviderInfo{{ID: "google", Name: "Google"}, {ID: "github", Name: "GitHub"}}
	linked := []shared.LinkedAccount{{ID: "a1", Provider: "github", ProviderName: "GitHub", DisplayName: "bob"}}
	tests := []struct {
		name    string
		v       View
		waiting string
		load    string
		check   func(t *testing.T, c *accountList, html string)
	}{
		{"empty list offers every provider", View{Providers: providers, AccountsLoad: Load{Status: LoadLoaded}}, "", "loaded",
			func(t *testing.T, c *accountList, html string) {
				match(t, app.Ul().ID("accounts").Class("list"), c, 0, 1)
				if strings.Contains(html, "<li") || !strings.Contains(html, `id="connect-google"`) || !strings.Contains(html, `id="connect-github"`) {
					t.Errorf("want no rows and two Connect buttons:\n%s", html)
				}
			}},
		{"items have a Disconnect button", View{Providers: providers, Accounts: linked, Busy: "disconnect-a1", AccountsLoad: Load{Status: LoadLoaded}}, "", "loaded",
			func(t *testing.T, c *accountList, html string) {
				match(t, app.Li().DataSet("provider", "github").DataSet("account", "a1"), c, 0, 1, 0)
				match(t, app.Text("GitHub"), c, 0, 1, 0, 1, 0, 0)
				for _, w := range []string{`id="disconnect-github"`, `aria-label="Disconnect GitHub"`, "disabled", `id="last-method"`, `src="/web/marks/github.svg"`, `id="connect-google"`, "bob · "} {
					if !strings.Contains(html, w) {
						t.Errorf("missing %q in\n%s", w, html)
					}
				}
				if strings.Contains(html, `id="connect-github"`) || strings.Contains(html, "list-error") {
					t.Errorf("a linked provider is offered again, or an error shows:\n%s", html)
				}
			}},
		{"a failed fetch keeps the rows and says why", View{Providers: providers, Accounts: linked,
			AccountsLoad: loaded(&kit.Error{Code: kit.CodeNetwork, Message: "TypeError: Failed to fetch"})}, "", "error",
			func(t *testing.T, c *accountList, html string) {
				match(t, app.Li().DataSet("provider", "github").DataSet("account", "a1"), c, 0, 1, 0)
				match(t, app.Div().Class("muted small list-error"), c, 0, 2)
				match(t, app.Text(i18n.T(i18n.EN, i18n.Network)), c, 0, 2, 0)
			}},
		{"the waiting line while a connect popup is open", View{Providers: providers, AccountsLoad: Load{Status: LoadLoading}}, "Google", "loading",
			func(t *testing.T, c *accountList, html string) {
				if !strings.Contains(html, `id="waiting"`) || !strings.Contains(html, "Finish signing in with Google") || !strings.Contains(html, `id="cancel-flow"`) {
					t.Errorf("no waiting line:\n%s", html)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &accountList{Lang: i18n.EN, Waiting: tt.waiting, v: tt.v}
			html := mount(t, c)
			match(t, app.Div().Class("card").DataSet("load", tt.load), c, 0)
			match(t, app.Text(i18n.T(i18n.EN, i18n.Accounts)), c, 0, 0, 0)
			tt.check(t, c, html)
		})
	}
}
